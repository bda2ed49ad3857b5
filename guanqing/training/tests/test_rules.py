"""The plan's lifecycle cell by cell, and a session's days on a calendar given by hand."""

from __future__ import annotations

import datetime

import pytest

from guanqing.training import rules
from guanqing.training.choices import PlanState

D = datetime.date
# 2026-10-01..07 holidays, Saturday 10-10 worked in lieu
HOLIDAYS = {D(2026, 10, d) for d in range(1, 8)}
MAKE_UP = {D(2026, 10, 10)}


def is_workday(day):
    return (day.weekday() < 5 and day not in HOLIDAYS) or day in MAKE_UP


@pytest.mark.parametrize(
    "state,action,target",
    [
        (PlanState.DRAFT, "solve", PlanState.SCHEDULED),
        (PlanState.SCHEDULED, "solve", PlanState.SCHEDULED),
        (PlanState.CLOSED, "solve", None),
        (PlanState.DRAFT, "close", None),
        (PlanState.SCHEDULED, "close", PlanState.CLOSED),
        (PlanState.CLOSED, "close", None),
    ],
)
def test_the_plan_lifecycle(state, action, target):
    if target is None:
        with pytest.raises(ValueError):
            rules.PLAN.target(state, action)
    else:
        assert rules.PLAN.target(state, action) == target


def test_a_session_steps_over_the_holiday():
    days = rules.session_days(D(2026, 9, 30), 2, is_workday=is_workday, allow_saturdays=False)
    assert days == [D(2026, 9, 30), D(2026, 10, 8)]


def test_a_make_up_saturday_only_when_allowed():
    start = D(2026, 10, 9)
    assert rules.session_days(start, 2, is_workday=is_workday, allow_saturdays=False) == [
        start,
        D(2026, 10, 12),
    ]
    assert rules.session_days(start, 2, is_workday=is_workday, allow_saturdays=True) == [
        start,
        D(2026, 10, 10),
    ]
    assert (
        rules.session_days(D(2026, 10, 10), 1, is_workday=is_workday, allow_saturdays=False) is None
    )


def test_no_session_starts_on_a_holiday_or_a_sunday():
    assert (
        rules.session_days(D(2026, 10, 2), 2, is_workday=is_workday, allow_saturdays=True) is None
    )
    assert (
        rules.session_days(D(2026, 10, 11), 2, is_workday=is_workday, allow_saturdays=True) is None
    )


def test_proposed_starts_are_a_week_apart_and_on_training_days():
    starts = rules.proposed_starts(
        D(2026, 9, 28), 3, 2, is_workday=is_workday, allow_saturdays=False
    )
    assert starts == [D(2026, 9, 28), D(2026, 10, 8), D(2026, 10, 12)]
