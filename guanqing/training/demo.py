"""轮训 demo data: this year's rotation of the demo's division-level (处级) cadres, solved.

The demo builder of order 78 (`build`, registered in `TrainingConfig.ready`): it runs after the
registry and before the pledges, reads the members and the committee's account from the database
and writes seed data directly (not through the services), every row as the services would leave
it:

- the plan: 13 sessions of 2 days, two classes side by side, at the city party school; the first
  allowed date is the first working Monday after the Spring Festival holiday of the demo year (on
  the official calendar), one session a week from there (`rules.proposed_starts`, holidays
  stepped over), the class capacity about the article's 115 cadres;
- the list: every active 处级 member (about 3,000 at the demo's scale), the unit at the time;
- in the units with four cadres or more, a principal and one or two deputies (never in one
  session); a few cadres with unavailable dates (leave, trips) and a few with preferred months;
- solved by the solver with one worker and a fixed seed (deterministic: the same data set gives the
  same schedule), the plan scheduled with the solve's status, gap and seconds;
- attendance of the training days already held, by the organiser's list through the attendance
  service (`attendance.attendance_record`, which keeps `attended_days` equal to the present
  records): a few cadres absent or excused on a day or the whole session, and a make-up in a later
  session (`attendance.makeup_assign`) for a few who missed the whole of the last session held,
  when a session is still to come.

A year the official calendar does not hold yet builds no plan (the summary says so).
"""

from __future__ import annotations

import collections
import datetime
import math
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from guanqing.core import bulk
from guanqing.core.calendar.workdays import CalendarYearMissing, is_workday, spring_festival
from guanqing.core.demo import DemoContext, DemoDatabaseNotEmpty
from guanqing.registry.choices import MemberStatus, Rank
from guanqing.registry.models import Member
from guanqing.training import attendance, rules, selectors
from guanqing.training import solver as sat
from guanqing.training.choices import (
    AttendanceStatus,
    Inclusion,
    LeaderRole,
    PlanState,
    UnavailabilitySource,
)
from guanqing.training.models import (
    Assignment,
    Participant,
    Plan,
    Preference,
    Session,
    Unavailability,
)

DAY = datetime.timedelta(days=1)
MONDAY = 0
SESSIONS = 13
CLASSES = 2
DAYS = 2
SOLVE_SEED = 20140301
SOLVE_SECONDS = 30
UNAVAILABLE_SHARE = 0.03
PREFERENCE_SHARE = 0.08
ABSENT_SHARE = 0.02
MAKEUPS = 3
REASONS = ["公休假", "出差", "外出学习", "病假", "援外任务"]


@dataclass
class TrainingDemoSummary:
    plans: int = 0
    participants: int = 0
    assignments: int = 0
    attended: int = 0
    makeups: int = 0
    status: str = ""
    seconds: float = 0.0

    def as_changes(self) -> dict:
        return {
            "training_plans": [None, self.plans],
            "training_participants": [None, self.participants],
            "training_assignments": [None, self.assignments],
            "training_attended": [None, self.attended],
            "training_makeups": [None, self.makeups],
        }

    def describe(self) -> str:
        if not self.plans:
            return gettext("轮训：工作日历没有本年度数据，未生成轮训计划")
        return gettext(
            "轮训计划 %(plans)s 个，参训干部 %(participants)s 名，已排期 %(assignments)s 名"
            "（%(status)s，%(seconds)s 秒），已出勤 %(attended)s 名"
        ) % {
            "plans": self.plans,
            "participants": self.participants,
            "assignments": self.assignments,
            "status": self.status,
            "seconds": f"{self.seconds:.1f}",
            "attended": self.attended,
        }


def first_monday_after_spring_festival(year: int) -> datetime.date:
    """The first working Monday after the Spring Festival holiday of `year` on the official
    calendar (CalendarYearMissing when the calendar does not hold the year)."""
    day = spring_festival(year)
    while not is_workday(day):  # the holiday around 正月初一
        day += DAY
    while day.weekday() != MONDAY or not is_workday(day):
        day += DAY
    return day


def _marks(people, rng) -> dict[int, dict[int, str]]:
    """Who missed which day of a session: most attend both days; a few are absent or excused on
    one day or on the whole session. {participant id: {day index: status}} for the absent ones."""
    missed = {}
    for pid in people:
        if rng.random() >= ABSENT_SHARE:
            continue
        status = rng.choice([AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
        days = [0, 1] if rng.random() < 0.5 else [rng.randint(0, DAYS - 1)]
        missed[pid] = dict.fromkeys(days, status)
    return missed


class _Builder:
    def __init__(self, ctx: DemoContext):
        from guanqing.accounts.models import User
        from guanqing.core.roles import Role

        self.ctx = ctx
        self.rng = ctx.fork()
        self.today = ctx.today
        self.year = self.today.year
        self.committee = (
            User.objects.filter(role=Role.COMMITTEE, is_active=True).order_by("pk").first()
        )
        self.summary = TrainingDemoSummary()

    def _plan(self, required: int) -> Plan:
        first = first_monday_after_spring_festival(self.year)
        starts = rules.proposed_starts(
            first, SESSIONS, DAYS, is_workday=is_workday, allow_saturdays=False
        )
        runs = [
            rules.session_days(start, DAYS, is_workday=is_workday, allow_saturdays=False)
            for start in starts
        ]
        seats = SESSIONS * CLASSES
        plan = Plan.objects.create(
            year=self.year,
            title=gettext("市直机关处级干部轮训"),
            venue=gettext("市委党校"),
            sessions_count=SESSIONS,
            classes_per_session=CLASSES,
            days_per_session=DAYS,
            class_capacity=max(10, math.ceil(required * 1.05 / seats)),
            required_ranks=[Rank.DIVISION],
            first_date=first,
            last_date=datetime.date(self.year, 12, 31),
            time_limit_seconds=SOLVE_SECONDS,
            created_by=self.committee,
        )
        Session.objects.bulk_create(
            Session(plan=plan, number=n, start_date=run[0], days=[d.isoformat() for d in run])
            for n, run in enumerate(runs, start=1)
        )
        return plan

    def _participants(self, plan: Plan, members, added=()) -> list[Participant]:
        rows = [Participant(plan=plan, member_id=pk, unit_id=unit) for pk, unit in members]
        # named additions: the demo member (a 科级 cadre of 市纪委), so its own page has a session
        rows += [
            Participant(
                plan=plan,
                member_id=pk,
                unit_id=unit,
                inclusion=Inclusion.ADDED,
                added_reason=gettext("新提任，列入本年轮训"),
            )
            for pk, unit in added
        ]
        by_unit: dict[int, list[Participant]] = {}
        for row in rows:
            by_unit.setdefault(row.unit_id, []).append(row)
        for people in by_unit.values():
            if len(people) < 4 or self.rng.random() < 0.3:
                continue
            leaders = self.rng.sample(people, 3 if len(people) >= 12 else 2)
            leaders[0].leader_role = LeaderRole.PRINCIPAL
            for deputy in leaders[1:]:
                deputy.leader_role = LeaderRole.DEPUTY
        bulk.insert(Participant, rows)
        return rows

    def _wishes(self, plan: Plan, people: list[Participant], sessions) -> None:
        first, last = sessions[1].dates[0], sessions[len(sessions)].dates[-1]
        months = sorted({s.dates[0].month for s in sessions.values()})
        span = (last - first).days
        away, liked = [], []
        for person in people:
            roll = self.rng.random()
            if roll < UNAVAILABLE_SHARE:
                start = first + DAY * self.rng.randint(0, span)
                away.append(
                    Unavailability(
                        participant=person,
                        start=start,
                        end=start + DAY * self.rng.randint(2, 6),
                        reason=self.rng.choice(REASONS),
                        source=UnavailabilitySource.UNIT,
                        recorded_by=self.committee,
                    )
                )
            elif roll < UNAVAILABLE_SHARE + PREFERENCE_SHARE:
                chosen = self.rng.sample(months, min(len(months), self.rng.randint(1, 2)))
                liked.append(Preference(participant=person, months=sorted(chosen)))
        Unavailability.objects.bulk_create(away, batch_size=1000)
        Preference.objects.bulk_create(liked, batch_size=1000)

    def _solve(self, plan: Plan) -> None:
        problem, sessions, _people = selectors.problem_for(plan)
        result = sat.solve(problem, time_limit=SOLVE_SECONDS, workers=1, seed=SOLVE_SEED)
        plan.solve_status = result.status
        plan.solve_gap = result.gap
        plan.solve_seconds = round(result.seconds, 3)
        plan.solve_objective = result.objective
        plan.solved_at = timezone.now()
        if result.solved:
            plan.state = PlanState.SCHEDULED
            rows = [
                Assignment(participant_id=pid, session=sessions[number], class_number=klass)
                for pid, (number, klass) in result.assignments.items()
            ]
            bulk.insert(Assignment, rows)
            self.summary.assignments = len(rows)
        plan.save()
        self.summary.status = result.status
        self.summary.seconds = result.seconds
        if result.solved:
            self._attendance(plan, sessions)

    def _attendance(self, plan: Plan, sessions) -> None:
        """The organiser's list of every training day held by today, through the attendance
        service (so `attended_days` equals the present records); then a make-up in a later
        session for a few who missed the whole of the last session held, when one is still to
        come."""
        people = collections.defaultdict(list)
        for pid, number in Assignment.objects.filter(participant__plan=plan).values_list(
            "participant_id", "session__number"
        ):
            people[number].append(pid)
        whole = []
        for number, session in sessions.items():
            held = [d for d in session.dates if d <= self.today]
            if not held:
                continue
            missed = _marks(people[number], self.rng)
            for index, day in enumerate(held):
                marks = {
                    pid: missed.get(pid, {}).get(index, AttendanceStatus.PRESENT)
                    for pid in people[number]
                }
                attendance.attendance_record(
                    actor=self.committee, session=session, day=day, marks=marks
                )
            if len(held) == len(session.dates):
                whole = [pid for pid, days in missed.items() if len(days) == len(held)]
        for assignment in Assignment.objects.filter(participant_id__in=whole[:MAKEUPS]):
            option = attendance.default_makeup(attendance.makeup_options(assignment, self.today))
            if option is None:
                continue
            attendance.makeup_assign(
                actor=self.committee,
                assignment=assignment,
                session=option.session,
                class_number=option.class_number,
            )
            self.summary.makeups += 1
        self.summary.attended = Assignment.objects.filter(
            participant__plan=plan, attended_days__gt=0
        ).count()

    def build(self) -> TrainingDemoSummary:
        members = list(
            Member.objects.filter(status=MemberStatus.ACTIVE, rank=Rank.DIVISION)
            .order_by("pk")
            .values_list("pk", "unit_id")
        )
        required = {pk for pk, _unit in members}
        added = [
            (pk, unit)
            for pk, unit in get_user_model()
            .objects.filter(username="member_demo", member__isnull=False)
            .values_list("member_id", "member__unit_id")
            if pk not in required and unit is not None
        ]
        try:
            plan = self._plan(len(members) + len(added))
        except CalendarYearMissing:
            return self.summary
        people = self._participants(plan, members, added)
        sessions = {s.number: s for s in plan.sessions.order_by("number")}
        self._wishes(plan, people, sessions)
        self._solve(plan)
        self.summary.plans = 1
        self.summary.participants = len(people)
        return self.summary


def build(ctx: DemoContext) -> TrainingDemoSummary:
    """This year's rotation of the 处级 cadres; refuses a database that already holds a plan."""
    if Plan.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    return _Builder(ctx).build()
