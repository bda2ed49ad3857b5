"""The service-window demo built afresh: on a holiday the queue holds what the last working day left open (the shared demo is checked in test_demo.py)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.conftest import clock_from
from guanqing.core.calendar.workdays import is_workday
from guanqing.core.demo import load_demo
from guanqing.window.models import Case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


def test_on_a_holiday_the_queue_holds_what_is_open_from_the_last_working_day():
    with time_machine.travel(clock_from("2026-10-05"), tick=True):
        load_demo(scale=0.02)
        today = timezone.localdate()
        last = today
        while not is_workday(last):
            last -= datetime.timedelta(days=1)
        assert last < today
        wupeng = User.objects.get(username="clerk_wupeng")
        queue = Case.objects.visible_to(wupeng).open().select_related("version")
        assert queue.exists()
        assert {case.accepted_on for case in queue} == {last}
        # a 即办件 is done the day it comes: nothing of the kind waits over the holiday
        assert all(case.version.promised_workdays >= 1 for case in queue)
        assert all(case.deadline >= today for case in queue)
        assert not Case.objects.filter(accepted_on__gt=last).exists()
