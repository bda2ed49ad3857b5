"""The edges of the pure community rules, pinned by hand so that a mutation run finds no gap.

Every value here is written out: the first and last accepted year, the term on each side of a
year's turn, a rate that sits exactly on a half tenth, the second a code rotates, known codes.
`docs/testing.md` lists the mutants these tests kill and the few that are equivalent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from guanqing.community import rules
from guanqing.community.rules import Term

NINGBO = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
KEY, SECRET = b"k" * 32, "s" * 32
# 09:00:07 in Ningbo, 1 July 2026: timestamp 1782867607, seven seconds into a five-minute step.
T0 = datetime.datetime(2026, 7, 1, 1, 0, 7, tzinfo=UTC)


# --- half-year terms ---------------------------------------------------------------------------


def test_a_term_names_its_half_when_it_refuses_one():
    with pytest.raises(ValueError, match=r"half must be 1 or 2, not 3"):
        Term(2026, 3)
    with pytest.raises(ValueError, match=r"half must be 1 or 2, not 0"):
        Term(2026, 0)


@pytest.mark.parametrize("text", ["2000H1", "2100H2", " 2026h1 "])
def test_the_first_and_last_accepted_years_parse(text):
    term = Term.parse(text)
    assert term.label == text.strip().upper()


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_just_outside_the_range_is_refused_and_named(year):
    with pytest.raises(ValueError, match=rf"year out of range: {year}"):
        Term.parse(f"{year}H1")


def test_text_that_is_no_term_is_refused_and_quoted():
    with pytest.raises(ValueError, match=r"not a half-year term: '2026H3'"):
        Term.parse("2026H3")


@pytest.mark.parametrize(
    ("term", "start", "end"),
    [
        (Term(2026, 1), datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        (Term(2026, 2), datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
    ],
)
def test_a_term_starts_and_ends_on_its_half_years_days(term, start, end):
    assert (term.start, term.end) == (start, end)
    assert Term.of(start) == term and Term.of(end) == term
    assert Term.of(start - datetime.timedelta(days=1)) == term.previous()
    assert Term.of(end + datetime.timedelta(days=1)) == term.next()


def test_next_and_previous_cross_the_turn_of_the_year_and_stay_inside_it():
    assert Term(2026, 1).next() == Term(2026, 2)
    assert Term(2026, 2).next() == Term(2027, 1)
    assert Term(2026, 2).previous() == Term(2026, 1)
    assert Term(2026, 1).previous() == Term(2025, 2)
    assert str(Term(2026, 2).previous()) == "2026H1"


def test_terms_between_one_day_is_that_days_term_and_a_turn_adds_the_next():
    one_day = datetime.date(2026, 6, 30)
    assert rules.terms_between(one_day, one_day) == [Term(2026, 1)]
    assert rules.terms_between(one_day, datetime.date(2026, 7, 1)) == [Term(2026, 1), Term(2026, 2)]


def test_registrable_terms_on_the_last_and_first_day_of_a_half_year():
    assert rules.registrable_terms(datetime.date(2026, 6, 30)) == (Term(2026, 1), Term(2026, 2))
    assert rules.registrable_terms(datetime.date(2026, 7, 1)) == (Term(2026, 2), Term(2027, 1))


# --- report rate -------------------------------------------------------------------------------


def test_one_member_is_enough_to_rate():
    assert rules.report_rate(1, 1) == Decimal("100.0")
    assert rules.report_rate(0, 1) == Decimal("0.0")


def test_no_members_or_a_negative_count_gives_no_rate():
    assert rules.report_rate(0, 0) is None
    assert rules.report_rate(0, -1) is None


def test_a_rate_on_a_half_tenth_rounds_half_up():
    # 1 of 16 is 6.25 %: half up gives 6.3 (banker's rounding would give 6.2); 1 of 80 is 1.25 %.
    assert rules.report_rate(1, 16) == Decimal("6.3")
    assert rules.report_rate(1, 80) == Decimal("1.3")
    assert rules.report_rate(3, 16) == Decimal("18.8")


# --- hours -------------------------------------------------------------------------------------


def test_the_activity_length_is_its_hours_rounded_down():
    start = datetime.datetime(2026, 7, 4, 9, 0, tzinfo=NINGBO)
    assert rules.activity_length(start, start + datetime.timedelta(hours=2, minutes=59)) == (
        Decimal("2.9")
    )
    assert rules.activity_length(start, start) == Decimal("0.0")


def test_hours_at_the_tenth_boundary():
    start = datetime.datetime(2026, 7, 4, 9, 0, tzinfo=NINGBO)
    assert rules.hours_between(start, start + datetime.timedelta(minutes=6)) == Decimal("0.1")
    assert rules.hours_between(start, start + datetime.timedelta(seconds=359)) == Decimal("0.0")
    assert rules.hours_between(start, start + datetime.timedelta(hours=1)) == Decimal("1.0")


def test_checkin_hours_inside_the_activity_are_the_time_between():
    start = datetime.datetime(2026, 7, 4, 9, 0, tzinfo=NINGBO)
    end = start + datetime.timedelta(hours=3)
    came = start + datetime.timedelta(minutes=30)
    left = end - datetime.timedelta(minutes=30)
    assert rules.checkin_hours(came, left, start, end) == Decimal("2.0")
    assert rules.checkin_hours(end, end + datetime.timedelta(hours=1), start, end) == Decimal("0.0")


def test_credited_and_manual_hours_at_their_limits():
    assert rules.credited_checkin_hours(Decimal("1.0"), Decimal("2.0"), Decimal("0.0")) == (
        Decimal("1.0")
    )
    assert rules.credited_checkin_hours(Decimal("2.0"), Decimal("2.0"), Decimal("2.5")) == (
        Decimal("0.0")
    )
    assert rules.manual_allowance(Decimal("2.0"), Decimal("0.5"), Decimal("0.5")) == Decimal("1.0")
    assert rules.manual_allowance(Decimal("2.0"), Decimal("1.0"), Decimal("1.0")) == Decimal("0.0")


# --- check-in codes ----------------------------------------------------------------------------


def test_the_code_window_opens_and_closes_on_the_exact_minute():
    start = datetime.datetime(2026, 7, 4, 9, 0, tzinfo=NINGBO)
    end = start + datetime.timedelta(hours=2)
    assert rules.code_window(start, end) == (
        datetime.datetime(2026, 7, 4, 8, 30, tzinfo=NINGBO),
        datetime.datetime(2026, 7, 4, 11, 30, tzinfo=NINGBO),
    )
    second = datetime.timedelta(seconds=1)
    opens, closes = rules.code_window(start, end)
    assert rules.in_code_window(opens, start, end)
    assert not rules.in_code_window(opens - second, start, end)
    assert rules.in_code_window(closes, start, end)
    assert not rules.in_code_window(closes + second, start, end)


def test_code_steps_are_whole_numbers_of_the_step_length():
    assert rules.code_step(T0) == 1782867607 // 300 == 5942892
    assert rules.code_step(T0, 60) == 29714460
    assert isinstance(rules.code_step(T0), int)


def test_a_code_is_replaced_at_the_end_of_its_step():
    assert rules.step_ends_at(T0) == datetime.datetime(2026, 7, 1, 1, 5, tzinfo=UTC)
    assert rules.step_ends_at(T0, 60) == datetime.datetime(2026, 7, 1, 1, 1, tzinfo=UTC)
    in_ningbo = T0.astimezone(NINGBO)
    ends = rules.step_ends_at(in_ningbo)
    assert ends.tzinfo is NINGBO
    assert (ends.hour, ends.minute, ends.second) == (9, 5, 0)


def test_known_codes():
    # Pinned: a change of the formula would change the codes shown on every screen at once.
    assert rules.code_for_step(KEY, 7, SECRET, 0) == "977117"
    assert rules.code_for_step(KEY, 7, SECRET, 1) == "516089"
    assert rules.code_for_step(KEY, 7, SECRET, 5941212) == "413544"
    assert rules.current_code(KEY, 7, SECRET, T0) == "339245"
    assert rules.current_code(KEY, 7, SECRET, T0, 60) == "439218"


def test_a_code_matches_in_its_own_step_and_the_next_only():
    code = rules.current_code(KEY, 7, SECRET, T0)
    step_start = datetime.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)
    five = datetime.timedelta(minutes=5)
    assert rules.code_matches(code, KEY, 7, SECRET, T0)
    assert rules.code_matches(code, KEY, 7, SECRET, step_start)
    assert rules.code_matches(f" {code} ", KEY, 7, SECRET, step_start + five)
    assert not rules.code_matches(code, KEY, 7, SECRET, step_start + 2 * five)
    assert not rules.code_matches(code, KEY, 7, SECRET, step_start - datetime.timedelta(seconds=1))


def test_a_code_of_another_step_length_matches_with_that_length():
    code = rules.current_code(KEY, 7, SECRET, T0, 60)
    assert rules.code_matches(code, KEY, 7, SECRET, T0, 60)
    assert rules.code_matches(code, KEY, 7, SECRET, T0 + datetime.timedelta(seconds=60), 60)
    assert not rules.code_matches(code, KEY, 7, SECRET, T0 + datetime.timedelta(seconds=120), 60)


@pytest.mark.parametrize("given", [None, "", "   "])
def test_no_code_never_matches(given):
    assert not rules.code_matches(given, KEY, 7, SECRET, T0)
