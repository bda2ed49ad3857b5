"""Sign-ups under concurrent requests: 16 members at once on an activity with 3 places give
exactly three 201 and thirteen 409, on PostgreSQL and on SQLite."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from guanqing.community.models import Activity, ActivitySignup
from guanqing.community.tests import factories as cf
from guanqing.conftest import api_as
from guanqing.testing import factories as f

THREADS = 16
PLACES = 3


def _race(activity, users) -> list[int]:
    barrier = threading.Barrier(len(users))
    statuses: list[int] = []
    lock = threading.Lock()

    def sign_up(user):
        client = api_as(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(f"/api/v1/community/activities/{activity.pk}/signup/")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=sign_up, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_sign_ups_on_three_places_give_exactly_three(sqlite_file_db):
    community = f.CommunityFactory()
    activity = cf.ActivityFactory(community=community, places=PLACES)
    users = [
        f.UserFactory(role="member", member=f.MemberFactory(home_community=community))
        for _ in range(THREADS)
    ]
    statuses = _race(activity, users)
    assert sorted(statuses) == [201] * PLACES + [409] * (THREADS - PLACES), statuses
    activity.refresh_from_db()
    assert activity.signed_up == PLACES
    assert ActivitySignup.objects.filter(activity=activity, status="signed_up").count() == PLACES
    assert Activity.objects.filter(pk=activity.pk, signed_up__lte=PLACES).exists()
