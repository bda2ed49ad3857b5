"""Properties of the case clock over any acceptance date and any pauses (hypothesis), on the
official calendar of 2004–2026."""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanqing.core.calendar.workdays import (
    CalendarYearMissing,
    add_workdays,
    is_workday,
    workdays_between,
)
from guanqing.window.rules import (
    Timing,
    deadline,
    paused_workdays,
    receipt_number,
    remaining_workdays,
    timing,
    workdays_used,
)
from guanqing.window.tests.test_rules import seeded_calendar  # noqa: F401 (the fixture)

D = datetime.date
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.usefixtures("seeded_calendar")

# Accepted early enough that every deadline below stays inside the calendar (2026 at the latest).
accepted_dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 3, 31))
limits = st.integers(min_value=0, max_value=40)
# (days from the previous pause's end, or the acceptance, to the start; length in days)
pause_shapes = st.lists(
    st.tuples(st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=20)),
    max_size=3,
)

property_settings = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def lay_out(accepted_on, shapes):
    """Pauses one after another from the acceptance date, as a case could have them."""
    pauses, start = [], accepted_on
    for gap, length in shapes:
        start += gap * DAY
        end = start + length * DAY
        pauses.append((start, end))
        start = end
    return pauses


@property_settings
@given(accepted_on=accepted_dates, days=limits, shapes=pause_shapes)
def test_a_pause_never_shortens_a_deadline(accepted_on, days, shapes):
    pauses = lay_out(accepted_on, shapes)
    without = deadline(accepted_on, days)
    assert deadline(accepted_on, days, pauses) >= without
    # nor does one more pause
    for count in range(len(pauses)):
        assert deadline(accepted_on, days, pauses[: count + 1]) >= deadline(
            accepted_on, days, pauses[:count]
        )


@property_settings
@given(accepted_on=accepted_dates, days=limits, shapes=pause_shapes)
def test_the_deadline_moves_by_exactly_the_paused_working_days(accepted_on, days, shapes):
    pauses = lay_out(accepted_on, shapes)
    paused = paused_workdays(pauses)
    without = deadline(accepted_on, days)
    with_pauses = deadline(accepted_on, days, pauses)
    # deadline with the pauses − the paused working days = the deadline without them
    assert workdays_between(without, with_pauses) == paused
    assert with_pauses == add_workdays(without, paused)
    assert paused == sum(workdays_between(start, end) for start, end in pauses)
    if days + paused:
        assert is_workday(with_pauses)


@property_settings
@given(data=st.data(), accepted_on=accepted_dates, days=limits)
def test_a_case_completed_on_its_deadline_used_exactly_the_promised_days(data, accepted_on, days):
    # each pause begins while the case is open: on or before the deadline of the moment
    pauses, earliest = [], accepted_on
    for _ in range(data.draw(st.integers(min_value=0, max_value=3))):
        due = deadline(accepted_on, days, pauses)
        if due < earliest:
            break
        start = data.draw(st.dates(min_value=earliest, max_value=due))
        end = start + data.draw(st.integers(min_value=0, max_value=20)) * DAY
        pauses.append((start, end))
        earliest = end
    due = deadline(accepted_on, days, pauses)
    assert workdays_used(accepted_on, due, pauses) == days
    assert timing(deadline=due, completed_on=due, today=due) == Timing.ON_TIME
    if days:
        # completed the working day before: one day fewer, early
        # (looked for from the acceptance on: before it the seeded calendar may have no year)
        earlier = (due - n * DAY for n in range(1, 40))
        before = max(
            (day for day in earlier if day >= accepted_on and is_workday(day)), default=None
        )
        if before is not None and before > max((end for _s, end in pauses), default=accepted_on):
            assert workdays_used(accepted_on, before, pauses) == days - 1
            assert timing(deadline=due, completed_on=before, today=due) == Timing.EARLY


@property_settings
@given(accepted_on=accepted_dates, days=limits, shapes=pause_shapes, later=st.integers(0, 30))
def test_a_running_pause_shows_the_deadline_it_would_have_if_ended_today(
    accepted_on, days, shapes, later
):
    pauses = lay_out(accepted_on, shapes) or [(accepted_on, accepted_on)]
    *ended, (start, _end) = pauses
    today = start + later * DAY
    running = deadline(accepted_on, days, [*ended, (start, None)], today=today)
    assert running == deadline(accepted_on, days, [*ended, (start, today)])
    # and it only grows as the pause goes on
    assert deadline(accepted_on, days, [*ended, (start, None)], today=today + DAY) >= running


@property_settings
@given(accepted_on=accepted_dates, days=limits, asked=st.integers(0, 80))
def test_days_used_and_days_left_add_up_to_the_limit(accepted_on, days, asked):
    due = deadline(accepted_on, days)
    today = accepted_on + asked * DAY
    left = remaining_workdays(due, today)
    state = timing(deadline=due, today=today)
    if today <= due:
        assert workdays_used(accepted_on, today) + left == days
        assert state in (Timing.OPEN, Timing.DUE_SOON)
        assert (state == Timing.DUE_SOON) == (left <= 1)
    else:
        assert left < 0
        assert state == Timing.OVERDUE


receipt_dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    first=st.tuples(st.integers(1, 99_999), receipt_dates, st.integers(1, 99_999)),
    second=st.tuples(st.integers(1, 99_999), receipt_dates, st.integers(1, 99_999)),
)
def test_receipt_numbers_are_unique_by_construction(first, second):
    number = receipt_number(*first)
    match = re.fullmatch(r"SL(\d{8})-(\d{4,})-(\d{4,})", number)
    assert match
    day, window, sequence = match.groups()
    assert (int(window), datetime.datetime.strptime(day, "%Y%m%d").date(), int(sequence)) == first
    assert (number == receipt_number(*second)) == (first == second)


# --- the working-day arithmetic against the day-by-day definition --------------------------------

# any two dates of the calendar, up to three years apart (spans crossing years and holidays)
spans = st.tuples(
    st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)), st.integers(-1100, 1100)
)


def walk_add(start, n):
    """The n-th workday after `start`, one day at a time."""
    day = start
    while n:
        day += DAY
        if is_workday(day):
            n -= 1
    return day


@property_settings
@given(span=spans)
def test_counting_working_days_matches_a_day_by_day_count(span):
    a, offset = span
    b = min(max(a + offset * DAY, D(2004, 1, 1)), D(2026, 12, 31))
    low, high = min(a, b), max(a, b)
    by_day = sum(1 for i in range(1, (high - low).days + 1) if is_workday(low + i * DAY))
    assert workdays_between(low, high) == by_day
    assert workdays_between(high, low) == -by_day


@property_settings
# 240 working days from the last start stay inside 2026, the last year the calendar holds
@given(start=st.dates(min_value=D(2004, 1, 1), max_value=D(2025, 12, 31)), n=st.integers(0, 240))
def test_stepping_working_days_matches_a_day_by_day_walk(start, n):
    assert add_workdays(start, n) == walk_add(start, n)


@property_settings
@given(start=st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)), n=st.integers(1, 600))
def test_stepping_past_the_calendar_names_the_first_missing_year(start, n):
    left = workdays_between(start, D(2026, 12, 31))
    if n <= left:
        assert add_workdays(start, n) == walk_add(start, n)
    else:
        with pytest.raises(CalendarYearMissing) as exc:
            add_workdays(start, n)
        assert exc.value.year == 2027
