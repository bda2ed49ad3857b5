"""Compliance rules at the edges of quarters and festival windows, relay credit, and properties.

No database: the rules take plain data, so these run in milliseconds and hypothesis can drive them.
"""

import dataclasses
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanqing.pairing.rules import (
    ComplianceConfig,
    PairingFacts,
    Period,
    PeriodKind,
    Status,
    Term,
    VisitFact,
    compliance_rate,
    credited_member,
    days_left,
    deadline,
    duty_holder,
    eligible_visits,
    festival_windows,
    holder_on,
    member_done_count,
    member_todo,
    owes,
    periods_of_year,
    quarter_of,
    quarters,
    status,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
CONFIG = ComplianceConfig()
Q1_2026 = quarter_of(D(2026, 2, 1))
NEW_YEAR_2026, JULY_2026 = festival_windows(2026, CONFIG)
ALICE, BOB = 1, 2


def visit(day, *kinds, members=(ALICE,)):
    return VisitFact(date=day, kinds=frozenset(kinds or ("talk",)), member_ids=frozenset(members))


LONG_AGO = D(2024, 1, 1)


def pairing(started_on=LONG_AGO, ended_on=None, visits=(), terms=None):
    if terms is None:
        terms = (Term(ALICE, started_on, None),)
    return PairingFacts(
        started_on=started_on, ended_on=ended_on, terms=tuple(terms), visits=tuple(visits)
    )


# --- periods ------------------------------------------------------------------------------------


def test_quarters_cover_the_year_without_gaps():
    q1, q2, q3, q4 = quarters(2026)
    assert (q1.start, q1.end, q1.label) == (D(2026, 1, 1), D(2026, 3, 31), "2026Q1")
    assert (q2.start, q2.end, q2.label) == (D(2026, 4, 1), D(2026, 6, 30), "2026Q2")
    assert (q3.start, q3.end, q3.label) == (D(2026, 7, 1), D(2026, 9, 30), "2026Q3")
    assert (q4.start, q4.end, q4.label) == (D(2026, 10, 1), D(2026, 12, 31), "2026Q4")
    assert quarter_of(D(2024, 2, 29)).end == D(2024, 3, 31)
    assert quarter_of(D(2026, 12, 31)) == q4


def test_the_2026_new_year_window_ends_on_the_lantern_festival_3_march():
    assert (NEW_YEAR_2026.start, NEW_YEAR_2026.end) == (D(2026, 1, 1), D(2026, 3, 3))
    assert NEW_YEAR_2026.label == "2026 元旦春节"
    assert NEW_YEAR_2026.kind == PeriodKind.NEW_YEAR


def test_the_2025_new_year_window_ends_on_12_february():
    new_year, _ = festival_windows(2025)
    assert (new_year.start, new_year.end) == (D(2025, 1, 1), D(2025, 2, 12))


def test_the_july_window_runs_from_1_june_to_1_july_inclusive():
    assert (JULY_2026.start, JULY_2026.end, JULY_2026.label) == (
        D(2026, 6, 1),
        D(2026, 7, 1),
        "2026 七一",
    )
    facts = pairing(visits=[visit(D(2026, 7, 1), "festival")])
    assert status(facts, JULY_2026, D(2026, 7, 2)) == Status.DONE
    facts = pairing(visits=[visit(D(2026, 7, 2), "festival"), visit(D(2026, 5, 31), "festival")])
    assert status(facts, JULY_2026, D(2026, 7, 2)) == Status.OVERDUE


def test_the_committee_can_move_the_windows():
    config = ComplianceConfig(new_year_start=(1, 15), new_year_end=(2, 28), july_start=(6, 15))
    new_year, july = festival_windows(2026, config)
    assert (new_year.start, new_year.end) == (D(2026, 1, 15), D(2026, 2, 28))
    assert (july.start, july.end) == (D(2026, 6, 15), D(2026, 7, 1))


def test_a_window_start_after_the_lantern_festival_is_an_error_naming_the_year():
    config = ComplianceConfig(new_year_start=(2, 25))
    assert festival_windows(2026, config)[0].end == D(2026, 3, 3)
    with pytest.raises(ValueError, match="2027") as exc:  # 正月十五 2027 is 20 February
        festival_windows(2027, config)
    assert "正月十五" in str(exc.value)


def test_a_year_lists_its_six_periods_in_order():
    labels = [period.label for period in periods_of_year(2026)]
    assert labels == ["2026Q1", "2026 元旦春节", "2026Q2", "2026 七一", "2026Q3", "2026Q4"]


@pytest.mark.parametrize(
    "changes",
    [
        {"quarterly_talk_minimum": 0},
        {"grace_days": -1},
        {"new_year_start": (2, 29)},  # would vanish three years in four
        {"july_start": (7, 2), "july_end": (7, 1)},
        {"new_year_end": (13, 1)},
    ],
)
def test_a_config_that_cannot_work_every_year_is_refused(changes):
    with pytest.raises(ValueError):
        ComplianceConfig(**changes)


# --- quarter edges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("talk_on", "expected"),
    [
        (D(2026, 1, 1), Status.DONE),  # the quarter's first day
        (D(2026, 3, 31), Status.DONE),  # its last day
        (D(2026, 4, 1), Status.OVERDUE),  # the day after belongs to Q2
        (D(2025, 12, 31), Status.OVERDUE),  # the day before belongs to Q4 2025
    ],
)
def test_a_talk_counts_on_the_quarters_first_and_last_day_only_inside_it(talk_on, expected):
    facts = pairing(visits=[visit(talk_on)])
    assert status(facts, Q1_2026, D(2026, 4, 1)) == expected


def test_only_a_talk_meets_the_quarterly_duty():
    facts = pairing(visits=[visit(D(2026, 2, 1), "brief", "help", "festival")])
    assert status(facts, Q1_2026, D(2026, 4, 1)) == Status.OVERDUE
    facts = pairing(visits=[visit(D(2026, 2, 1), "brief", "talk")])
    assert status(facts, Q1_2026, D(2026, 4, 1)) == Status.DONE


def test_the_committee_can_raise_the_quarterly_minimum():
    config = ComplianceConfig(quarterly_talk_minimum=2)
    one = pairing(visits=[visit(D(2026, 2, 1))])
    two = pairing(visits=[visit(D(2026, 2, 1)), visit(D(2026, 3, 1))])
    assert status(one, Q1_2026, D(2026, 4, 1), config) == Status.OVERDUE
    assert status(two, Q1_2026, D(2026, 4, 1), config) == Status.DONE


# --- the grace rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_on", "owed"),
    [
        (D(2026, 3, 1), True),  # 31 days of the quarter left, counting both ends
        (D(2026, 3, 2), False),  # 30 days left: inside the last 30 days
        (D(2026, 3, 31), False),
    ],
)
def test_a_pairing_starting_in_the_last_30_days_of_a_quarter_owes_nothing_for_it(started_on, owed):
    facts = pairing(started_on=started_on)
    assert owes(facts, Q1_2026, CONFIG) is owed
    expected = Status.OVERDUE if owed else Status.NOT_OWED
    assert status(facts, Q1_2026, D(2026, 4, 1)) == expected
    # and the next quarter is owed in full
    assert owes(facts, quarter_of(D(2026, 4, 1)), CONFIG)


def test_the_grace_in_a_30_day_quarter_month_counts_from_its_own_end():
    q2 = quarter_of(D(2026, 5, 1))
    assert owes(pairing(started_on=D(2026, 5, 31)), q2, CONFIG)  # 31 days left
    assert not owes(pairing(started_on=D(2026, 6, 1)), q2, CONFIG)  # 30 days left


def test_a_pairing_never_owes_a_period_it_started_after_or_ended_before():
    assert not owes(pairing(started_on=D(2026, 4, 1)), Q1_2026, CONFIG)
    assert not owes(pairing(started_on=D(2025, 1, 1), ended_on=D(2025, 12, 31)), Q1_2026, CONFIG)


def test_a_pairing_ending_in_the_first_30_days_of_a_quarter_owes_nothing_for_it():
    # Decision: the grace is symmetric; a family that moved away early leaves nothing owed.
    assert not owes(pairing(ended_on=D(2026, 1, 30)), Q1_2026, CONFIG)
    assert owes(pairing(ended_on=D(2026, 1, 31)), Q1_2026, CONFIG)


def test_a_pairing_that_ends_inside_an_owed_quarter_is_overdue_the_day_after_it_ends():
    facts = pairing(ended_on=D(2026, 2, 20))
    assert deadline(facts, Q1_2026) == D(2026, 2, 20)
    assert status(facts, Q1_2026, D(2026, 2, 20)) == Status.DUE_SOON
    assert status(facts, Q1_2026, D(2026, 2, 21)) == Status.OVERDUE
    done = dataclasses.replace(facts, visits=(visit(D(2026, 2, 20)),))
    assert status(done, Q1_2026, D(2026, 5, 1)) == Status.DONE


@pytest.mark.parametrize(
    ("started_on", "owed"),
    [
        (D(2025, 12, 1), True),
        (D(2026, 2, 1), True),  # 31 days of the window left
        (D(2026, 2, 2), False),  # 30 days left
    ],
)
def test_a_pairing_starting_inside_a_festival_window_owes_it_only_with_more_than_30_days_left(
    started_on, owed
):
    assert owes(pairing(started_on=started_on), NEW_YEAR_2026, CONFIG) is owed


def test_the_july_window_is_owed_by_a_pairing_there_when_it_opens():
    # 31 days: only a pairing active on 1 June has more than 30 days of it.
    assert owes(pairing(started_on=D(2026, 6, 1)), JULY_2026, CONFIG)
    assert not owes(pairing(started_on=D(2026, 6, 2)), JULY_2026, CONFIG)
    # a window shorter than the grace is still owed by whoever was there throughout
    config = ComplianceConfig(july_start=(6, 15))
    _, short = festival_windows(2026, config)
    assert owes(pairing(), short, config)
    assert not owes(pairing(started_on=D(2026, 6, 16)), short, config)


def test_a_festival_visit_inside_the_window_meets_it_a_talk_does_not():
    talk = pairing(visits=[visit(D(2026, 2, 10), "talk")])
    festival = pairing(visits=[visit(D(2026, 3, 3), "festival", "help")])
    assert status(talk, NEW_YEAR_2026, D(2026, 3, 4)) == Status.OVERDUE
    assert status(festival, NEW_YEAR_2026, D(2026, 3, 4)) == Status.DONE
    late = pairing(visits=[visit(D(2026, 3, 4), "festival")])
    assert status(late, NEW_YEAR_2026, D(2026, 3, 4)) == Status.OVERDUE


def test_a_duty_met_is_shown_as_met_even_where_it_was_not_owed():
    facts = pairing(started_on=D(2026, 3, 20), visits=[visit(D(2026, 3, 25))])
    assert not owes(facts, Q1_2026, CONFIG)
    assert status(facts, Q1_2026, D(2026, 4, 1)) == Status.DONE


# --- due, due soon, overdue, upcoming -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 12, 31), Status.UPCOMING),
        (D(2026, 1, 1), Status.DUE),
        (D(2026, 3, 17), Status.DUE),  # 15 days left counting today
        (D(2026, 3, 18), Status.DUE_SOON),  # 14 days left counting today
        (D(2026, 3, 31), Status.DUE_SOON),  # the last day
        (D(2026, 4, 1), Status.OVERDUE),  # the day after the quarter
    ],
)
def test_status_moves_with_today(today, expected):
    assert status(pairing(), Q1_2026, today) == expected


def test_days_left_count_today():
    facts = pairing()
    assert days_left(facts, Q1_2026, D(2026, 3, 18)) == 14
    assert days_left(facts, Q1_2026, D(2026, 3, 31)) == 1
    assert days_left(facts, Q1_2026, D(2026, 4, 1)) == 0


def test_the_due_soon_threshold_is_configurable():
    config = ComplianceConfig(due_soon_days=7)
    assert status(pairing(), Q1_2026, D(2026, 3, 24), config) == Status.DUE
    assert status(pairing(), Q1_2026, D(2026, 3, 25), config) == Status.DUE_SOON


def test_a_visit_after_today_is_not_yet_counted_so_a_board_replays_as_of_any_date():
    facts = pairing(visits=[visit(D(2026, 3, 20))])
    assert status(facts, Q1_2026, D(2026, 3, 19)) == Status.DUE_SOON
    assert status(facts, Q1_2026, D(2026, 3, 20)) == Status.DONE


# --- relay (接力棒) -------------------------------------------------------------------------------

HANDOVER = D(2026, 2, 10)
RELAY_TERMS = (Term(ALICE, D(2025, 1, 1), HANDOVER - DAY), Term(BOB, HANDOVER, None))


def relayed(*visits, terms=RELAY_TERMS, ended_on=None):
    return pairing(started_on=D(2025, 1, 1), ended_on=ended_on, visits=visits, terms=terms)


@pytest.mark.parametrize(
    ("day", "credited"),
    [
        (HANDOVER - DAY, ALICE),  # before the effective date: the predecessor
        (HANDOVER, BOB),  # on it: the successor
        (HANDOVER + DAY, BOB),
    ],
)
def test_a_visit_counts_for_whoever_held_the_pairing_that_day(day, credited):
    facts = relayed()
    # who came along does not move the credit
    assert credited_member(facts, visit(day, members=(ALICE, BOB))) == credited


def test_either_convention_for_the_predecessors_last_day_credits_the_successor_on_handover_day():
    overlapping = (Term(ALICE, D(2025, 1, 1), HANDOVER), Term(BOB, HANDOVER, None))
    facts = relayed(terms=overlapping)
    assert credited_member(facts, visit(HANDOVER)) == BOB
    assert credited_member(facts, visit(HANDOVER - DAY)) == ALICE


def test_the_quarters_duty_belongs_to_the_holder_at_its_end():
    facts = relayed()
    assert duty_holder(facts, Q1_2026) == BOB
    assert duty_holder(facts, quarter_of(D(2025, 12, 1))) == ALICE
    # a successor who takes over in the quarter's last days answers for it
    late = relayed(terms=(Term(ALICE, D(2025, 1, 1), D(2026, 3, 30)), Term(BOB, D(2026, 3, 31))))
    assert duty_holder(late, Q1_2026) == BOB


def test_the_duty_of_a_pairing_ended_inside_the_period_belongs_to_the_holder_at_its_end():
    terms = (Term(ALICE, D(2025, 1, 1), D(2026, 2, 9)), Term(BOB, D(2026, 2, 10), D(2026, 3, 1)))
    facts = relayed(terms=terms, ended_on=D(2026, 3, 1))
    assert duty_holder(facts, Q1_2026) == BOB
    assert duty_holder(facts, quarter_of(D(2026, 5, 1))) is None
    assert holder_on(facts, D(2026, 3, 2)) is None


def test_the_pairing_keeps_the_predecessors_visit_and_the_successor_gets_no_credit_for_it():
    facts = relayed(visit(D(2026, 1, 20)), visit(D(2026, 2, 15)), visit(D(2026, 2, 20)))
    assert status(facts, Q1_2026, D(2026, 4, 1)) == Status.DONE
    assert member_done_count(facts, ALICE, Q1_2026) == 1
    assert member_done_count(facts, BOB, Q1_2026) == 2


def test_a_unit_held_pairing_credits_no_member():
    facts = pairing(terms=(Term(None, D(2024, 1, 1)),))
    assert credited_member(facts, visit(D(2026, 1, 5))) is None
    assert duty_holder(facts, Q1_2026) is None


def test_a_members_todo_follows_the_relay_and_lists_the_most_pressing_first():
    pairings = {
        10: relayed(),  # Bob holds it since 10 February
        11: pairing(terms=(Term(BOB, D(2024, 1, 1)),), visits=[visit(D(2026, 1, 5))]),
        12: pairing(terms=(Term(BOB, D(2024, 1, 1)),)),
        13: pairing(terms=(Term(ALICE, D(2024, 1, 1)),)),
    }
    today = D(2026, 2, 20)
    todo = member_todo(pairings, BOB, periods_of_year(2026), today)
    rows = [(duty.pairing, duty.period.label, duty.status) for duty in todo]
    assert rows == [
        (10, "2026 元旦春节", Status.DUE_SOON),  # 12 days left of the window
        (11, "2026 元旦春节", Status.DUE_SOON),
        (12, "2026 元旦春节", Status.DUE_SOON),
        (10, "2026Q1", Status.DUE),
        (12, "2026Q1", Status.DUE),
    ]
    alice = member_todo(pairings, ALICE, periods_of_year(2026), today)
    assert {duty.pairing for duty in alice} == {13}


# --- compliance rate ----------------------------------------------------------------------------


def test_compliance_rate_is_done_over_settled_duties():
    s = Status
    assert compliance_rate([s.DONE, s.DONE, s.DONE, s.OVERDUE]) == 0.75
    # open, not owed and upcoming duties are not scored
    assert compliance_rate([s.DONE, s.DUE, s.DUE_SOON, s.NOT_OWED, s.UPCOMING]) == 1.0
    assert compliance_rate(["done", "overdue"]) == 0.5
    assert compliance_rate([s.DUE, s.NOT_OWED]) is None
    assert compliance_rate([]) is None


# --- properties -----------------------------------------------------------------------------------

PROPERTY = settings(max_examples=200, derandomize=True, deadline=None)
START, END = D(2024, 10, 1), D(2027, 3, 31)
days = st.dates(min_value=START, max_value=END)
kinds = st.frozensets(st.sampled_from(["talk", "brief", "festival", "help", "support"]), min_size=1)
visits = st.builds(VisitFact, date=days, kinds=kinds, member_ids=st.just(frozenset({ALICE})))
periods = st.builds(
    lambda year, index: periods_of_year(year)[index],
    st.integers(min_value=2025, max_value=2026),
    st.integers(min_value=0, max_value=5),
)


@st.composite
def facts(draw):
    started_on = draw(days)
    ended_on = draw(st.none() | st.dates(min_value=started_on, max_value=END))
    last = ended_on or END
    handovers = []
    if last > started_on:
        relay_days = st.dates(min_value=started_on + DAY, max_value=last)
        handovers = sorted(draw(st.sets(relay_days, max_size=3)))
    starts = [started_on, *handovers]
    terms = tuple(
        Term(member, start, nxt - DAY if nxt else None)
        for member, start, nxt in zip([ALICE, BOB] * 2, starts, [*starts[1:], None], strict=False)
    )
    return PairingFacts(started_on, ended_on, terms, tuple(draw(st.lists(visits, max_size=8))))


def eligible_in(facts_, period, today):
    wanted = "talk" if period.kind == PeriodKind.QUARTER else "festival"
    return any(period.start <= v.date <= today and wanted in v.kinds for v in facts_.visits)


@PROPERTY
@given(facts=facts(), period=periods, today=days)
def test_status_is_done_iff_an_eligible_visit_lies_in_the_period(facts, period, today):
    assert (status(facts, period, today) == Status.DONE) == eligible_in(
        facts, period, min(today, period.end)
    )


@PROPERTY
@given(facts=facts(), period=periods, today=days, extra=visits)
def test_adding_a_visit_never_undoes_a_done_duty(facts, period, today, extra):
    more = dataclasses.replace(facts, visits=(*facts.visits, extra))
    if status(facts, period, today) == Status.DONE:
        assert status(more, period, today) == Status.DONE


@PROPERTY
@given(facts=facts(), period=periods, today=days)
def test_a_pairing_never_owes_a_period_entirely_before_it_started(facts, period, today):
    if period.end < facts.started_on:
        assert not owes(facts, period, CONFIG)
        assert status(facts, period, today) in {Status.NOT_OWED, Status.DONE}
        assert duty_holder(facts, period) is None


@PROPERTY
@given(facts=facts(), period=periods, today=days)
def test_statuses_never_depend_on_visits_outside_the_period(facts, period, today):
    inside = tuple(v for v in facts.visits if v.date in period)
    assert status(facts, period, today) == status(
        dataclasses.replace(facts, visits=inside), period, today
    )


@PROPERTY
@given(facts=facts(), period=periods, today=days)
def test_an_owed_duty_not_done_is_overdue_exactly_after_its_deadline(facts, period, today):
    current = status(facts, period, today)
    if current in {Status.DONE, Status.NOT_OWED}:
        return
    assert (current == Status.OVERDUE) == (today > deadline(facts, period))
    assert (current == Status.UPCOMING) == (today < period.start)


@PROPERTY
@given(facts=facts(), day=days)
def test_every_visit_is_credited_to_the_term_holding_that_day(facts, day):
    holders = [t.member_id for t in facts.terms if t.holds_on(day)]
    expected = holders[-1] if holders and facts.is_active_on(day) else None
    assert credited_member(facts, visit(day)) == expected


@PROPERTY
@given(facts=facts(), period=periods, today=days)
def test_credits_add_up_to_the_pairings_eligible_visits(facts, period, today):
    total = len(eligible_visits(facts, period, today))
    credited = sum(member_done_count(facts, m, period, today) for m in (ALICE, BOB))
    outside = sum(
        1 for v in eligible_visits(facts, period, today) if not facts.is_active_on(v.date)
    )
    assert credited + outside == total


def test_periods_are_hashable_keys():
    board = {period: Status.DUE for period in periods_of_year(2026)}
    assert board[Period(PeriodKind.QUARTER, D(2026, 1, 1), D(2026, 3, 31))] == Status.DUE
