"""Reads of the "六零" checklist that the pages, the API, the services and the demo agree on: months
(a month is its first day), the system's evidence against an item for a window and month, a
window's sheet for a month and the board (windows × the last months).

The evidence (what the system counts against an item with a `measure`), for a window and a month:
- overdue (逾期未办结): the window's cases accepted by the reference day whose deadline had passed
  by then and that were still open on it — neither completed nor terminated, nor paused on that
  day (a paused case's clock stands still). The reference day is the month's last day, or today
  for the current month; for today this is exactly the case list's "overdue" filter.
- late (超期办结): the window's cases completed in the month after their deadline.
- bad_ratings (差评): round-1 ratings of the window's cases given in the month with a level of 2 or
  less, those an upheld appeal excluded left out (`Rating.objects.counted()`).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from guanqing.core.calendar.workdays import business_date
from guanqing.window.choices import CaseState, RatingLevel, ZeroMeasure
from guanqing.window.models import Case, CasePause, Rating, Window, ZeroCheck, ZeroItem

BOARD_MONTHS = 6
# The cases named under an item's evidence on the sheet (the count is always complete).
EVIDENCE_SHOWN = 10
MONTH_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{2})$")
FIRST_YEAR = 2000


# ---------------------------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------------------------


def month_of(day: datetime.date) -> datetime.date:
    """The month `day` falls in (its first day)."""
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def parse_month(value) -> datetime.date | None:
    """ "2026-05" as the month's first day; None for anything else (or a year before 2000)."""
    if not isinstance(value, str):
        return None
    match = MONTH_PATTERN.match(value.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if year < FIRST_YEAR or not 1 <= month <= 12:
        return None
    return datetime.date(year, month, 1)


def format_month(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def last_months(today: datetime.date, count: int = BOARD_MONTHS) -> list[datetime.date]:
    """The `count` months up to and including today's, oldest first."""
    current = month_of(today)
    return [add_months(current, offset) for offset in range(1 - count, 1)]


def reference_day(month: datetime.date, today: datetime.date) -> datetime.date:
    """The day the month's open cases are read on: its last day, or today for the current month."""
    return min(month_end(month), today)


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


def active_items() -> list[ZeroItem]:
    return list(ZeroItem.objects.filter(is_active=True).order_by("sort_order", "id"))


def items_with_check_counts():
    """Every item, in order, with `check_count` (an item with checks is never deleted)."""
    return ZeroItem.objects.annotate(check_count=Count("checks")).order_by("sort_order", "id")


# ---------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------


@dataclass
class Evidence:
    """What the system counts against one measure for a window and month."""

    measure: str
    count: int
    cases: list = field(default_factory=list)  # up to EVIDENCE_SHOWN (pk, receipt_no)

    @property
    def label(self) -> str:
        return str(ZeroMeasure(self.measure).label)

    @property
    def summary(self) -> str:
        values = {"count": self.count}
        if self.measure == ZeroMeasure.OVERDUE:
            return _("逾期未办结 %(count)d 件") % values
        if self.measure == ZeroMeasure.LATE:
            return _("超期办结 %(count)d 件") % values
        return _("差评 %(count)d 条") % values


def overdue_cases(window_id: int, month: datetime.date, today: datetime.date):
    day = reference_day(month, today)
    paused = CasePause.objects.filter(case_id=OuterRef("pk"), started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    return (
        Case.objects.filter(
            window_id=window_id,
            accepted_on__isnull=False,
            accepted_on__lte=day,
            deadline__lt=day,
        )
        .exclude(state=CaseState.REFUSED)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gt=day))
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=day))
        .exclude(Exists(paused))
    )


def late_cases(window_id: int, month: datetime.date):
    return Case.objects.filter(
        window_id=window_id,
        completed_on__gte=month,
        completed_on__lte=month_end(month),
        deadline__isnull=False,
        completed_on__gt=F("deadline"),
    )


def bad_ratings(window_id: int, month: datetime.date):
    return Rating.objects.counted().filter(
        case__window_id=window_id,
        rated_on__gte=month,
        rated_on__lte=month_end(month),
        level__lte=RatingLevel.DISSATISFIED,
    )


def evidence_for(
    window_id: int,
    month: datetime.date,
    *,
    today: datetime.date | None = None,
    measures=None,
) -> dict[str, Evidence]:
    """{measure: Evidence} for the window and month (the measures asked for, every one by default).
    A 差评's case is not named: a clerk never learns which case was rated badly."""
    today = today or business_date()
    wanted = [m for m in (measures or ZeroMeasure.values) if m]
    result = {}
    for measure in wanted:
        if measure == ZeroMeasure.BAD_RATINGS:
            result[measure] = Evidence(measure, bad_ratings(window_id, month).count())
            continue
        if measure == ZeroMeasure.OVERDUE:
            queryset = overdue_cases(window_id, month, today)
        else:
            queryset = late_cases(window_id, month)
        shown = list(
            queryset.order_by("deadline", "id").values_list("pk", "receipt_no")[:EVIDENCE_SHOWN]
        )
        count = len(shown) if len(shown) < EVIDENCE_SHOWN else queryset.count()
        result[measure] = Evidence(measure, count, shown)
    return result


# ---------------------------------------------------------------------------------------------
# A window's sheet for a month
# ---------------------------------------------------------------------------------------------


@dataclass
class SheetLine:
    item: ZeroItem
    check: ZeroCheck | None
    evidence: Evidence | None

    @property
    def blocked(self) -> bool:
        """The evidence rules out "met"."""
        return bool(self.evidence and self.evidence.count)


@dataclass
class Sheet:
    window: Window
    month: datetime.date
    lines: list[SheetLine]
    today: datetime.date

    @property
    def checked(self) -> bool:
        return any(line.check is not None for line in self.lines)

    @property
    def met(self) -> int:
        return sum(1 for line in self.lines if line.check is not None and line.check.met)

    @property
    def total(self) -> int:
        return sum(1 for line in self.lines if line.check is not None)

    @property
    def is_current(self) -> bool:
        return self.month == month_of(self.today)


def sheet(window: Window, month: datetime.date, *, today: datetime.date | None = None) -> Sheet:
    """The active items (and any inactive one checked that month) with the month's checks and the
    evidence of the items that have a measure: a handful of queries."""
    today = today or business_date()
    checks = {
        check.item_id: check
        for check in ZeroCheck.objects.filter(window=window, month=month).select_related(
            "checked_by"
        )
    }
    items = list(
        ZeroItem.objects.filter(Q(is_active=True) | Q(pk__in=list(checks))).order_by(
            "sort_order", "id"
        )
    )
    measures = {item.measure for item in items if item.measure}
    evidence = evidence_for(window.pk, month, today=today, measures=measures) if measures else {}
    lines = [
        SheetLine(item=item, check=checks.get(item.pk), evidence=evidence.get(item.measure))
        for item in items
    ]
    return Sheet(window=window, month=month, lines=lines, today=today)


# ---------------------------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------------------------


@dataclass
class BoardCell:
    month: datetime.date
    met: int = 0
    total: int = 0
    current: bool = False

    @property
    def checked(self) -> bool:
        return self.total > 0

    @property
    def status(self) -> str:
        """ok (every item met), short (some not met), due (the current month, not yet checked),
        missing (a past month never checked)."""
        if not self.checked:
            return "due" if self.current else "missing"
        return "ok" if self.met == self.total else "short"

    @property
    def key(self) -> str:
        return format_month(self.month)


def board_windows(user):
    """The windows on `user`'s board: those in its scope, in use, by unit."""
    return (
        Window.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("unit")
        .order_by("unit__sort_order", "unit__name", "name", "id")
    )


def board_rows(windows, months: list[datetime.date], today: datetime.date) -> list:
    """Each window with `.cells` (a `BoardCell` per month): one query for any number of windows."""
    windows = list(windows)
    counts = {}
    if windows and months:
        rows = (
            ZeroCheck.objects.filter(
                window_id__in=[w.pk for w in windows], month__gte=months[0], month__lte=months[-1]
            )
            .values("window_id", "month")
            .annotate(total=Count("pk"), met=Count("pk", filter=Q(met=True)))
            .order_by()
        )
        counts = {(row["window_id"], row["month"]): row for row in rows}
    current = month_of(today)
    for window in windows:
        window.cells = []
        for month in months:
            row = counts.get((window.pk, month), {})
            window.cells.append(
                BoardCell(
                    month=month,
                    met=row.get("met", 0),
                    total=row.get("total", 0),
                    current=month == current,
                )
            )
    return windows


def checks_for(user):
    """The checks `user` may read, with their window, item and who checked."""
    return ZeroCheck.objects.visible_to(user).select_related("window", "item", "checked_by")
