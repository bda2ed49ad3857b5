"""The obligation's rules: the lifecycle table cell by cell against the services, deadlines and
escalation days on the official calendar around a holiday, and the timing of an obligation."""

from __future__ import annotations

import pytest

from guanqing.care import rules, services
from guanqing.care.choices import ObligationState, Timing
from guanqing.care.models import Obligation
from guanqing.care.tests.helpers import D, record
from guanqing.core.errors import Conflict
from guanqing.core.roles import Role

STATES = [s.value for s in ObligationState]
UNIT = frozenset({Role.COMMITTEE, Role.UNIT_ADMIN})

# (state, action) -> (target, roles): the table written out
TABLE = {
    ("open", "meet"): ("met", UNIT),
    ("open", "waive"): ("waived", UNIT),
    ("open", "escalate"): ("open", frozenset()),
}


def test_the_table_is_exactly_the_cells_written_out():
    got = {
        (state, action): (target, roles)
        for state, action, target, roles in rules.OBLIGATION.table()
    }
    assert got == TABLE


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ["meet", "waive", "escalate"])
def test_each_cell_allows_or_refuses_the_move(state, action):
    assert rules.OBLIGATION.can(state, action) == ((state, action) in TABLE)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ["meet", "waive"])
def test_the_services_follow_the_table(world, official_calendar, pinned_today, state, action):
    o = record(world).obligations.get()
    Obligation.objects.filter(pk=o.pk).update(
        state=state, met_on=D(2026, 5, 12) if state == "met" else None
    )
    call = {
        "meet": lambda: services.obligation_meet(
            actor=world.users.unit_admin, obligation=o, done_note="上门慰问"
        ),
        "waive": lambda: services.obligation_waive(
            actor=world.users.unit_admin, obligation=o, reason="已调离"
        ),
    }[action]
    if (state, action) in TABLE:
        call()
        o.refresh_from_db()
        assert o.state == TABLE[(state, action)][0]
    else:
        with pytest.raises(Conflict):
            call()
        o.refresh_from_db()
        assert o.state == state


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_buttons_are_the_tables_for_each_role(role):
    user = type("U", (), {"role": role})()
    actions = [step.action for step in rules.OBLIGATION.actions("open", user)]
    assert actions == (["meet", "waive"] if role in UNIT else [])
    assert rules.OBLIGATION.actions("met", user) == []


def test_no_role_escalates_by_hand(world, official_calendar, pinned_today):
    o = record(world).obligations.get()
    assert not any(rules.OBLIGATION.can(o.state, "escalate", u) for u in vars(world.users).values())


# --- deadlines on the official calendar ------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred", "limit", "due"),
    [
        (D(2026, 5, 11), 3, D(2026, 5, 14)),  # Mon + 3: Thu
        (D(2026, 5, 8), 1, D(2026, 5, 9)),  # Fri + 1: Sat 9 May, worked in lieu of Labour Day
        (D(2026, 4, 29), 2, D(2026, 5, 6)),  # Wed + 2: Thu 30 Apr, then Wed 6 May after the holiday
        (D(2026, 5, 1), 1, D(2026, 5, 6)),  # on the holiday itself: the first working day after
        (D(2026, 5, 16), 1, D(2026, 5, 18)),  # Sat + 1: Monday
        (D(2025, 12, 31), 2, D(2026, 1, 5)),  # across the New Year holiday and the year's end
    ],
)
def test_the_deadline_counts_working_days_on_the_official_calendar(
    official_calendar, occurred, limit, due
):
    assert rules.due_on(occurred, limit) == due


def test_escalation_waits_for_the_working_day_after_the_deadline(official_calendar):
    assert rules.escalates_on(D(2026, 4, 30)) == D(2026, 5, 6)  # over the Labour Day holiday
    assert rules.escalates_on(D(2026, 5, 8)) == D(2026, 5, 9)  # a Saturday worked in lieu
    assert rules.escalates_on(D(2026, 5, 15)) == D(2026, 5, 18)  # Friday: Monday


@pytest.mark.parametrize(
    ("state", "met_on", "today", "expected"),
    [
        ("met", D(2026, 5, 10), D(2026, 5, 20), Timing.ON_TIME),
        ("met", D(2026, 5, 11), D(2026, 5, 20), Timing.ON_TIME),  # on the deadline itself
        ("met", D(2026, 5, 12), D(2026, 5, 20), Timing.LATE),
        ("waived", None, D(2026, 5, 20), Timing.WAIVED),
        ("open", None, D(2026, 5, 11), Timing.PENDING),  # due today: not yet overdue
        ("open", None, D(2026, 5, 12), Timing.OVERDUE),
    ],
)
def test_timing_against_the_deadline(state, met_on, today, expected):
    assert rules.timing(state, D(2026, 5, 11), met_on, today) == expected
