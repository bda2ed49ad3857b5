"""Next year's official calendar, asked for in time.

The State Council publishes next year's holiday arrangement in the autumn; until someone enters
it, every working-day limit that runs into that year (a case's deadline moved by a pause, a 差评's
rectification limit, a 12345-style time limit) cannot be counted — and is never guessed. From
1 November the people who keep the calendar (calendar.edit) see it on their home page, and the
daily job tells them once.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from guanqing.core.calendar.access import access

# From this day of the year (month, day), a missing next year is asked for.
ASK_FROM = (11, 1)


def missing_next_year(today: datetime.date) -> int | None:
    """Next year, when it is time to have it and the calendar does not hold it yet."""
    from guanqing.core.models import CalendarDay

    if (today.month, today.day) < ASK_FROM:
        return None
    year = today.year + 1
    return None if CalendarDay.objects.filter(date__year=year).exists() else year


def _message(year: int) -> str:
    return _(
        "%(year)s 年的法定节假日安排尚未录入：期限跨入 %(year)s 年的办件、整改等工作日时限无法计算。请录入国务院办公厅的通知。"
    ) % {"year": year}


def calendar_daily(today: datetime.date) -> int:
    """Tell the committee and the system administrators (once a year) that next year is missing."""
    from django.contrib.auth import get_user_model

    from guanqing.core.notifications.services import notification_send

    year = missing_next_year(today)
    if year is None:
        return 0
    keepers = (
        get_user_model()
        .objects.filter(is_active=True, role__in=sorted(access.roles("edit")))
        .values_list("pk", flat=True)
    )
    return notification_send(
        recipients=list(keepers),
        kind="calendar_next_year",
        text=_message(year),
        link=reverse("calendar:year_new"),
        dedupe_key=f"calendar:missing:{year}",
    )


def describe_calendar_daily(written: int) -> str:
    return f"calendar: {written} reminder(s) to enter next year's official calendar"


def home_notice(request) -> dict | None:
    """The home section of the calendar's keepers while next year is missing."""
    from guanqing.core.calendar.workdays import business_date

    year = missing_next_year(business_date())
    if year is None:
        return None
    return {
        "template": "core/home/todo.html",
        "title": _("工作日历"),
        "items": [
            {
                "text": _("录入 %(year)s 年法定节假日安排") % {"year": year},
                "url": reverse("calendar:year_new"),
                "count": None,
                "meta": _message(year),
                "tone": "warn",
            }
        ],
    }
