"""Next year's official calendar is asked for from 1 November: on the home page of those who keep
the calendar (the committee, the system administrator) and once by the daily job; never before
November, and no more once the year is entered. The seeded calendar holds 2004–2026."""

from __future__ import annotations

import datetime

import pytest

from guanqing.conftest import client_for
from guanqing.core import daily
from guanqing.core.calendar.reminders import calendar_daily, missing_next_year
from guanqing.core.models import CalendarDay, Notification
from guanqing.core.tests.test_i18n import english_client

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 10, 31), None),
        (D(2026, 11, 1), 2027),
        (D(2026, 12, 31), 2027),
        (D(2025, 11, 1), None),
    ],
)
def test_next_year_is_asked_for_from_november_while_it_is_missing(
    official_calendar, today, expected
):
    assert missing_next_year(today) == expected


def test_the_daily_job_tells_the_calendars_keepers_once(world, official_calendar):
    assert "calendar.next_year" in {job.name for job in daily.jobs()}
    assert calendar_daily(D(2026, 10, 31)) == 0
    assert calendar_daily(D(2026, 12, 1)) == 2
    assert calendar_daily(D(2026, 12, 2)) == 0  # once a year
    told = set(
        Notification.objects.filter(kind="calendar_next_year").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"committee", "system_admin"}
    text = Notification.objects.filter(kind="calendar_next_year").first().text
    assert "2027 年的法定节假日安排尚未录入" in text


def test_the_home_page_asks_the_keepers_until_the_year_is_entered(
    world, official_calendar, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, 0), tick=False)
    for user in (world.users.committee, world.users.system_admin):
        body = client_for(user).get("/").content.decode()
        assert "录入 2027 年法定节假日安排" in body
        assert "/calendar/new/" in body
    for user in (world.users.unit_admin, world.users.window_clerk, world.users.member):
        assert "录入 2027 年法定节假日安排" not in client_for(user).get("/").content.decode()

    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, holiday="元旦")
    assert "录入 2027 年" not in client_for(world.users.committee).get("/").content.decode()
    assert calendar_daily(D(2026, 12, 3)) == 0


def test_an_english_keeper_reads_it_in_english(world, official_calendar, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, 0), tick=False)
    body = english_client(world.users.committee).get("/").content.decode()
    assert "Enter the 2027 official holidays" in body
