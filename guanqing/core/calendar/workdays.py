"""Working days on the official calendar (法定节假日与调休), and lunar festival dates.

Every function takes Asia/Shanghai business dates. A date in a year the calendar table does not
hold raises `CalendarYearMissing`, naming the year and how to add it: a deadline is never guessed.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import threading
import time
import uuid
import zoneinfo

from django.conf import settings
from django.core.signals import request_started
from django.utils import timezone
from django.utils.translation import gettext as _

# Each process keeps the years it has read for this long; an edit in this process clears it at once.
CACHE_SECONDS = 60
# An edit on another app server changes this key of the shared cache; each request's first use of
# the calendar (and, outside requests, a use more than a second after the last look) reads it, and a
# process whose years were read under another version reads them again.
VERSION_KEY = "guanqing:calendar-version"
VERSION_CHECK_SECONDS = 1.0
ONE_DAY = datetime.timedelta(days=1)


class CalendarYearMissing(LookupError):
    """The official calendar has no data for a year."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "没有 %(year)s 年的法定节假日数据：请机关工委或系统管理员在“工作日历”页面录入国务院办公厅关于 %(year)s 年部分节假日安排的通知（或导入 Excel）"
            )
            % {"year": year}
        )


class _Years:
    """{year: its workdays, in order}, read from the table a whole year at a time. Counting and
    stepping over working days bisect a year's sorted tuple; `is_workday` asks its set."""

    def __init__(self):
        self._lock = threading.Lock()
        self._years: dict[int, tuple[tuple[datetime.date, ...], frozenset[datetime.date]]] = {}
        self._loaded_at = 0.0
        self._version = None  # the shared version the years were read under
        self._checked = threading.local()  # when this thread last read the shared version

    def clear(self, version=None) -> None:
        """Forget the years read; with `version`, the shared version this process has just set
        (its own change, not to be read again as another server's)."""
        with self._lock:
            self._years.clear()
            if version is not None:
                self._version = version

    def cached_years(self) -> list[int]:
        with self._lock:
            return sorted(self._years)

    def new_request(self, **_kwargs) -> None:
        self._checked.at = None

    def _shared_version(self, now: float):
        """The shared cache's calendar version, read at most once a request (or a second)."""
        checked_at = getattr(self._checked, "at", None)
        if checked_at is not None and now - checked_at < VERSION_CHECK_SECONDS:
            return self._version
        from django.core.cache import cache

        self._checked.at = now
        return cache.get(VERSION_KEY)

    def _read(self, year: int) -> list[datetime.date]:
        """The year's workdays from the table; `CalendarYearMissing` when it holds no day of it."""
        from guanqing.core.models import CalendarDay

        rows = list(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
        if not rows:
            raise CalendarYearMissing(year)
        return [day for day, is_workday in rows if is_workday]

    def _year(self, year: int) -> tuple[tuple[datetime.date, ...], frozenset[datetime.date]]:
        now = time.monotonic()
        version = self._shared_version(now)
        with self._lock:
            if now - self._loaded_at > CACHE_SECONDS or version != self._version:
                self._years.clear()
                self._loaded_at = now
                self._version = version
            cached = self._years.get(year)
        if cached is not None:
            return cached
        days = sorted(self._read(year))
        entry = (tuple(days), frozenset(days))
        with self._lock:
            if not self._years:
                # the keep-time runs from the first year read after a clear, not from the last
                # expiry: years read long after it would otherwise be forgotten a moment later
                self._loaded_at = now
            self._years[year] = entry
        return entry

    def ordered(self, year: int) -> tuple[datetime.date, ...]:
        """The year's workdays, earliest first."""
        return self._year(year)[0]

    def workdays(self, year: int) -> frozenset[datetime.date]:
        return self._year(year)[1]


_years = _Years()
request_started.connect(_years.new_request, dispatch_uid="guanqing-calendar-version")


def forget_cached_years() -> None:
    """Called by the calendar services after every change: this process forgets the years it has
    read, and every other process does at its next request (a new shared version)."""
    from django.core.cache import cache

    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    _years.clear(version)


def is_workday(day: datetime.date) -> bool:
    return day in _years.workdays(day.year)


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The n-th workday after `start` (counting starts the day after; `n == 0` gives `start`).

    7 workdays after 2025-09-29 is 2025-10-15 (National Day and Mid-autumn Festival in between);
    after 2026-02-12 it is 2026-02-28, a Saturday worked in lieu of the Spring Festival.

    Each year from the day after `start` on is read in turn until the n-th workday is reached
    (a year the calendar lacks on the way raises, naming it).
    """
    if n < 0:
        raise ValueError("n must be 0 or more")
    if not n:
        return start
    after = start  # the workdays counted are those after this day
    while True:
        year = (after + ONE_DAY).year
        days = _years.ordered(year)
        first = bisect.bisect_right(days, after)
        if first + n <= len(days):
            return days[first + n - 1]
        n -= len(days) - first
        after = datetime.date(year, 12, 31)


def workdays_between(a: datetime.date, b: datetime.date) -> int:
    """How many workdays fall after `a` up to and including `b` (negative when `b` is before `a`).
    Every year from `a`'s to `b`'s must be in the calendar."""
    if b < a:
        return -workdays_between(b, a)
    count = 0
    for year in range(a.year, b.year + 1):
        days = _years.ordered(year)
        count += bisect.bisect_right(days, b) - bisect.bisect_right(days, a)
    return count


def business_date(moment: datetime.datetime | None = None) -> datetime.date:
    """The Asia/Shanghai date of an instant (now by default): 00:30 Beijing time belongs to that
    Beijing date. The zone is the platform's own (TIME_ZONE), never the one a request activated,
    and is read without Django's per-thread look-up of the active zone (an import asks this for
    every ID number it checks)."""
    if moment is None:
        moment = timezone.now()
    elif timezone.is_naive(moment):
        raise ValueError("business_date() cannot be applied to a naive datetime")
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


# --- lunar festivals (lunar-python) ------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def lunar_to_solar(year: int, month: int, day: int) -> datetime.date:
    """The Gregorian date of a lunar date in the lunar year that starts in `year` (kept once
    worked out: lunar-python takes a few milliseconds each, and the home pages, the report and
    the festival rules ask for the same few dates on every request)."""
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


def spring_festival(year: int) -> datetime.date:
    """正月初一."""
    return lunar_to_solar(year, 1, 1)


def lantern_festival(year: int) -> datetime.date:
    """正月十五."""
    return lunar_to_solar(year, 1, 15)
