"""The API permission matrix of 结对帮困 and what came with it: pairings and their relay, visits and
their photos, partnerships and their projects, the compliance settings, a pairing's compliance,
the member's to-do, the board, the figures, the calendar and the notifications.

Like guanqing/core/tests/test_api_matrix.py, every expectation is written out by hand per role
(never derived from `visible_to`), so a change of scope in a queryset or of a role list in a view
fails a cell here.
"""

from __future__ import annotations

import re

import factory
import pytest
from factory.django import DjangoModelFactory

from guanqing.conftest import api_as
from guanqing.core.models import Notification
from guanqing.core.roles import Role
from guanqing.pairing.models import (
    ComplianceSettings,
    Pairing,
    PairingTerm,
    Partnership,
    PartnershipProject,
    Visit,
    VisitPhoto,
)
from guanqing.pairing.tests import JPEG, pair_world
from guanqing.testing import factories as f
from guanqing.testing.module_rows import module_rows, module_world

ROLES = [r.value for r in Role]
FORBIDDEN = "403"  # the whole endpoint answers 403 to this role
MISSING_ID = 999_999


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    kind = "due_soon"
    text = factory.Sequence(lambda n: f"提醒 {n}")
    link = factory.Sequence(lambda n: f"/pairing/{n}/")
    dedupe_key = factory.Sequence(lambda n: f"matrix:{n}")


class VisitPhotoFactory(DjangoModelFactory):
    class Meta:
        model = VisitPhoto

    file = factory.django.FileField(filename="photo.jpg", data=JPEG)
    content_type = "image/jpeg"
    size = len(JPEG)
    original_name = "photo.jpg"


def _pairings(world):
    """`world` with pairings (`pair_world`: 张三's pairing of 张国宝户 and 李四's of 邵国樑户, a
    whole-unit pairing of 市纪委, a visit on each person's pairing, a partnership and a project for
    each unit), plus: a partnership of 市发改委 with 徐家漕社区's own party organisation (the only one
    the community worker sees), a photo on each visit, a colleague of 李四 (a successor for the
    other pairing), a household and a village organisation nobody is paired with yet (for creates),
    and one notification for every user."""
    pair_world(world)
    world.other_colleague = f.MemberFactory(
        unit=world.other_unit, branch=world.other_org, name="赵六"
    )
    world.community_org = f.PartyOrgFactory(
        unit=None, division=world.community, name="徐家漕社区党委", kind="committee"
    )
    world.community_partnership = f.PartnershipFactory(
        unit_org=world.other_org, village_org=world.community_org
    )
    world.community_project = f.PartnershipProjectFactory(
        partnership=world.community_partnership, title="社区活动室"
    )
    world.photo = VisitPhotoFactory(visit=world.visit)
    world.other_photo = VisitPhotoFactory(visit=world.other_visit)
    world.spare_household = f.HouseholdFactory(community=world.community, head_name="陈阿婆")
    spare_village = f.CommunityFactory(parent=world.street, kind="village", name="梅园村")
    world.spare_village_org = f.PartyOrgFactory(
        unit=None, division=spare_village, name="梅园村党支部", kind="branch"
    )
    world.notes = {
        role: NotificationFactory(recipient=getattr(world.users, role)) for role in ROLES
    }
    return world


# written once for the module: every test meets them as written (testing/module_rows)
_module_rows, mw = module_rows("mw", _pairings, pinned=False)
world = module_world("mw", lambda rows: rows)


def _resolve(world, key: str):
    obj = world
    for part in key.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def _other_role(role: str) -> str:
    """Another role, whose notification is `role`'s "other" record."""
    return ROLES[(ROLES.index(role) + 1) % len(ROLES)]


# ---------------------------------------------------------------------------------------------
# Lists: role -> which records the list shows (or FORBIDDEN)
# ---------------------------------------------------------------------------------------------

PAIRINGS = {"pairing", "other_pairing", "unit_pairing"}
PARTNERSHIPS = {"partnership", "other_partnership", "community_partnership"}
PROJECTS = {"project", "other_project", "community_project"}

LIST_EXPECTED: dict[str, dict[str, set[str] | str]] = {
    "pairings": {
        "committee": PAIRINGS,
        "unit_admin": {"pairing", "unit_pairing"},
        "member": {"pairing"},  # the one 张三 holds; not the whole-unit pairing
        "community_worker": {"pairing"},  # the household in 徐家漕社区
        "window_clerk": FORBIDDEN,
        "fund_officer": FORBIDDEN,
        "system_admin": FORBIDDEN,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "visits": {
        "committee": {"visit", "other_visit"},
        "unit_admin": {"visit"},
        "member": {"visit"},
        "community_worker": {"visit"},
        "window_clerk": FORBIDDEN,
        "fund_officer": FORBIDDEN,
        "system_admin": FORBIDDEN,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "partnerships": {
        "committee": PARTNERSHIPS,
        "unit_admin": {"partnership"},
        "member": {"partnership"},
        "community_worker": {"community_partnership"},  # by the village side, not the unit
        "window_clerk": FORBIDDEN,
        "fund_officer": FORBIDDEN,
        "system_admin": FORBIDDEN,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    "partnership-projects": {
        "committee": PROJECTS,
        "unit_admin": {"project"},
        "member": {"project"},
        "community_worker": {"community_project"},
        "window_clerk": FORBIDDEN,
        "fund_officer": FORBIDDEN,
        "system_admin": FORBIDDEN,
        "security_admin": FORBIDDEN,
        "audit_admin": FORBIDDEN,
    },
    # every signed-in user reads its own notifications and nobody else's
    "notifications": {role: {f"notes.{role}"} for role in ROLES},
}


# ---------------------------------------------------------------------------------------------
# Details: url -> (own record, other record); role -> (status for own, status for other)
# ---------------------------------------------------------------------------------------------

DETAIL_RECORDS = {
    "pairings/{id}/": ("pairing", "other_pairing"),
    "pairings/{id}/compliance/": ("pairing", "other_pairing"),
    "visits/{id}/": ("visit", "other_visit"),
    "visits/{id}/photos/{photo}/": ("visit", "other_visit"),
    "partnerships/{id}/": ("partnership", "other_partnership"),
    "partnership-projects/{id}/": ("project", "other_project"),
    "notifications/{id}/": ("notes.{role}", "notes.{other_role}"),
}
PHOTO_OF = {"visit": "photo", "other_visit": "other_photo"}

ALL_OK = (200, 200)
NONE = (404, 404)
OWN = (200, 404)
DENIED = (403, 403)

PAIRING_READ = {
    "committee": ALL_OK,
    "unit_admin": OWN,
    "member": OWN,
    "community_worker": OWN,
    "window_clerk": DENIED,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}
PARTNERSHIP_READ = {
    "committee": ALL_OK,
    "unit_admin": OWN,
    "member": OWN,
    "community_worker": NONE,  # it sees 徐家漕社区's partnership only
    "window_clerk": DENIED,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}

DETAIL_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "pairings/{id}/": PAIRING_READ,
    "pairings/{id}/compliance/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": OWN,
        "community_worker": OWN,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "visits/{id}/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": OWN,
        "community_worker": OWN,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "visits/{id}/photos/{photo}/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": OWN,
        "community_worker": OWN,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "partnerships/{id}/": PARTNERSHIP_READ,
    "partnership-projects/{id}/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": OWN,
        "community_worker": NONE,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "notifications/{id}/": {role: OWN for role in ROLES},
}


def _record_key(template: str, role: str) -> str:
    return template.format(role=role, other_role=_other_role(role))


def _detail_url(world, url: str, key: str, role: str, pk=None) -> str:
    obj = _resolve(world, _record_key(key, role))
    params = {"id": obj.pk if pk is None else pk}
    if "{photo}" in url:
        params["photo"] = _resolve(world, PHOTO_OF[key]).pk
    return "/api/v1/" + url.format(**params)


# ---------------------------------------------------------------------------------------------
# Writes on a record: POST actions and PATCH -> role -> (status for own, status for other)
# ---------------------------------------------------------------------------------------------

CHANGE_BOTH = (200, 200)
CHANGE_OWN = (200, 404)
SEE_OWN = (403, 404)  # sees its own record but may not change it; the other does not exist


def _handover_body(world, key):
    successor = world.colleague if key == "pairing" else world.other_colleague
    return {"successor": successor.pk, "effective_date": str(world.today), "reason": "调离"}


def _pairing_end_body(world, key):
    return {"ended_on": str(world.today), "end_reason": "lifted", "end_note": "已脱困"}


def _partnership_end_body(world, key):
    return {"ended_on": str(world.today), "note": "期满"}


def _project_patch_body(world, key):
    return {"note": "矩阵检查", "funds": "123456.78"}


def _notification_read_body(world, key):
    return {}


def _handed_over(world, key):
    successor = world.colleague if key == "pairing" else world.other_colleague
    return PairingTerm.objects.filter(
        pairing=_resolve(world, key), member=successor, ends_on__isnull=True
    ).exists()


def _pairing_ended(world, key):
    return Pairing.objects.get(pk=_resolve(world, key).pk).ended_on == world.today


def _partnership_ended(world, key):
    return Partnership.objects.get(pk=_resolve(world, key).pk).ended_on == world.today


def _project_changed(world, key):
    return PartnershipProject.objects.get(pk=_resolve(world, key).pk).note == "矩阵检查"


def _notification_read(world, key):
    return Notification.objects.get(pk=_resolve(world, key).pk).read_at is not None


# url -> (method, (own, other) record keys, body, "did it happen?")
ACTIONS = {
    "pairings/{id}/handover/": (
        "post",
        ("pairing", "other_pairing"),
        _handover_body,
        _handed_over,
    ),
    "pairings/{id}/end/": ("post", ("pairing", "other_pairing"), _pairing_end_body, _pairing_ended),
    "partnerships/{id}/end/": (
        "post",
        ("partnership", "other_partnership"),
        _partnership_end_body,
        _partnership_ended,
    ),
    "partnership-projects/{id}/": (
        "patch",
        ("project", "other_project"),
        _project_patch_body,
        _project_changed,
    ),
    "notifications/{id}/read/": (
        "post",
        ("notes.{role}", "notes.{other_role}"),
        _notification_read_body,
        _notification_read,
    ),
}

PAIRING_CHANGE = {
    "committee": CHANGE_BOTH,
    "unit_admin": CHANGE_OWN,  # the unit relays and ends its own pairings
    "member": SEE_OWN,
    "community_worker": SEE_OWN,
    "window_clerk": DENIED,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}

ACTION_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "pairings/{id}/handover/": PAIRING_CHANGE,
    "pairings/{id}/end/": PAIRING_CHANGE,
    "partnerships/{id}/end/": {
        "committee": CHANGE_BOTH,
        "unit_admin": SEE_OWN,  # only the committee ends a partnership
        "member": SEE_OWN,
        "community_worker": NONE,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "partnership-projects/{id}/": {
        "committee": CHANGE_BOTH,
        "unit_admin": CHANGE_OWN,
        "member": SEE_OWN,
        "community_worker": NONE,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "notifications/{id}/read/": {role: CHANGE_OWN for role in ROLES},
}


# ---------------------------------------------------------------------------------------------
# Creates: POST on a list with a valid body aimed at the own side and at the other side
# ---------------------------------------------------------------------------------------------


def _pairing_body(world, side):
    unit, member = (
        (world.unit, world.colleague)
        if side == "own"
        else (world.other_unit, world.other_colleague)
    )
    return {
        "household": world.spare_household.pk,
        "unit": unit.pk,
        "member": member.pk,
        "started_on": str(world.today),
    }


def _visit_body(world, side):
    pairing, member = (
        (world.pairing, world.member)
        if side == "own"
        else (world.other_pairing, world.other_member)
    )
    return {
        "pairing": pairing.pk,
        "date": str(world.today),
        "kinds": ["talk"],
        "participants": [member.pk],
        "notes": "入户谈心",
    }


def _partnership_body(world, side):
    org = world.org if side == "own" else world.other_org
    return {
        "unit_org": org.pk,
        "village_org": world.spare_village_org.pk,
        "started_on": str(world.today),
    }


def _project_body(world, side):
    partnership = world.partnership if side == "own" else world.other_partnership
    return {
        "partnership": partnership.pk,
        "kind": "infrastructure",
        "title": "矩阵项目",
        "funds": "50000.00",
    }


# endpoint -> (model, body)
CREATES = {
    "pairings": (Pairing, _pairing_body),
    "visits": (Visit, _visit_body),
    "partnerships": (Partnership, _partnership_body),
    "partnership-projects": (PartnershipProject, _project_body),
}

ONLY_COMMITTEE = {role: (201, 201) if role == "committee" else DENIED for role in ROLES}
REFERENCE_OUT_OF_SCOPE = 400  # the body names a record the role does not see: 400 on the field

# endpoint -> role -> (status for the own side, status for the other side)
CREATE_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "pairings": ONLY_COMMITTEE,  # the committee decides which unit serves which household
    "visits": {
        "committee": (201, 201),
        "unit_admin": (201, REFERENCE_OUT_OF_SCOPE),  # on the holder's behalf
        "member": (201, REFERENCE_OUT_OF_SCOPE),
        "community_worker": DENIED,  # reads visits, does not record them
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "partnerships": ONLY_COMMITTEE,
    "partnership-projects": {
        "committee": (201, 201),
        "unit_admin": (201, REFERENCE_OUT_OF_SCOPE),
        "member": DENIED,
        "community_worker": DENIED,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
}


# ---------------------------------------------------------------------------------------------
# Endpoints without records of their own
# ---------------------------------------------------------------------------------------------

BUSINESS = {"committee", "unit_admin", "member", "community_worker", "window_clerk", "fund_officer"}

COMPLIANCE_SETTINGS_READ = {role: 200 if role in BUSINESS else 403 for role in ROLES}
COMPLIANCE_SETTINGS_WRITE = {role: 200 if role == "committee" else 403 for role in ROLES}

# role -> the pairings of the to-do (the duties the member answers for), or FORBIDDEN
TODO_EXPECTED: dict[str, set[str] | str] = {
    "committee": FORBIDDEN,  # no member behind the account
    "unit_admin": FORBIDDEN,
    "member": {"pairing"},  # not the whole-unit pairing, not 李四's
    "community_worker": FORBIDDEN,
    "window_clerk": FORBIDDEN,
    "fund_officer": FORBIDDEN,
    "system_admin": FORBIDDEN,
    "security_admin": FORBIDDEN,
    "audit_admin": FORBIDDEN,
}

# role -> (scope, what the board lists), or FORBIDDEN: the city board lists units, a unit board
# lists the unit's pairings
BOARD_EXPECTED: dict[str, tuple[str, set[str]] | str] = {
    "committee": ("city", {"unit", "other_unit"}),
    "unit_admin": ("unit", {"pairing", "unit_pairing"}),
    "member": FORBIDDEN,
    "community_worker": FORBIDDEN,
    "window_clerk": FORBIDDEN,
    "fund_officer": FORBIDDEN,
    "system_admin": FORBIDDEN,
    "security_admin": FORBIDDEN,
    "audit_admin": FORBIDDEN,
}
# role -> status and pairings of the board of the other unit (?unit=<other_unit>)
BOARD_OF_OTHER_UNIT: dict[str, tuple[int, set[str]]] = {
    "committee": (200, {"other_pairing"}),
    "unit_admin": (404, set()),
}

# role -> (units in by_unit, pairings counted, visits counted), or FORBIDDEN
FIGURES_EXPECTED: dict[str, tuple[set[str], int, int] | str] = {
    "committee": ({"unit", "other_unit"}, 3, 2),
    "unit_admin": ({"unit"}, 2, 1),
    "member": FORBIDDEN,
    "community_worker": FORBIDDEN,
    "window_clerk": FORBIDDEN,
    "fund_officer": FORBIDDEN,
    "system_admin": FORBIDDEN,
    "security_admin": FORBIDDEN,
    "audit_admin": FORBIDDEN,
}
FIGURES_OF_OTHER_UNIT: dict[str, tuple[int, set[str]]] = {
    "committee": (200, {"other_unit"}),
    "unit_admin": (404, set()),
}

CALENDAR_EXPECTED = {role: 200 for role in ROLES}  # the official calendar is everyone's


def test_the_tables_cover_every_role_and_endpoint():
    tables = (LIST_EXPECTED, DETAIL_EXPECTED, ACTION_EXPECTED, CREATE_EXPECTED)
    for table in tables:
        for endpoint, by_role in table.items():
            assert set(by_role) == set(ROLES), endpoint
    for by_role in (
        COMPLIANCE_SETTINGS_READ,
        COMPLIANCE_SETTINGS_WRITE,
        TODO_EXPECTED,
        BOARD_EXPECTED,
        FIGURES_EXPECTED,
        CALENDAR_EXPECTED,
    ):
        assert set(by_role) == set(ROLES)
    assert set(DETAIL_EXPECTED) == set(DETAIL_RECORDS)
    assert set(ACTION_EXPECTED) == set(ACTIONS)
    assert set(CREATE_EXPECTED) == set(CREATES)
    assert set(BOARD_OF_OTHER_UNIT) == {r for r, v in BOARD_EXPECTED.items() if v != FORBIDDEN}
    assert set(FIGURES_OF_OTHER_UNIT) == {r for r, v in FIGURES_EXPECTED.items() if v != FORBIDDEN}


# ---------------------------------------------------------------------------------------------
# Lists and details
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(LIST_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(mw, role, endpoint):
    expected = LIST_EXPECTED[endpoint][role]
    response = api_as(getattr(mw.users, role)).get(f"/api/v1/{endpoint}/?page_size=500")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    shown = {row["id"] for row in body["results"]}
    wanted = {_resolve(mw, key).pk for key in expected}
    assert shown == wanted
    assert body["count"] == len(wanted)


@pytest.mark.parametrize("url", list(DETAIL_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_detail_answers_own_and_other_record(mw, role, url):
    own_key, other_key = DETAIL_RECORDS[url]
    own_status, other_status = DETAIL_EXPECTED[url][role]
    client = api_as(getattr(mw.users, role))
    for key, expected in ((own_key, own_status), (other_key, other_status)):
        response = client.get(_detail_url(mw, url, key, role))
        assert response.status_code == expected, (key, response.content[:300])
        if expected == 200 and "photos" not in url:
            body = response.json()
            record = _resolve(mw, _record_key(key, role))
            assert body.get("id", body.get("pairing")) == record.pk


def _out_of_scope_cells(table):
    """(url, role) for every cell where the role reaches the endpoint but not the other record."""
    return [
        (url, role)
        for url, by_role in table.items()
        for role, (own, other) in by_role.items()
        if other == 404 and own != 403
    ]


def _same_answer(first, second):
    assert first.status_code == second.status_code == 404
    assert first.content == second.content


@pytest.mark.parametrize(("url", "role"), _out_of_scope_cells(DETAIL_EXPECTED))
def test_an_out_of_scope_record_answers_exactly_like_a_missing_one(mw, url, role):
    _, other_key = DETAIL_RECORDS[url]
    client = api_as(getattr(mw.users, role))
    out_of_scope = client.get(_detail_url(mw, url, other_key, role))
    missing = client.get(_detail_url(mw, url, other_key, role, pk=MISSING_ID))
    _same_answer(out_of_scope, missing)


@pytest.mark.parametrize(
    "role", [r for r, v in DETAIL_EXPECTED["visits/{id}/"].items() if v == OWN]
)
def test_a_missing_photo_of_a_visible_visit_answers_like_another_units_photo(mw, role):
    client = api_as(getattr(mw.users, role))
    other_photo = client.get(f"/api/v1/visits/{mw.visit.pk}/photos/{mw.other_photo.pk}/")
    missing = client.get(f"/api/v1/visits/{mw.visit.pk}/photos/{MISSING_ID}/")
    _same_answer(other_photo, missing)


# ---------------------------------------------------------------------------------------------
# Writes on a record
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", list(ACTION_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_actions_and_patch_are_allowed_only_where_declared(mw, role, url):
    method, keys, body, happened = ACTIONS[url]
    client = api_as(getattr(mw.users, role))
    for key, expected in zip(keys, ACTION_EXPECTED[url][role], strict=True):
        record_key = _record_key(key, role)
        target = "/api/v1/" + url.format(id=_resolve(mw, record_key).pk)
        response = getattr(client, method)(target, body(mw, record_key), format="json")
        assert response.status_code == expected, (key, response.content[:300])
        assert happened(mw, record_key) == (expected == 200), key


@pytest.mark.parametrize(("url", "role"), _out_of_scope_cells(ACTION_EXPECTED))
def test_a_write_on_an_out_of_scope_record_answers_exactly_like_a_missing_one(mw, url, role):
    method, (_, other_key), body, _ = ACTIONS[url]
    record_key = _record_key(other_key, role)
    client = api_as(getattr(mw.users, role))
    data = body(mw, record_key)
    send = getattr(client, method)
    out_of_scope = send(
        "/api/v1/" + url.format(id=_resolve(mw, record_key).pk), data, format="json"
    )
    missing = send("/api/v1/" + url.format(id=MISSING_ID), data, format="json")
    _same_answer(out_of_scope, missing)


@pytest.mark.parametrize("endpoint", list(CREATE_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_create_is_allowed_only_where_declared(mw, role, endpoint):
    model, body = CREATES[endpoint]
    client = api_as(getattr(mw.users, role))
    for side, expected in zip(("own", "other"), CREATE_EXPECTED[endpoint][role], strict=True):
        before = model.objects.count()
        response = client.post(f"/api/v1/{endpoint}/", body(mw, side), format="json")
        assert response.status_code == expected, (side, response.content[:300])
        assert model.objects.count() == before + (1 if expected == 201 else 0), side
        if expected == 201:
            assert model.objects.filter(pk=response.json()["id"]).exists()
        if expected == REFERENCE_OUT_OF_SCOPE:
            reference = next(iter(body(mw, side)))  # the first field names the record
            assert reference in response.json(), response.content


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [
        (endpoint, role)
        for endpoint, by_role in CREATE_EXPECTED.items()
        for role, (_, other) in by_role.items()
        if other == REFERENCE_OUT_OF_SCOPE
    ],
)
def test_a_reference_out_of_scope_is_refused_like_a_missing_one(mw, endpoint, role):
    _, body = CREATES[endpoint]
    client = api_as(getattr(mw.users, role))
    data = body(mw, "other")
    field = next(iter(data))
    out_of_scope = client.post(f"/api/v1/{endpoint}/", data, format="json")
    missing = client.post(f"/api/v1/{endpoint}/", {**data, field: MISSING_ID}, format="json")
    assert out_of_scope.status_code == missing.status_code == 400
    out_message = out_of_scope.json()[field]
    missing_message = missing.json()[field]
    assert [m.replace(str(data[field]), "#") for m in out_message] == [
        m.replace(str(MISSING_ID), "#") for m in missing_message
    ]


@pytest.mark.parametrize(
    "url", ["partnerships/{id}/", "partnership-projects/{id}/", "notifications/{id}/"]
)
def test_records_cannot_be_deleted(mw, url):
    own_key, _ = DETAIL_RECORDS[url]
    obj = _resolve(mw, _record_key(own_key, "committee"))
    response = api_as(mw.users.committee).delete("/api/v1/" + url.format(id=obj.pk))
    assert response.status_code == 405
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_notifications_are_never_written_through_the_api(mw, role):
    before = Notification.objects.count()
    response = api_as(getattr(mw.users, role)).post(
        "/api/v1/notifications/", {"kind": "x", "text": "x"}, format="json"
    )
    assert response.status_code == 405
    assert Notification.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Compliance settings, a pairing's compliance, the to-do, the board, the figures, the calendar
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_compliance_settings_read_and_write(mw, role):
    client = api_as(getattr(mw.users, role))
    assert (
        client.get("/api/v1/compliance-settings/").status_code == (COMPLIANCE_SETTINGS_READ[role])
    )
    response = client.patch("/api/v1/compliance-settings/", {"due_soon_days": 7}, format="json")
    assert response.status_code == COMPLIANCE_SETTINGS_WRITE[role], response.content
    changed = ComplianceSettings.objects.filter(due_soon_days=7).exists()
    assert changed == (COMPLIANCE_SETTINGS_WRITE[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_todo_lists_only_the_members_own_duties(mw, role):
    expected = TODO_EXPECTED[role]
    response = api_as(getattr(mw.users, role)).get("/api/v1/compliance/todo/")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["member"]["id"] == getattr(mw.users, role).member_id
    assert {duty["pairing"] for duty in body["duties"]} == {_resolve(mw, k).pk for k in expected}


@pytest.mark.parametrize("role", ROLES)
def test_board_shows_exactly_the_scope(mw, role):
    expected = BOARD_EXPECTED[role]
    response = api_as(getattr(mw.users, role)).get("/api/v1/compliance/board/")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    scope, keys = expected
    body = response.json()
    assert body["scope"] == scope
    if scope == "city":
        shown = {row["unit"]["id"] for row in body["by_unit"]}
    else:
        assert body["unit"]["id"] == getattr(mw.users, role).unit_id
        shown = {row["pairing"] for row in body["pairings"]}
    assert shown == {_resolve(mw, key).pk for key in keys}


@pytest.mark.parametrize("role", list(BOARD_OF_OTHER_UNIT))
def test_board_of_the_other_unit(mw, role):
    status, keys = BOARD_OF_OTHER_UNIT[role]
    client = api_as(getattr(mw.users, role))
    response = client.get("/api/v1/compliance/board/", {"unit": mw.other_unit.pk})
    assert response.status_code == status, response.content
    if status == 200:
        assert {row["pairing"] for row in response.json()["pairings"]} == {
            _resolve(mw, key).pk for key in keys
        }
    else:
        _same_answer(response, client.get("/api/v1/compliance/board/", {"unit": MISSING_ID}))


def _figures(client, world, **params):
    return client.get(
        "/api/v1/figures/pairing/", {"from": str(world.start), "to": str(world.today), **params}
    )


@pytest.mark.parametrize("role", ROLES)
def test_figures_count_exactly_the_scope(mw, role):
    expected = FIGURES_EXPECTED[role]
    response = _figures(api_as(getattr(mw.users, role)), mw)
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    units, pairings, visits = expected
    body = response.json()
    assert {row["unit"]["id"] for row in body["by_unit"]} == {_resolve(mw, k).pk for k in units}
    assert (body["pairings"], body["visits"]) == (pairings, visits)


@pytest.mark.parametrize("role", list(FIGURES_OF_OTHER_UNIT))
def test_figures_of_the_other_unit(mw, role):
    status, units = FIGURES_OF_OTHER_UNIT[role]
    client = api_as(getattr(mw.users, role))
    response = _figures(client, mw, unit=mw.other_unit.pk)
    assert response.status_code == status, response.content
    if status == 200:
        shown = {row["unit"]["id"] for row in response.json()["by_unit"]}
        assert shown == {_resolve(mw, k).pk for k in units}
    else:
        _same_answer(response, _figures(client, mw, unit=MISSING_ID))


@pytest.mark.usefixtures("official_calendar")
@pytest.mark.parametrize("role", ROLES)
def test_calendar_is_read_by_everyone_signed_in(mw, role):
    client = api_as(getattr(mw.users, role))
    days = client.get("/api/v1/calendar/days/", {"from": "2025-10-01", "to": "2025-10-08"})
    assert days.status_code == CALENDAR_EXPECTED[role], days.content
    assert len(days.json()) == 8
    deadline = client.get("/api/v1/calendar/deadline/", {"start": "2025-09-30", "workdays": 1})
    assert deadline.status_code == CALENDAR_EXPECTED[role], deadline.content
    assert deadline.json()["deadline"] == "2025-10-09"


# ---------------------------------------------------------------------------------------------
# Anonymous
# ---------------------------------------------------------------------------------------------

ANONYMOUS_GETS = [
    *(f"{endpoint}/" for endpoint in LIST_EXPECTED),
    "compliance-settings/",
    "compliance/todo/",
    "compliance/board/",
    "figures/pairing/",
    "calendar/days/?from=2025-10-01&to=2025-10-08",
    "calendar/deadline/?start=2025-09-30&workdays=1",
]


@pytest.mark.parametrize("url", ANONYMOUS_GETS)
def test_anonymous_is_refused_everywhere(mw, api, url):
    assert api.get(f"/api/v1/{url}").status_code in (401, 403)


@pytest.mark.parametrize("url", list(DETAIL_RECORDS))
def test_anonymous_gets_no_detail(mw, api, url):
    own_key, _ = DETAIL_RECORDS[url]
    assert api.get(_detail_url(mw, url, own_key, "committee")).status_code in (401, 403)


@pytest.mark.parametrize("url", list(ACTIONS))
def test_anonymous_changes_nothing(mw, api, url):
    method, (own_key, _), body, happened = ACTIONS[url]
    record_key = _record_key(own_key, "committee")
    target = "/api/v1/" + url.format(id=_resolve(mw, record_key).pk)
    response = getattr(api, method)(target, body(mw, record_key), format="json")
    assert response.status_code in (401, 403)
    assert not happened(mw, record_key)


@pytest.mark.parametrize("endpoint", list(CREATES))
def test_anonymous_creates_nothing(mw, api, endpoint):
    model, body = CREATES[endpoint]
    before = model.objects.count()
    assert api.post(f"/api/v1/{endpoint}/", body(mw, "own"), format="json").status_code in (
        401,
        403,
    )
    assert model.objects.count() == before


def test_the_matrix_reaches_every_new_route():
    """A route added to /api/v1/ for pairings, compliance, figures, calendar or notifications
    without a row here fails this test."""
    from config import api_urls

    declared = {
        "pairings/",
        "pairings/{id}/",
        "pairings/{id}/handover/",
        "pairings/{id}/end/",
        "pairings/{id}/compliance/",
        "visits/",
        "visits/{id}/",
        "visits/{id}/photos/{photo}/",
        "partnerships/",
        "partnerships/{id}/",
        "partnerships/{id}/end/",
        "partnership-projects/",
        "partnership-projects/{id}/",
        "notifications/",
        "notifications/{id}/",
        "notifications/{id}/read/",
        "compliance-settings/",
        "compliance/todo/",
        "compliance/board/",
        "figures/pairing/",
        "calendar/days/",
        "calendar/deadline/",
    }
    covered = (
        {f"{e}/" for e in LIST_EXPECTED}
        | set(DETAIL_EXPECTED)
        | set(ACTION_EXPECTED)
        | {f"{e}/" for e in CREATE_EXPECTED}
        | {"compliance-settings/", "compliance/todo/", "compliance/board/", "figures/pairing/"}
        | {"calendar/days/", "calendar/deadline/"}
    )
    assert declared <= covered
    prefixes = (
        "pairing",
        "visit",
        "partnership",
        "notification",
        "compliance",
        "figures/pairing",
        "calendar",
    )
    routes = set()
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern).lstrip("^")
        if not route.startswith(prefixes) or "format" in route:
            continue
        routes.add(route)
    normalised = {_normalise(route) for route in routes}
    assert normalised == declared, normalised ^ declared


def _normalise(route: str) -> str:
    """A Django/DRF route as written in the tables: `pairings/<id:pk>/` -> `pairings/{id}/`."""
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<(?:int|id):pk>|\(\?P<pk>\[\^/\.\]\+\)", "{id}", route)
    route = re.sub(r"\(\?P<photo_pk>\[0-9\]\+\)", "{photo}", route)
    return route
