"""Every boundary of the compliance rules, pinned with hand-picked dates.

Each case sits on an edge — a visit on 31 March and on 1 April, a pairing started on the last day
of a quarter, exactly `grace_days` active days, a relay on a window's last day — and asserts the
exact status and deadline, so that moving an edge by one day (`<` for `<=`, `+ 2` for `+ 1`)
fails a test. `docs/testing.md` records the mutation run these tests answer. No date here depends
on the day the tests run.
"""

from __future__ import annotations

import datetime
import re

import pytest

from guanqing.pairing.rules import (
    DEFAULT_CONFIG,
    ComplianceConfig,
    PairingFacts,
    Period,
    PeriodKind,
    Status,
    Term,
    VisitFact,
    compliance_rate,
    deadline,
    duty_holder,
    eligible_visits,
    festival_windows,
    holder_on,
    is_done,
    member_done_count,
    member_todo,
    owes,
    periods_of_year,
    quarter_of,
    rate_of,
    required_count,
    status,
    year_statuses,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
ALICE, BOB = 1, 2
Q4_2025 = quarter_of(D(2025, 11, 1))
Q1 = quarter_of(D(2026, 2, 1))  # 1 January – 31 March 2026, 90 days
Q2 = quarter_of(D(2026, 5, 1))  # 1 April – 30 June 2026, 91 days
NEW_YEAR, JULY = festival_windows(2026)  # 1 January – 3 March (正月十五), 1 June – 1 July


def visit(day, *kinds, members=(ALICE,)):
    return VisitFact(date=day, kinds=frozenset(kinds or ("talk",)), member_ids=frozenset(members))


LONG_AGO = D(2024, 1, 1)


def pairing(started_on=LONG_AGO, ended_on=None, visits=(), terms=None):
    if terms is None:
        terms = (Term(ALICE, started_on, None),)
    return PairingFacts(started_on=started_on, ended_on=ended_on, terms=terms, visits=visits)


def assert_duty(facts, period, today, expected_status, expected_deadline, config=DEFAULT_CONFIG):
    assert (status(facts, period, today, config), deadline(facts, period)) == (
        expected_status,
        expected_deadline,
    )


# --- periods: both ends inside ------------------------------------------------------------------


def test_the_periods_of_2026_are_the_expected_days():
    assert (Q1.start, Q1.end, Q1.days) == (D(2026, 1, 1), D(2026, 3, 31), 90)
    assert (Q2.start, Q2.end, Q2.days) == (D(2026, 4, 1), D(2026, 6, 30), 91)
    assert (NEW_YEAR.start, NEW_YEAR.end, NEW_YEAR.days) == (D(2026, 1, 1), D(2026, 3, 3), 62)
    assert (JULY.start, JULY.end, JULY.days) == (D(2026, 6, 1), D(2026, 7, 1), 31)


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (D(2025, 12, 31), False),
        (D(2026, 1, 1), True),  # the first day
        (D(2026, 3, 31), True),  # the last day
        (D(2026, 4, 1), False),
    ],
)
def test_a_quarter_contains_its_first_and_last_day(day, inside):
    assert (day in Q1) is inside
    assert (day in Q2) is (day == D(2026, 4, 1))


def test_a_one_day_period_contains_that_day_only():
    one = Period(kind=PeriodKind.JULY, start=D(2026, 7, 1), end=D(2026, 7, 1))
    assert one.days == 1
    assert D(2026, 7, 1) in one
    assert D(2026, 6, 30) not in one and D(2026, 7, 2) not in one


def test_only_a_date_can_be_inside_a_period():
    assert "2026-01-01" not in Q1
    assert None not in Q1


def test_a_period_built_by_hand_takes_its_kind_from_text_and_its_quarter_label_from_its_start():
    period = Period(kind="quarter", start=D(2026, 10, 1), end=D(2026, 12, 31))
    assert period.kind is PeriodKind.QUARTER
    assert (period.label, str(period)) == ("2026Q4", "2026Q4")
    assert quarter_of(D(2026, 10, 1)) == period


def test_a_period_may_end_on_the_day_it_starts_never_before():
    assert Period(kind=PeriodKind.QUARTER, start=D(2026, 1, 1), end=D(2026, 1, 1)).days == 1
    message = r"a period cannot end \(2025-12-31\) before it starts \(2026-01-01\)"
    with pytest.raises(ValueError, match=message):
        Period(kind=PeriodKind.QUARTER, start=D(2026, 1, 1), end=D(2025, 12, 31))


# --- a visit on 31 March and on 1 April --------------------------------------------------------


def test_a_talk_on_31_march_meets_the_first_quarter_not_the_second():
    facts = pairing(visits=(visit(D(2026, 3, 31)),))
    assert_duty(facts, Q1, D(2026, 3, 31), Status.DONE, D(2026, 3, 31))
    assert_duty(facts, Q1, D(2026, 4, 1), Status.DONE, D(2026, 3, 31))
    assert_duty(facts, Q2, D(2026, 4, 1), Status.DUE, D(2026, 6, 30))
    assert eligible_visits(facts, Q1) == facts.visits
    assert eligible_visits(facts, Q2) == ()


def test_a_talk_on_1_april_meets_the_second_quarter_not_the_first():
    facts = pairing(visits=(visit(D(2026, 4, 1)),))
    assert_duty(facts, Q1, D(2026, 3, 31), Status.DUE_SOON, D(2026, 3, 31))
    assert_duty(facts, Q1, D(2026, 4, 1), Status.OVERDUE, D(2026, 3, 31))
    assert_duty(facts, Q2, D(2026, 4, 1), Status.DONE, D(2026, 6, 30))
    assert eligible_visits(facts, Q1) == ()


def test_a_talk_on_1_january_meets_the_first_quarter_not_the_last_of_the_year_before():
    facts = pairing(visits=(visit(D(2026, 1, 1)),))
    assert_duty(facts, Q1, D(2026, 1, 1), Status.DONE, D(2026, 3, 31))
    assert_duty(facts, Q4_2025, D(2026, 1, 1), Status.OVERDUE, D(2025, 12, 31))


def test_a_visit_made_today_counts_today_one_made_tomorrow_does_not():
    facts = pairing(visits=(visit(D(2026, 3, 20)),))
    assert eligible_visits(facts, Q1, D(2026, 3, 20)) == facts.visits
    assert eligible_visits(facts, Q1, D(2026, 3, 19)) == ()
    assert_duty(facts, Q1, D(2026, 3, 19), Status.DUE_SOON, D(2026, 3, 31))
    assert_duty(facts, Q1, D(2026, 3, 20), Status.DONE, D(2026, 3, 31))


def test_a_festival_visit_on_the_lantern_festival_meets_the_window_one_day_later_does_not():
    on_time = pairing(visits=(visit(D(2026, 3, 3), "festival"),))
    late = pairing(visits=(visit(D(2026, 3, 4), "festival"),))
    assert_duty(on_time, NEW_YEAR, D(2026, 3, 4), Status.DONE, D(2026, 3, 3))
    assert_duty(late, NEW_YEAR, D(2026, 3, 3), Status.DUE_SOON, D(2026, 3, 3))
    assert_duty(late, NEW_YEAR, D(2026, 3, 4), Status.OVERDUE, D(2026, 3, 3))


# --- the days a pairing is active ---------------------------------------------------------------


def test_a_pairing_is_active_from_its_first_to_its_last_day():
    facts = pairing(started_on=D(2026, 3, 31), ended_on=D(2026, 4, 1))
    assert not facts.is_active_on(D(2026, 3, 30))
    assert facts.is_active_on(D(2026, 3, 31))
    assert facts.is_active_on(D(2026, 4, 1))
    assert not facts.is_active_on(D(2026, 4, 2))
    assert holder_on(facts, D(2026, 3, 31)) == ALICE
    assert holder_on(facts, D(2026, 4, 1)) == ALICE
    assert holder_on(facts, D(2026, 3, 30)) is None
    assert holder_on(facts, D(2026, 4, 2)) is None


def test_a_term_holds_from_its_first_to_its_last_day():
    term = Term(ALICE, D(2026, 2, 1), D(2026, 2, 10))
    assert not term.holds_on(D(2026, 1, 31))
    assert term.holds_on(D(2026, 2, 1))
    assert term.holds_on(D(2026, 2, 10))
    assert not term.holds_on(D(2026, 2, 11))
    assert Term(ALICE, D(2026, 2, 1)).holds_on(D(2099, 1, 1))


def test_a_term_and_a_pairing_may_last_one_day_never_less():
    assert Term(ALICE, D(2026, 2, 1), D(2026, 2, 1)).holds_on(D(2026, 2, 1))
    with pytest.raises(
        ValueError, match=r"a term cannot end \(2026-01-31\) before it starts \(2026-02-01\)"
    ):
        Term(ALICE, D(2026, 2, 1), D(2026, 1, 31))
    assert pairing(started_on=D(2026, 2, 1), ended_on=D(2026, 2, 1)).is_active_on(D(2026, 2, 1))
    with pytest.raises(
        ValueError, match=r"a pairing cannot end \(2026-01-31\) before it starts \(2026-02-01\)"
    ):
        pairing(started_on=D(2026, 2, 1), ended_on=D(2026, 1, 31))


def test_an_unknown_visit_kind_is_refused_and_the_known_ones_listed():
    with pytest.raises(ValueError, match=r"unknown visit kinds \['chat'\]; known: \['brief', "):
        VisitFact(date=D(2026, 1, 5), kinds=["talk", "chat"])


def test_a_pairing_started_on_the_last_day_of_a_quarter_owes_it_nothing_and_the_next_in_full():
    facts = pairing(started_on=D(2026, 3, 31))
    assert not owes(facts, Q1)
    assert duty_holder(facts, Q1) == ALICE  # one day: touched, so it has a holder
    assert_duty(facts, Q1, D(2026, 3, 31), Status.NOT_OWED, D(2026, 3, 31))
    assert owes(facts, Q2)
    assert_duty(facts, Q2, D(2026, 3, 31), Status.UPCOMING, D(2026, 6, 30))
    assert_duty(facts, Q2, D(2026, 4, 1), Status.DUE, D(2026, 6, 30))


def test_a_pairing_started_on_the_first_day_of_a_quarter_never_touched_the_one_before():
    facts = pairing(started_on=D(2026, 4, 1))
    assert duty_holder(facts, Q1) is None
    assert_duty(facts, Q1, D(2026, 4, 1), Status.NOT_OWED, D(2026, 3, 31))
    assert_duty(facts, Q2, D(2026, 4, 1), Status.DUE, D(2026, 6, 30))


def test_a_pairing_ended_on_the_first_day_of_a_quarter_owes_it_nothing_and_is_due_that_day():
    facts = pairing(ended_on=D(2026, 4, 1))
    assert duty_holder(facts, Q2) == ALICE
    assert_duty(facts, Q2, D(2026, 4, 1), Status.NOT_OWED, D(2026, 4, 1))
    # the quarter before was owed in full; the pairing lasted to its end
    assert_duty(facts, Q1, D(2026, 3, 31), Status.DUE_SOON, D(2026, 3, 31))
    assert_duty(facts, Q1, D(2026, 4, 1), Status.OVERDUE, D(2026, 3, 31))


def test_a_pairing_ended_on_the_last_day_of_a_quarter_keeps_the_quarters_deadline():
    facts = pairing(ended_on=D(2026, 3, 31))
    assert_duty(facts, Q1, D(2026, 3, 31), Status.DUE_SOON, D(2026, 3, 31))
    assert_duty(facts, Q1, D(2026, 4, 1), Status.OVERDUE, D(2026, 3, 31))
    # the next quarter it never touched: no holder, nothing owed, its deadline its first day
    assert duty_holder(facts, Q2) is None
    assert_duty(facts, Q2, D(2026, 4, 1), Status.NOT_OWED, D(2026, 4, 1))


def test_a_pairing_ended_the_day_before_its_last_owed_day_is_overdue_the_next_morning():
    facts = pairing(ended_on=D(2026, 3, 30))
    assert_duty(facts, Q1, D(2026, 3, 30), Status.DUE_SOON, D(2026, 3, 30))
    assert_duty(facts, Q1, D(2026, 3, 31), Status.OVERDUE, D(2026, 3, 30))


# --- the grace rule: exactly grace_days active days --------------------------------------------


def test_the_default_grace_is_30_days_and_due_soon_14():
    assert (DEFAULT_CONFIG.grace_days, DEFAULT_CONFIG.due_soon_days) == (30, 14)
    assert DEFAULT_CONFIG.quarterly_talk_minimum == 1


@pytest.mark.parametrize(
    ("started_on", "expected"),
    [
        (D(2026, 3, 1), Status.DUE_SOON),  # 31 active days: grace + 1, owed
        (D(2026, 3, 2), Status.NOT_OWED),  # exactly 30 = grace_days: not owed
    ],
)
def test_exactly_grace_days_active_days_owe_nothing_one_more_owes(started_on, expected):
    facts = pairing(started_on=started_on)
    assert_duty(facts, Q1, D(2026, 3, 20), expected, D(2026, 3, 31))


@pytest.mark.parametrize(
    ("ended_on", "on_the_day_after"),
    [
        (D(2026, 1, 31), Status.OVERDUE),  # 31 active days
        (D(2026, 1, 30), Status.NOT_OWED),  # 30 active days
    ],
)
def test_an_early_end_with_exactly_grace_days_owes_nothing(ended_on, on_the_day_after):
    facts = pairing(ended_on=ended_on)
    assert_duty(facts, Q1, ended_on + DAY, on_the_day_after, ended_on)


@pytest.mark.parametrize(
    ("started_on", "expected"),
    [
        (D(2026, 3, 21), Status.DUE_SOON),  # 11 days
        (D(2026, 3, 22), Status.NOT_OWED),  # 10 days
    ],
)
def test_a_committee_grace_of_ten_days_moves_the_edge(started_on, expected):
    config = ComplianceConfig(grace_days=10)
    facts = pairing(started_on=started_on)
    assert owes(facts, Q1, config) is (expected != Status.NOT_OWED)
    assert_duty(facts, Q1, D(2026, 3, 25), expected, D(2026, 3, 31), config)


def test_no_grace_makes_one_active_day_owe_the_period():
    config = ComplianceConfig(grace_days=0)
    facts = pairing(started_on=D(2026, 3, 31))
    assert_duty(facts, Q1, D(2026, 3, 31), Status.DUE_SOON, D(2026, 3, 31), config)
    assert_duty(facts, Q1, D(2026, 4, 1), Status.OVERDUE, D(2026, 3, 31), config)


def test_a_window_shorter_than_the_grace_is_owed_by_who_was_there_from_its_first_day():
    config = ComplianceConfig(july_start=(6, 15))  # 15 June – 1 July: 17 days
    _, july = festival_windows(2026, config)
    assert july.days == 17
    first_day = pairing(started_on=D(2026, 6, 15))
    second_day = pairing(started_on=D(2026, 6, 16))
    assert_duty(first_day, july, D(2026, 7, 2), Status.OVERDUE, D(2026, 7, 1), config)
    assert_duty(second_day, july, D(2026, 7, 2), Status.NOT_OWED, D(2026, 7, 1), config)


def test_a_one_day_window_is_owed_by_a_pairing_active_that_day():
    config = ComplianceConfig(july_start=(7, 1), july_end=(7, 1))
    _, july = festival_windows(2026, config)
    assert (july.start, july.end, july.days) == (D(2026, 7, 1), D(2026, 7, 1), 1)
    facts = pairing()
    assert_duty(facts, july, D(2026, 6, 30), Status.UPCOMING, D(2026, 7, 1), config)
    assert_duty(facts, july, D(2026, 7, 1), Status.DUE_SOON, D(2026, 7, 1), config)
    assert_duty(facts, july, D(2026, 7, 2), Status.OVERDUE, D(2026, 7, 1), config)
    # a pairing that starts the day after owes that one day nothing
    after = pairing(started_on=D(2026, 7, 2))
    assert duty_holder(after, july) is None
    assert_duty(after, july, D(2026, 7, 2), Status.NOT_OWED, D(2026, 7, 1), config)


def test_without_grace_a_period_the_pairing_never_touched_is_still_not_owed():
    config = ComplianceConfig(grace_days=0)
    started_after = pairing(started_on=D(2026, 4, 1))
    ended_before = pairing(ended_on=D(2025, 12, 31))
    assert_duty(started_after, Q1, D(2026, 4, 1), Status.NOT_OWED, D(2026, 3, 31), config)
    assert_duty(ended_before, Q1, D(2026, 4, 1), Status.NOT_OWED, D(2026, 1, 1), config)


# --- due, due soon, overdue on the exact day -----------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 12, 31), Status.UPCOMING),
        (D(2026, 1, 1), Status.DUE),  # the first day is no longer upcoming
        (D(2026, 3, 17), Status.DUE),  # 15 days left
        (D(2026, 3, 18), Status.DUE_SOON),  # 14 days left = due_soon_days
        (D(2026, 3, 31), Status.DUE_SOON),  # the deadline itself
        (D(2026, 4, 1), Status.OVERDUE),  # the day after
    ],
)
def test_status_on_each_edge_of_a_quarter(today, expected):
    assert_duty(pairing(), Q1, today, expected, D(2026, 3, 31))


def test_no_due_soon_days_leaves_the_last_day_due():
    config = ComplianceConfig(due_soon_days=0)
    assert_duty(pairing(), Q1, D(2026, 3, 31), Status.DUE, D(2026, 3, 31), config)


def test_the_quarterly_minimum_is_met_exactly_and_a_window_wants_one_visit():
    config = ComplianceConfig(quarterly_talk_minimum=2)
    two = pairing(visits=(visit(D(2026, 1, 5)), visit(D(2026, 3, 3), "talk", "festival")))
    one = pairing(visits=(visit(D(2026, 3, 3), "talk", "festival"),))
    assert (required_count(Q1, config), required_count(NEW_YEAR, config)) == (2, 1)
    assert is_done(two, Q1, D(2026, 4, 1), config)
    assert not is_done(one, Q1, D(2026, 4, 1), config)
    assert_duty(one, Q1, D(2026, 4, 1), Status.OVERDUE, D(2026, 3, 31), config)
    assert_duty(one, NEW_YEAR, D(2026, 3, 4), Status.DONE, D(2026, 3, 3), config)


# --- a relay on a window's last day -------------------------------------------------------------


RELAY_ON_LANTERN = (
    Term(ALICE, D(2025, 1, 1), D(2026, 3, 2)),
    Term(BOB, D(2026, 3, 3)),
)


def test_a_relay_on_the_windows_last_day_hands_its_duty_to_the_successor():
    facts = pairing(started_on=D(2025, 1, 1), terms=RELAY_ON_LANTERN)
    assert holder_on(facts, D(2026, 3, 2)) == ALICE
    assert holder_on(facts, D(2026, 3, 3)) == BOB
    assert duty_holder(facts, NEW_YEAR) == BOB
    assert_duty(facts, NEW_YEAR, D(2026, 3, 3), Status.DUE_SOON, D(2026, 3, 3))
    [duty] = [d for d in member_todo({7: facts}, BOB, [NEW_YEAR], D(2026, 3, 3))]
    assert (duty.pairing, duty.period, duty.status, duty.deadline) == (
        7,
        NEW_YEAR,
        Status.DUE_SOON,
        D(2026, 3, 3),
    )
    assert member_todo({7: facts}, ALICE, [NEW_YEAR], D(2026, 3, 2)) == []


def test_the_predecessors_festival_visit_the_day_before_the_relay_meets_the_window():
    facts = pairing(
        started_on=D(2025, 1, 1),
        terms=RELAY_ON_LANTERN,
        visits=(visit(D(2026, 3, 2), "festival", members=(ALICE, BOB)),),
    )
    assert_duty(facts, NEW_YEAR, D(2026, 3, 3), Status.DONE, D(2026, 3, 3))
    assert member_done_count(facts, ALICE, NEW_YEAR) == 1
    assert member_done_count(facts, BOB, NEW_YEAR) == 0
    assert member_done_count(facts, ALICE, NEW_YEAR, D(2026, 3, 1)) == 0
    assert member_todo({7: facts}, BOB, [NEW_YEAR], D(2026, 3, 3)) == []


def test_the_successors_visit_on_the_relay_day_is_the_successors():
    facts = pairing(
        started_on=D(2025, 1, 1),
        terms=RELAY_ON_LANTERN,
        visits=(visit(D(2026, 3, 3), "festival", members=(ALICE,)),),
    )
    assert member_done_count(facts, BOB, NEW_YEAR) == 1
    assert member_done_count(facts, ALICE, NEW_YEAR) == 0


def test_a_members_todo_orders_by_deadline_then_kind_then_pairing():
    pairings = {
        "b": pairing(),
        "a": pairing(),
        "c": pairing(ended_on=D(2026, 2, 28)),
    }
    todo = member_todo(pairings, ALICE, [Q1, NEW_YEAR], D(2026, 2, 20))
    rows = [(duty.pairing, duty.period.kind, duty.status, duty.deadline) for duty in todo]
    assert rows == [
        ("c", PeriodKind.NEW_YEAR, Status.DUE_SOON, D(2026, 2, 28)),
        ("c", PeriodKind.QUARTER, Status.DUE_SOON, D(2026, 2, 28)),
        ("a", PeriodKind.NEW_YEAR, Status.DUE_SOON, D(2026, 3, 3)),
        ("b", PeriodKind.NEW_YEAR, Status.DUE_SOON, D(2026, 3, 3)),
        ("a", PeriodKind.QUARTER, Status.DUE, D(2026, 3, 31)),
        ("b", PeriodKind.QUARTER, Status.DUE, D(2026, 3, 31)),
    ]


def test_a_members_todo_skips_a_period_held_by_another_and_lists_the_next():
    relay = (Term(ALICE, LONG_AGO, D(2026, 3, 31)), Term(BOB, D(2026, 4, 1)))
    facts = pairing(terms=relay)
    todo = member_todo({7: facts}, BOB, [Q1, Q2], D(2026, 4, 1))
    assert [(d.period, d.status, d.deadline) for d in todo] == [(Q2, Status.DUE, D(2026, 6, 30))]
    todo = member_todo({7: facts}, ALICE, [Q1, Q2], D(2026, 4, 1))
    assert [(d.period, d.status, d.deadline) for d in todo] == [
        (Q1, Status.OVERDUE, D(2026, 3, 31))
    ]


def test_a_members_todo_applies_the_committees_settings():
    facts = pairing(started_on=D(2026, 3, 21))  # 11 days of the first quarter
    assert member_todo({7: facts}, ALICE, [Q1], D(2026, 3, 25)) == []
    config = ComplianceConfig(grace_days=10)
    [duty] = member_todo({7: facts}, ALICE, [Q1], D(2026, 3, 25), config)
    assert (duty.status, duty.deadline) == (Status.DUE_SOON, D(2026, 3, 31))


# --- the facts keep what they are given, in order ------------------------------------------------


def test_facts_sort_the_terms_and_freeze_what_they_are_given():
    early, late = Term(ALICE, LONG_AGO, D(2026, 2, 9)), Term(BOB, D(2026, 2, 10))
    talk = VisitFact(date=D(2026, 2, 1), kinds=["talk"], member_ids=[ALICE])
    facts = PairingFacts(started_on=LONG_AGO, terms=[late, early], visits=[talk])
    assert facts.terms == (early, late)
    assert facts.visits == (talk,)
    assert (talk.kinds, talk.member_ids) == (frozenset({"talk"}), frozenset({ALICE}))
    assert hash(talk) == hash(VisitFact(date=D(2026, 2, 1), kinds={"talk"}, member_ids={ALICE}))


def test_a_new_year_window_may_open_on_the_lantern_festival_itself():
    new_year, _ = festival_windows(2026, ComplianceConfig(new_year_start=(3, 3)))
    assert (new_year.start, new_year.end, new_year.days) == (D(2026, 3, 3), D(2026, 3, 3), 1)
    with pytest.raises(ValueError, match=r"^the New Year window of 2026 would start on 2026-03-04"):
        festival_windows(2026, ComplianceConfig(new_year_start=(3, 4)))


# --- a whole year, and the rate ------------------------------------------------------------------


def test_a_year_of_statuses_as_of_a_day_in_july():
    facts = pairing(
        started_on=D(2026, 2, 2),
        visits=(visit(D(2026, 6, 30), "festival", "talk"), visit(D(2026, 7, 2))),
    )
    statuses = year_statuses(facts, 2026, D(2026, 7, 2))
    assert [(period.label, value) for period, value in statuses.items()] == [
        ("2026Q1", Status.OVERDUE),  # 58 days of it, no talk
        ("2026 元旦春节", Status.NOT_OWED),  # 2 February – 3 March: 30 days, the grace
        ("2026Q2", Status.DONE),
        ("2026 七一", Status.DONE),
        ("2026Q3", Status.DONE),
        ("2026Q4", Status.UPCOMING),
    ]


def test_a_year_of_statuses_follows_the_committees_windows():
    config = ComplianceConfig(july_start=(6, 15), grace_days=10)
    facts = pairing(started_on=D(2026, 6, 20))  # 12 days of the July window: owed with grace 10
    statuses = year_statuses(facts, 2026, D(2026, 6, 20), config)
    july = [period for period in statuses if period.kind == PeriodKind.JULY]
    assert [(p.start, p.end) for p in july] == [(D(2026, 6, 15), D(2026, 7, 1))]
    assert statuses[july[0]] == Status.DUE_SOON
    # 11 days of the second quarter: owed with a grace of 10 (not with the default 30)
    assert statuses[quarter_of(D(2026, 6, 1))] == Status.DUE_SOON
    assert [p.start for p in periods_of_year(2026, config)][3] == D(2026, 6, 15)


def test_the_compliance_rate_counts_every_overdue_duty():
    assert compliance_rate([Status.DONE, Status.OVERDUE, Status.OVERDUE]) == 1 / 3
    assert compliance_rate([Status.DONE, Status.DONE, Status.OVERDUE]) == 2 / 3


def test_the_rate_of_the_two_counts():
    assert rate_of(0, 0) is None
    assert rate_of(1, 0) == 1.0
    assert rate_of(0, 1) == 0.0
    assert rate_of(3, 1) == 0.75


# --- settings the committee cannot give ---------------------------------------------------------


EVERY_YEAR = r"must be a \(month, day\) that exists every year, got "


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quarterly_talk_minimum": 0}, r"quarterly_talk_minimum must be at least 1"),
        ({"grace_days": -1}, r"grace_days and due_soon_days cannot be negative"),
        ({"due_soon_days": -1}, r"grace_days and due_soon_days cannot be negative"),
        ({"new_year_start": (2, 29)}, r"new_year_start " + EVERY_YEAR + r"\(2, 29\)"),
        ({"july_start": None}, r"july_start " + EVERY_YEAR + "None"),
        ({"july_end": (7, 32)}, r"july_end " + EVERY_YEAR + r"\(7, 32\)"),
        ({"new_year_end": (13, 1)}, r"new_year_end " + EVERY_YEAR + r"\(13, 1\)"),
        (
            {"july_start": (7, 2), "july_end": (7, 1)},
            r"the July window cannot end before it starts",
        ),
        (
            {"july_start": (8, 1), "july_end": (7, 31)},
            r"the July window cannot end before it starts",
        ),
        (
            {"new_year_start": (1, 15), "new_year_end": (1, 14)},
            r"the New Year window cannot end before it starts",
        ),
        (
            {"new_year_start": (2, 1), "new_year_end": (1, 31)},
            r"the New Year window cannot end before it starts",
        ),
    ],
)
def test_a_setting_that_cannot_work_is_refused_with_its_reason(changes, message):
    with pytest.raises(ValueError) as excinfo:
        ComplianceConfig(**changes)
    assert re.fullmatch(message, str(excinfo.value))


@pytest.mark.parametrize(
    "changes",
    [
        {"quarterly_talk_minimum": 1},
        {"grace_days": 0, "due_soon_days": 0},
        {"july_start": (7, 1), "july_end": (7, 1)},  # a one-day window
        {"july_start": (6, 30), "july_end": (7, 1)},
        {"new_year_start": (1, 15), "new_year_end": (1, 15)},
        {"new_year_start": (1, 15), "new_year_end": (2, 1)},
    ],
)
def test_the_settings_on_the_edge_are_accepted(changes):
    config = ComplianceConfig(**changes)
    for name, value in changes.items():
        assert getattr(config, name) == value
