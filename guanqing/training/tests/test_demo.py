"""The training part of the demo, read from the shared small demo (scale 0.05): this year's
rotation of the 处级 cadres after the Spring Festival, solved, every hard rule holding by the
checker, attendance of the sessions held."""

from __future__ import annotations

from collections import Counter

import pytest

from guanqing.core.calendar.workdays import is_workday, spring_festival
from guanqing.registry.choices import MemberStatus, Rank
from guanqing.registry.models import Member
from guanqing.training import selectors
from guanqing.training.checker import check
from guanqing.training.choices import AttendanceStatus, Inclusion, LeaderRole, PlanState
from guanqing.training.models import Assignment, Attendance, Plan, Preference, Unavailability

pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


def test_the_demo_rotation(pinned_today, shared_demo):
    demo = shared_demo.parts["training"]
    solved_keeping_every_hard_rule(demo, pinned_today)
    weekly_after_the_spring_festival_holiday()
    attendance_of_the_sessions_held_by_today(demo, pinned_today)


def solved_keeping_every_hard_rule(demo, pinned_today):
    plan = Plan.objects.get()
    assert plan.year == pinned_today.year
    assert plan.state == PlanState.SCHEDULED
    assert plan.solve_status in ("OPTIMAL", "FEASIBLE") and plan.solve_gap is not None
    cadres = Member.objects.filter(status=MemberStatus.ACTIVE, rank=Rank.DIVISION)
    # every 处级 cadre, and the demo member as a named addition (its own page has a session)
    added = plan.participants.get(inclusion=Inclusion.ADDED)
    assert added.member.account.username == "member_demo" and added.added_reason
    assert plan.participants.count() == cadres.count() + 1 == demo.participants
    assert demo.assignments == Assignment.objects.count() == plan.participants.count()
    # unit leaders, unavailable dates and preferences are there for the rules to bite on
    assert plan.participants.filter(leader_role=LeaderRole.PRINCIPAL).exists()
    assert plan.participants.filter(leader_role=LeaderRole.DEPUTY).exists()
    assert Unavailability.objects.exists() and Preference.objects.exists()
    problem, _sessions, _people = selectors.problem_for(plan, with_fixed=False)
    schedule = {
        a.participant_id: (a.session.number, a.class_number)
        for a in Assignment.objects.select_related("session")
    }
    assert check(problem, schedule) == []


def weekly_after_the_spring_festival_holiday():
    plan = Plan.objects.get()
    sessions = list(plan.sessions.order_by("number"))
    assert (len(sessions), plan.classes_per_session, plan.days_per_session) == (13, 2, 2)
    festival = spring_festival(plan.year)
    first = sessions[0].dates[0]
    assert first > festival and first.weekday() == 0
    # no working day between the end of the holiday and the first start is a Monday
    day = festival
    while not is_workday(day):
        day = day.fromordinal(day.toordinal() + 1)
    assert all(
        not (is_workday(d) and d.weekday() == 0)
        for d in (day.fromordinal(n) for n in range(day.toordinal(), first.toordinal()))
    )
    for earlier, later in zip(sessions, sessions[1:], strict=False):
        assert later.dates[0] > earlier.dates[-1]
        assert (later.dates[0] - earlier.dates[0]).days <= 9
        for d in later.dates:
            assert is_workday(d) and d.weekday() < 5


def attendance_of_the_sessions_held_by_today(demo, pinned_today):
    rows = list(Assignment.objects.select_related("session"))
    held = [a for a in rows if a.session.dates[0] <= pinned_today]
    coming = [a for a in rows if a.session.dates[0] > pinned_today]
    assert held and coming  # mid-May: some sessions in the past, some to come
    present = Counter(
        Attendance.objects.filter(status=AttendanceStatus.PRESENT).values_list(
            "participant_id", flat=True
        )
    )
    for a in rows:
        days_past = sum(1 for d in a.session.dates if d <= pinned_today)
        assert 0 <= a.attended_days <= days_past
        # recorded through the attendance service: the count is the present records
        assert a.attended_days == present[a.participant_id]
    assert all(a.attended_days == 0 for a in coming)
    # every day held has its list: one record per cadre of the session and day
    for a in held:
        days = {d for d in a.session.dates if d <= pinned_today}
        recorded = set(
            Attendance.objects.filter(participant_id=a.participant_id).values_list("day", flat=True)
        )
        assert recorded == days
    full = sum(1 for a in held if a.attended_days == len(a.session.days))
    assert full > 0.9 * len(held)
    assert demo.attended == sum(1 for a in rows if a.attended_days)
