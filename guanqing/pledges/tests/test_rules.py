"""The pure rules at their boundaries: status, percentage, the report month, the lifecycle."""

from __future__ import annotations

import datetime

import pytest

from guanqing.core.roles import Role
from guanqing.pledges import rules
from guanqing.pledges.choices import PledgeState, Status

D = datetime.date
TODAY = D(2026, 5, 13)
HORIZON = D(2026, 5, 20)


def status(*milestones, progress=0, target=10, state=PledgeState.PUBLISHED):
    return rules.status(
        state=state,
        progress=progress,
        target=target,
        milestones=milestones,
        today=TODAY,
        horizon=HORIZON,
    )


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (D(2026, 5, 12), Status.LATE),  # yesterday, not done
        (TODAY, Status.AT_RISK),  # due today is not late yet
        (HORIZON, Status.AT_RISK),  # the last day of the horizon
        (D(2026, 5, 21), Status.ON_TRACK),  # the day after it
    ],
)
def test_an_open_milestone_decides_by_its_due_date(due, expected):
    assert status((due, None)) == expected


def test_a_milestone_done_is_never_late_or_at_risk():
    assert status((D(2026, 5, 1), D(2026, 5, 2)), (TODAY, TODAY)) == Status.ON_TRACK


def test_late_wins_over_at_risk():
    assert status((TODAY, None), (D(2026, 5, 12), None)) == Status.LATE


def test_the_target_reached_is_done_even_with_a_late_milestone():
    assert status((D(2026, 5, 1), None), progress=10) == Status.DONE
    assert status((D(2026, 5, 1), None), progress=9) == Status.LATE


def test_all_milestones_done_is_done_only_once_closed():
    done = (D(2026, 5, 1), D(2026, 5, 1))
    assert status(done, state=PledgeState.CLOSED) == Status.DONE
    assert status(done, state=PledgeState.PUBLISHED) == Status.ON_TRACK
    assert status(done, (D(2026, 6, 1), None), state=PledgeState.CLOSED) == Status.ON_TRACK
    assert status(state=PledgeState.CLOSED) == Status.ON_TRACK  # no milestone: nothing shown


@pytest.mark.parametrize(
    ("progress", "target", "expected"),
    [(0, 10, 0), (1, 3, 33), (9, 10, 90), (10, 10, 100), (15, 10, 100), (5, 0, 0)],
)
def test_percent(progress, target, expected):
    assert rules.percent(progress, target) == expected


def test_month_end_knows_leap_years_and_december():
    assert rules.month_end(D(2028, 2, 1)) == D(2028, 2, 29)
    assert rules.month_end(D(2026, 2, 1)) == D(2026, 2, 28)
    assert rules.month_end(D(2026, 12, 1)) == D(2026, 12, 31)


@pytest.mark.parametrize(
    ("month", "today", "open_"),
    [
        (D(2026, 5, 1), D(2026, 5, 1), True),
        (D(2026, 5, 1), D(2026, 5, 31), True),  # until the month's last day
        (D(2026, 5, 1), D(2026, 6, 1), False),  # not the day after
        (D(2026, 6, 1), D(2026, 5, 31), False),  # not a month ahead
        (D(2027, 1, 1), D(2027, 1, 5), False),  # not another year than the pledge's
    ],
)
def test_a_report_is_open_until_its_month_ends(month, today, open_):
    assert rules.report_open(month, 2026, today) is open_


@pytest.mark.parametrize(
    ("state", "action", "target", "roles"),
    [
        (PledgeState.DRAFT, "publish", PledgeState.PUBLISHED, {Role.COMMITTEE}),
        (PledgeState.PUBLISHED, "close", PledgeState.CLOSED, {Role.COMMITTEE}),
        (PledgeState.PUBLISHED, "assess", PledgeState.PUBLISHED, {Role.UNIT_ADMIN}),
        (PledgeState.CLOSED, "assess", PledgeState.CLOSED, {Role.UNIT_ADMIN}),
        (PledgeState.CLOSED, "rate", PledgeState.CLOSED, {Role.COMMITTEE}),
        (PledgeState.PUBLISHED, "report", PledgeState.PUBLISHED, {Role.UNIT_ADMIN}),
        (PledgeState.DRAFT, "edit", PledgeState.DRAFT, {Role.COMMITTEE}),
        (PledgeState.PUBLISHED, "edit", PledgeState.PUBLISHED, {Role.COMMITTEE}),
    ],
)
def test_lifecycle_cells(state, action, target, roles):
    assert (state, action, target, frozenset(roles)) in rules.PLEDGE.table()


def test_lifecycle_has_no_other_cells():
    assert len(rules.PLEDGE.table()) == 8
    assert not rules.PLEDGE.can(PledgeState.CLOSED, "edit")
    assert not rules.PLEDGE.can(PledgeState.DRAFT, "report")
    assert not rules.PLEDGE.can(PledgeState.PUBLISHED, "rate")


def test_the_at_risk_setting(settings):
    assert rules.at_risk_workdays() == 5
    settings.PLEDGES_AT_RISK_WORKDAYS = 2
    assert rules.at_risk_workdays() == 2


@pytest.mark.django_db
def test_the_horizon_counts_working_days_on_the_official_calendar(official_calendar, settings):
    from guanqing.pledges.selectors import horizon

    assert horizon(TODAY) == HORIZON  # Thu, Fri, Mon, Tue, Wed
    # 2026-09-30: the National Day holidays follow; the fifth working day is 2026-10-13
    assert horizon(D(2026, 9, 30)) > D(2026, 10, 8)
    settings.PLEDGES_AT_RISK_WORKDAYS = 1
    assert horizon(D(2026, 5, 15)) == D(2026, 5, 18)  # Friday → Monday
