"""结对帮困: pairings and their relay, visits (谈讲访帮扶) with help given, organ–village
partnerships (结对共建) and the committee's compliance settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.pairing.choices import (
    EndReason,
    ProjectKind,
    ProjectStatus,
    SupportKind,
    VisitKind,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class PairingQuerySet(ScopedQuerySet):
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

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        # pairings it holds now or held before a handover
        held = PairingTerm.objects.filter(member_id=user.member_id).values("pairing_id")
        return self.filter(pk__in=held)

    @scope_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(household__community_id=user.community_id)

    def active(self):
        return self.filter(ended_on__isnull=True)


class Pairing(models.Model):
    """A unit (through one of its members, or as a whole) paired with a household in difficulty."""

    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("困难家庭"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("结束原因"), max_length=10, choices=EndReason.choices, blank=True
    )
    end_note = models.CharField(_("结束说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pairing_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="pairing_end_reason_with_end_date",
            ),
            # one active pairing of a household per unit: the unit relays it, it does not double it
            models.UniqueConstraint(
                fields=["household", "unit"],
                condition=Q(ended_on__isnull=True),
                name="pairing_one_active_per_household_and_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "ended_on"]),
            # the lists' order (newest first): a page without sorting a million pairings
            models.Index(fields=["started_on", "id"], name="pairing_started_id_idx"),
        ]

    def __str__(self):
        return f"{self.unit}—{self.household}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class PairingTermQuerySet(ChildScopedQuerySet):
    scope_parent = "pairing"

    def on(self, day):
        """The terms that cover `day` (at most one per pairing)."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class PairingTerm(models.Model):
    """Who holds a pairing from one date to another (接力棒); a whole-unit term has no member."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对"), on_delete=models.CASCADE, related_name="terms"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("结对党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairing_terms",
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)  # inclusive; null = current
    reason = models.CharField(_("交接原因"), max_length=200, blank=True)

    objects = PairingTermQuerySet.as_manager()

    class Meta:
        ordering = ["pairing_id", "starts_on"]
        verbose_name = _("结对任期")
        verbose_name_plural = _("结对任期")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pairing_term_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["pairing"],
                condition=Q(ends_on__isnull=True),
                name="pairing_term_one_open_per_pairing",
            ),
            models.UniqueConstraint(
                fields=["pairing", "starts_on"], name="pairing_term_unique_start"
            ),
        ]
        indexes = [models.Index(fields=["member", "ends_on"])]

    def __str__(self):
        holder = self.member.name if self.member_id else _("全单位")
        return f"{holder} {self.starts_on}–{self.ends_on or ''}"


class VisitQuerySet(ChildScopedQuerySet):
    scope_parent = "pairing"


VISIT_KIND_FIELDS = [kind.value for kind in VisitKind]


class Visit(models.Model):
    """One home visit to a paired household, with what it did (谈讲访帮扶) and the help given."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对"), on_delete=models.PROTECT, related_name="visits"
    )
    date = models.DateField(_("走访日期"))
    # One boolean per kind (not a JSON list): "festival visits in a window" is a plain indexed
    # column test, counted the same way on SQLite and PostgreSQL.
    talk = models.BooleanField(_("谈"), default=False)
    brief = models.BooleanField(_("讲"), default=False)
    festival = models.BooleanField(_("访"), default=False)
    help = models.BooleanField(_("帮"), default=False)
    support = models.BooleanField(_("扶"), default=False)
    participants = models.ManyToManyField(
        "registry.Member", verbose_name=_("参加党员"), related_name="visits"
    )
    notes = models.TextField(_("走访记录"), max_length=LONG_TEXT_MAX, blank=True)
    cash_amount = models.DecimalField(_("慰问金（元）"), default=0, **MONEY)
    in_kind_items = models.CharField(_("慰问物品"), max_length=300, blank=True)
    in_kind_value = models.DecimalField(_("物品折价（元）"), default=0, **MONEY)
    support_kind = models.CharField(
        _("扶持方式"), max_length=12, choices=SupportKind.choices, default=SupportKind.NONE
    )
    support_note = models.CharField(_("扶持说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        constraints = [
            models.CheckConstraint(
                condition=Q(talk=True)
                | Q(brief=True)
                | Q(festival=True)
                | Q(help=True)
                | Q(support=True),
                name="visit_has_a_kind",
            ),
            models.CheckConstraint(condition=Q(cash_amount__gte=0), name="visit_cash_not_negative"),
            models.CheckConstraint(
                condition=Q(in_kind_value__gte=0), name="visit_in_kind_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["pairing", "date"]),
            # the list's order, newest first: a page read from it, ties on a day (thousands of
            # visits at a province) included, instead of sorting the whole day
            models.Index(fields=["date", "id"], name="visit_date_id_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.pairing.household}"

    @property
    def kinds(self) -> list[str]:
        return [name for name in VISIT_KIND_FIELDS if getattr(self, name)]

    @property
    def kind_labels(self) -> list[str]:
        """谈, 讲, 访, 帮, 扶: the short labels of the kinds this visit did."""
        return [str(self._meta.get_field(name).verbose_name) for name in self.kinds]


class VisitPhotoQuerySet(ChildScopedQuerySet):
    scope_parent = "visit"


class VisitPhoto(models.Model):
    """A photo taken on a visit, stored under MEDIA_ROOT/visits/<year>/<month>/."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("照片"), upload_to="visits/%Y/%m/", max_length=200)
    content_type = models.CharField(_("类型"), max_length=20)
    size = models.PositiveIntegerField(_("大小（字节）"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = VisitPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "id"]
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    def __str__(self):
        return self.original_name or self.file.name


class PartnershipQuerySet(ScopedQuerySet):
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

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_org__unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(unit_org__unit__members__pk=user.member_id)

    @scope_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(village_org__division_id=user.community_id)


class Partnership(models.Model):
    """结对共建: a unit's party organisation paired with a village's party organisation."""

    unit_org = models.ForeignKey(
        "registry.PartyOrg",
        verbose_name=_("机关党组织"),
        on_delete=models.PROTECT,
        related_name="village_partnerships",
    )
    village_org = models.ForeignKey(
        "registry.PartyOrg",
        verbose_name=_("村级党组织"),
        on_delete=models.PROTECT,
        related_name="unit_partnerships",
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("结对共建")
        verbose_name_plural = _("结对共建")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="partnership_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["unit_org", "village_org"],
                condition=Q(ended_on__isnull=True),
                name="partnership_one_active_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.unit_org}—{self.village_org}"


class PartnershipProjectQuerySet(ChildScopedQuerySet):
    scope_parent = "partnership"

    @edit_rule(Role.COMMITTEE)
    def _edit_committee(self, user):
        return self

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_unit_admin(self, user):
        return self.filter(partnership__unit_org__unit_id=user.unit_id)


class PartnershipProject(models.Model):
    """A project done through an organ–village partnership (e.g. 10万元 for water works)."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("结对共建"), on_delete=models.PROTECT, related_name="projects"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=ProjectKind.choices)
    title = models.CharField(_("项目名称"), max_length=120)
    funds = models.DecimalField(_("资金（元）"), default=0, **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    finished_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("说明"), max_length=LONG_TEXT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipProjectQuerySet.as_manager()

    class Meta:
        ordering = ["partnership_id", "id"]
        verbose_name = _("共建项目")
        verbose_name_plural = _("共建项目")
        constraints = [
            models.CheckConstraint(condition=Q(funds__gte=0), name="project_funds_not_negative"),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(finished_on__gte=F("started_on")),
                name="project_finishes_after_start",
            ),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(status=ProjectStatus.DONE),
                name="project_finished_only_when_done",
            ),
        ]

    def __str__(self):
        return self.title


class ComplianceSettings(models.Model):
    """The committee's visit duties: the quarterly minimum and the two festival windows."""

    quarterly_talk_minimum = models.PositiveSmallIntegerField(_("每季度至少谈心次数"), default=1)
    new_year_window_start_month = models.PositiveSmallIntegerField(
        _("元旦春节走访开始月"), default=1
    )
    new_year_window_start_day = models.PositiveSmallIntegerField(_("元旦春节走访开始日"), default=1)
    new_year_window_ends_at_lantern = models.BooleanField(
        _("至正月十五结束"), default=True, help_text=_("否则在下面的固定月日结束")
    )
    new_year_window_end_month = models.PositiveSmallIntegerField(
        _("元旦春节走访结束月"), null=True, blank=True
    )
    new_year_window_end_day = models.PositiveSmallIntegerField(
        _("元旦春节走访结束日"), null=True, blank=True
    )
    july_window_start_month = models.PositiveSmallIntegerField(_("七一走访开始月"), default=6)
    july_window_start_day = models.PositiveSmallIntegerField(_("七一走访开始日"), default=1)
    july_window_end_month = models.PositiveSmallIntegerField(_("七一走访结束月"), default=7)
    july_window_end_day = models.PositiveSmallIntegerField(_("七一走访结束日"), default=1)
    grace_days = models.PositiveSmallIntegerField(
        _("季度末宽限天数"), default=30, help_text=_("季度最后若干天内新结对的，本季度不计")
    )
    due_soon_days = models.PositiveSmallIntegerField(_("临期提醒天数"), default=14)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("走访考核设置")
        verbose_name_plural = _("走访考核设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_year_window_ends_at_lantern=True)
                | (
                    Q(new_year_window_end_month__isnull=False)
                    & Q(new_year_window_end_day__isnull=False)
                ),
                name="compliance_new_year_end_is_set",
            ),
            models.CheckConstraint(
                condition=Q(quarterly_talk_minimum__gte=1), name="compliance_minimum_at_least_one"
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
