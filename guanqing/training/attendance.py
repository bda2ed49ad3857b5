"""Attendance of the training rotations: a record per participant and training day, the rotating
check-in code, the organiser's list, and make-up sessions (补训).

- **The check-in code** is six digits rotating every `CODE_STEP_SECONDS`: an HMAC of the server's
  key, the session, its random secret, the training day and the time step — never stored. The code
  of the previous step is still accepted (a member reading it just before it changes is not
  refused); codes are compared in constant time and accepted only on a day of the member's own
  session. After `MAX_FAILED_CODES` wrong codes a member waits `FAILED_CODE_LOCK_SECONDS`.
- **The organiser's list** (the committee) sets each person's day present, absent or excused;
  a day outside the session, or one still to come, is refused.
- `Assignment.attended_days` always equals the participant's present records, so a re-solve keeps
  every assignment someone has begun (`Assignment.kept_on_resolve`).
- **A make-up** moves a participant absent or excused on a day of its session into a later session
  not yet begun: the checker (`checker.check`) judges the whole plan with the move, as for a manual
  move (class capacity, the unit's share, leaders apart, unavailable days), and the refusal gives
  its words. The assignment is marked fixed (a re-solve keeps it) and `MakeUp` keeps the history.
  `makeup_options` lists the later sessions, each with its class and the reasons it is refused;
  the first accepted one is the default ("the next session with room").
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanqing.core import audit
from guanqing.core.calendar.workdays import business_date
from guanqing.core.notifications.services import notification_send
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import OutOfScope, merge_errors, save_with_audit
from guanqing.training import selectors
from guanqing.training.access import access
from guanqing.training.choices import AttendanceMethod, AttendanceStatus, PlanState
from guanqing.training.models import Assignment, Attendance, MakeUp, Participant, Plan, Session

CODE_STEP_SECONDS = 300
CODE_DIGITS = 6
MAX_FAILED_CODES = 5
FAILED_CODE_LOCK_SECONDS = 600
MISSED = (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
ATTENDANCE_FIELDS = ["participant", "session", "class_number", "day", "status", "method"]


# ---------------------------------------------------------------------------------------------
# The rotating code (pure: the key, the session's id and secret, the day and the moment)
# ---------------------------------------------------------------------------------------------


def _code_key() -> bytes:
    return hashlib.sha256(b"guanqing.training.checkin:" + settings.SECRET_KEY.encode()).digest()


def code_step(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // CODE_STEP_SECONDS


def step_ends_at(moment: datetime.datetime) -> datetime.datetime:
    """When the code shown at `moment` gives way to the next one."""
    return datetime.datetime.fromtimestamp(
        (code_step(moment) + 1) * CODE_STEP_SECONDS, tz=datetime.UTC
    )


def code_for(key: bytes, session_id: int, secret: str, day: datetime.date, step: int) -> str:
    message = f"{session_id}:{secret}:{day.isoformat()}:{step}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def current_code(session: Session, day: datetime.date, moment: datetime.datetime) -> str:
    return code_for(_code_key(), session.pk, session.code_secret, day, code_step(moment))


def code_matches(
    given: str, session: Session, day: datetime.date, moment: datetime.datetime
) -> bool:
    """The code of the current or the previous step on `day` (constant time, both compared)."""
    given = str(given or "").strip()
    key, step = _code_key(), code_step(moment)
    matched = False
    for candidate in (step, step - 1):
        expected = code_for(key, session.pk, session.code_secret, day, candidate)
        matched |= hmac.compare_digest(given.encode(), expected.encode())
    return matched


# ---------------------------------------------------------------------------------------------
# Reads shared by the pages, the exports and the services
# ---------------------------------------------------------------------------------------------


def days_text(session: Session) -> str:
    return "、".join(session.days)


def day_number(session: Session, day: datetime.date) -> int | None:
    """1 for the session's first training day, …; None for a day outside it."""
    dates = session.dates
    return dates.index(day) + 1 if day in dates else None


def _outside(session: Session, day: datetime.date) -> dict:
    return {
        "day": [
            _("%(day)s 不是第 %(n)s 期的培训日（本期培训日期：%(days)s）")
            % {"day": day.isoformat(), "n": session.number, "days": days_text(session)}
        ]
    }


@dataclasses.dataclass
class RosterRow:
    participant: Participant
    class_number: int
    # the assignment when the participant is still in this session (None: moved to a make-up)
    assignment: Assignment | None
    # day (date) → Attendance
    records: dict = dataclasses.field(default_factory=dict)
    made_up: MakeUp | None = None

    def status(self, day: datetime.date) -> str:
        record = self.records.get(day)
        return record.status if record else ""

    @property
    def missed(self) -> list[Attendance]:
        return [r for r in self.records.values() if r.status in MISSED]


def session_roster(session: Session) -> dict[int, list[RosterRow]]:
    """Class number → the rows of the session: everyone assigned to it now, and everyone who has
    a record in it and has since been moved to a make-up (with the class they were in); each row
    with its records in this session. Ordered by unit, then name."""
    rows: dict[int, RosterRow] = {}
    assigned = Assignment.objects.filter(session=session).select_related(
        "participant__member", "participant__unit"
    )
    for a in assigned:
        rows[a.participant_id] = RosterRow(a.participant, a.class_number, a)
    records = Attendance.objects.filter(session=session).select_related(
        "participant__member", "participant__unit"
    )
    for record in records:
        row = rows.get(record.participant_id)
        if row is None:
            row = rows[record.participant_id] = RosterRow(
                record.participant, record.class_number, None
            )
        row.records[record.day] = record
    for makeup in MakeUp.objects.filter(from_session=session).select_related("to_session"):
        row = rows.get(makeup.participant_id)
        if row is not None and row.assignment is None:
            row.made_up = makeup
    by_class: dict[int, list[RosterRow]] = {
        n: [] for n in range(1, session.plan.classes_per_session + 1)
    }
    for row in rows.values():
        by_class.setdefault(row.class_number, []).append(row)
    for members in by_class.values():
        members.sort(
            key=lambda r: (r.participant.unit.name, r.participant.member.name, r.participant.pk)
        )
    return by_class


def missed_in(participant_id: int, session: Session) -> list[Attendance]:
    return list(
        Attendance.objects.filter(
            participant_id=participant_id, session=session, status__in=MISSED
        ).order_by("day")
    )


@dataclasses.dataclass
class MakeUpOption:
    session: Session
    class_number: int
    reasons: list[str]

    @property
    def accepted(self) -> bool:
        return not self.reasons


def _class_sizes(plan: Plan) -> collections.Counter:
    return collections.Counter(
        Assignment.objects.filter(participant__plan=plan).values_list(
            "session__number", "class_number"
        )
    )


def _emptiest_class(plan: Plan, number: int, sizes: collections.Counter) -> int:
    return min(range(1, plan.classes_per_session + 1), key=lambda c: (sizes[number, c], c))


def later_sessions(session: Session, today: datetime.date) -> list[Session]:
    """The plan's sessions after `session` that have not begun by `today`."""
    return [
        s
        for s in Session.objects.filter(plan_id=session.plan_id).order_by("number")
        if s.dates and s.dates[0] > session.dates[-1] and s.dates[0] >= today
    ]


def makeup_options(assignment: Assignment, today: datetime.date | None = None):
    """Every later session not yet begun, in order, each in its emptiest class with the reasons
    the checker refuses it (none: accepted). The first accepted one is the default."""
    today = today or business_date()
    plan = assignment.session.plan
    sizes = _class_sizes(plan)
    judge = selectors.change_judge(plan)
    options = []
    for target in later_sessions(assignment.session, today):
        klass = _emptiest_class(plan, target.number, sizes)
        reasons = judge({assignment.participant_id: (target.number, klass)})
        options.append(MakeUpOption(target, klass, reasons))
    return options


def default_makeup(options: list[MakeUpOption]) -> MakeUpOption | None:
    return next((o for o in options if o.accepted), None)


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------


def _recount(participant_ids) -> None:
    """`attended_days` of these participants' assignments set to their present records."""
    present = (
        Attendance.objects.filter(
            participant_id=OuterRef("participant_id"), status=AttendanceStatus.PRESENT
        )
        .order_by()
        .values("participant_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Assignment.objects.filter(participant_id__in=list(participant_ids)).update(
        attended_days=Coalesce(Subquery(present), 0)
    )


def _owned(actor, assignment: Assignment, field: str):
    """`field` of the assignment as the actor may change it (outside its scope: 404)."""
    value = (
        Assignment.objects.editable_by(actor)
        .filter(pk=assignment.pk)
        .values_list(field, flat=True)
        .first()
    )
    if value is None:
        raise OutOfScope()
    return value


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _scheduled(plan: Plan, field: str) -> None:
    if plan.state != PlanState.SCHEDULED:
        raise ValidationError({field: [_("只有已排期、尚未结束的计划登记出勤")]})


def session_code(*, actor, session: Session, at: datetime.datetime | None = None) -> dict:
    """The code the organiser shows now (the committee), on a training day of the session: the
    six digits and when they change. Not audited: showing the code changes nothing; each
    check-in it allows is."""
    access.check(actor, "attendance")
    session = Session.objects.visible_to(actor).select_related("plan").filter(pk=session.pk).first()
    if session is None:
        raise OutOfScope()
    at = at or timezone.now()
    today = business_date(at)
    if day_number(session, today) is None:
        raise ValidationError(
            {
                "day": [
                    _("签到码只在本期的培训日显示（本期培训日期：%(days)s）")
                    % {"days": days_text(session)}
                ]
            }
        )
    _scheduled(session.plan, "session")
    return {
        "code": current_code(session, today, at),
        "day": today,
        "valid_until": step_ends_at(at),
    }


def _failures_key(session: Session, participant: Participant, day: datetime.date) -> str:
    return f"training:code-failures:{session.pk}:{participant.pk}:{day.isoformat()}"


def _count_failure(key: str) -> None:
    if not cache.add(key, 1, FAILED_CODE_LOCK_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, FAILED_CODE_LOCK_SECONDS)


def _running_with(code: str, plan: Plan, today: datetime.date, now) -> Session | None:
    """Another session of the plan running today whose code this is."""
    for other in Session.objects.filter(plan=plan):
        if day_number(other, today) and code_matches(code, other, today, now):
            return other
    return None


def attendance_check_in(*, actor, assignment: Assignment, code: str) -> Attendance:
    """The member checks itself in with the code shown at the venue: only on a day of its own
    session, with that session's code of that day. Checking in twice changes nothing."""
    access.check(actor, "checkin")
    with transaction.atomic():
        # the session's row first, as the organiser's list takes it: one writer of a day at a time
        _lock(Session, _owned(actor, assignment, "session_id"))
        row = lock_in_scope(Assignment.objects.editable_by(actor), assignment.pk)
        session, participant = row.session, row.participant
        plan = session.plan
        _scheduled(plan, "code")
        now = timezone.now()
        today = business_date(now)
        number = day_number(session, today)
        code = str(code or "").strip()
        if number is None:
            other = _running_with(code, plan, today, now) if code else None
            if other is not None:
                raise ValidationError(
                    {
                        "session": [
                            _(
                                "这是第 %(other)s 期的签到码，您参加的是第 %(n)s 期（%(days)s），不在本期签到"
                            )
                            % {
                                "other": other.number,
                                "n": session.number,
                                "days": days_text(session),
                            }
                        ]
                    }
                )
            raise ValidationError(
                {
                    "day": [
                        _("今天（%(today)s）不是您的培训日：您参加第 %(n)s 期，培训日期 %(days)s")
                        % {
                            "today": today.isoformat(),
                            "n": session.number,
                            "days": days_text(session),
                        }
                    ]
                }
            )
        key = _failures_key(session, participant, today)
        if (cache.get(key) or 0) >= MAX_FAILED_CODES:
            raise ValidationError({"code": [_("签到码错误次数过多，请 10 分钟后再试")]})
        if not code_matches(code, session, today, now):
            other = _running_with(code, plan, today, now) if code else None
            if other is not None and other.pk != session.pk:
                raise ValidationError(
                    {
                        "session": [
                            _("这是第 %(other)s 期的签到码，您参加的是第 %(n)s 期")
                            % {"other": other.number, "n": session.number}
                        ]
                    }
                )
            _count_failure(key)
            raise ValidationError({"code": [_("签到码错误或已过期，请输入现场显示的 6 位签到码")]})
        record = Attendance.objects.filter(participant=participant, day=today).first()
        if record is not None and record.status == AttendanceStatus.PRESENT:
            return record
        before = audit.snapshot(record, ATTENDANCE_FIELDS) if record else None
        record = record or Attendance(participant=participant, day=today)
        record.session, record.class_number, record.day_number = session, row.class_number, number
        record.status, record.method = AttendanceStatus.PRESENT, AttendanceMethod.CODE
        record.recorded_by = actor
        save_with_audit(
            actor=actor,
            instance=record,
            fields=ATTENDANCE_FIELDS,
            before=before,
            also_save=["day_number", "recorded_by", "recorded_at"],
            root=plan,
            message="签到码签到",  # stored in the site language
        )
        _recount([participant.pk])
    return record


def attendance_record(*, actor, session: Session, day: datetime.date, marks: dict[int, str]) -> int:
    """The organiser's list for one training day: `marks` {participant id: present / absent /
    excused} for people of the session (assigned to it, or recorded in it before a make-up).
    Returns how many records changed; one audit record for the day lists them."""
    access.check(actor, "attendance")
    with transaction.atomic():
        session = lock_in_scope(Session.objects.editable_by(actor), session.pk)
        plan = session.plan
        _scheduled(plan, "day")
        number = day_number(session, day)
        if number is None:
            raise ValidationError(_outside(session, day))
        if day > business_date():
            raise ValidationError(
                {"day": [_("还没到 %(day)s，不能提前登记出勤") % {"day": day.isoformat()}]}
            )
        if any(status not in AttendanceStatus.values for status in marks.values()):
            raise ValidationError({"marks": [_("出勤情况须为出勤、缺勤或请假")]})
        assigned = dict(
            Assignment.objects.filter(session=session, participant_id__in=list(marks)).values_list(
                "participant_id", "class_number"
            )
        )
        records = {
            r.participant_id: r
            for r in Attendance.objects.filter(participant_id__in=list(marks), day=day)
        }
        strangers = [
            pid
            for pid in marks
            if pid not in assigned
            and not (pid in records and records[pid].session_id == session.pk)
        ]
        if strangers:
            raise ValidationError(
                {
                    "marks": [
                        _("%(n)s 人不在第 %(s)s 期") % {"n": len(strangers), "s": session.number}
                    ]
                }
            )
        new, changed, log = [], [], {}
        for pid, status in marks.items():
            record = records.get(pid)
            if record is not None and record.status == status:
                continue
            if record is None:
                record = Attendance(
                    participant_id=pid,
                    session=session,
                    class_number=assigned[pid],
                    day=day,
                    day_number=number,
                )
                new.append(record)
            else:
                changed.append(record)
            log[str(pid)] = [record.status or None, status]
            record.status, record.method, record.recorded_by = status, AttendanceMethod.LIST, actor
        Attendance.objects.bulk_create(new)
        now = timezone.now()
        for record in changed:
            record.recorded_at = now
        Attendance.objects.bulk_update(changed, ["status", "method", "recorded_by", "recorded_at"])
        if log:
            audit.record(
                actor=actor,
                action="update",
                obj=session,
                root=plan,
                changes={"day": [None, day.isoformat()], "attendance": log},
                message=f"登记第 {session.number} 期 {day.isoformat()} 出勤 {len(log)} 人",
            )
            _recount([int(pid) for pid in log])
    return len(log)


def makeup_assign(
    *, actor, assignment: Assignment, session: Session, class_number: int | None = None
) -> MakeUp:
    """Move a participant absent or excused on a day of its session into a later session not yet
    begun (class: the emptiest when not given), if the checker accepts the plan with it; the
    assignment is fixed, the make-up kept, the member told."""
    access.check(actor, "attendance")
    with transaction.atomic():
        # the plan's row first, as a solve takes it: make-ups and solves one at a time
        plan = _lock(Plan, _owned(actor, assignment, "participant__plan_id"))
        row = lock_in_scope(Assignment.objects.editable_by(actor), assignment.pk)
        current = row.session
        _scheduled(plan, "session")
        errors = {}
        if session.plan_id != plan.pk:
            errors["session"] = [_("只能安排到本计划的期次")]
        if class_number is not None and not 1 <= class_number <= plan.classes_per_session:
            errors["class_number"] = [
                _("班次须在 1 至 %(n)s 之间") % {"n": plan.classes_per_session}
            ]
        merge_errors(errors)
        missed = missed_in(row.participant_id, current)
        if not missed:
            raise ValidationError(
                {
                    "assignment": [
                        _("%(name)s 在第 %(n)s 期没有缺勤或请假，无需补训")
                        % {"name": row.participant.member.name, "n": current.number}
                    ]
                }
            )
        target = Session.objects.get(pk=session.pk)
        if target.pk not in {s.pk for s in later_sessions(current, business_date())}:
            raise ValidationError(
                {
                    "session": [
                        _("补训须安排在第 %(n)s 期之后、尚未开班的期次") % {"n": current.number}
                    ]
                }
            )
        if class_number is None:
            class_number = _emptiest_class(plan, target.number, _class_sizes(plan))
        broken = selectors.change_judge(plan)({row.participant_id: (target.number, class_number)})
        if broken:
            raise ValidationError({"session": broken})
        with translation.override(settings.LANGUAGE_CODE):  # stored: the site language
            reason = _("第 %(n)s 期 %(days)s") % {
                "n": current.number,
                "days": "、".join(f"{r.day.isoformat()} {r.get_status_display()}" for r in missed),
            }
        makeup = save_with_audit(
            actor=actor,
            instance=MakeUp(
                participant=row.participant,
                from_session=current,
                from_class=row.class_number,
                to_session=target,
                to_class=class_number,
                reason=reason[:200],
                assigned_by=actor,
            ),
            fields=[
                "participant",
                "from_session",
                "from_class",
                "to_session",
                "to_class",
                "reason",
            ],
            root=plan,
        )
        before = audit.snapshot(row, ["session", "class_number", "fixed"])
        row.session, row.class_number, row.fixed = target, class_number, True
        save_with_audit(
            actor=actor,
            instance=row,
            fields=["session", "class_number", "fixed"],
            before=before,
            root=plan,
            message="补训",
        )
        _tell(plan, row, makeup)
    return makeup


def _tell(plan: Plan, assignment: Assignment, makeup: MakeUp) -> None:
    users = get_user_model().objects.filter(
        is_active=True, member_id=assignment.participant.member_id
    )
    notification_send(
        recipients=users,
        kind="training_makeup",
        text=_("您的补训安排：“%(plan)s”第 %(n)s 期第 %(klass)s 班，%(days)s，地点 %(venue)s。")
        % {
            "plan": plan.title,
            "n": makeup.to_session.number,
            "klass": makeup.to_class,
            "days": days_text(makeup.to_session),
            "venue": plan.venue or "—",
        },
        dedupe_key=f"training-makeup:{makeup.pk}",
        link=reverse("training:mine"),
    )


def member_assignments(user):
    """The member's own assignments in plans under way, the latest plan first."""
    return (
        Assignment.objects.visible_to(user)
        .filter(
            participant__member_id=getattr(user, "member_id", None),
            participant__plan__state=PlanState.SCHEDULED,
        )
        .select_related("session", "participant__plan")
        .order_by("-participant__plan__year", "-participant__plan_id")
    )


def running_today(assignments, today: datetime.date):
    """The first of `assignments` whose session has a training day today, else the one whose
    session comes next, else the first."""
    rows = list(assignments)
    today_rows = [a for a in rows if day_number(a.session, today)]
    if today_rows:
        return today_rows[0]
    coming = sorted(
        (a for a in rows if a.session.dates and a.session.dates[-1] >= today),
        key=lambda a: a.session.dates[0],
    )
    return coming[0] if coming else (rows[0] if rows else None)
