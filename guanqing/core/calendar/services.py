"""Writes to the official calendar: publishing a year from the State Council's notice, amending a
day (the 2020 Spring Festival was extended in the middle of the year), importing a notice's days.

The committee and the system administrator may write; each write is validated, saved and audited in
one transaction, and the working-day cache of this process is cleared when it commits.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from guanqing.core import audit, text
from guanqing.core.calendar.access import access
from guanqing.core.calendar.workdays import forget_cached_years
from guanqing.core.models import CalendarDay
from guanqing.core.services import require

NOT_PERMITTED = access.rule("edit").denied


@dataclass(frozen=True)
class DayEntry:
    """One line of a notice: a holiday (not worked) or a make-up workday (调休上班)."""

    date: datetime.date
    is_workday: bool
    holiday: str


def _require_calendar_role(actor) -> None:
    require(access.allows(actor, "edit"), NOT_PERMITTED)


def _check_entries(year: int, entries: list[DayEntry], *, label=lambda i: f"days[{i}]") -> None:
    errors: dict[str, list[str]] = {}
    seen: dict[datetime.date, int] = {}
    for index, entry in enumerate(entries):
        key = label(index)
        if entry.date.year != year:
            errors[key] = [
                gettext("%(entry_date)s 不在 %(year)s 年")
                % {"entry_date": entry.date, "year": year}
            ]
        elif entry.date in seen:
            errors[key] = [
                gettext("%(entry_date)s 与第 %(row)s 项重复")
                % {"entry_date": entry.date, "row": seen[entry.date] + 1}
            ]
        elif not entry.holiday.strip():
            errors[key] = [gettext("%(entry_date)s 缺少节假日名称") % {"entry_date": entry.date}]
        elif text.control_message(entry.holiday):
            errors[key] = [text.control_message(entry.holiday)]
        elif entry.is_workday and entry.date.weekday() < 5:
            errors[key] = [
                gettext("%(entry_date)s 本来就是工作日，调休上班只能是周末")
                % {"entry_date": entry.date}
            ]
        seen.setdefault(entry.date, index)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def calendar_year_publish(*, actor, year: int, source: str, days: list[DayEntry]) -> int:
    """Enter a new year: weekdays work, weekends rest, then the notice's holidays and make-up days."""
    _require_calendar_role(actor)
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = [gettext("年份应在 2000–2100 之间")]
    elif CalendarDay.objects.filter(date__year=year).exists():
        errors["year"] = [
            f"{year} 年已录入，请逐日修改 / {year} is already entered: amend its days"
        ]
    if text.control_message(source):
        errors["source"] = [text.control_message(source)]
    elif not source.strip():
        errors["source"] = [gettext("请填写依据的通知")]
    if errors:
        raise ValidationError(errors)
    _check_entries(year, days)
    special = {entry.date: entry for entry in days}
    rows = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        entry = special.get(day)
        rows.append(
            CalendarDay(
                date=day,
                is_workday=entry.is_workday if entry else day.weekday() < 5,
                holiday=entry.holiday.strip() if entry else "",
                source=source.strip() if entry else "",
            )
        )
        day += datetime.timedelta(days=1)
    CalendarDay.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="create",
        object_type="core.calendarday",
        object_id=str(year),
        object_repr=f"{year} 年工作日历",
        changes={
            "holidays": [None, sum(1 for e in days if not e.is_workday)],
            "makeup_workdays": [None, sum(1 for e in days if e.is_workday)],
        },
        message=source.strip()[:300],
    )
    forget_cached_years()  # this transaction reads its own change at once…
    transaction.on_commit(forget_cached_years)  # …and so does everyone after it commits
    return len(rows)


CALENDAR_FIELDS = ["is_workday", "holiday", "source"]


@transaction.atomic
def calendar_day_set(
    *, actor, day: datetime.date, is_workday: bool, holiday: str = "", source: str = ""
) -> CalendarDay:
    """Amend one day of a year already entered."""
    _require_calendar_role(actor)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        raise ValidationError(
            {"date": [gettext("%(day_year)s 年尚未录入，请先录入全年") % {"day_year": day.year}]}
        )
    for field, value in (("holiday", holiday), ("source", source)):
        if text.control_message(value):
            raise ValidationError({field: [text.control_message(value)]})
    natural = day.weekday() < 5  # weekdays work and weekends rest unless a notice says otherwise
    if is_workday != natural and not holiday.strip():
        raise ValidationError({"holiday": [gettext("请填写节假日名称")]})
    before = audit.snapshot(row, CALENDAR_FIELDS)
    row.is_workday = is_workday
    row.holiday = holiday.strip()
    row.source = source.strip()
    changes = audit.diff(before, audit.snapshot(row, CALENDAR_FIELDS))
    if not changes:
        return row
    row.save(update_fields=CALENDAR_FIELDS)
    audit.record(actor=actor, action="update", obj=row, changes=changes)
    forget_cached_years()  # this transaction reads its own change at once…
    transaction.on_commit(forget_cached_years)  # …and so does everyone after it commits
    return row


# --- Excel import of a notice ------------------------------------------------------------------

IMPORT_COLUMNS = ("日期", "是否上班", "节假日名称", "依据")
IMPORT_REQUIRED = ("日期", "是否上班")
YES, NO = "是", "否"


class CalendarImportInvalid(ValidationError):
    """The sheet has errors; `row_errors` lists each as RowError(row, column, reason)."""

    def __init__(self, row_errors):
        self.row_errors = list(row_errors)
        by_key: dict[str, list[str]] = {}
        for error in self.row_errors:
            key = f"第 {error.row} 行 · {error.column}" if error.row else error.column
            by_key.setdefault(key, []).append(error.reason)
        super().__init__(by_key)


@dataclass(frozen=True)
class CalendarImportResult:
    """What an import did: the years it entered, and the days of entered years it changed."""

    published_years: tuple[int, ...]
    amended: int
    unchanged: int


def _import_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    for suffix, sep in (("日", ""), ("年", "-"), ("月", "-")):
        text = text.replace(suffix, sep)
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except (TypeError, ValueError):
        return None


def _import_flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in (YES, "上班", "班"):
        return True
    if text in (NO, "休", "放假", "休息"):
        return False
    return None


@transaction.atomic
def calendar_days_import(*, actor, rows) -> CalendarImportResult:
    """Import a notice's days from a sheet: `rows` are (Excel row number, {header: value}).

    Every row is checked first; any error raises CalendarImportInvalid naming the row and column,
    and nothing is written. A year the calendar does not hold yet is entered (weekdays work,
    weekends rest, then the listed days: one audit event for the year); in a year already
    entered each listed day is amended through calendar_day_set (one audit event per changed day).
    """
    from guanqing.core.excel import RowError

    _require_calendar_role(actor)
    rows = list(rows)
    errors: list[RowError] = []
    if not rows:
        raise CalendarImportInvalid([RowError(None, "文件", gettext("没有数据行"))])
    parsed: list[tuple[int, DayEntry, str]] = []
    seen: dict[datetime.date, int] = {}
    for number, record in rows:
        raw_date, raw_flag = record.get("日期"), record.get("是否上班")
        holiday = str(record.get("节假日名称") or "").strip()
        source = str(record.get("依据") or "").strip()
        day = flag = None
        if raw_date in (None, ""):
            errors.append(RowError(number, "日期", gettext("必填")))
        else:
            day = _import_date(raw_date)
            if day is None:
                errors.append(
                    RowError(
                        number,
                        "日期",
                        gettext("“%(raw_date)s”不是日期，应为 2027-02-05") % {"raw_date": raw_date},
                    )
                )
            elif not 2000 <= day.year <= 2100:
                errors.append(RowError(number, "日期", gettext("年份应在 2000–2100 之间")))
                day = None
            elif day in seen:
                errors.append(
                    RowError(
                        number,
                        "日期",
                        gettext("%(day)s 与第 %(value)s 行重复") % {"day": day, "value": seen[day]},
                    )
                )
                day = None
            else:
                seen[day] = number
        if raw_flag in (None, ""):
            errors.append(RowError(number, "是否上班", gettext("必填，填“是”或“否”")))
        else:
            flag = _import_flag(raw_flag)
            if flag is None:
                errors.append(
                    RowError(
                        number,
                        "是否上班",
                        gettext("“%(raw_flag)s”应为“是”或“否”") % {"raw_flag": raw_flag},
                    )
                )
        if len(holiday) > 60:
            errors.append(RowError(number, "节假日名称", gettext("不超过 60 个字")))
        if len(source) > 200:
            errors.append(RowError(number, "依据", gettext("不超过 200 个字")))
        if day is not None and flag is not None:
            parsed.append((number, DayEntry(day, flag, holiday), source))

    years = {entry.date.year for _, entry, _ in parsed}
    held_years = {
        d.year for d in CalendarDay.objects.filter(date__year__in=years).dates("date", "year")
    }
    new_years: dict[int, list[tuple[int, DayEntry, str]]] = {}
    for number, entry, source in parsed:
        natural = entry.date.weekday() < 5
        if entry.date.year not in held_years:
            new_years.setdefault(entry.date.year, []).append((number, entry, source))
            if not entry.holiday:
                errors.append(RowError(number, "节假日名称", gettext("录入新年份时必填")))
            if entry.is_workday and natural:
                errors.append(
                    RowError(
                        number,
                        "是否上班",
                        gettext("%(entry_date)s 本来就是工作日，调休上班只能是周末")
                        % {"entry_date": entry.date},
                    )
                )
            if not source:
                errors.append(RowError(number, "依据", gettext("录入新年份时必填")))
        elif entry.is_workday != natural and not entry.holiday:
            errors.append(RowError(number, "节假日名称", gettext("请填写节假日名称")))
    for year, items in new_years.items():
        sources = {source for _, _, source in items if source}
        if len(sources) > 1:
            first = items[0][0]
            for number, _entry, source in items:
                if source and source != items[0][2] and number != first:
                    errors.append(
                        RowError(
                            number,
                            "依据",
                            gettext("%(year)s 年各行应依据同一通知") % {"year": year},
                        )
                    )
    if errors:
        raise CalendarImportInvalid(sorted(errors, key=lambda e: (e.row or 0, e.column)))

    for year, items in sorted(new_years.items()):
        source = next(s for _, _, s in items if s)
        try:
            calendar_year_publish(
                actor=actor, year=year, source=source, days=[entry for _, entry, _ in items]
            )
        except ValidationError as exc:  # a rule the checks above missed: report it, write nothing
            raise CalendarImportInvalid(
                [RowError(items[0][0], "日期", m) for m in exc.messages]
            ) from exc
    amended = unchanged = 0
    amend_dates = [entry.date for _, entry, _ in parsed if entry.date.year not in new_years]
    current = {row.date: row for row in CalendarDay.objects.filter(date__in=amend_dates)}
    for number, entry, source in parsed:
        if entry.date.year in new_years:
            continue
        row = current.get(entry.date)
        same = row is not None and (row.is_workday, row.holiday, row.source) == (
            entry.is_workday,
            entry.holiday,
            source,
        )
        if same:
            unchanged += 1
            continue
        try:
            calendar_day_set(
                actor=actor,
                day=entry.date,
                is_workday=entry.is_workday,
                holiday=entry.holiday,
                source=source,
            )
        except ValidationError as exc:
            raise CalendarImportInvalid(
                [RowError(number, "日期", m) for m in exc.messages]
            ) from exc
        amended += 1
    return CalendarImportResult(tuple(sorted(new_years)), amended, unchanged)
