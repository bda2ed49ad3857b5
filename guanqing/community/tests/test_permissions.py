"""The API permission matrix of 党员进社区: registrations, activities (and their actions), sign-ups,
check-ins, hours added by hand, ratings, the unit's roster and the figures.

Like guanqing/core/tests/test_api_matrix_pairing.py, every expectation is written out by hand per
role (never derived from `visible_to`), so a change of scope in a queryset or of a role list in a
view fails a cell here. A record outside the role's scope answers exactly like a missing id.

Scope decisions the tables pin down:
- a member finds the published activities of every community (and signs up for any of them),
  but sees only its own registrations, sign-ups, check-ins, hours and ratings;
- a unit administrator sees its members' registrations, sign-ups, check-ins, hours and ratings
  (双评价: the community's opinion goes back to the unit) and the activities its members signed
  up for, never another unit's;
- a community worker sees its community's records and decides on them; the committee sees
  everything and changes nothing here.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.tests import code_now, community_world
from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.testing.module_rows import module_rows, module_world

ROLES = [r.value for r in Role]
FORBIDDEN = "403"
MISSING_ID = 999_999
API = "/api/v1/community/"
BUSINESS_OTHERS = ("window_clerk", "fund_officer")
ADMINS = ("system_admin", "security_admin", "audit_admin")


def _denied_to_the_rest(table: dict, value) -> dict:
    """The roles the table does not name answer `value` (the endpoint is not theirs)."""
    return {role: table.get(role, value) for role in ROLES}


# written once for the module: every test meets them as written (testing/module_rows)
_module_rows, cw = module_rows("cw", community_world, pinned=False)
world = module_world("cw", lambda rows: rows)


def _resolve(world, key: str):
    return getattr(world, key)


# ---------------------------------------------------------------------------------------------
# Lists: role -> which records the list shows (or FORBIDDEN)
# ---------------------------------------------------------------------------------------------

REGISTRATIONS = {"registration", "other_registration", "pending", "other_pending", "unrated"}
ACTIVITIES = {
    "activity",
    "other_activity",
    "live",
    "other_live",
    "upcoming",
    "other_upcoming",
    "booked",
    "other_booked",
}
SIGNUPS = {
    "signup",
    "other_signup",
    "live_signup",
    "other_live_signup",
    "upcoming_signup",
    "booked_signup",
    "other_booked_signup",
}

LIST_EXPECTED: dict[str, dict[str, set[str] | str]] = {
    "registrations": _denied_to_the_rest(
        {
            "committee": REGISTRATIONS,
            "unit_admin": {"registration", "pending", "unrated"},  # 张三, 王五, 钱七 of 市纪委
            "member": {"registration"},
            "community_worker": {"registration", "pending", "unrated"},  # 徐家漕社区
        },
        FORBIDDEN,
    ),
    "activities": _denied_to_the_rest(
        {
            "committee": ACTIVITIES,
            "unit_admin": {"activity", "live", "upcoming", "booked"},  # its members signed up
            "member": ACTIVITIES,  # every published activity, to find one
            "community_worker": {"activity", "live", "upcoming", "booked"},
        },
        FORBIDDEN,
    ),
    "signups": _denied_to_the_rest(
        {
            "committee": SIGNUPS,
            "unit_admin": {"signup", "live_signup", "upcoming_signup", "booked_signup"},
            "member": {"signup", "live_signup", "booked_signup"},
            "community_worker": {"signup", "live_signup", "upcoming_signup", "booked_signup"},
        },
        FORBIDDEN,
    ),
    "attendances": _denied_to_the_rest(
        {
            "committee": {"attendance", "other_attendance"},
            "unit_admin": {"attendance"},
            "member": {"attendance"},
            "community_worker": {"attendance"},
        },
        FORBIDDEN,
    ),
    "hours": _denied_to_the_rest(
        {
            "committee": {"manual", "other_manual"},
            "unit_admin": {"manual"},
            "member": {"manual"},
            "community_worker": {"manual"},
        },
        FORBIDDEN,
    ),
    "ratings": _denied_to_the_rest(
        {
            "committee": {"rating", "other_rating"},
            "unit_admin": {"rating"},
            "member": {"rating"},
            "community_worker": {"rating"},
        },
        FORBIDDEN,
    ),
}

# ---------------------------------------------------------------------------------------------
# Details: url -> (own record, other record); role -> (status for own, status for other)
# ---------------------------------------------------------------------------------------------

DETAIL_RECORDS = {
    "registrations/{id}/": ("registration", "other_registration"),
    "activities/{id}/": ("activity", "other_activity"),
    "signups/{id}/": ("signup", "other_signup"),
    "attendances/{id}/": ("attendance", "other_attendance"),
    "hours/{id}/": ("manual", "other_manual"),
    "ratings/{id}/": ("rating", "other_rating"),
}

ALL_OK = (200, 200)
NONE = (404, 404)
OWN = (200, 404)
DENIED = (403, 403)

READ_OWN = _denied_to_the_rest(
    {"committee": ALL_OK, "unit_admin": OWN, "member": OWN, "community_worker": OWN}, DENIED
)
DETAIL_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "registrations/{id}/": READ_OWN,
    "activities/{id}/": _denied_to_the_rest(
        {"committee": ALL_OK, "unit_admin": OWN, "member": ALL_OK, "community_worker": OWN},
        DENIED,
    ),
    "signups/{id}/": READ_OWN,
    "attendances/{id}/": READ_OWN,
    "hours/{id}/": READ_OWN,
    "ratings/{id}/": READ_OWN,
}

# ---------------------------------------------------------------------------------------------
# Actions on a record -> role -> (status for own, status for other)
# ---------------------------------------------------------------------------------------------

SEE_BOTH = (403, 403)  # sees both records, may do this on neither
SEE_OWN = (403, 404)  # sees its own record but may not do this; the other does not exist
CHANGE_OWN = (200, 404)


def _registration_confirmed(world, key):
    return Registration.objects.get(pk=_resolve(world, key).pk).status == "confirmed"


def _registration_rejected(world, key):
    return Registration.objects.get(pk=_resolve(world, key).pk).status == "rejected"


def _activity_cancelled(world, key):
    return Activity.objects.get(pk=_resolve(world, key).pk).status == "cancelled"


def _signed_up(world, key):
    return ActivitySignup.objects.filter(
        activity=_resolve(world, key), member=world.member, status="signed_up"
    ).exists()


def _withdrawn(world, key):
    return ActivitySignup.objects.filter(
        activity=_resolve(world, key), member=world.member, status="cancelled"
    ).exists()


def _checked_in(world, key):
    return Attendance.objects.filter(activity=_resolve(world, key), member=world.member).exists()


def _checked_out(world, key):
    return Attendance.objects.filter(
        activity=_resolve(world, key), member=world.member, checked_out_at__isnull=False
    ).exists()


def _nothing(world, key):
    return None  # showing the code changes nothing


def _code_body(world, key):
    return {"code": code_now(_resolve(world, key))}


# url -> (method, (own, other) record keys, body, "did it happen?")
ACTIONS = {
    "registrations/{id}/confirm/": (
        "post",
        ("pending", "other_pending"),
        lambda w, k: {},
        _registration_confirmed,
    ),
    "registrations/{id}/reject/": (
        "post",
        ("pending", "other_pending"),
        lambda w, k: {"reason": "不在本社区居住"},
        _registration_rejected,
    ),
    "activities/{id}/cancel/": (
        "post",
        ("upcoming", "other_upcoming"),
        lambda w, k: {"reason": "天气原因"},
        _activity_cancelled,
    ),
    "activities/{id}/signup/": (
        "post",
        ("upcoming", "other_upcoming"),
        lambda w, k: {},
        _signed_up,
    ),
    "activities/{id}/withdraw/": (
        "post",
        ("booked", "other_booked"),
        lambda w, k: {},
        _withdrawn,
    ),
    "activities/{id}/check-in/": ("post", ("live", "other_live"), _code_body, _checked_in),
    "activities/{id}/check-out/": (
        "post",
        ("activity", "other_activity"),
        _code_body,
        _checked_out,
    ),
    "activities/{id}/code/": ("get", ("activity", "other_activity"), lambda w, k: {}, _nothing),
}

WORKER_DECIDES = _denied_to_the_rest(
    {
        "committee": SEE_BOTH,
        "unit_admin": SEE_OWN,  # its member's registration: sees it, does not decide on it
        "member": NONE,  # 王五's and 赵六's registrations are not 张三's
        "community_worker": CHANGE_OWN,
    },
    DENIED,
)
MEMBER_ACTS = {
    "committee": SEE_BOTH,
    "unit_admin": SEE_OWN,
    "community_worker": SEE_OWN,
}

ACTION_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "registrations/{id}/confirm/": WORKER_DECIDES,
    "registrations/{id}/reject/": WORKER_DECIDES,
    "activities/{id}/cancel/": _denied_to_the_rest(
        {
            "committee": SEE_BOTH,
            "unit_admin": SEE_OWN,
            "member": SEE_BOTH,  # sees every published activity
            "community_worker": CHANGE_OWN,
        },
        DENIED,
    ),
    # a member signs up anywhere; the others see the activity but have no member to sign up
    "activities/{id}/signup/": _denied_to_the_rest({**MEMBER_ACTS, "member": (201, 201)}, DENIED),
    # the other activity is 李四's: 张三 has no place there to give back, nor a check-in
    "activities/{id}/withdraw/": _denied_to_the_rest({**MEMBER_ACTS, "member": (200, 400)}, DENIED),
    "activities/{id}/check-in/": _denied_to_the_rest({**MEMBER_ACTS, "member": (201, 400)}, DENIED),
    "activities/{id}/check-out/": _denied_to_the_rest(
        {**MEMBER_ACTS, "member": (200, 400)}, DENIED
    ),
    "activities/{id}/code/": _denied_to_the_rest(
        {
            "committee": SEE_BOTH,
            "unit_admin": SEE_OWN,
            "member": SEE_BOTH,
            "community_worker": CHANGE_OWN,
        },
        DENIED,
    ),
}

# ---------------------------------------------------------------------------------------------
# Creates: POST on a list, aimed at the own side and (where there is one) at the other side
# ---------------------------------------------------------------------------------------------


def _registration_body(world, side):
    return {"role": "policy", "term": world.term.next().label}


def _soon():
    return timezone.localdate() + datetime.timedelta(days=60)


def _activity_body(world, side):
    return {
        "title": "矩阵活动",
        "role": "all",
        "starts_at": f"{_soon()}T09:00:00+08:00",
        "ends_at": f"{_soon()}T11:00:00+08:00",
        "place": "社区广场",
        "places": 5,
    }


def _hours_body(world, side):
    activity, member = (
        (world.activity, world.member)
        if side == "own"
        else (world.other_activity, world.other_member)
    )
    return {"activity": activity.pk, "member": member.pk, "hours": "0.5", "reason": "补录"}


def _rating_body(world, side):
    member = world.neighbour if side == "own" else world.other_member
    return {"member": member.pk, "term": world.term.label, "grade": "competent"}


# endpoint -> (model, body, sides)
CREATES = {
    "registrations": (Registration, _registration_body, ("own",)),
    "activities": (Activity, _activity_body, ("own",)),
    "hours": (ManualHours, _hours_body, ("own", "other")),
    "ratings": (Rating, _rating_body, ("own", "other")),
}
REFERENCE_OUT_OF_SCOPE = 400  # the body names a record the role does not see: 400 on the field

CREATE_EXPECTED: dict[str, dict[str, tuple[int, ...]]] = {
    "registrations": {role: (201,) if role == "member" else (403,) for role in ROLES},
    "activities": {role: (201,) if role == "community_worker" else (403,) for role in ROLES},
    "hours": {
        role: (201, REFERENCE_OUT_OF_SCOPE) if role == "community_worker" else DENIED
        for role in ROLES
    },
    "ratings": {
        role: (201, REFERENCE_OUT_OF_SCOPE) if role == "community_worker" else DENIED
        for role in ROLES
    },
}

# ---------------------------------------------------------------------------------------------
# The roster and the figures
# ---------------------------------------------------------------------------------------------

# role -> the members the roster lists, or FORBIDDEN
ROSTER_EXPECTED: dict[str, set[str] | str] = _denied_to_the_rest(
    {
        "committee": {"member", "other_member", "colleague", "other_colleague", "neighbour"},
        "unit_admin": {"member", "colleague", "neighbour"},
    },
    FORBIDDEN,
)
ROSTER_OF_OTHER_UNIT = {
    "committee": (200, {"other_member", "other_colleague"}),
    "unit_admin": (404, set()),
}
# role -> registrations counted this half-year, or FORBIDDEN
FIGURES_EXPECTED: dict[str, int | str] = _denied_to_the_rest(
    {"committee": 5, "unit_admin": 3, "community_worker": 3}, FORBIDDEN
)
FIGURES_OF_OTHER_UNIT = {
    "committee": (200, 2),
    "unit_admin": (404, None),
    "community_worker": (200, 0),  # it sees the unit, not the registrations made elsewhere
}


def test_the_tables_cover_every_role_and_endpoint():
    for table in (LIST_EXPECTED, DETAIL_EXPECTED, ACTION_EXPECTED, CREATE_EXPECTED):
        for endpoint, by_role in table.items():
            assert set(by_role) == set(ROLES), endpoint
    for by_role in (ROSTER_EXPECTED, FIGURES_EXPECTED):
        assert set(by_role) == set(ROLES)
    assert set(DETAIL_EXPECTED) == set(DETAIL_RECORDS)
    assert set(ACTION_EXPECTED) == set(ACTIONS)
    assert set(CREATE_EXPECTED) == set(CREATES)
    assert set(ROSTER_OF_OTHER_UNIT) == {r for r, v in ROSTER_EXPECTED.items() if v != FORBIDDEN}
    assert set(FIGURES_OF_OTHER_UNIT) == {r for r, v in FIGURES_EXPECTED.items() if v != FORBIDDEN}


# ---------------------------------------------------------------------------------------------
# Lists and details
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(LIST_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(cw, role, endpoint):
    expected = LIST_EXPECTED[endpoint][role]
    response = api_as(getattr(cw.users, role)).get(f"{API}{endpoint}/?page_size=500")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    body = response.json()
    shown = {row["id"] for row in body["results"]}
    assert shown == {_resolve(cw, key).pk for key in expected}
    assert body["count"] == len(expected)


@pytest.mark.parametrize("url", list(DETAIL_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_detail_answers_own_and_other_record(cw, role, url):
    client = api_as(getattr(cw.users, role))
    for key, expected in zip(DETAIL_RECORDS[url], DETAIL_EXPECTED[url][role], strict=True):
        response = client.get(API + url.format(id=_resolve(cw, key).pk))
        assert response.status_code == expected, (key, response.content[:300])
        if expected == 200:
            assert response.json()["id"] == _resolve(cw, key).pk


def _out_of_scope_cells(table):
    return [
        (url, role)
        for url, by_role in table.items()
        for role, (own, other) in by_role.items()
        if other == 404
    ]


def _same_answer(first, second):
    assert first.status_code == second.status_code == 404
    assert first.content == second.content


@pytest.mark.parametrize(("url", "role"), _out_of_scope_cells(DETAIL_EXPECTED))
def test_an_out_of_scope_record_answers_exactly_like_a_missing_one(cw, url, role):
    client = api_as(getattr(cw.users, role))
    other = _resolve(cw, DETAIL_RECORDS[url][1])
    _same_answer(
        client.get(API + url.format(id=other.pk)), client.get(API + url.format(id=MISSING_ID))
    )


@pytest.mark.parametrize("url", list(DETAIL_RECORDS))
def test_records_are_neither_changed_nor_deleted_through_the_api(cw, url):
    obj = _resolve(cw, DETAIL_RECORDS[url][0])
    client = api_as(cw.users.community_worker)
    target = API + url.format(id=obj.pk)
    assert client.delete(target).status_code == 405
    assert client.patch(target, {}, format="json").status_code == 405
    assert type(obj).objects.filter(pk=obj.pk).exists()


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", list(ACTION_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_actions_are_allowed_only_where_declared(cw, role, url):
    method, keys, body, happened = ACTIONS[url]
    client = api_as(getattr(cw.users, role))
    for key, expected in zip(keys, ACTION_EXPECTED[url][role], strict=True):
        target = API + url.format(id=_resolve(cw, key).pk)
        response = getattr(client, method)(target, body(cw, key), format="json")
        assert response.status_code == expected, (key, response.content[:300])
        result = happened(cw, key)
        if result is not None:
            assert result == (expected in (200, 201)), key


@pytest.mark.parametrize(("url", "role"), _out_of_scope_cells(ACTION_EXPECTED))
def test_an_action_on_an_out_of_scope_record_answers_exactly_like_a_missing_one(cw, url, role):
    method, (_, other_key), body, _ = ACTIONS[url]
    client = api_as(getattr(cw.users, role))
    send = getattr(client, method)
    data = body(cw, other_key)
    out_of_scope = send(API + url.format(id=_resolve(cw, other_key).pk), data, format="json")
    missing = send(API + url.format(id=MISSING_ID), data, format="json")
    _same_answer(out_of_scope, missing)


# ---------------------------------------------------------------------------------------------
# Creates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(CREATE_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_create_is_allowed_only_where_declared(cw, role, endpoint):
    model, body, sides = CREATES[endpoint]
    client = api_as(getattr(cw.users, role))
    for side, expected in zip(sides, CREATE_EXPECTED[endpoint][role], strict=True):
        before = model.objects.count()
        data = body(cw, side)
        response = client.post(f"{API}{endpoint}/", data, format="json")
        assert response.status_code == expected, (side, response.content[:300])
        assert model.objects.count() == before + (1 if expected == 201 else 0), side
        if expected == REFERENCE_OUT_OF_SCOPE:
            assert next(iter(data)) in response.json(), response.content


@pytest.mark.parametrize(
    ("endpoint", "role"),
    [
        (endpoint, role)
        for endpoint, by_role in CREATE_EXPECTED.items()
        for role, statuses in by_role.items()
        if statuses[-1] == REFERENCE_OUT_OF_SCOPE and len(statuses) == 2
    ],
)
def test_a_reference_out_of_scope_is_refused_like_a_missing_one(cw, endpoint, role):
    _, body, _ = CREATES[endpoint]
    client = api_as(getattr(cw.users, role))
    data = body(cw, "other")
    field = next(iter(data))
    out_of_scope = client.post(f"{API}{endpoint}/", data, format="json")
    missing = client.post(f"{API}{endpoint}/", {**data, field: MISSING_ID}, format="json")
    assert out_of_scope.status_code == missing.status_code == 400
    assert [_without_id(m, data[field]) for m in out_of_scope.json()[field]] == [
        _without_id(m, MISSING_ID) for m in missing.json()[field]
    ]


def _without_id(message: str, pk) -> str:
    """The message with the id it names taken out (编号 12 … #12 …)."""
    return message.replace(f"编号 {pk} ", "编号 ? ").replace(f"#{pk} ", "#? ")


# ---------------------------------------------------------------------------------------------
# Roster and figures
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_roster_lists_exactly_the_units_members(cw, role):
    expected = ROSTER_EXPECTED[role]
    response = api_as(getattr(cw.users, role)).get(f"{API}roster/", {"page_size": 500})
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    shown = {row["member"] for row in response.json()["results"]}
    assert shown == {_resolve(cw, key).pk for key in expected}


@pytest.mark.parametrize("role", list(ROSTER_OF_OTHER_UNIT))
def test_roster_of_the_other_unit(cw, role):
    status, keys = ROSTER_OF_OTHER_UNIT[role]
    client = api_as(getattr(cw.users, role))
    response = client.get(f"{API}roster/", {"unit": cw.other_unit.pk})
    assert response.status_code == status, response.content
    if status == 200:
        shown = {row["member"] for row in response.json()["results"]}
        assert shown == {_resolve(cw, key).pk for key in keys}
    else:
        _same_answer(response, client.get(f"{API}roster/", {"unit": MISSING_ID}))


@pytest.mark.parametrize("role", ROLES)
def test_figures_count_exactly_the_scope(cw, role):
    expected = FIGURES_EXPECTED[role]
    response = api_as(getattr(cw.users, role)).get(f"{API}figures/")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    current = [row for row in response.json()["report_rate"] if row["term"] == cw.term.label]
    assert len(current) == 1
    registrations = Registration.objects.visible_to(getattr(cw.users, role))
    assert registrations.count() == expected  # the scope the figures are computed from
    assert response.json()["registrations"]["total"] == expected


@pytest.mark.parametrize("role", list(FIGURES_OF_OTHER_UNIT))
def test_figures_of_the_other_unit(cw, role):
    status, registrations = FIGURES_OF_OTHER_UNIT[role]
    client = api_as(getattr(cw.users, role))
    response = client.get(f"{API}figures/", {"unit": cw.other_unit.pk})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["registrations"]["total"] == registrations
    else:
        _same_answer(response, client.get(f"{API}figures/", {"unit": MISSING_ID}))


# ---------------------------------------------------------------------------------------------
# Anonymous, and every route has its row
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*(f"{e}/" for e in LIST_EXPECTED), "roster/", "figures/"])
def test_anonymous_is_refused_everywhere(cw, api, url):
    assert api.get(API + url).status_code in (401, 403)


@pytest.mark.parametrize("url", list(ACTIONS))
def test_anonymous_changes_nothing(cw, api, url):
    method, (own_key, _), body, happened = ACTIONS[url]
    target = API + url.format(id=_resolve(cw, own_key).pk)
    response = getattr(api, method)(target, body(cw, own_key), format="json")
    assert response.status_code in (401, 403)
    assert not happened(cw, own_key)


def test_the_matrix_reaches_every_community_route():
    """A route added under /api/v1/community/ without a row here fails this test."""
    from config import api_urls

    covered = (
        {f"{e}/" for e in LIST_EXPECTED}
        | set(DETAIL_EXPECTED)
        | set(ACTION_EXPECTED)
        | {f"{e}/" for e in CREATE_EXPECTED}
        | {"roster/", "figures/"}
    )
    routes = set()
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        if not route.startswith("community/") or "format" in route:
            continue
        route = re.sub(r"\(\?P<pk>\[\^/\.\]\+\)", "{id}", route.removeprefix("community/"))
        routes.add(route)
    assert routes == covered, routes ^ covered
