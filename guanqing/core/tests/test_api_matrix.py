"""The API permission matrix: every list and detail endpoint, for every role, against `world`.

The expectations are written out by hand below (not derived from `visible_to`), so a change of
scope in a queryset shows up here as a failing cell.
"""

from __future__ import annotations

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from guanqing.conftest import api_as
from guanqing.core import audit
from guanqing.core.context import RequestInfo, reset_request_info, set_request_info
from guanqing.core.models import AuditEvent
from guanqing.core.roles import Role
from guanqing.testing.module_rows import module_rows, module_world

ROLES = [r.value for r in Role]
FORBIDDEN = "403"  # the whole endpoint answers 403 to this role

DIVISIONS = {"district", "street", "community", "other_community"}
UNITS = {"unit", "other_unit"}
ORGS = {"org", "other_org"}
MEMBERS = {"member", "other_member"}
HOUSEHOLDS = {"household", "other_household"}
USERS = {f"users.{role}" for role in ROLES}
EVENTS = {"event", "other_event"}

# endpoint -> role -> which of world's records the list shows (or FORBIDDEN)
LIST_EXPECTED: dict[str, dict[str, set[str] | str]] = {
    "divisions": {
        "committee": DIVISIONS,
        "unit_admin": DIVISIONS,
        "member": DIVISIONS,
        "community_worker": DIVISIONS,
        "window_clerk": DIVISIONS,
        "fund_officer": DIVISIONS,
        "system_admin": DIVISIONS,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "units": {
        "committee": UNITS,
        "unit_admin": {"unit"},
        "member": {"unit"},
        "community_worker": UNITS,
        "window_clerk": UNITS,
        "fund_officer": UNITS,
        "system_admin": UNITS,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "party-orgs": {
        "committee": ORGS,
        "unit_admin": {"org"},
        "member": {"org"},
        "community_worker": set(),
        "window_clerk": set(),
        "fund_officer": set(),
        "system_admin": set(),
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "members": {
        "committee": MEMBERS,
        "unit_admin": {"member"},
        "member": {"member"},
        "community_worker": {"member"},  # 张三 lives in 徐家漕社区
        "window_clerk": set(),
        "fund_officer": set(),
        "system_admin": MEMBERS,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "households": {
        "committee": HOUSEHOLDS,
        "unit_admin": set(),  # only through pairings, which `world` does not have
        "member": set(),
        "community_worker": {"household"},
        "window_clerk": set(),
        "fund_officer": set(),
        "system_admin": set(),
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "users": {
        "committee": FORBIDDEN,
        "unit_admin": FORBIDDEN,
        "member": FORBIDDEN,
        "community_worker": FORBIDDEN,
        "window_clerk": FORBIDDEN,
        "fund_officer": FORBIDDEN,
        "system_admin": USERS,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "audit-events": {
        "committee": FORBIDDEN,
        "unit_admin": FORBIDDEN,
        "member": FORBIDDEN,
        "community_worker": FORBIDDEN,
        "window_clerk": FORBIDDEN,
        "fund_officer": FORBIDDEN,
        "system_admin": FORBIDDEN,
        "security_admin": FORBIDDEN,
        "audit_admin": EVENTS,
    },
}

# detail URL pattern -> (own record, other record)
DETAIL_RECORDS = {
    "divisions/{id}/": ("community", "other_community"),
    "units/{id}/": ("unit", "other_unit"),
    "party-orgs/{id}/": ("org", "other_org"),
    "members/{id}/": ("member", "other_member"),
    "households/{id}/": ("household", "other_household"),
    "households/{id}/timeline/": ("household", "other_household"),
    "households/{id}/people/": ("household", "other_household"),
    "people/{id}/": ("person", "other_person"),
    "users/{id}/": ("users.member", "users.security_admin"),
    "audit-events/{id}/": ("event", "other_event"),
}

ALL_OK = (200, 200)
NONE = (404, 404)
OWN = (200, 404)
DENIED = (403, 403)

# detail URL -> role -> (status for own record, status for other record)
DETAIL_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "divisions/{id}/": {
        "committee": ALL_OK,
        "unit_admin": ALL_OK,
        "member": ALL_OK,
        "community_worker": ALL_OK,
        "window_clerk": ALL_OK,
        "fund_officer": ALL_OK,
        "system_admin": ALL_OK,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "units/{id}/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": OWN,
        "community_worker": ALL_OK,
        "window_clerk": ALL_OK,
        "fund_officer": ALL_OK,
        "system_admin": ALL_OK,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "party-orgs/{id}/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": OWN,
        "community_worker": NONE,
        "window_clerk": NONE,
        "fund_officer": NONE,
        "system_admin": NONE,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "members/{id}/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": OWN,
        "community_worker": OWN,
        "window_clerk": NONE,
        "fund_officer": NONE,
        "system_admin": ALL_OK,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "households/{id}/": {
        "committee": ALL_OK,
        "unit_admin": NONE,
        "member": NONE,
        "community_worker": OWN,
        "window_clerk": NONE,
        "fund_officer": NONE,
        "system_admin": NONE,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "users/{id}/": {
        "committee": DENIED,
        "unit_admin": DENIED,
        "member": DENIED,
        "community_worker": DENIED,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": ALL_OK,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "audit-events/{id}/": {
        "committee": DENIED,
        "unit_admin": DENIED,
        "member": DENIED,
        "community_worker": DENIED,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": ALL_OK,
    },
}
# The household's timeline and people, and a person, follow the household.
DETAIL_EXPECTED["households/{id}/timeline/"] = DETAIL_EXPECTED["households/{id}/"]
DETAIL_EXPECTED["households/{id}/people/"] = DETAIL_EXPECTED["households/{id}/"]
DETAIL_EXPECTED["people/{id}/"] = DETAIL_EXPECTED["households/{id}/"]

EDIT_BOTH = (200, 200)
EDIT_OWN = (200, 404)
SEE_OWN = (403, 404)  # sees its own record but may not change it; the other does not exist
SEE_BOTH = (403, 403)

# PATCH {} (no change) on a detail URL -> role -> (own, other)
WRITE_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "units/{id}/": {
        "committee": EDIT_BOTH,
        "unit_admin": SEE_OWN,
        "member": SEE_OWN,
        "community_worker": SEE_BOTH,
        "window_clerk": SEE_BOTH,
        "fund_officer": SEE_BOTH,
        "system_admin": SEE_BOTH,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "party-orgs/{id}/": {
        "committee": EDIT_BOTH,
        "unit_admin": EDIT_OWN,
        "member": SEE_OWN,
        "community_worker": NONE,
        "window_clerk": NONE,
        "fund_officer": NONE,
        "system_admin": NONE,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "members/{id}/": {
        "committee": EDIT_BOTH,
        "unit_admin": EDIT_OWN,
        "member": SEE_OWN,
        "community_worker": SEE_OWN,
        "window_clerk": NONE,
        "fund_officer": NONE,
        "system_admin": SEE_BOTH,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "households/{id}/": {
        "committee": EDIT_BOTH,
        "unit_admin": NONE,
        "member": NONE,
        "community_worker": EDIT_OWN,
        "window_clerk": NONE,
        "fund_officer": NONE,
        "system_admin": NONE,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
}
WRITE_EXPECTED["people/{id}/"] = WRITE_EXPECTED["households/{id}/"]


def _resolve(world, key: str):
    obj = world
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def _matrix_world(world):
    world.event = audit.record(
        actor=world.users.committee, action="update", obj=world.unit, object_type="matrix.probe"
    )
    world.other_event = audit.record(
        actor=world.users.unit_admin, action="update", obj=world.org, object_type="matrix.probe"
    )
    return world


# Two hundred tests read the same world and its two audit events: written once for the module.
_module_rows, matrix_world = module_rows("matrix_world", _matrix_world, pinned=False)
world = module_world("matrix_world", lambda rows: rows)


def _list_url(endpoint: str) -> str:
    url = f"/api/v1/{endpoint}/?page_size=500"
    if endpoint == "audit-events":
        url += "&object_type=matrix.probe"
    return url


def test_the_tables_cover_every_role_and_endpoint():
    for table in (LIST_EXPECTED, DETAIL_EXPECTED, WRITE_EXPECTED):
        for endpoint, by_role in table.items():
            assert set(by_role) == set(ROLES), endpoint
    assert set(DETAIL_EXPECTED) == set(DETAIL_RECORDS)


@pytest.mark.parametrize("endpoint", list(LIST_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(matrix_world, role, endpoint):
    expected = LIST_EXPECTED[endpoint][role]
    response = api_as(getattr(matrix_world.users, role)).get(_list_url(endpoint))
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    shown = {row["id"] for row in body["results"]}
    wanted = {_resolve(matrix_world, key).pk for key in expected}
    assert shown == wanted
    assert body["count"] == len(wanted)


@pytest.mark.parametrize("url", list(DETAIL_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_detail_answers_own_and_other_record(matrix_world, role, url):
    own_key, other_key = DETAIL_RECORDS[url]
    own_status, other_status = DETAIL_EXPECTED[url][role]
    client = api_as(getattr(matrix_world.users, role))
    for key, expected in ((own_key, own_status), (other_key, other_status)):
        obj = _resolve(matrix_world, key)
        response = client.get("/api/v1/" + url.format(id=obj.pk))
        assert response.status_code == expected, (key, response.content)


@pytest.mark.parametrize("url", list(WRITE_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_patch_is_403_when_visible_but_not_editable_and_404_when_invisible(matrix_world, role, url):
    own_key, other_key = DETAIL_RECORDS[url]
    own_status, other_status = WRITE_EXPECTED[url][role]
    client = api_as(getattr(matrix_world.users, role))
    for key, expected in ((own_key, own_status), (other_key, other_status)):
        obj = _resolve(matrix_world, key)
        response = client.patch("/api/v1/" + url.format(id=obj.pk), {}, format="json")
        assert response.status_code == expected, (key, response.content)


@pytest.mark.parametrize("endpoint", [*LIST_EXPECTED, "auth/me", "security-policy"])
def test_anonymous_is_refused_everywhere(matrix_world, api, endpoint):
    assert api.get(f"/api/v1/{endpoint}/").status_code in (401, 403)


@pytest.mark.parametrize("url", list(DETAIL_RECORDS))
def test_anonymous_gets_no_detail(matrix_world, api, url):
    obj = _resolve(matrix_world, DETAIL_RECORDS[url][0])
    assert api.get("/api/v1/" + url.format(id=obj.pk)).status_code in (401, 403)


@pytest.mark.parametrize(
    "url",
    ["divisions/{id}/", "units/{id}/", "party-orgs/{id}/", "members/{id}/", "households/{id}/"],
)
def test_registry_records_cannot_be_deleted(matrix_world, url):
    own_key, _ = DETAIL_RECORDS[url]
    obj = _resolve(matrix_world, own_key)
    client = api_as(matrix_world.users.committee)
    response = client.delete("/api/v1/" + url.format(id=obj.pk))
    assert response.status_code == 405
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_security_policy_is_the_security_administrators_alone(matrix_world, role):
    response = api_as(getattr(matrix_world.users, role)).get("/api/v1/security-policy/")
    assert response.status_code == (200 if role == "security_admin" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_their_own_profile(matrix_world, role):
    user = getattr(matrix_world.users, role)
    response = api_as(user).get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["role"] == role


# ---------------------------------------------------------------------------------------------
# The audit log endpoint: nobody writes to it; the audit administrator filters it.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["audit_admin", "committee", "system_admin"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_log_cannot_be_written_through_the_api(matrix_world, role, method):
    client = api_as(getattr(matrix_world.users, role))
    before = AuditEvent.objects.count()
    list_response = getattr(client, method)("/api/v1/audit-events/", {}, format="json")
    detail_response = getattr(client, method)(
        f"/api/v1/audit-events/{matrix_world.event.pk}/", {}, format="json"
    )
    assert list_response.status_code == 405
    assert detail_response.status_code == 405
    assert AuditEvent.objects.count() == before


@pytest.fixture
def dated_events(world):
    shanghai = ZoneInfo("Asia/Shanghai")

    def at(moment, **kwargs):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            return audit.record(object_type="probe.dated", **kwargs)

    token = set_request_info(RequestInfo(ip_address="10.1.2.3"))
    try:
        late_evening = at(
            datetime.datetime(2025, 3, 1, 23, 30, tzinfo=shanghai),
            actor=world.users.committee,
            action="update",
            object_id="7",
        )
    finally:
        reset_request_info(token)
    # 00:30 on 2 March in Ningbo is still 1 March in UTC.
    after_midnight = at(
        datetime.datetime(2025, 3, 2, 0, 30, tzinfo=shanghai),
        actor=world.users.unit_admin,
        action="create",
        object_id="8",
    )
    return late_evening, after_midnight


def _ids(matrix_world, **params):
    params["object_type"] = "probe.dated"
    response = api_as(matrix_world.users.audit_admin).get("/api/v1/audit-events/", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_audit_events_filter_by_business_date_in_shanghai(matrix_world, dated_events):
    late_evening, after_midnight = dated_events
    assert _ids(matrix_world, since="2025-03-01", until="2025-03-01") == [late_evening.pk]
    assert _ids(matrix_world, since="2025-03-02") == [after_midnight.pk]
    assert _ids(matrix_world, until="2025-02-28") == []
    assert _ids(matrix_world) == [after_midnight.pk, late_evening.pk]  # newest first


def test_audit_events_filter_by_actor_action_object_and_ip(matrix_world, dated_events):
    late_evening, after_midnight = dated_events
    assert _ids(matrix_world, actor="unit_admin") == [after_midnight.pk]
    assert _ids(matrix_world, action="update") == [late_evening.pk]
    assert _ids(matrix_world, object_id="8") == [after_midnight.pk]
    assert _ids(matrix_world, ip="10.1.2.3") == [late_evening.pk]


def test_audit_events_bad_filter_values_are_named(matrix_world):
    client = api_as(matrix_world.users.audit_admin)
    response = client.get("/api/v1/audit-events/", {"ip": "not-an-ip", "since": "2025-13-01"})
    assert response.status_code == 400
    assert {"ip", "since"} <= set(response.json())


def test_audit_event_shows_changes_and_address(matrix_world, dated_events):
    late_evening, _ = dated_events
    body = (
        api_as(matrix_world.users.audit_admin)
        .get(f"/api/v1/audit-events/{late_evening.pk}/")
        .json()
    )
    assert body["actor"] == "committee"
    assert body["ip_address"] == "10.1.2.3"
    assert body["at"].startswith("2025-03-01T23:30:00")
