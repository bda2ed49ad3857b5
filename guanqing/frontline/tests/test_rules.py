"""The problem loop's rules at their boundaries on the official calendar (2025–2026 holidays and
the weekend days worked in lieu, 调休), and every cell of `rules.PROBLEM` against the services:
an allowed move ends in the table's target state, a refused one raises and changes nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from guanqing.core.calendar.workdays import CalendarYearMissing
from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent, Notification
from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope
from guanqing.frontline import rules, services
from guanqing.frontline.choices import ProblemState, Satisfaction
from guanqing.frontline.models import Extension, Problem, ProblemEvent
from guanqing.frontline.tests import factories as ff

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
BUILT = datetime.datetime(2026, 5, 11, 10, tzinfo=SHANGHAI)  # Monday
TODAY = D(2026, 5, 13)  # Wednesday, when the moves are tried


# --- time limits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "workdays", "extension", "due"),
    [
        # 国庆 2025: 1–8 October off, Saturday 11 October worked
        (D(2025, 9, 30), 3, 0, D(2025, 10, 11)),
        (D(2025, 9, 26), 1, 0, D(2025, 9, 28)),  # Sunday 28 September worked
        # 元旦 2026: 1–3 January off, Sunday 4 January worked
        (D(2025, 12, 31), 1, 0, D(2026, 1, 4)),
        # 春节 2026: Saturday 14 February worked, 15–23 off, Saturday 28 February worked
        (D(2026, 2, 12), 1, 0, D(2026, 2, 13)),
        (D(2026, 2, 13), 1, 0, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, 0, D(2026, 2, 24)),
        (D(2026, 2, 12), 1, 2, D(2026, 2, 24)),  # an extension counts on the same calendar
        (D(2026, 2, 23), 5, 0, D(2026, 2, 28)),
        # an emergency (0 working days) is due the day received, even a holiday
        (D(2026, 10, 1), 0, 0, D(2026, 10, 1)),
        # 劳动节 2026: 1–5 May off, Saturday 9 May worked
        (D(2026, 4, 30), 13, 0, D(2026, 5, 21)),
    ],
)
def test_deadline_on_the_official_calendar(official_calendar, received, workdays, extension, due):
    assert rules.deadline(received, workdays, extension) == due


def test_a_limit_is_never_guessed_for_a_year_the_calendar_lacks(official_calendar):
    with pytest.raises(CalendarYearMissing):
        rules.deadline(D(2026, 12, 31), 1)
    with pytest.raises(ValueError):
        rules.deadline(D(2026, 5, 13), -1)
    with pytest.raises(ValueError):
        rules.notice_due(D(2026, 5, 13), 0)


@pytest.mark.parametrize(
    ("deadline", "urge", "notice"),
    [
        # 国庆 2026: 1–7 October off, Saturday 10 October worked
        (D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 13)),
        # 春节 2026: urged on the Saturday worked in lieu, noticed before the next one
        (D(2026, 2, 13), D(2026, 2, 14), D(2026, 2, 27)),
        # 中秋 2026 (25–27 September off) and Sunday 20 September worked
        (D(2026, 9, 18), D(2026, 9, 20), D(2026, 9, 24)),
        (D(2025, 12, 31), D(2026, 1, 4), D(2026, 1, 8)),
    ],
)
def test_urge_and_notice_days(official_calendar, deadline, urge, notice):
    assert rules.urge_due(deadline) == urge
    assert rules.notice_due(deadline, 5) == notice


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (D(2026, 9, 30), 0),
        (D(2026, 9, 29), 0),
        (D(2026, 10, 7), 0),  # the whole holiday is not counted
        (D(2026, 10, 8), 1),
        (D(2026, 10, 11), 3),  # Saturday 10 worked, Sunday 11 not
        (D(2026, 10, 13), 5),
    ],
)
def test_overdue_working_days(official_calendar, today, overdue):
    assert rules.overdue_workdays(D(2026, 9, 30), today) == overdue


def test_callback_due_and_on_time(official_calendar):
    assert rules.callback_due(D(2026, 4, 30)) == D(2026, 5, 6)
    assert rules.callback_due(D(2026, 2, 13)) == D(2026, 2, 14)
    assert rules.on_time(D(2026, 5, 13), D(2026, 5, 13)) is True
    assert rules.on_time(D(2026, 5, 13), D(2026, 5, 14)) is False
    assert rules.on_time(D(2026, 5, 13), None) is None
    assert rules.on_time(None, D(2026, 5, 13)) is None


# --- the lifecycle table, cell by cell ---------------------------------------------------------


@pytest.fixture
def w(world, official_calendar, time_machine):
    time_machine.move_to(BUILT, tick=False)
    world.cat = ff.category(unit=world.unit)
    world.committee = world.users.committee
    world.admin = world.users.unit_admin
    return world


def make(w, state: str) -> Problem:
    """A problem in `state`, built on Monday 11 May (so a callback is due by today)."""
    if state == ProblemState.RECEIVED:
        return ff.reported(category=w.cat)
    if state == ProblemState.ASSIGNED:
        return ff.assigned(category=w.cat, unit=w.unit)
    if state == ProblemState.RETURNED:
        problem = ff.assigned(category=w.cat, unit=w.unit)
        return services.problem_return(actor=w.admin, problem=problem, reason="不属于本单位")
    if state == ProblemState.HANDLING:
        return ff.handling(category=w.cat, unit_admin=w.admin)
    if state == ProblemState.CLOSED:
        return ff.closed(category=w.cat, unit_admin=w.admin)
    if state == ProblemState.MERGED:
        problem = ff.reported(category=w.cat)
        master = ff.reported(category=w.cat)
        return services.problem_merge(actor=w.committee, problem=problem, into=master)
    raise AssertionError(state)


CODE = "ABCDEFGHJKMNPQRS"


def with_code(problem: Problem) -> Problem:
    Problem.objects.filter(pk=problem.pk).update(rating_code_hash=services.code_hash(CODE))
    return problem


def overdue(problem: Problem) -> Problem:
    # due Tuesday 28 April: urged from the 29th, noticed from 8 May (劳动节 in between)
    Problem.objects.filter(pk=problem.pk).update(deadline=D(2026, 4, 28))
    return problem


def do(w, action: str, problem: Problem, *, swap: bool = False):
    """Take `action` on `problem` through its service, as the role the table names (`swap`: as
    the other one: the unit administrator for the committee's moves and the reverse)."""
    committee, admin = (w.admin, w.committee) if swap else (w.committee, w.admin)
    match action:
        case "dispatch":
            return services.problem_dispatch(actor=committee, problem=problem, unit=w.unit)
        case "return":
            return services.problem_return(actor=admin, problem=problem, reason="不属于本单位")
        case "reassign":
            return services.problem_reassign(actor=committee, problem=problem, unit=w.other_unit)
        case "accept":
            return services.problem_accept(actor=admin, problem=problem)
        case "progress":
            return services.problem_progress(actor=admin, problem=problem, note="已到现场")
        case "request_extension":
            return services.extension_request(
                actor=admin, problem=problem, workdays=2, reason="需协调"
            )
        case "decide_extension":
            return services.extension_decide(actor=committee, problem=problem, approved=True)
        case "answer":
            return services.problem_answer(actor=admin, problem=problem, answer="已办结")
        case "merge":
            return services.problem_merge(actor=committee, problem=problem, into=w.into)
        case "callback":
            return services.problem_callback(actor=committee, problem=problem, note="满意")
        case "rate":
            return services.problem_rate(code=CODE, satisfaction=Satisfaction.SATISFIED)
        case "reopen":
            return services.problem_rate(code=CODE, satisfaction=Satisfaction.DISSATISFIED)
        case "urge" | "notice":
            result = services.problems_daily(TODAY)
            return result.urged if action == "urge" else result.noticed
    raise AssertionError(action)


def prepare(w, action: str, problem: Problem) -> Problem:
    """What an action needs besides the state: an extension asked, a code, a passed deadline."""
    if action == "decide_extension":
        if problem.state == ProblemState.HANDLING:
            services.extension_request(actor=w.admin, problem=problem, workdays=2, reason="需协调")
        else:
            Extension.objects.create(
                problem=problem,
                workdays=2,
                reason="需协调",
                requested_on=TODAY,
                requested_by=w.admin,
            )
    if action == "merge":
        w.into = ff.reported(category=w.cat)
    if action in ("rate", "reopen"):
        with_code(problem)
    if action in ("urge", "notice"):
        overdue(problem)
    return problem


def everything() -> tuple:
    return (
        sorted(Problem.objects.values_list()),
        ProblemEvent.objects.count(),
        AuditEvent.objects.count(),
        sorted(Extension.objects.values_list()),
        Notification.objects.count(),
    )


CELLS = [(state, action) for state in ProblemState.values for action in rules.PROBLEM.steps]


@pytest.mark.parametrize(("state", "action"), CELLS)
def test_every_cell_of_the_table(w, time_machine, state, action):
    problem = prepare(w, action, make(w, state))
    time_machine.move_to(datetime.datetime(2026, 5, 13, 10, tzinfo=SHANGHAI), tick=False)
    problem.refresh_from_db()
    if rules.PROBLEM.can(state, action):
        result = do(w, action, problem)
        problem.refresh_from_db()
        assert problem.state == rules.PROBLEM.target(state, action)
        if action in ("urge", "notice"):
            assert result == 1
            assert getattr(problem, "urged_on" if action == "urge" else "noticed_on") == TODAY
        return
    before = everything()
    if action in ("urge", "notice"):
        assert do(w, action, problem) == 0
    elif action in ("rate", "reopen"):
        with pytest.raises(services.ProblemCodeInvalid):
            do(w, action, problem)
    elif Role.UNIT_ADMIN in rules.PROBLEM.step(action).roles and problem.unit_id != w.unit.pk:
        with pytest.raises(OutOfScope):  # not the unit's problem: not found, before any state
            do(w, action, problem)
    else:
        with pytest.raises(Conflict):
            do(w, action, problem)
    assert everything() == before


ROLE_STEPS = [
    (action, step.roles)
    for action, step in rules.PROBLEM.steps.items()
    if step.roles in ({Role.COMMITTEE}, {Role.UNIT_ADMIN})
]


@pytest.mark.parametrize(("action", "roles"), ROLE_STEPS)
def test_the_other_role_is_refused_from_every_source_state(w, action, roles):
    for state in sorted(rules.PROBLEM.step(action).sources):
        problem = prepare(w, action, make(w, state))
        problem.refresh_from_db()
        before = everything()
        with pytest.raises(PermissionDenied):
            do(w, action, problem, swap=True)
        assert everything() == before
