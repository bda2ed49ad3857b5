"""The rules of a term, pure (no database): its lifecycle, the days a month requires, the days a
month's log entries give, and whether the month met the requirement.

Required days for a month: the term's `required_days` for a whole month in the term; for a month
the term covers only in part (it starts or ends inside it), prorated by the calendar days covered,
`required × covered / days of the month`, rounded half up to a whole day — a term from 16 November
(15 of 30 days) with 20 days a month requires 10 that month; one from 17 November (14 days) 9
(9.33); one covering a single day of a month requires 1 (0.67 rounds up) when the rate is 20. A
month outside the term requires none. A figures range that cuts a month prorates the same way by
the days of the month both the term and the range cover.

Days logged in a month: the sum of the days of the month's entries (an entry lies inside one month,
so no entry is split). Compliance: met when the days logged reach the required days; short when
the month is over without them; in progress while the month (or the term's part of it) runs.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role
from guanqing.instructors.choices import Compliance, TermState

UNIT = {Role.COMMITTEE, Role.UNIT_ADMIN}
WRITERS = {Role.UNIT_ADMIN, Role.MEMBER}

TERM = Lifecycle(
    "instructor_term",
    [
        Step("end", {TermState.APPOINTED}, TermState.ENDED, roles=UNIT, label=_("结束任期")),
        # a log entry and a raised problem keep the term appointed
        Step("log", {TermState.APPOINTED}, None, roles=WRITERS, label=_("填写驻村日志")),
        Step(
            "raise",
            {TermState.APPOINTED},
            None,
            roles=WRITERS,
            label=pgettext_lazy("instructors", "反映难题"),
        ),
    ],
    states=TermState.choices,
)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.length)

    @property
    def length(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key()


def overlap_days(
    first: datetime.date, last: datetime.date, other_first: datetime.date, other_last: datetime.date
) -> int:
    """Calendar days both inclusive ranges cover (0 when they do not meet)."""
    start, end = max(first, other_first), min(last, other_last)
    return (end - start).days + 1 if end >= start else 0


def required_days(
    per_month: int,
    month: Month,
    term_first: datetime.date,
    term_last: datetime.date,
    *,
    within: tuple[datetime.date, datetime.date] | None = None,
) -> int:
    """The days `month` requires of a term from `term_first` to `term_last` at `per_month` a whole
    month: prorated by the days of the month covered (and inside `within`, a figures range),
    rounded half up."""
    first, last = month.first, month.last
    if within is not None:
        first, last = max(first, within[0]), min(last, within[1])
        if last < first:
            return 0
    covered = overlap_days(first, last, term_first, term_last)
    if covered <= 0:
        return 0
    if covered >= month.length:
        return per_month
    # round half up in integers: floor(per × covered / length + 1/2)
    return (2 * per_month * covered + month.length) // (2 * month.length)


def logged_days(entries: Iterable[tuple[datetime.date, int]], month: Month) -> int:
    """The days logged in `month`: entries given as (first day, days), each inside one month."""
    return sum(days for first, days in entries if Month.of(first) == month)


def compliance(required: int, logged: int, *, month: Month, term_last: datetime.date, today):
    """Met, short, in progress (the month's part of the term not over yet) or not due."""
    if required <= 0:
        return Compliance.NOT_DUE
    if logged >= required:
        return Compliance.MET
    if min(month.last, term_last) >= today:
        return Compliance.IN_PROGRESS
    return Compliance.SHORT


def term_months(first: datetime.date, last: datetime.date, today: datetime.date) -> list[Month]:
    """The months of a term from its first month up to its last or today's, whichever is earlier."""
    end = Month.of(min(last, today))
    month = Month.of(first)
    months = []
    while month <= end:
        months.append(month)
        month = month.next()
    return months


def ranges_overlap(
    first: datetime.date, last: datetime.date, others: Iterable[tuple[datetime.date, datetime.date]]
) -> tuple[datetime.date, datetime.date] | None:
    """The first of `others` that shares a day with first..last, or None."""
    for other_first, other_last in others:
        if overlap_days(first, last, other_first, other_last):
            return other_first, other_last
    return None
