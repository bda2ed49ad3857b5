"""The pure rules at their boundaries: required days prorated for partial months (rounded half up),
days logged per month, compliance, the months of a term, overlapping ranges; the lifecycle table."""

from __future__ import annotations

import datetime

import pytest

from guanqing.core.roles import Role
from guanqing.instructors import rules
from guanqing.instructors.choices import Compliance, TermState

D = datetime.date
NOV = rules.Month(2025, 11)  # 30 days
FEB = rules.Month(2026, 2)  # 28 days


def test_a_whole_month_requires_the_full_rate():
    assert rules.required_days(20, NOV, D(2025, 1, 1), D(2026, 12, 31)) == 20
    assert rules.required_days(20, NOV, D(2025, 11, 1), D(2025, 11, 30)) == 20


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        (D(2025, 11, 16), 10),  # 15 of 30 days: exactly 10
        (D(2025, 11, 17), 9),  # 14 of 30: 9.33
        (D(2025, 11, 2), 19),  # 29 of 30: 19.33
        (D(2025, 11, 30), 1),  # 1 of 30: 0.67 rounds up
    ],
)
def test_a_term_starting_inside_the_month_is_prorated(starts, expected):
    assert rules.required_days(20, NOV, starts, D(2026, 12, 31)) == expected


def test_a_term_ending_inside_the_month_is_prorated():
    assert rules.required_days(20, NOV, D(2025, 1, 1), D(2025, 11, 15)) == 10


@pytest.mark.parametrize(("covered", "expected"), [(1, 1), (2, 1), (3, 2), (27, 14)])
def test_halves_round_up(covered, expected):
    # 14 a month over February's 28 days: half a day per day covered
    assert rules.required_days(14, FEB, D(2026, 2, 1), D(2026, 2, covered)) == expected


def test_a_month_outside_the_term_requires_nothing():
    assert rules.required_days(20, NOV, D(2025, 12, 1), D(2026, 12, 31)) == 0
    assert rules.required_days(20, NOV, D(2024, 1, 1), D(2025, 10, 31)) == 0


def test_a_range_cuts_the_month_like_the_term():
    assert (
        rules.required_days(
            20, NOV, D(2025, 1, 1), D(2026, 1, 1), within=(D(2025, 11, 16), D(2025, 12, 31))
        )
        == 10
    )
    assert (
        rules.required_days(
            20, NOV, D(2025, 1, 1), D(2026, 1, 1), within=(D(2025, 12, 1), D(2025, 12, 31))
        )
        == 0
    )


def test_days_logged_count_the_entries_of_the_month_only():
    entries = [(D(2025, 10, 31), 1), (D(2025, 11, 1), 3), (D(2025, 11, 28), 3), (D(2025, 12, 1), 2)]
    assert rules.logged_days(entries, NOV) == 6
    assert rules.logged_days([], NOV) == 0


def test_compliance_at_its_boundaries():
    over = D(2025, 12, 1)
    ends = D(2026, 12, 31)
    assert rules.compliance(20, 20, month=NOV, term_last=ends, today=over) == Compliance.MET
    assert rules.compliance(20, 19, month=NOV, term_last=ends, today=over) == Compliance.SHORT
    # the month's last day is still under way
    assert rules.compliance(20, 19, month=NOV, term_last=ends, today=D(2025, 11, 30)) == (
        Compliance.IN_PROGRESS
    )
    # met already before the month ends
    assert rules.compliance(20, 20, month=NOV, term_last=ends, today=D(2025, 11, 10)) == (
        Compliance.MET
    )
    assert rules.compliance(0, 0, month=NOV, term_last=ends, today=over) == Compliance.NOT_DUE


def test_a_term_ending_inside_the_month_is_judged_the_day_after_it_ends():
    ends = D(2025, 11, 15)
    assert rules.compliance(10, 9, month=NOV, term_last=ends, today=D(2025, 11, 15)) == (
        Compliance.IN_PROGRESS
    )
    assert rules.compliance(10, 9, month=NOV, term_last=ends, today=D(2025, 11, 16)) == (
        Compliance.SHORT
    )


def test_the_months_of_a_term_run_to_its_end_or_today():
    months = rules.term_months(D(2025, 11, 20), D(2027, 1, 1), D(2026, 2, 3))
    assert [m.key() for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [m.key() for m in rules.term_months(D(2025, 11, 20), D(2025, 12, 5), D(2026, 6, 1))] == [
        "2025-11",
        "2025-12",
    ]
    assert rules.term_months(D(2026, 3, 1), D(2027, 1, 1), D(2026, 2, 3)) == []


def test_ranges_touching_do_not_overlap():
    others = [(D(2025, 11, 1), D(2025, 11, 3))]
    assert rules.ranges_overlap(D(2025, 11, 4), D(2025, 11, 5), others) is None
    assert rules.ranges_overlap(D(2025, 11, 3), D(2025, 11, 4), others) == others[0]
    assert rules.ranges_overlap(D(2025, 10, 30), D(2025, 11, 1), others) == others[0]


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        (TermState.APPOINTED, "end", True),
        (TermState.ENDED, "end", False),
        (TermState.APPOINTED, "log", True),
        (TermState.ENDED, "log", False),
        (TermState.APPOINTED, "raise", True),
        (TermState.ENDED, "raise", False),
    ],
)
def test_the_lifecycle_table(state, action, allowed):
    assert rules.TERM.can(state, action) is allowed


def test_who_takes_each_step():
    assert rules.TERM.step("end").roles == {Role.COMMITTEE, Role.UNIT_ADMIN}
    assert rules.TERM.step("log").roles == {Role.UNIT_ADMIN, Role.MEMBER}
    assert rules.TERM.target(TermState.APPOINTED, "end") == TermState.ENDED
