"""Working days on the official calendar, against the State Council's notices."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanqing.core.calendar import workdays
from guanqing.core.calendar.workdays import (
    CalendarYearMissing,
    add_workdays,
    is_workday,
    workdays_between,
)

D = datetime.date
pytestmark = pytest.mark.usefixtures("official_calendar")


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        # National Day + Mid-autumn 2025: 1–8 October off, Saturday 11 October worked
        (D(2025, 9, 29), 7, D(2025, 10, 15)),
        # Spring Festival 2026: 15–23 February off, Saturday 28 February worked
        (D(2026, 2, 12), 7, D(2026, 2, 28)),
        # the 2020 Spring Festival, extended to 2 February by the State Council
        (D(2020, 1, 23), 1, D(2020, 2, 3)),
        # counting starts the day after: one workday after a Friday is the Monday
        (D(2024, 3, 1), 1, D(2024, 3, 4)),
        (D(2024, 3, 1), 0, D(2024, 3, 1)),
        # across the new year: 2024-12-31 (Tue) + 1 skips New Year's Day
        (D(2024, 12, 31), 1, D(2025, 1, 2)),
    ],
)
def test_deadlines_follow_the_official_notices(start, n, deadline):
    assert add_workdays(start, n) == deadline


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 2, 28), True),  # make-up Saturday (调休)
        (D(2026, 2, 17), False),  # 正月初一
        (D(2025, 10, 11), True),  # make-up Saturday
        (D(2025, 10, 6), False),  # Mid-autumn, inside the Golden Week
        (D(2026, 3, 2), True),  # an ordinary Monday
        (D(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_is_workday(day, expected):
    assert is_workday(day) is expected


def test_a_year_without_data_is_an_error_naming_the_year_never_a_guess():
    with pytest.raises(CalendarYearMissing) as exc:
        add_workdays(D(2026, 12, 24), 10)
    assert exc.value.year == 2027
    assert "2027" in str(exc.value) and "工作日历" in str(exc.value)
    with pytest.raises(CalendarYearMissing):
        is_workday(D(2003, 6, 1))


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_workdays(D(2025, 1, 6), -1)


dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 10, 31))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=dates, n=st.integers(min_value=0, max_value=40))
def test_add_workdays_and_workdays_between_agree(start, n):
    deadline = add_workdays(start, n)
    assert workdays_between(start, deadline) == n
    assert deadline >= start
    if n:
        assert is_workday(deadline)
        # no earlier date reaches n workdays
        assert workdays_between(start, deadline - datetime.timedelta(days=1)) == n - 1


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=dates, b=dates, c=dates)
def test_workdays_between_adds_up_and_is_antisymmetric(a, b, c):
    a, b, c = sorted((a, b, c))
    assert workdays_between(a, c) == workdays_between(a, b) + workdays_between(b, c)
    assert workdays_between(c, a) == -workdays_between(a, c)
    assert workdays_between(a, a) == 0


def test_business_dates_are_beijing_dates():
    utc = datetime.UTC
    # 00:30 in Beijing on 1 July is still 30 June in UTC
    moment = datetime.datetime(2026, 6, 30, 16, 30, tzinfo=utc)
    assert workdays.business_date(moment) == D(2026, 7, 1)


@pytest.mark.parametrize(
    ("year", "spring", "lantern"),
    [
        (2025, D(2025, 1, 29), D(2025, 2, 12)),
        (2026, D(2026, 2, 17), D(2026, 3, 3)),
        (2027, D(2027, 2, 6), D(2027, 2, 20)),
        (2028, D(2028, 1, 26), D(2028, 2, 9)),
    ],
)
def test_lunar_festivals(year, spring, lantern):
    assert workdays.spring_festival(year) == spring
    assert workdays.lantern_festival(year) == lantern
