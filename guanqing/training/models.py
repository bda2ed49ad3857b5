"""轮训 Training rotations: a plan, its sessions, who must attend, and who goes when.

- `Plan`: the year's rotation (sessions, classes per session, days per session, class capacity, the
  share of a unit's required cadres that may be away at once, the ranks that must attend, the allowed
  dates) and the outcome of the last solve (status, gap, seconds).
- `Session`: one run of the training. Its start date is fixed by the committee (a proposal spreads
  the sessions over the allowed dates); its days are derived on the official calendar
  (`rules.session_days`) and stored so the solver reads them without the database.
- `Participant`: a cadre who must attend (by rank, or added by name), the unit at the time and the
  role in the unit that the unit sets (principal / deputy / other); exemptions carry a reason.
- `Unavailability` (dates a cadre cannot attend) and `Preference` (preferred months).
- `Assignment`: the session and class of a participant; `fixed` when set by hand (kept by a
  re-solve, as are assignments with attended days); `AssignmentMove` keeps every manual move.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.training.choices import (
    AttendanceMethod,
    AttendanceStatus,
    Inclusion,
    LeaderRole,
    PlanState,
    SolveStatus,
    UnavailabilitySource,
)

SESSIONS_MAX = 60
CLASSES_MAX = 40
DAYS_MAX = 10
CAPACITY_MAX = 1000
TIME_LIMIT_MAX = 600
REASON_MAX = 200
EARLIEST = datetime.date(2000, 1, 1)

# Default soft weights: what a unit of imbalance, an unmet preference, an extra cadre of one unit in
# the same session cost in the objective.
DEFAULT_WEIGHTS = {"balance": 10, "preference": 5, "spread": 3}

OUTSIDE = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.WINDOW_CLERK,
        Role.FUND_OFFICER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)


def default_weights():
    return dict(DEFAULT_WEIGHTS)


def default_ranks():
    return ["division"]


class PlanQuerySet(ScopedQuerySet):
    no_rows_for = OUTSIDE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN, Role.MEMBER)
    def _for_readers(self, user):
        return self


class Plan(models.Model):
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("名称"), max_length=100)
    venue = models.CharField(_("地点"), max_length=100, blank=True)
    sessions_count = models.PositiveSmallIntegerField(
        _("期数"), default=13, validators=[MinValueValidator(1), MaxValueValidator(SESSIONS_MAX)]
    )
    classes_per_session = models.PositiveSmallIntegerField(
        _("每期班数"), default=2, validators=[MinValueValidator(1), MaxValueValidator(CLASSES_MAX)]
    )
    days_per_session = models.PositiveSmallIntegerField(
        _("每期天数"), default=2, validators=[MinValueValidator(1), MaxValueValidator(DAYS_MAX)]
    )
    class_capacity = models.PositiveSmallIntegerField(
        _("每班人数上限"),
        default=120,
        validators=[MinValueValidator(1), MaxValueValidator(CAPACITY_MAX)],
    )
    allow_makeup_saturdays = models.BooleanField(_("可安排在调休上班的周六"), default=False)
    unit_share = models.DecimalField(
        _("单位每期参训比例上限"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    required_ranks = models.JSONField(_("须参训职级"), default=default_ranks)
    first_date = models.DateField(_("最早开班日期"))
    last_date = models.DateField(_("最晚结束日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )
    time_limit_seconds = models.PositiveSmallIntegerField(
        _("求解时限（秒）"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(TIME_LIMIT_MAX)],
    )
    weights = models.JSONField(_("软约束权重"), default=default_weights)
    solve_status = models.CharField(
        _("求解状态"), max_length=10, choices=SolveStatus.choices, default="", blank=True
    )
    solve_gap = models.FloatField(_("最优性差距（%）"), null=True, blank=True)
    solve_seconds = models.FloatField(_("求解用时（秒）"), null=True, blank=True)
    solve_objective = models.FloatField(_("目标值"), null=True, blank=True)
    # why there is no schedule, as explain.Reason values: put into words in the reader's language
    solve_reasons = models.JSONField(_("无解原因"), default=list, blank=True)
    solved_at = models.DateTimeField(_("求解时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("轮训计划")
        verbose_name_plural = _("轮训计划")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_date__gte=models.F("first_date")), name="training_plan_dates"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"

    def reason_texts(self) -> list[str]:
        """Why the last solve found no schedule, in the active language."""
        from guanqing.training.explain import Reason

        return [Reason.from_json(item).text() for item in self.solve_reasons]

    @property
    def solve_explanation(self) -> str:
        """The reasons, one a line, in the active language (empty when there is a schedule)."""
        return "\n".join(self.reason_texts())


class SessionQuerySet(ChildScopedQuerySet):
    scope_parent = "plan"


def new_code_secret() -> str:
    return secrets.token_hex(32)


class Session(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("轮训计划"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("期次"))
    start_date = models.DateField(_("开班日期"))
    # The working days it runs, ISO dates, derived by `rules.session_days` when the start is set.
    days = models.JSONField(_("培训日期"), default=list)
    # mixed with the server's key and the day into the rotating check-in code; never shown
    code_secret = models.CharField(max_length=64, editable=False, default=new_code_secret)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("期次")
        verbose_name_plural = _("期次")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="training_session_number"),
        ]

    def __str__(self):
        return f"{self.plan_id}-{self.number}"

    @property
    def dates(self) -> list[datetime.date]:
        return [datetime.date.fromisoformat(day) for day in self.days]


class ParticipantQuerySet(ScopedQuerySet):
    no_rows_for = OUTSIDE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    @edit_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.of_own_member(user)

    def required(self):
        """Those who must attend: every participant not exempted."""
        return self.filter(exempt=False)


class Participant(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("轮训计划"), on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="training_participations",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="training_participants",
    )
    leader_role = models.CharField(
        _("单位职务"), max_length=10, choices=LeaderRole.choices, default=LeaderRole.OTHER
    )
    inclusion = models.CharField(
        _("列入方式"), max_length=10, choices=Inclusion.choices, default=Inclusion.RANK
    )
    added_reason = models.CharField(_("增列理由"), max_length=REASON_MAX, blank=True)
    exempt = models.BooleanField(_("免训"), default=False)
    exempt_reason = models.CharField(_("免训理由"), max_length=REASON_MAX, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "unit", "id"]
        verbose_name = _("参训干部")
        verbose_name_plural = _("参训干部")
        constraints = [
            models.UniqueConstraint(fields=["plan", "member"], name="training_participant_once"),
        ]

    def __str__(self):
        return f"{self.plan_id}:{self.member_id}"


class UnavailabilityQuerySet(ChildScopedQuerySet):
    scope_parent = "participant"


class Unavailability(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("参训干部"),
        on_delete=models.CASCADE,
        related_name="unavailabilities",
    )
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=REASON_MAX)
    source = models.CharField(
        _("来源"),
        max_length=10,
        choices=UnavailabilitySource.choices,
        default=UnavailabilitySource.UNIT,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = UnavailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "start"]
        verbose_name = _("无法参训日期")
        verbose_name_plural = _("无法参训日期")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="training_unavailability_order"
            ),
            models.CheckConstraint(
                condition=Q(start__gte=EARLIEST), name="training_unavailability_since_2000"
            ),
        ]

    def __str__(self):
        return f"{self.participant_id} {self.start}–{self.end}"


class PreferenceQuerySet(ChildScopedQuerySet):
    scope_parent = "participant"


class Preference(models.Model):
    participant = models.OneToOneField(
        Participant,
        verbose_name=_("参训干部"),
        on_delete=models.CASCADE,
        related_name="preference",
    )
    months = models.JSONField(_("希望参训月份"), default=list)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("参训意向")
        verbose_name_plural = _("参训意向")

    def __str__(self):
        return f"{self.participant_id} {self.months}"


class AssignmentQuerySet(ChildScopedQuerySet):
    scope_parent = "participant"


class Assignment(models.Model):
    participant = models.OneToOneField(
        Participant,
        verbose_name=_("参训干部"),
        on_delete=models.CASCADE,
        related_name="assignment",
    )
    session = models.ForeignKey(
        Session, verbose_name=_("期次"), on_delete=models.PROTECT, related_name="assignments"
    )
    class_number = models.PositiveSmallIntegerField(_("班次"))
    fixed = models.BooleanField(_("人工调整"), default=False)
    attended_days = models.PositiveSmallIntegerField(_("已出勤天数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["session", "class_number", "participant"]
        verbose_name = _("参训安排")
        verbose_name_plural = _("参训安排")
        indexes = [models.Index(fields=["session", "class_number"])]

    def __str__(self):
        return f"{self.participant_id}→{self.session_id}/{self.class_number}"

    @property
    def kept_on_resolve(self) -> bool:
        return self.fixed or self.attended_days > 0


class AssignmentMoveQuerySet(ChildScopedQuerySet):
    scope_parent = "participant"


class AssignmentMove(models.Model):
    """A manual move of one participant (a swap is two moves with the same `swap_with`)."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("参训干部"), on_delete=models.CASCADE, related_name="moves"
    )
    from_session = models.PositiveSmallIntegerField(_("原期次"))
    from_class = models.PositiveSmallIntegerField(_("原班次"))
    to_session = models.PositiveSmallIntegerField(_("新期次"))
    to_class = models.PositiveSmallIntegerField(_("新班次"))
    swap_with = models.ForeignKey(
        Participant,
        verbose_name=_("对调对象"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调整人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moved_at = models.DateTimeField(_("调整时间"), auto_now_add=True)

    objects = AssignmentMoveQuerySet.as_manager()

    class Meta:
        ordering = ["-moved_at", "-id"]
        verbose_name = _("调整记录")
        verbose_name_plural = _("调整记录")

    def __str__(self):
        return f"{self.participant_id} {self.from_session}→{self.to_session}"


class AttendanceQuerySet(ChildScopedQuerySet):
    scope_parent = "participant"


class Attendance(models.Model):
    """One training day of a participant's assignment: present, absent or excused (请假), by the
    member's check-in code or the organiser's list. Keyed on the participant (its assignment is
    one-to-one), so the history stays when a re-solve replaces an unattended assignment or a
    make-up moves it to a later session; `session` and `class_number` are where the day was."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("参训干部"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    session = models.ForeignKey(
        Session, verbose_name=_("期次"), on_delete=models.CASCADE, related_name="attendances"
    )
    class_number = models.PositiveSmallIntegerField(_("班次"))
    day = models.DateField(_("培训日期"))
    day_number = models.PositiveSmallIntegerField(_("第几天"))
    status = models.CharField(_("出勤情况"), max_length=10, choices=AttendanceStatus.choices)
    method = models.CharField(_("登记方式"), max_length=10, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "day", "class_number", "participant"]
        verbose_name = _("出勤记录")
        verbose_name_plural = _("出勤记录")
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="training_attendance_once"),
        ]
        indexes = [models.Index(fields=["session", "day"])]

    def __str__(self):
        return f"{self.participant_id} {self.day} {self.status}"


class MakeUpQuerySet(ChildScopedQuerySet):
    scope_parent = "participant"


class MakeUp(models.Model):
    """A make-up (补训): a participant absent or excused on a day of its session moved into a later
    session; the history of where it was, where it went and why."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("参训干部"), on_delete=models.CASCADE, related_name="makeups"
    )
    from_session = models.ForeignKey(
        Session, verbose_name=_("原期次"), on_delete=models.CASCADE, related_name="makeups_out"
    )
    from_class = models.PositiveSmallIntegerField(_("原班次"))
    to_session = models.ForeignKey(
        Session, verbose_name=_("补训期次"), on_delete=models.CASCADE, related_name="makeups_in"
    )
    to_class = models.PositiveSmallIntegerField(_("补训班次"))
    reason = models.CharField(_("补训原因"), max_length=REASON_MAX)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("安排时间"), auto_now_add=True)

    objects = MakeUpQuerySet.as_manager()

    class Meta:
        ordering = ["-assigned_at", "-id"]
        verbose_name = _("补训安排")
        verbose_name_plural = _("补训安排")

    def __str__(self):
        return f"{self.participant_id} {self.from_session_id}→{self.to_session_id}"
