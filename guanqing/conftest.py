"""Shared fixtures: a small world with two units, two communities and one user per role.

`world` holds an "own" and an "other" record of every kind, so each test can check that a role sees
its own and gets 404 for the other.
"""

from __future__ import annotations

import datetime
import os
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from _pytest.nodeid import coerce_node_id
from django.test import Client
from rest_framework.test import APIClient

from guanqing.testing import factories as f
from guanqing.testing.shared_demo import DemoKey, DemoShelf

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
# What tests that depend on "today" (the demo) pin it to: a Wednesday in the middle of a quarter
# and of a half-year, outside both festival windows, inside the official calendar (2004–2026).
PINNED_TODAY = datetime.datetime(2026, 5, 13, 10, 0, tzinfo=BUSINESS_TZ)


def clock_from(value: str) -> datetime.datetime:
    """Where GUANQING_TEST_TODAY moves the clock: `2026-02-17` (10:00 in Asia/Shanghai) or
    `2026-02-17T00:30` (that local time: the hours when the UTC date is still yesterday)."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise pytest.UsageError(
            f"GUANQING_TEST_TODAY={value!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    if len(value.strip()) == 10:
        moment = moment.replace(hour=10)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BUSINESS_TZ)
    return moment


_session_travel = None


def pytest_configure(config):
    """GUANQING_TEST_TODAY runs the whole session (collection included) as if it were that day,
    with the clock ticking: no test may depend on the day it runs, and this is how to check."""
    global _session_travel
    value = os.environ.get("GUANQING_TEST_TODAY", "").strip()
    if value and _session_travel is None:
        _session_travel = time_machine.travel(clock_from(value), tick=True)
        _session_travel.start()


def _demo_key(node) -> DemoKey | None:
    marker = node.get_closest_marker("shared_demo")
    if marker is None:
        return None
    return DemoKey(*marker.args, **marker.kwargs)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Modules reading a shared demo run in one process per demo (`--dist loadgroup`), so each
    demo is loaded once: the tests of one demo are sent to a process together.

    pytest-xdist 3.8 groups the tests whose id ends in `@<group>`, but writes that id where
    pytest 9 no longer reads it (`item._nodeid`); the id is written here where pytest reads it."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        key = _demo_key(item)
        if key is not None and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{key.group}")


_shelf: DemoShelf | None = None


@pytest.fixture(scope="session")
def _demo_shelf(django_db_setup, django_db_blocker):
    global _shelf
    _shelf = DemoShelf(django_db_blocker, PINNED_TODAY)
    yield _shelf
    _shelf.drop()
    _shelf = None


@pytest.fixture(scope="module", autouse=True)
def _module_demo(request):
    """A module marked `shared_demo` finds its demo loaded (see guanqing/testing/shared_demo.py);
    any other module finds the database without one."""
    key = _demo_key(request.node)
    if key is not None:
        request.getfixturevalue("_demo_shelf").ensure(key)
    elif _shelf is not None:
        _shelf.drop()


@pytest.fixture
def shared_demo(request):
    """The summary of the demo the module is marked with (`pytest.mark.shared_demo`)."""
    if _shelf is None or _shelf.key != _demo_key(request.node):
        raise pytest.UsageError(
            "shared_demo needs the module marked pytest.mark.shared_demo(scale=…)"
        )
    return _shelf.summary


def pytest_unconfigure(config):
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


@pytest.fixture
def pinned_today(request):
    """Run the test on `PINNED_TODAY` (the clock ticks from there): for tests whose figures
    depend on the date, such as the demo's, which is built around today.

    In a module reading a shared demo the clock starts where the demo's load left it (the same
    day): the daily jobs stamp what they write as they run, so every row is older than the
    test's "now", as when a test loads the demo itself."""
    start = PINNED_TODAY
    if _shelf is not None and _shelf.key is not None and _shelf.key == _demo_key(request.node):
        start = _shelf.loaded_until
    with time_machine.travel(start, tick=True):
        yield PINNED_TODAY.date()


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> SimpleNamespace:
    """The world `world` hands each test (also written once for a module: testing/module_rows)."""
    district = f.DistrictFactory(code="330203000000", name="海曙区")
    street = f.StreetFactory(parent=district, code="330203001000", name="测试街道")
    community = f.CommunityFactory(parent=street, code="330203001001", name="徐家漕社区")
    other_community = f.CommunityFactory(parent=street, code="330203001002", name="别的社区")
    unit = f.UnitFactory(name="市纪委")
    other_unit = f.UnitFactory(name="市发改委")
    org = f.PartyOrgFactory(unit=unit, name="市纪委机关党委", kind="committee")
    other_org = f.PartyOrgFactory(unit=other_unit, name="市发改委机关党委", kind="committee")
    member = f.MemberFactory(unit=unit, branch=org, home_community=community, name="张三")
    other_member = f.MemberFactory(unit=other_unit, branch=other_org, name="李四")
    household = f.HouseholdFactory(community=community, head_name="张国宝")
    other_household = f.HouseholdFactory(community=other_community, head_name="邵国樑")
    person = f.PersonFactory(household=household, name="张小宝")
    other_person = f.PersonFactory(household=other_household, name="邵小樑")
    users = SimpleNamespace(
        committee=f.UserFactory(username="committee", role="committee"),
        unit_admin=f.UserFactory(username="unit_admin", role="unit_admin", unit=unit),
        member=f.UserFactory(username="member", role="member", member=member, unit=unit),
        community_worker=f.UserFactory(
            username="community_worker", role="community_worker", community=community
        ),
        window_clerk=f.UserFactory(username="window_clerk", role="window_clerk"),
        fund_officer=f.UserFactory(username="fund_officer", role="fund_officer"),
        system_admin=f.UserFactory(username="system_admin", role="system_admin"),
        security_admin=f.UserFactory(username="security_admin", role="security_admin"),
        audit_admin=f.UserFactory(username="audit_admin", role="audit_admin"),
    )
    return SimpleNamespace(
        district=district,
        street=street,
        community=community,
        other_community=other_community,
        unit=unit,
        other_unit=other_unit,
        org=org,
        other_org=other_org,
        member=member,
        other_member=other_member,
        household=household,
        other_household=other_household,
        person=person,
        other_person=other_person,
        users=users,
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache, keyed by the client's address (127.0.0.1 for every
    test client): each test starts with none, whatever ran before it in the process."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _counts_after_a_flush(request):
    """A transactional test starts on a database flushed by the one before it. On SQLite, Django
    deletes the tables' rows a table at a time, the counters' table among the first, and the
    counting triggers then count every record deleted after it as minus one: recount them (from
    no records, or the few a fixture wrote already) so that the counts equal the records again."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from guanqing.core import counters

    for counter in counters.counters():
        counters.rewrite(counter)


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def client_for(user) -> Client:
    """A page client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def official_calendar(db):
    """The seeded official calendar (2004–2026): a transactional test elsewhere may have flushed it."""
    from guanqing.core.calendar.seed import seed
    from guanqing.core.calendar.workdays import forget_cached_years
    from guanqing.core.models import CalendarDay

    seed(CalendarDay)
    forget_cached_years()
    yield
    forget_cached_years()


def api_list_queries(user, url: str) -> tuple[int, int]:
    """(queries run, rows returned) for one API list page of up to 100 rows, asked by `user`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), len(response.json()["results"])
