"""Recording the same event from eight requests at once: one answers 201, the seven others 200
with that same event; one event and one obligation, on PostgreSQL and on SQLite (the unique
constraint decides)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.care.tests.conftest import ensure_catalogue
from guanqing.care.tests.helpers import PLAIN
from guanqing.community.tests.conftest import sqlite_file_db  # noqa: F401 - the fixture
from guanqing.conftest import api_as
from guanqing.testing import factories as f

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_recordings_of_one_event_make_one(sqlite_file_db, pinned_today):  # noqa: F811
    from guanqing.core.calendar.seed import seed
    from guanqing.core.calendar.workdays import forget_cached_years
    from guanqing.core.models import CalendarDay

    seed(CalendarDay)
    forget_cached_years()
    ensure_catalogue()
    unit = f.UnitFactory()
    member = f.MemberFactory(unit=unit)
    users = [
        f.UserFactory(role="unit_admin", unit=unit, username=f"admin{i}") for i in range(THREADS)
    ]
    body = {
        "member": member.pk,
        "rule": CareRule.objects.get(code=PLAIN).pk,
        "occurred_on": "2026-05-11",
    }
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, int]] = []
    lock = threading.Lock()

    def record(user):
        client = api_as(user)
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/v1/care/events/", body, format="json")
            with lock:
                answers.append((response.status_code, response.json().get("id")))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=record, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(status for status, _id in answers) == [200] * (THREADS - 1) + [201], answers
    assert len({pk for _status, pk in answers}) == 1
    assert CareEvent.objects.count() == Obligation.objects.count() == 1
    forget_cached_years()
