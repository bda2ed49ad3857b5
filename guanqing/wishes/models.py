"""微心愿 Micro-wishes: a community posts a resident's small wish, members claim and fulfil it,
the community or the resident confirms it.

Every state change is a `WishEvent` plus an audit record, in one transaction. The states of a
wish and of a claim, and who moves them, are the lifecycle tables of `guanqing.wishes.rules`;
the services (`guanqing.wishes.services`) check every move with them.

- `wish_post` (a community worker of the wish's community) → pending.
- `wish_approve` / `wish_reject`: a *different* worker of the same community, or the committee.
- `wish_claim` (a member): `selectors.claim_refusal` says when it may (published, before the
  deadline, at most one active claim per member and wish, at most
  `WishSettings.max_unfulfilled_claims` active claims per member); `claimed_count` is raised by
  one conditional UPDATE, so it never exceeds `capacity`.
- `claim_withdraw` (the claimant, with a reason) and `claims_lapse` (daily: a claim not fulfilled
  by its `due_on` lapses): the wish goes back to the wall, or expires if its deadline has passed.
- `wish_fulfil` (a claimant with an active claim): note, money spent, photos; every active claim
  of the wish is credited as fulfilled (they did it together).
- `wish_confirm` (a worker of the community) or `wish_confirm_by_token` (the resident, with the
  one-time code a worker handed over; only its SHA-256 is stored).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.wishes.choices import (
    WALL_STATUSES,
    ClaimStatus,
    EventKind,
    WishCategory,
    WishStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


def wall_order():
    """The wall's order: what may still be claimed first (full wishes last), then the soonest
    deadline. One expression for the wall's ORDER BY and for its index (`wishes/0008`), which
    PostgreSQL uses only when the two are the same."""
    full_last = Case(
        When(status=WishStatus.FULL, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return full_last, F("deadline"), F("id")


class WishQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(
        {
            Role.AUDIT_ADMIN,
            Role.FUND_OFFICER,
            Role.SECURITY_ADMIN,
            Role.SYSTEM_ADMIN,
            Role.WINDOW_CLERK,
        }
    )

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.COMMUNITY_WORKER)
    @edit_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(community_id=user.community_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        # the wall city-wide, plus every wish it ever claimed (whatever became of it)
        mine = WishClaim.objects.filter(member_id=user.member_id).values("wish_id")
        return self.filter(Q(status__in=WALL_STATUSES) | Q(pk__in=mine))

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        claimed = WishClaim.objects.filter(member__unit_id=user.unit_id).values("wish_id")
        return self.filter(pk__in=claimed)

    def on_wall(self):
        return self.filter(status__in=WALL_STATUSES)


class Wish(models.Model):
    """A resident's micro-wish (微心愿), posted by its community for members to claim."""

    community = models.ForeignKey(
        "registry.Division",
        verbose_name=_("社区/村"),
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("困难家庭"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    title = models.CharField(_("心愿"), max_length=80)
    description = models.TextField(_("心愿故事"), max_length=LONG_TEXT_MAX, blank=True)
    category = models.CharField(_("类别"), max_length=10, choices=WishCategory.choices)
    estimated_cost = models.DecimalField(_("预计费用（元）"), default=0, **MONEY)
    deadline = models.DateField(_("截止日期"))
    capacity = models.PositiveSmallIntegerField(
        _("可认领人数"), default=1, help_text=_("几名党员可以一起认领")
    )
    # Kept by the services with conditional UPDATEs only; never written from a loaded row.
    claimed_count = models.PositiveSmallIntegerField(_("已认领人数"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=WishStatus.choices, default=WishStatus.PENDING
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("上墙时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # SHA-256 of the resident's one-time confirmation code; the code itself is never stored.
    confirm_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="wish_capacity_at_least_1"),
            models.CheckConstraint(
                condition=Q(claimed_count__lte=F("capacity")), name="wish_never_over_claimed"
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0), name="wish_cost_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["community", "status"]),
            # the lists' default order (`ordering`, the API's): a page without a sort of every wish
            models.Index(fields=["deadline", "id"]),
            # the wall's order, over the wishes on it: a page without a sort of the 43,000 on the
            # wall at a whole province (24 ms → 0.1)
            models.Index(
                *wall_order(), name="wishes_wall_order_idx", condition=Q(status__in=WALL_STATUSES)
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.claimed_count, 0)


class WishClaimQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(
        {
            Role.AUDIT_ADMIN,
            Role.FUND_OFFICER,
            Role.SECURITY_ADMIN,
            Role.SYSTEM_ADMIN,
            Role.WINDOW_CLERK,
        }
    )

    @scope_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(wish__community_id=user.community_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(member_id=user.member_id)

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(member__unit_id=user.unit_id)

    def active(self):
        return self.filter(status=ClaimStatus.ACTIVE)


class WishClaim(models.Model):
    """A member's claim (认领) of a wish, from the claim to its fulfilment, withdrawal or lapse."""

    wish = models.ForeignKey(
        Wish, verbose_name=_("微心愿"), on_delete=models.PROTECT, related_name="claims"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("认领党员"),
        on_delete=models.PROTECT,
        related_name="wish_claims",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE
    )
    due_on = models.DateField(_("应实现日期"))
    reason = models.CharField(_("退出原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = WishClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("心愿认领")
        verbose_name_plural = _("心愿认领")
        constraints = [
            models.UniqueConstraint(
                fields=["wish", "member"],
                condition=Q(status=ClaimStatus.ACTIVE),
                name="wish_claim_one_active_per_member",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"]),
            models.Index(fields=["status", "due_on"]),
            # the API list's order, newest first: a page without sorting every claim
            models.Index(fields=["created_at", "id"], name="wishes_claim_created_id_idx"),
        ]

    def __str__(self):
        return f"{self.member}—{self.wish}"


class WishFulfilmentQuerySet(ChildScopedQuerySet):
    scope_parent = "wish"


class WishFulfilment(models.Model):
    """How a wish came true: the note, the money spent, the photos, who recorded it and when."""

    wish = models.OneToOneField(
        Wish, verbose_name=_("微心愿"), on_delete=models.PROTECT, related_name="fulfilment"
    )
    note = models.TextField(_("实现情况"), max_length=LONG_TEXT_MAX)
    money_spent = models.DecimalField(_("花费（元）"), default=0, **MONEY)
    fulfilled_by = models.ForeignKey(
        "registry.Member",
        verbose_name=_("登记党员"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    fulfilled_at = models.DateTimeField(_("实现时间"), auto_now_add=True)

    objects = WishFulfilmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("心愿实现")
        verbose_name_plural = _("心愿实现")
        constraints = [
            models.CheckConstraint(
                condition=Q(money_spent__gte=0), name="wish_fulfilment_money_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.wish}"


class WishPhotoQuerySet(ChildScopedQuerySet):
    scope_parent = "fulfilment"


class WishPhoto(models.Model):
    """A photo of a fulfilled wish, stored under MEDIA_ROOT/wishes/<year>/<month>/."""

    fulfilment = models.ForeignKey(
        WishFulfilment, verbose_name=_("心愿实现"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("照片"), upload_to="wishes/%Y/%m/", max_length=200)
    content_type = models.CharField(_("类型"), max_length=20)
    size = models.PositiveIntegerField(_("大小（字节）"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = WishPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["fulfilment_id", "id"]
        verbose_name = _("心愿照片")
        verbose_name_plural = _("心愿照片")

    def __str__(self):
        return self.original_name or self.file.name


class WishEventQuerySet(ChildScopedQuerySet):
    scope_parent = "wish"


class WishEvent(models.Model):
    """One step of a wish's story: what happened, who did it (none: the resident or the daily
    job, named in `actor_name`), the status before and after."""

    wish = models.ForeignKey(
        Wish, verbose_name=_("微心愿"), on_delete=models.PROTECT, related_name="events"
    )
    claim = models.ForeignKey(
        WishClaim,
        verbose_name=_("认领"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(_("事项"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=60, blank=True)
    from_status = models.CharField(
        _("原状态"), max_length=10, choices=WishStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=10, choices=WishStatus.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = WishEventQuerySet.as_manager()

    class Meta:
        ordering = ["wish_id", "at", "id"]
        verbose_name = _("心愿记录")
        verbose_name_plural = _("心愿记录")
        indexes = [models.Index(fields=["wish", "at"])]

    def __str__(self):
        return f"{self.wish} {self.kind}"


class WishSettings(models.Model):
    """The committee's rules for claims: how many a member may hold, how long one lasts."""

    max_unfulfilled_claims = models.PositiveSmallIntegerField(_("每名党员最多同时认领"), default=3)
    claim_period_days = models.PositiveSmallIntegerField(_("认领后应在几天内实现"), default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("微心愿设置")
        verbose_name_plural = _("微心愿设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_unfulfilled_claims__gte=1), name="wish_settings_max_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(claim_period_days__gte=1), name="wish_settings_period_at_least_1"
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
