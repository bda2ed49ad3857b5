"""Claims under real concurrency: 64 members press 认领 at the same moment, each request in its own
thread with its own database connection, through the whole API stack.

On PostgreSQL the conditional UPDATE waits for the row lock and re-checks `claimed_count <
capacity` on the row as committed. On SQLite every write transaction begins IMMEDIATE and waits
(busy_timeout) for the writer before it. SQLite's in-memory test database is a shared-cache
database, whose table locks fail at once ("database table is locked") instead of waiting, so on
SQLite these tests copy the test database into a file for their duration (`file_database`).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from guanqing.conftest import api_as
from guanqing.testing import factories as f
from guanqing.wishes.models import Wish, WishClaim
from guanqing.wishes.services import FULL
from guanqing.wishes.tests.factories import WishFactory

THREADS = 64


@pytest.fixture
def file_database(transactional_db, tmp_path):
    """On SQLite: the test database copied into a file that every thread opens on its own
    connection (WAL, busy_timeout and IMMEDIATE transactions as in production); the in-memory
    database stays open, untouched, and is flushed as usual afterwards. Elsewhere: nothing."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    import sqlite3

    path = tmp_path / "concurrency.sqlite3"
    memory = connections["default"]
    memory.ensure_connection()
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    settings_dict = memory.settings_dict  # shared with every connection the threads create
    memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    file_connection = type(memory)(settings_dict, "default")
    connections["default"] = file_connection  # this thread, too, reads the file
    try:
        yield
    finally:
        file_connection.close()
        settings_dict["NAME"] = memory_name
        connections["default"] = memory


def _members_with_accounts(n: int):
    unit = f.UnitFactory(name="市纪委")
    users = []
    for i in range(n):
        member = f.MemberFactory(unit=unit, name=f"党员{i:02d}")
        users.append(
            f.UserFactory(username=f"claimer{i:02d}", role="member", member=member, unit=unit)
        )
    return users


def _claim_all_at_once(users, wish_pk: int) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(users))
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def run(user):
        try:
            client = api_as(user)
            # connect first: opening 64 connections one after another would spread the requests
            # out in time, and the race would not be run at all
            connections["default"].ensure_connection()
            barrier.wait(timeout=60)
            response = client.post(f"/api/v1/wishes/{wish_pk}/claim/")
            with lock:
                results.append((response.status_code, response.json()))
        except Exception as exc:  # recorded, so the test shows it instead of hanging
            with lock:
                results.append((0, {"error": repr(exc)}))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


@pytest.mark.parametrize("capacity", [1, 3])
def test_64_simultaneous_claims_never_exceed_capacity(file_database, capacity):
    community = f.CommunityFactory()
    worker = f.UserFactory(role="community_worker", community=community)
    wish = WishFactory(community=community, posted_by=worker, capacity=capacity)
    users = _members_with_accounts(THREADS)

    results = _claim_all_at_once(users, wish.pk)

    codes = Counter(code for code, _ in results)
    assert len(results) == THREADS
    assert codes == {201: capacity, 409: THREADS - capacity}, [
        body for code, body in results if code not in (201, 409)
    ]
    assert all(body == {"detail": FULL} for code, body in results if code == 409)
    wish = Wish.objects.get(pk=wish.pk)
    assert wish.claimed_count == capacity
    assert wish.status == "full"
    claims = WishClaim.objects.filter(wish=wish)
    assert claims.count() == capacity
    winners = {body["member"] for code, body in results if code == 201}
    assert winners == set(claims.values_list("member_id", flat=True))


def test_one_member_claiming_many_wishes_at_once_keeps_its_limit(file_database):
    """The same member presses 认领 on 8 wishes at once: the limit of 3 unfulfilled claims holds."""
    community = f.CommunityFactory()
    worker = f.UserFactory(role="community_worker", community=community)
    wishes = [WishFactory(community=community, posted_by=worker) for _ in range(8)]
    (user,) = _members_with_accounts(1)
    barrier = threading.Barrier(len(wishes))
    codes: list[int] = []
    lock = threading.Lock()

    def run(wish):
        try:
            client = api_as(user)
            connections["default"].ensure_connection()
            barrier.wait(timeout=60)
            code = client.post(f"/api/v1/wishes/{wish.pk}/claim/").status_code
        except Exception:
            code = 0
        finally:
            connections.close_all()
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=run, args=(w,)) for w in wishes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(codes) == {201: 3, 400: 5}
    assert WishClaim.objects.filter(member=user.member, status="active").count() == 3
