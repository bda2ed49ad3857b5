"""The official calendar for 2004–2026 as chinesecalendar records the State Council's notices."""

from __future__ import annotations

import datetime

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
FIRST_YEAR, LAST_YEAR = 2004, 2026


def official_days(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR):
    """(date, is_workday, holiday name, source) for every date of the years."""
    import chinese_calendar

    day = datetime.date(first_year, 1, 1)
    end = datetime.date(last_year, 12, 31)
    while day <= end:
        workday = chinese_calendar.is_workday(day)
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
        weekend = day.weekday() >= 5
        # A name belongs to a holiday, or to a weekend day worked in its lieu (调休).
        label = HOLIDAY_NAMES.get(name, name or "") if (not workday or weekend) else ""
        source = (
            f"国务院办公厅关于{day.year}年部分节假日安排的通知（chinesecalendar 1.11）"
            if label
            else ""
        )
        yield day, workday, label, source
        day += datetime.timedelta(days=1)


def seed(calendar_day_model) -> int:
    """Insert the seeded years that are missing; returns the number of rows written."""
    # A seeded year has its 1 January: one indexed lookup per year, not a scan of every day.
    new_years = [datetime.date(y, 1, 1) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    present = set(
        calendar_day_model.objects.filter(date__in=new_years).values_list("date", flat=True)
    )
    missing = [day.year for day in new_years if day not in present]
    rows = []
    for year in missing:
        rows += [
            calendar_day_model(date=d, is_workday=w, holiday=h, source=s)
            for d, w, h, s in official_days(year, year)
        ]
    calendar_day_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
