"""农村工作指导员 Rural work instructors: a unit's cadre stationed in a village for a term, the work
log of the days spent there, and the village's problems raised into the frontline loop.

- `InstructorTerm`: a member of a unit appointed to a village (a registry division of kind village
  or community; often the unit's 结对共建 partner village) from one date to another, with the days
  a month the instructor must spend there (`required_days`, defaulting to the committee's
  `InstructorSettings`). Appointed, then ended (at its end date or earlier).
- `WorkLog`: one entry of the log: a day or a range of days in the village (inside one month, so a
  month's days are the sum of its entries), what was done and what problems were found.
- `RaisedProblem`: a problem the instructor raised into the frontline loop (the frontline problem's
  id and public id, read back through `guanqing.frontline.interface`).

Compliance per month (required days prorated for partial months, days logged, met or short) is
derived by `guanqing.instructors.rules`, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.instructors.choices import TermState

DEFAULT_DAYS_PER_MONTH = 20
DAYS_MAX = 31


class InstructorSettings(models.Model):
    """The committee's settings for every term (one row)."""

    days_per_month = models.PositiveSmallIntegerField(
        _("每月驻村天数要求"), default=DEFAULT_DAYS_PER_MONTH
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("农村工作指导员设置")
        verbose_name_plural = _("农村工作指导员设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(days_per_month__gte=1) & Q(days_per_month__lte=DAYS_MAX),
                name="instructor_settings_days_range",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> InstructorSettings:
        return cls.objects.order_by("pk").first() or cls()


NOT_INSTRUCTORS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.WINDOW_CLERK,
        Role.FUND_OFFICER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)


class TermQuerySet(ScopedQuerySet):
    no_rows_for = NOT_INSTRUCTORS

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
        return self.of_own_member(user)

    def appointed(self):
        return self.filter(state=TermState.APPOINTED)


class InstructorTerm(models.Model):
    """A cadre's term as 农村工作指导员 in a village."""

    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("选派单位"),
        on_delete=models.PROTECT,
        related_name="instructor_terms",
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("指导员"),
        on_delete=models.PROTECT,
        related_name="instructor_terms",
    )
    village = models.ForeignKey(
        "registry.Division",
        verbose_name=_("驻村"),
        on_delete=models.PROTECT,
        related_name="instructor_terms",
    )
    starts_on = models.DateField(_("任期开始"))
    ends_on = models.DateField(_("任期结束"))  # inclusive; moved earlier when ended early
    required_days = models.PositiveSmallIntegerField(_("每月驻村天数要求"))
    state = models.CharField(
        _("状态"), max_length=10, choices=TermState.choices, default=TermState.APPOINTED
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    end_reason = models.CharField(_("离任说明"), max_length=200, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("指导员任期")
        verbose_name_plural = _("指导员任期")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="instructor_term_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(required_days__gte=1) & Q(required_days__lte=DAYS_MAX),
                name="instructor_term_days_range",
            ),
            # an instructor is stationed in one village at a time
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state=TermState.APPOINTED),
                name="instructor_term_one_appointed_per_member",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self):
        return f"{self.member}—{self.village}"


class LogQuerySet(ChildScopedQuerySet):
    scope_parent = "term"
    no_rows_for = NOT_INSTRUCTORS

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_for_unit_admin(self, user):
        return self.filter(term__unit_id=user.unit_id)

    @edit_rule(Role.MEMBER)
    def _edit_for_member(self, user):
        return self.of_own_member(user, "term__member_id")


class WorkLog(models.Model):
    """One entry of an instructor's work log: the days in the village (one day or a range inside
    one month) and what was done."""

    term = models.ForeignKey(
        InstructorTerm, verbose_name=_("任期"), on_delete=models.CASCADE, related_name="logs"
    )
    starts_on = models.DateField(_("驻村日期"))
    ends_on = models.DateField(_("至"))  # inclusive; the same day for one day
    days = models.PositiveSmallIntegerField(_("驻村天数"))  # ends_on - starts_on + 1
    work = models.TextField(_("工作内容"), max_length=LONG_TEXT_MAX)
    problems = models.TextField(_("发现的问题"), max_length=LONG_TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LogQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("驻村日志")
        verbose_name_plural = _("驻村日志")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="instructor_log_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=DAYS_MAX), name="instructor_log_days_range"
            ),
        ]
        indexes = [models.Index(fields=["term", "starts_on"])]

    def __str__(self):
        return f"{self.term} {self.starts_on}"


class RaisedQuerySet(ChildScopedQuerySet):
    scope_parent = "term"
    no_rows_for = NOT_INSTRUCTORS


class RaisedProblem(models.Model):
    """A village problem the instructor raised into the frontline loop."""

    term = models.ForeignKey(
        InstructorTerm,
        verbose_name=_("任期"),
        on_delete=models.CASCADE,
        related_name="raised_problems",
    )
    log = models.ForeignKey(
        WorkLog,
        verbose_name=_("驻村日志"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_problems",
    )
    problem_id = models.PositiveBigIntegerField(_("难题"), unique=True)
    public_id = models.CharField(_("难题编号"), max_length=20)
    title = models.CharField(_("标题"), max_length=120)
    raised_on = models.DateField(_("反映日期"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反映人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RaisedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("反映的难题")
        verbose_name_plural = _("反映的难题")

    def __str__(self):
        return f"{self.public_id} {self.title}"
