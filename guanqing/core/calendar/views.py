"""The official calendar pages (namespace "calendar"): every signed-in user reads the calendar.
Entering a year, amending a day and importing a notice are in views_edit.py."""

from __future__ import annotations

import calendar as pycalendar
import datetime

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core.access import signed_in
from guanqing.core.calendar.access import access
from guanqing.core.calendar.workdays import business_date
from guanqing.core.models import CalendarDay

WEEKDAYS = [
    pgettext_lazy("weekday", "一"),
    pgettext_lazy("weekday", "二"),
    pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"),
    pgettext_lazy("weekday", "五"),
    pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
]


def can_edit_calendar(user) -> bool:
    return access.allows(user, "edit")


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _year_summaries(user):
    """One row per year held: days, holidays (named days off) and make-up weekend workdays."""
    weekend = Q(date__week_day__in=(1, 7))  # Sunday is 1 and Saturday 7 in Django's week_day
    return (
        CalendarDay.objects.visible_to(user)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            days=Count("pk"),
            holidays=Count("pk", filter=Q(is_workday=False) & ~Q(holiday="")),
            makeup=Count("pk", filter=Q(is_workday=True) & weekend),
        )
        .order_by("-year")
    )


@signed_in
@require_GET
def index(request):
    years = list(_year_summaries(request.user))
    held = {row["year"] for row in years}
    this_year = business_date().year
    missing_ahead = [y for y in (this_year, this_year + 1) if y not in held]
    gaps = (
        [y for y in range(min(held), max(held)) if y not in held and y < this_year] if held else []
    )
    return render(
        request,
        "core/calendar/index.html",
        {
            "years": years,
            "missing_ahead": missing_ahead,
            "gaps": gaps,
            "this_year": this_year,
            "can_edit": can_edit_calendar(request.user),
        },
    )


def _periods(days: list[CalendarDay]):
    """The year's holidays as periods (consecutive named days off) and its make-up workdays."""
    periods: list[dict] = []
    makeups: list[CalendarDay] = []
    for day in days:
        if day.is_workday:
            if day.date.weekday() >= 5 and day.holiday:
                makeups.append(day)
            continue
        if not day.holiday:
            continue
        last = periods[-1] if periods else None
        if (
            last
            and last["name"] == day.holiday
            and day.date - last["end"] == datetime.timedelta(days=1)
        ):
            last["end"] = day.date
            last["days"] += 1
        else:
            periods.append(
                {
                    "name": day.holiday,
                    "start": day.date,
                    "end": day.date,
                    "days": 1,
                    "source": day.source,
                }
            )
    for period in periods:
        period["makeups"] = [m for m in makeups if m.holiday == period["name"]]
    return periods, makeups


def _months(year: int, days: dict[datetime.date, CalendarDay], today: datetime.date):
    months = []
    weeks_of = pycalendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in weeks_of.monthdatescalendar(year, month):
            cells = []
            for date in week:
                if date.month != month:
                    cells.append(None)
                    continue
                day = days.get(date)
                cells.append(
                    {
                        "date": date,
                        "kind": day.kind if day else "missing",
                        "holiday": day.holiday if day else "",
                        "source": day.source if day else "",
                        "today": date == today,
                    }
                )
            weeks.append(cells)
        months.append({"number": month, "weeks": weeks})
    return months


@signed_in
@require_GET
def year_detail(request, year: int):
    days = list(
        CalendarDay.objects.visible_to(request.user).filter(date__year=year).order_by("date")
    )
    if not days:
        raise Http404
    periods, makeups = _periods(days)
    by_date = {day.date: day for day in days}
    held = [d.year for d in CalendarDay.objects.visible_to(request.user).dates("date", "year")]
    context = {
        "year": year,
        "months": _months(year, by_date, business_date()),
        "weekdays": WEEKDAYS,
        "periods": periods,
        "makeups": makeups,
        "workday_count": sum(1 for d in days if d.is_workday),
        "previous_year": year - 1 if year - 1 in held else None,
        "next_year": year + 1 if year + 1 in held else None,
        "can_edit": can_edit_calendar(request.user),
    }
    return render(request, "core/calendar/year.html", context)
