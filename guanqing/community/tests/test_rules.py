"""The pure rules: half-year terms, hours rounded down and clipped, rotating check-in codes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from guanqing.community import rules
from guanqing.community.rules import Term

UTC = datetime.UTC
T0 = datetime.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 09:00 in Ningbo


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (datetime.date(2026, 1, 1), "2026H1"),
        (datetime.date(2026, 6, 30), "2026H1"),
        (datetime.date(2026, 7, 1), "2026H2"),
        (datetime.date(2026, 12, 31), "2026H2"),
    ],
)
def test_a_day_belongs_to_its_half_year(day, label):
    assert Term.of(day).label == label
    assert Term.of(day).start <= day <= Term.of(day).end


def test_terms_parse_and_step():
    assert Term.parse("2026h2") == Term(2026, 2)
    assert Term(2026, 2).next() == Term(2027, 1)
    assert Term(2027, 1).previous() == Term(2026, 2)
    for bad in ("2026H3", "2026", "H1", "1999H1", ""):
        with pytest.raises(ValueError):
            Term.parse(bad)


def test_renewal_is_possible_for_the_next_half_year_only():
    assert rules.registrable_terms(datetime.date(2026, 12, 20)) == (Term(2026, 2), Term(2027, 1))


def test_terms_between_covers_every_half_year_touched():
    labels = [
        t.label for t in rules.terms_between(datetime.date(2025, 6, 30), datetime.date(2026, 7, 1))
    ]
    assert labels == ["2025H1", "2025H2", "2026H1", "2026H2"]


def test_report_rate_is_a_percentage_with_one_decimal():
    assert rules.report_rate(2, 3) == Decimal("66.7")
    assert rules.report_rate(0, 0) is None


def test_hours_round_down_and_are_clipped_to_the_activity():
    start, end = T0, T0 + datetime.timedelta(hours=2)
    assert rules.hours_between(T0, T0 + datetime.timedelta(minutes=59, seconds=59)) == Decimal(
        "0.9"
    )
    assert rules.hours_between(T0, T0 - datetime.timedelta(minutes=5)) == Decimal("0.0")
    early_late = rules.checkin_hours(
        start - datetime.timedelta(minutes=30), end + datetime.timedelta(hours=1), start, end
    )
    assert early_late == Decimal("2.0")
    assert rules.credited_checkin_hours(Decimal("2.0"), Decimal("2.0"), Decimal("1.5")) == Decimal(
        "0.5"
    )
    assert rules.manual_allowance(Decimal("2.0"), Decimal("1.8"), Decimal("0.5")) == Decimal("0.0")


def test_codes_are_six_digits_rotate_and_accept_the_previous_step_only():
    key, secret = b"k" * 32, "s" * 32
    code = rules.current_code(key, 7, secret, T0)
    assert len(code) == 6 and code.isdigit()
    later = T0 + datetime.timedelta(seconds=rules.CODE_STEP_SECONDS)
    assert rules.code_matches(code, key, 7, secret, later)  # the previous step
    assert not rules.code_matches(code, key, 7, secret, later + datetime.timedelta(seconds=300))
    assert not rules.code_matches(code, key, 8, secret, T0)  # another activity
    assert not rules.code_matches(code, b"x" * 32, 7, secret, T0)  # another server key
    codes = {
        rules.current_code(key, 7, secret, T0 + datetime.timedelta(minutes=5 * i))
        for i in range(12)
    }
    assert len(codes) > 6  # it really rotates


def test_the_code_window_is_thirty_minutes_either_side():
    start, end = T0, T0 + datetime.timedelta(hours=1)
    assert rules.in_code_window(start - datetime.timedelta(minutes=30), start, end)
    assert rules.in_code_window(end + datetime.timedelta(minutes=30), start, end)
    assert not rules.in_code_window(start - datetime.timedelta(minutes=31), start, end)
    assert not rules.in_code_window(end + datetime.timedelta(minutes=31), start, end)
