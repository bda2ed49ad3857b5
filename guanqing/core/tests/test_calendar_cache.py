"""How long a process keeps the calendar years it has read: a full minute from the first year read
after it last forgot them (not from an older moment, which made a year read late in that minute
vanish a moment later and be read again within one page)."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.core.calendar import workdays

D = datetime.date
pytestmark = pytest.mark.usefixtures("official_calendar")


class Clock:
    def __init__(self):
        self.now = time.monotonic() + 10_000  # past any keep-time this process has running

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(workdays.time, "monotonic", c)
    # the process's own marks, put back afterwards (they would be in this clock's future)
    monkeypatch.setattr(workdays._years, "_loaded_at", 0.0)
    monkeypatch.setattr(workdays._years, "_checked", threading.local())
    return c


def reads(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return sum("core_calendarday" in q["sql"] for q in ctx.captured_queries)


def test_a_year_read_late_is_kept_a_full_minute(clock):
    assert reads(lambda: workdays.is_workday(D(2026, 5, 6))) == 1
    clock.now += workdays.CACHE_SECONDS - 1
    assert reads(lambda: workdays.is_workday(D(2026, 5, 6))) == 0
    workdays.forget_cached_years()  # an edit in this process, late in the minute
    clock.now += 0.5
    assert reads(lambda: workdays.is_workday(D(2026, 5, 7))) == 1
    clock.now += 10  # a minute has passed since the first read, but not since this one
    assert reads(lambda: workdays.add_workdays(D(2026, 5, 7), 3)) == 0
    assert workdays._years.cached_years() == [2026]


def test_the_years_are_read_again_after_the_minute(clock):
    assert reads(lambda: workdays.is_workday(D(2026, 5, 6))) == 1
    clock.now += workdays.CACHE_SECONDS - 1
    assert reads(lambda: workdays.is_workday(D(2025, 5, 6))) == 1  # another year: same minute
    assert reads(lambda: workdays.is_workday(D(2026, 5, 6))) == 0
    clock.now += 2
    assert reads(lambda: workdays.is_workday(D(2026, 5, 6))) == 1
    assert workdays._years.cached_years() == [2026]
