"""The case clock on the official calendar, and the case lifecycle table.

Every expected date below is counted by hand from the State Council's notices for 2025 and 2026
(国办发明电〔2024〕12号, 国办发明电〔2025〕7号); the comment on each case shows the count. The
calendar is the one the `official_calendar` fixture seeds, read without the database (the
`seeded_calendar` fixture below), so these tests also serve the mutation run (docs/testing.md).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from guanqing.core.calendar import workdays
from guanqing.core.calendar.seed import FIRST_YEAR, LAST_YEAR, official_days
from guanqing.core.calendar.workdays import CalendarYearMissing
from guanqing.core.roles import Role
from guanqing.window.choices import CaseState
from guanqing.window.rules import (
    CASE,
    Timing,
    deadline,
    paused_workdays,
    receipt_number,
    remaining_workdays,
    timing,
    workdays_used,
)

D = datetime.date


class SeededYears(workdays._Years):
    """The official calendar of `core.calendar.seed` (2004–2026), the very days the
    `official_calendar` fixture writes to the table, served without the database."""

    def _read(self, year: int) -> list[datetime.date]:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CalendarYearMissing(year)
        return [day for day, is_workday, _name, _source in official_days(year, year) if is_workday]


SEEDED_YEARS = SeededYears()


@pytest.fixture
def seeded_calendar(monkeypatch):
    monkeypatch.setattr(workdays, "_years", SEEDED_YEARS)


pytestmark = pytest.mark.usefixtures("seeded_calendar")


# --- deadlines around every 2025–2026 holiday and make-up working day ----------------------------


@pytest.mark.parametrize(
    ("accepted_on", "days", "expected"),
    [
        # 元旦 2025: Wednesday 1 January off
        (D(2024, 12, 31), 1, D(2025, 1, 2)),
        (D(2024, 12, 30), 3, D(2025, 1, 3)),  # 31 Dec, 2 Jan, 3 Jan
        # 春节 2025: Sunday 26 January worked, 28 January – 4 February off, Saturday 8 February worked
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # the make-up Sunday counts
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),  # 26, 27 January, then 5 February
        (D(2025, 1, 26), 1, D(2025, 1, 27)),  # accepted on the make-up Sunday itself
        (D(2025, 1, 27), 5, D(2025, 2, 10)),  # 5, 6, 7, 8 (Saturday worked), 10 February
        (D(2025, 2, 7), 1, D(2025, 2, 8)),  # the make-up Saturday counts
        # 清明 2025: Friday 4 April off
        (D(2025, 4, 3), 1, D(2025, 4, 7)),
        # 劳动节 2025: Sunday 27 April worked, 1–5 May off
        (D(2025, 4, 25), 1, D(2025, 4, 27)),
        (D(2025, 4, 29), 2, D(2025, 5, 6)),  # 30 April, 6 May
        (D(2025, 4, 25), 7, D(2025, 5, 8)),  # 27, 28, 29, 30 April, 6, 7, 8 May
        # 端午 2025: 31 May – 2 June off
        (D(2025, 5, 30), 1, D(2025, 6, 3)),
        # 国庆 + 中秋 2025: Sunday 28 September worked, 1–8 October off, Saturday 11 October worked
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 29), 7, D(2025, 10, 15)),  # 30 Sep, 9, 10, 11 (Sat), 13, 14, 15 Oct
        (D(2025, 10, 10), 1, D(2025, 10, 11)),
        # 元旦 2026: 1–3 January off, Sunday 4 January worked
        (D(2025, 12, 31), 1, D(2026, 1, 4)),
        (D(2025, 12, 31), 2, D(2026, 1, 5)),
        # 20 days across the new year: 16–19, 22–26, 29–31 Dec (12), 4–9 Jan (6), 12, 13 Jan
        (D(2025, 12, 15), 20, D(2026, 1, 13)),
        # 春节 2026: Saturday 14 February worked, 15–23 February off, Saturday 28 February worked
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 12), 7, D(2026, 2, 28)),  # 13, 14, 24, 25, 26, 27, 28
        (D(2026, 2, 27), 1, D(2026, 2, 28)),
        (D(2026, 2, 27), 2, D(2026, 3, 2)),
        # 3–6, 9–14 Feb (10, the 14th worked), 24–28 Feb (15, the 28th worked), 2–6 March (20)
        (D(2026, 2, 2), 20, D(2026, 3, 6)),
        # 清明 2026: 4–6 April off
        (D(2026, 4, 3), 1, D(2026, 4, 7)),
        # 劳动节 2026: 1–5 May off, Saturday 9 May worked
        (D(2026, 4, 30), 1, D(2026, 5, 6)),
        (D(2026, 4, 30), 4, D(2026, 5, 9)),  # 6, 7, 8, 9 May
        (D(2026, 5, 8), 1, D(2026, 5, 9)),
        # 端午 2026: 19–21 June off
        (D(2026, 6, 18), 1, D(2026, 6, 22)),
        # 中秋 2026: 25–27 September off; 国庆 2026: Sunday 20 September worked, 1–7 October off,
        # Saturday 10 October worked
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 29), 3, D(2026, 10, 9)),  # 30 Sep, 8, 9 Oct
        (D(2026, 10, 9), 1, D(2026, 10, 10)),
        # 即办件: zero working days is the acceptance day, even a make-up Saturday
        (D(2026, 2, 14), 0, D(2026, 2, 14)),
    ],
)
def test_deadlines_around_every_holiday_and_make_up_day(accepted_on, days, expected):
    assert deadline(accepted_on, days) == expected
    assert deadline(accepted_on, days, ()) == expected
    assert workdays_used(accepted_on, expected) == days


# --- pauses ---------------------------------------------------------------------------------------


def test_a_pause_over_national_day_2025_moves_the_deadline_by_its_one_working_day():
    # 10 days from Monday 22 September: 23–26, 28 (Sun), 29, 30 Sep, 9, 10, 11 (Sat) Oct
    assert deadline(D(2025, 9, 22), 10) == D(2025, 10, 11)
    # paused 30 September, resumed 9 October: only 9 October was a working day
    pauses = [(D(2025, 9, 30), D(2025, 10, 9))]
    assert paused_workdays(pauses) == 1
    assert deadline(D(2025, 9, 22), 10, pauses) == D(2025, 10, 13)


def test_a_pause_over_the_spring_festival_2026():
    # 5 days from Monday 9 February: 10, 11, 12, 13, 14 (Sat, worked)
    assert deadline(D(2026, 2, 9), 5) == D(2026, 2, 14)
    # paused 12 February, resumed 25 February: 13, 14, 24, 25 February stopped
    pauses = [(D(2026, 2, 12), D(2026, 2, 25))]
    assert paused_workdays(pauses) == 4
    assert deadline(D(2026, 2, 9), 5, pauses) == D(2026, 2, 27)
    assert workdays_used(D(2026, 2, 9), D(2026, 2, 27), pauses) == 5


def test_a_pause_inside_a_holiday_moves_nothing():
    # 5 days from Monday 28 September 2026: 29, 30 Sep, 8, 9, 10 (Sat) Oct
    assert deadline(D(2026, 9, 28), 5) == D(2026, 10, 10)
    assert deadline(D(2026, 9, 28), 5, [(D(2026, 9, 30), D(2026, 10, 7))]) == D(2026, 10, 10)
    # resumed on 8 October instead: that one working day is stopped
    assert deadline(D(2026, 9, 28), 5, [(D(2026, 9, 30), D(2026, 10, 8))]) == D(2026, 10, 12)


def test_a_pause_started_and_ended_the_same_day_stops_nothing():
    # 3 days from Monday 2 March 2026: 3, 4, 5
    assert deadline(D(2026, 3, 2), 3, [(D(2026, 3, 3), D(2026, 3, 3))]) == D(2026, 3, 5)
    assert paused_workdays([(D(2026, 3, 3), D(2026, 3, 3))]) == 0
    # ended the next day: one working day
    assert deadline(D(2026, 3, 2), 3, [(D(2026, 3, 3), D(2026, 3, 4))]) == D(2026, 3, 6)


def test_several_pauses_add_up():
    # 10 days from Monday 2 March 2026: 3–6, 9–13, 16 March
    assert deadline(D(2026, 3, 2), 10) == D(2026, 3, 16)
    pauses = [
        (D(2026, 3, 3), D(2026, 3, 5)),  # 4, 5 March
        (D(2026, 3, 9), D(2026, 3, 9)),  # nothing
        (D(2026, 3, 10), D(2026, 3, 16)),  # 11, 12, 13, 16 March
    ]
    assert paused_workdays(pauses) == 6
    # 16 days: ... 16 (10), 17, 18, 19, 20, 23, 24 March
    assert deadline(D(2026, 3, 2), 10, pauses) == D(2026, 3, 24)
    assert workdays_used(D(2026, 3, 2), D(2026, 3, 24), pauses) == 10
    # the order they are given in does not matter
    assert deadline(D(2026, 3, 2), 10, reversed(pauses)) == D(2026, 3, 24)


def test_paused_again_the_day_it_resumed():
    pauses = [(D(2026, 3, 3), D(2026, 3, 5)), (D(2026, 3, 5), D(2026, 3, 6))]
    assert paused_workdays(pauses) == 3  # 4, 5, then 6 March
    assert deadline(D(2026, 3, 2), 3, pauses) == D(2026, 3, 10)  # 3, [4, 5, 6], 9, 10


def test_a_running_pause_counts_until_today():
    # 5 days from Monday 27 April 2026: 28, 29, 30 April, 6, 7 May
    accepted = D(2026, 4, 27)
    assert deadline(accepted, 5) == D(2026, 5, 7)
    running = [(D(2026, 4, 29), None)]
    # seen on the day it began, and (a back-entered pause) the day before: nothing stopped yet
    assert deadline(accepted, 5, running, today=D(2026, 4, 29)) == D(2026, 5, 7)
    assert deadline(accepted, 5, running, today=D(2026, 4, 28)) == D(2026, 5, 7)
    # seen on 6 May: 30 April, 6 May stopped; 28, 29 April, 7, 8, 9 (Sat) May counted
    assert paused_workdays(running, until=D(2026, 5, 6)) == 2
    assert deadline(accepted, 5, running, today=D(2026, 5, 6)) == D(2026, 5, 9)
    # seen on 8 May: 30 April, 6, 7, 8 May stopped; 28, 29 April, 9 (Sat), 11, 12 May counted
    assert deadline(accepted, 5, running, today=D(2026, 5, 8)) == D(2026, 5, 12)
    # resumed on 8 May: the deadline is the one shown that day
    assert deadline(accepted, 5, [(D(2026, 4, 29), D(2026, 5, 8))]) == D(2026, 5, 12)
    # after the last pause ended, `today` changes nothing
    assert deadline(accepted, 5, [(D(2026, 4, 29), D(2026, 5, 8))], today=D(2026, 6, 1)) == D(
        2026, 5, 12
    )


def test_workdays_used_leaves_out_the_paused_days():
    # 23–26, 28 (Sun), 29, 30 Sep, 9 Oct: 8 working days; the pause stopped 9 October
    assert workdays_used(D(2025, 9, 22), D(2025, 10, 9)) == 8
    assert workdays_used(D(2025, 9, 22), D(2025, 10, 9), [(D(2025, 9, 30), D(2025, 10, 9))]) == 7
    # the acceptance day itself is not counted
    assert workdays_used(D(2025, 9, 22), D(2025, 9, 22)) == 0
    # a case still open: a running pause counts up to the day asked about
    assert workdays_used(D(2026, 4, 27), D(2026, 5, 8), [(D(2026, 4, 29), None)]) == 2


# --- a year without calendar data ----------------------------------------------------------------


def test_a_deadline_in_a_year_without_calendar_data_names_the_year():
    with pytest.raises(CalendarYearMissing) as exc:
        deadline(D(2026, 12, 24), 10)
    assert exc.value.year == 2027
    assert "2027" in str(exc.value)


def test_a_pause_reaching_a_year_without_data_names_the_year():
    with pytest.raises(CalendarYearMissing) as exc:
        deadline(D(2026, 12, 1), 1, [(D(2026, 12, 30), D(2027, 1, 5))])
    assert exc.value.year == 2027
    with pytest.raises(CalendarYearMissing) as exc:
        workdays_used(D(2026, 12, 1), D(2027, 1, 5))
    assert exc.value.year == 2027


def test_a_case_accepted_before_the_calendar_begins_names_the_year():
    with pytest.raises(CalendarYearMissing) as exc:
        deadline(D(2003, 12, 1), 5)
    assert exc.value.year == 2003


# --- early, on time, late; due soon, overdue ------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_on", "expected"),
    [
        (D(2026, 2, 26), Timing.EARLY),
        (D(2026, 2, 27), Timing.ON_TIME),
        (D(2026, 2, 28), Timing.LATE),  # the make-up Saturday after the deadline
    ],
)
def test_a_completed_case_is_early_on_time_or_late(completed_on, expected):
    # whatever day it is asked about
    for today in (D(2026, 2, 1), D(2026, 2, 27), D(2026, 6, 1)):
        assert timing(deadline=D(2026, 2, 27), completed_on=completed_on, today=today) == expected


@pytest.mark.parametrize(
    ("today", "left", "expected"),
    [
        (D(2026, 2, 12), 3, Timing.OPEN),  # 13, 14 (Sat, worked), 24 February
        (D(2026, 2, 13), 2, Timing.OPEN),  # 14, 24
        (D(2026, 2, 14), 1, Timing.DUE_SOON),  # the make-up Saturday: 24 February left
        (D(2026, 2, 16), 1, Timing.DUE_SOON),  # in the holiday
        (D(2026, 2, 23), 1, Timing.DUE_SOON),  # the holiday's last day
        (D(2026, 2, 24), 0, Timing.DUE_SOON),  # the deadline itself
        (D(2026, 2, 25), -1, Timing.OVERDUE),
        (D(2026, 2, 27), -3, Timing.OVERDUE),
        (D(2026, 2, 28), -4, Timing.OVERDUE),  # the make-up Saturday counts
        (D(2026, 3, 1), -4, Timing.OVERDUE),
    ],
)
def test_an_open_case_across_the_spring_festival(today, left, expected):
    assert remaining_workdays(D(2026, 2, 24), today) == left
    assert timing(deadline=D(2026, 2, 24), today=today) == expected


def test_the_days_off_right_after_a_deadline_are_already_overdue():
    # due Friday 6 March 2026: on Saturday and Sunday the deadline has passed
    assert remaining_workdays(D(2026, 3, 6), D(2026, 3, 7)) == -1
    assert remaining_workdays(D(2026, 3, 6), D(2026, 3, 8)) == -1
    assert remaining_workdays(D(2026, 3, 6), D(2026, 3, 9)) == -1
    assert remaining_workdays(D(2026, 3, 6), D(2026, 3, 10)) == -2
    assert timing(deadline=D(2026, 3, 6), today=D(2026, 3, 7)) == Timing.OVERDUE


def test_due_soon_follows_the_setting():
    due = D(2026, 3, 6)  # Friday
    assert timing(deadline=due, today=D(2026, 3, 4), due_soon_workdays=2) == Timing.DUE_SOON
    assert timing(deadline=due, today=D(2026, 3, 3), due_soon_workdays=2) == Timing.OPEN
    assert timing(deadline=due, today=D(2026, 3, 6), due_soon_workdays=0) == Timing.DUE_SOON
    assert timing(deadline=due, today=D(2026, 3, 5), due_soon_workdays=0) == Timing.OPEN


# --- receipt numbers ------------------------------------------------------------------------------


def test_receipt_numbers():
    assert receipt_number(7, D(2026, 5, 13), 42) == "SL20260513-0007-0042"
    assert receipt_number(1, D(2025, 1, 2), 1) == "SL20250102-0001-0001"
    assert receipt_number(9999, D(2025, 12, 31), 9999) == "SL20251231-9999-9999"
    # wider numbers keep their dashes apart: still unique
    assert receipt_number(12345, D(2025, 12, 31), 10000) == "SL20251231-12345-10000"


# --- the lifecycle table --------------------------------------------------------------------------

C = CaseState
CLERK = frozenset({Role.WINDOW_CLERK})
NOBODY = frozenset()


def test_the_case_lifecycle_table_cell_by_cell():
    assert CASE.name == "case"
    assert sorted(CASE.table()) == sorted(
        [
            (C.CORRECTION, "accept", C.ACCEPTED, CLERK),
            (C.CORRECTION, "refuse", C.REFUSED, CLERK),
            (C.ACCEPTED, "pause", C.PAUSED, CLERK),
            (C.PAUSED, "resume", C.ACCEPTED, CLERK),
            (C.ACCEPTED, "supply", C.ACCEPTED, CLERK),
            (C.PAUSED, "supply", C.PAUSED, CLERK),
            (C.ACCEPTED, "complete", C.COMPLETED, CLERK),
            (C.COMPLETED, "deliver", C.DELIVERED, CLERK),
            (C.ACCEPTED, "terminate", C.TERMINATED, NOBODY),
            (C.PAUSED, "terminate", C.TERMINATED, NOBODY),
        ]
    )


@pytest.mark.parametrize(
    ("action", "sources", "target", "roles"),
    [
        ("accept", {C.CORRECTION}, C.ACCEPTED, CLERK),
        ("refuse", {C.CORRECTION}, C.REFUSED, CLERK),
        ("pause", {C.ACCEPTED}, C.PAUSED, CLERK),
        ("resume", {C.PAUSED}, C.ACCEPTED, CLERK),
        ("supply", {C.ACCEPTED, C.PAUSED}, None, CLERK),  # the state stays
        ("complete", {C.ACCEPTED}, C.COMPLETED, CLERK),
        ("deliver", {C.COMPLETED}, C.DELIVERED, CLERK),
        ("terminate", {C.ACCEPTED, C.PAUSED}, C.TERMINATED, NOBODY),  # the daily job only
    ],
)
def test_each_action_of_the_case_lifecycle(action, sources, target, roles):
    step = CASE.step(action)
    assert step.sources == sources
    assert step.target == target
    assert step.roles == roles
    assert step.label
    for state in C.values:
        if state in sources:
            assert CASE.target(state, action) == (target or state)
            CASE.check(state, action)  # allowed: no error
            assert CASE.can(state, action)
        else:
            assert not CASE.can(state, action)
            with pytest.raises(ValueError):
                CASE.target(state, action)
            with pytest.raises(ValidationError):
                CASE.check(state, action, field="state")


def test_the_case_lifecycle_has_exactly_these_actions():
    assert list(CASE.steps) == [
        "accept",
        "refuse",
        "pause",
        "resume",
        "supply",
        "complete",
        "deliver",
        "terminate",
    ]


class Account:
    def __init__(self, role):
        self.role = role


def test_only_the_clerk_moves_a_case_and_only_the_daily_job_terminates_one():
    clerk = Account(Role.WINDOW_CLERK)
    assert [s.action for s in CASE.actions(C.CORRECTION, clerk)] == ["accept", "refuse"]
    assert [s.action for s in CASE.actions(C.ACCEPTED, clerk)] == ["pause", "supply", "complete"]
    assert [s.action for s in CASE.actions(C.PAUSED, clerk)] == ["resume", "supply"]
    assert [s.action for s in CASE.actions(C.COMPLETED, clerk)] == ["deliver"]
    for state in (C.REFUSED, C.DELIVERED, C.TERMINATED):
        assert CASE.actions(state, clerk) == []
    for role in Role:
        if role != Role.WINDOW_CLERK:
            for state in C.values:
                assert CASE.actions(state, Account(role)) == []
    # the daily job passes no user
    assert CASE.can(C.ACCEPTED, "terminate") and CASE.can(C.PAUSED, "terminate")
    assert not CASE.can(C.ACCEPTED, "terminate", clerk)
