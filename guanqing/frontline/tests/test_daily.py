"""The daily job of the problem loop: 催办 to the unit the first working day after the deadline,
通报 to the committee once the problem is five working days overdue, each written once, on the
official calendar (国庆 and 春节 2026 with their weekend days worked in lieu).

The problems are entered afterwards (received on the past day), then the job is run day by day.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from guanqing.core import daily
from guanqing.core.models import AuditEvent, Notification
from guanqing.frontline import selectors, services
from guanqing.frontline.choices import ProblemEventKind, ProblemState, Urgency
from guanqing.frontline.models import FrontlineSettings, Problem, ProblemEvent
from guanqing.frontline.tests import factories as ff
from guanqing.testing import factories as f

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def w(world, official_calendar, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI), tick=False)
    world.enquiry = ff.category(unit=world.unit, urgency=Urgency.ENQUIRY)
    world.committee = world.users.committee
    world.admin = world.users.unit_admin
    world.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    return world


def escalations(problem) -> list[tuple[str, datetime.date]]:
    return list(
        ProblemEvent.objects.filter(
            problem=problem, kind__in=(ProblemEventKind.URGE, ProblemEventKind.NOTICE)
        )
        .order_by("pk")
        .values_list("kind", "on")
    )


def notes(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def run(day) -> tuple[int, int]:
    result = services.problems_daily(day)
    return result.urged, result.noticed


def test_the_job_is_registered_for_tick():
    assert "frontline.problems_daily" in {job.name for job in daily.jobs()}


def test_around_national_day_each_is_written_once(w):
    # received Thursday 24 September; 3 working days over 中秋 (25–27 off): due Wednesday 30th
    problem = ff.handling(category=w.enquiry, unit_admin=w.admin, received_on=D(2026, 9, 24))
    assert problem.deadline == D(2026, 9, 30)
    assert [run(D(2026, 9, 30)), run(D(2026, 10, 1)), run(D(2026, 10, 7))] == [(0, 0)] * 3
    assert run(D(2026, 10, 8)) == (1, 0)  # the first working day after the holiday
    assert run(D(2026, 10, 8)) == (0, 0)
    assert run(D(2026, 10, 10)) == (0, 0)  # Saturday worked in lieu: 3 working days overdue
    assert run(D(2026, 10, 12)) == (0, 0)
    assert run(D(2026, 10, 13)) == (0, 1)  # fifth working day overdue
    assert run(D(2026, 10, 13)) == run(D(2026, 10, 14)) == (0, 0)
    problem.refresh_from_db()
    assert (problem.urged_on, problem.noticed_on) == (D(2026, 10, 8), D(2026, 10, 13))
    assert escalations(problem) == [("urge", D(2026, 10, 8)), ("notice", D(2026, 10, 13))]
    assert notes(w.admin) == ["frontline_problem_dispatch", "frontline_problem_urged"]
    assert notes(w.committee) == ["frontline_problem_noticed"]
    assert notes(w.other_admin) == []
    assert problem.state == ProblemState.HANDLING  # escalation does not move the state


def test_spring_festival_the_saturday_worked_in_lieu_counts(w):
    # received Tuesday 10 February: due Friday 13th; urged Saturday 14th (worked), noticed the
    # 27th (14, 24, 25, 26, 27), not on Saturday 28th
    problem = ff.assigned(category=w.enquiry, unit=w.unit, received_on=D(2026, 2, 10))
    assert problem.deadline == D(2026, 2, 13)
    assert run(D(2026, 2, 13)) == (0, 0)
    assert run(D(2026, 2, 14)) == (1, 0)
    assert run(D(2026, 2, 26)) == (0, 0)
    assert run(D(2026, 2, 27)) == (0, 1)
    assert run(D(2026, 2, 28)) == (0, 0)


def test_a_job_that_missed_days_writes_both_at_once_and_only_once(w):
    problem = ff.assigned(category=w.enquiry, unit=w.unit, received_on=D(2026, 9, 24))
    audits = AuditEvent.objects.count()
    assert run(D(2026, 10, 20)) == (1, 1)
    assert run(D(2026, 10, 20)) == (0, 0)
    assert escalations(problem) == [("urge", D(2026, 10, 20)), ("notice", D(2026, 10, 20))]
    assert AuditEvent.objects.count() == audits + 1
    assert Notification.objects.filter(kind="frontline_problem_urged").count() == 1
    assert Notification.objects.filter(kind="frontline_problem_noticed").count() == 1
    assert list(selectors.dispatch_desk(D(2026, 10, 20)).noticed) == [problem]


def test_the_notice_threshold_is_a_setting(w):
    FrontlineSettings.objects.create(notice_after_workdays=2)
    ff.assigned(category=w.enquiry, unit=w.unit, received_on=D(2026, 9, 24))
    assert run(D(2026, 10, 8)) == (1, 0)
    assert run(D(2026, 10, 9)) == (0, 1)


def test_a_returned_problem_is_urged_to_the_committee(w):
    problem = ff.assigned(category=w.enquiry, unit=w.unit, received_on=D(2026, 9, 24))
    services.problem_return(actor=w.admin, problem=problem, reason="不属于本单位职责")
    Notification.objects.all().delete()
    assert run(D(2026, 10, 8)) == (1, 0)
    assert notes(w.committee) == ["frontline_problem_urged"]
    assert notes(w.admin) == []


def test_closed_received_and_merged_problems_are_not_escalated(w):
    closed = ff.closed(category=w.enquiry, unit_admin=w.admin, received_on=D(2026, 9, 24))
    waiting = ff.reported(category=w.enquiry, received_on=D(2026, 9, 24))
    master = ff.reported(category=w.enquiry, received_on=D(2026, 9, 28))
    merged = ff.reported(category=w.enquiry, received_on=D(2026, 9, 24))
    services.problem_merge(actor=w.committee, problem=merged, into=master)
    assert run(D(2026, 10, 20)) == (0, 0)
    for problem in (closed, waiting, merged):
        assert escalations(problem) == []


def test_an_approved_extension_moves_the_escalation(w):
    problem = ff.handling(category=w.enquiry, unit_admin=w.admin, received_on=D(2026, 9, 24))
    services.extension_request(actor=w.admin, problem=problem, workdays=3, reason="需协调")
    services.extension_decide(actor=w.committee, problem=problem, approved=True)
    problem.refresh_from_db()
    assert problem.deadline == D(2026, 10, 10)  # 8, 9 and Saturday 10 October
    assert run(D(2026, 10, 10)) == (0, 0)
    assert run(D(2026, 10, 12)) == (1, 0)


def test_a_year_the_calendar_lacks_is_not_guessed(w, time_machine):
    time_machine.move_to(datetime.datetime(2027, 1, 5, 10, tzinfo=SHANGHAI), tick=False)
    # received Monday 28 December 2026: due Thursday 31st; 2027 is not in the calendar
    problem = ff.assigned(category=w.enquiry, unit=w.unit, received_on=D(2026, 12, 28))
    assert problem.deadline == D(2026, 12, 31)
    assert run(D(2027, 1, 5)) == (0, 0)
    assert escalations(problem) == []


def test_tick_runs_it(w):
    ff.assigned(category=w.enquiry, unit=w.unit, received_on=D(2026, 9, 24))
    out = StringIO()
    call_command("tick", today="2026-10-13", stdout=out)
    assert "frontline.problems_daily" in out.getvalue()
    assert Problem.objects.filter(urged_on=D(2026, 10, 13), noticed_on=D(2026, 10, 13)).exists()
