"""党员进社区: members register at their home community in one of six roles (进社区报到), take part
in its activities (sign-up, check-in hours, hours added by hand) and are rated each half-year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanqing.community import rules
from guanqing.community.choices import (
    ActivityRole,
    ActivityStatus,
    Grade,
    RegistrationStatus,
    ServiceRole,
    SignupStatus,
)
from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX

HOURS = {"max_digits": 5, "decimal_places": 1}


class TermMixin(models.Model):
    """A half-year term stored as year + half (1: January–June, 2: July–December)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))])

    class Meta:
        abstract = True

    @property
    def term(self) -> rules.Term:
        return rules.Term(self.year, self.half)

    @property
    def term_label(self) -> str:
        return f"{self.year}H{self.half}"


# ---------------------------------------------------------------------------------------------
# Registrations (进社区报到)
# ---------------------------------------------------------------------------------------------


class RegistrationQuerySet(ScopedQuerySet):
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
    @edit_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(community_id=user.community_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(member_id=user.member_id)

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        # 双报到: the unit follows where its members registered
        return self.filter(member__unit_id=user.unit_id)

    # the community decides on the registrations made with it

    def for_term(self, term: rules.Term):
        return self.filter(year=term.year, half=term.half)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)


class Registration(TermMixin):
    """A member's registration at its home community for one half-year, in one of the 六员 roles."""

    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="community_registrations",
    )
    community = models.ForeignKey(
        "registry.Division",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="member_registrations",
    )
    role = models.CharField(_("六员岗位"), max_length=12, choices=ServiceRole.choices)
    note = models.CharField(_("服务意向"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reject_reason = models.CharField(_("不通过原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("报到时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-half", "community_id", "id"]
        verbose_name = _("进社区报到")
        verbose_name_plural = _("进社区报到")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "half"], name="registration_one_per_member_and_term"
            ),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="registration_half_1_or_2"),
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(decided_at__isnull=True))
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="registration_decided_unless_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="registration_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "half", "status"]),
            # the API list's order (newest term first): a page without sorting every registration
            models.Index(fields=["year", "half", "id"], name="community_reg_term_id_idx"),
        ]

    def __str__(self):
        return f"{self.member}·{self.community.name}·{self.term_label}"


# ---------------------------------------------------------------------------------------------
# Activities, sign-ups, attendance and hours
# ---------------------------------------------------------------------------------------------


class ActivityQuerySet(ScopedQuerySet):
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
    @edit_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(community_id=user.community_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        # Published activities of every community (to find one), and every activity, cancelled
        # ones too, of the communities it registered at or that it signed up for.
        registered = Registration.objects.filter(member_id=user.member_id).values("community_id")
        signed = ActivitySignup.objects.filter(member_id=user.member_id).values("activity_id")
        return self.filter(
            Q(status=ActivityStatus.PUBLISHED) | Q(community_id__in=registered) | Q(pk__in=signed)
        )

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        # the activities its members signed up for: the context of their hours
        signed = ActivitySignup.objects.filter(member__unit_id=user.unit_id).values("activity_id")
        return self.filter(pk__in=signed)


class Activity(models.Model):
    """A community activity members sign up for, check in to and earn volunteer hours at."""

    community = models.ForeignKey(
        "registry.Division",
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="member_activities",
    )
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), max_length=LONG_TEXT_MAX, blank=True)
    role = models.CharField(
        _("面向岗位"), max_length=12, choices=ActivityRole.choices, default=ActivityRole.ALL
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    places = models.PositiveIntegerField(_("名额"))
    # how many places are taken; changed only by one conditional UPDATE (see activity_signup)
    signed_up = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # mixed with the server's key into the rotating check-in code; never shown
    code_secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="activity_at_least_one_place"),
            models.CheckConstraint(
                condition=Q(signed_up__gte=0) & Q(signed_up__lte=F("places")),
                name="activity_never_overbooked",
            ),
            models.CheckConstraint(
                condition=(Q(status="cancelled") & Q(cancelled_at__isnull=False))
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="activity_cancelled_at_when_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"]),
            # the committee's lists, newest first, read a page from it instead of sorting all
            models.Index(fields=["starts_at", "id"], name="community_activity_listed_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def length_hours(self):
        return rules.activity_length(self.starts_at, self.ends_at)

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.signed_up)


class _ByActivityQuerySet(ScopedQuerySet):
    """Rows about a member on an activity: the community sees its activities' rows, the member its
    own, the unit its members'."""

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
        return self.filter(activity__community_id=user.community_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(member_id=user.member_id)

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(member__unit_id=user.unit_id)


class ActivitySignupQuerySet(_ByActivityQuerySet):
    no_rows_for = frozenset(
        {
            Role.AUDIT_ADMIN,
            Role.FUND_OFFICER,
            Role.SECURITY_ADMIN,
            Role.SYSTEM_ADMIN,
            Role.WINDOW_CLERK,
        }
    )

    def active(self):
        return self.filter(status=SignupStatus.SIGNED_UP)


class ActivitySignup(models.Model):
    """A member's place at an activity (kept when cancelled; signing up again reuses it)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="signups"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="activity_signups",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )
    signed_up_at = models.DateTimeField(_("报名时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = ActivitySignupQuerySet.as_manager()

    class Meta:
        ordering = ["activity_id", "signed_up_at", "id"]
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], name="signup_one_per_member_and_activity"
            ),
        ]

    def __str__(self):
        return f"{self.member}·{self.activity}"


class Attendance(models.Model):
    """A member's check-in and check-out at an activity with the organiser's code, and the
    check-in hours they earned (credited at check-out)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="attendances"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="activity_attendances",
    )
    checked_in_at = models.DateTimeField(_("签到时间"))
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(_("签到时长（小时）"), null=True, blank=True, **HOURS)

    objects = _ByActivityQuerySet.as_manager()

    class Meta:
        ordering = ["activity_id", "checked_in_at", "id"]
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], name="attendance_one_per_member_and_activity"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="attendance_out_after_in",
            ),
            models.CheckConstraint(
                condition=(Q(checked_out_at__isnull=True) & Q(hours__isnull=True))
                | (Q(checked_out_at__isnull=False) & Q(hours__gte=0)),
                name="attendance_hours_at_check_out",
            ),
        ]

    def __str__(self):
        return f"{self.member}·{self.activity}"


class ManualHours(models.Model):
    """Hours a community worker added by hand for a member on an activity: who, why, when.
    Kept apart from check-in hours; together they never exceed the activity's length."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="manual_hours"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="manual_hours",
    )
    hours = models.DecimalField(_("补录时长（小时）"), **HOURS)
    reason = models.CharField(_("补录原因"), max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("补录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("补录时间"), auto_now_add=True)

    objects = _ByActivityQuerySet.as_manager()

    class Meta:
        ordering = ["activity_id", "added_at", "id"]
        verbose_name = _("补录时长")
        verbose_name_plural = _("补录时长")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="manual_hours_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="manual_hours_have_reason"),
        ]

    def __str__(self):
        return f"{self.member}·{self.activity}·{self.hours}h"


# ---------------------------------------------------------------------------------------------
# Ratings (双评价)
# ---------------------------------------------------------------------------------------------


class RatingQuerySet(ScopedQuerySet):
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
    @edit_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(community_id=user.community_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(member_id=user.member_id)

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        # the community's opinion goes back to the member's unit
        return self.filter(member__unit_id=user.unit_id)


class Rating(TermMixin):
    """The community's half-yearly rating of a member registered with it (优秀/称职/基本称职/不称职)."""

    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="community_ratings",
    )
    community = models.ForeignKey(
        "registry.Division",
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="member_ratings",
    )
    grade = models.CharField(_("评价等次"), max_length=12, choices=Grade.choices)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-half", "community_id", "member_id"]
        verbose_name = _("社区评价")
        verbose_name_plural = _("社区评价")
        # the API list's order, newest term first: its page's keys read off the index
        indexes = [
            models.Index(
                fields=["-year", "-half", "member", "id"], name="community_rating_list_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "half", "community"],
                name="rating_one_per_member_term_and_community",
            ),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="rating_half_1_or_2"),
        ]

    def __str__(self):
        return f"{self.member}·{self.term_label}·{self.get_grade_display()}"
