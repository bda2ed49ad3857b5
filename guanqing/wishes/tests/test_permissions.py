"""The API permission matrix of 微心愿: every endpoint × every role × an own and an other record.

Like guanqing/core/tests/test_api_matrix_pairing.py, every expectation is written out by hand
(never derived from `visible_to`), so a change of scope in a queryset or of a role list in a view
fails a cell here; and a record outside the scope answers exactly like a missing one.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.wishes.models import Wish, WishClaim
from guanqing.wishes.tests.factories import make_wish, wish_world

ROLES = [r.value for r in Role]
FORBIDDEN = "403"
MISSING_ID = 999_999
ALL_OK = (200, 200)
NONE = (404, 404)
OWN = (200, 404)
DENIED = (403, 403)
BUSINESS = {"committee", "unit_admin", "member", "community_worker", "window_clerk", "fund_officer"}


@pytest.fixture
def pw(world):
    """In 徐家漕社区 (own) and 别的社区 (other): a published wish claimed by 张三 (市纪委) / by
    李四 (市发改委), a pending wish posted by a second worker, an open wish nobody claimed, and a
    fulfilled wish (张三's / 李四's)."""
    wish_world(world)
    u = world.users
    other = {"community": world.other_community, "household": world.other_household}
    world.wish = make_wish(world, "published", capacity=2, claimants=[world.member])
    world.other_wish = make_wish(
        world, "published", capacity=2, claimants=[world.other_member], **other
    )
    world.pending = make_wish(world, "pending", posted_by=u.worker2)
    world.other_pending = make_wish(world, "pending", posted_by=u.other_worker, **other)
    world.open = make_wish(world, "published")
    world.other_open = make_wish(world, "published", **other)
    world.fulfilled = make_wish(world, "fulfilled", claimants=[world.member])
    world.other_fulfilled = make_wish(world, "fulfilled", claimants=[world.other_member], **other)
    world.claim = WishClaim.objects.get(wish=world.wish)
    world.other_claim = WishClaim.objects.get(wish=world.other_wish)
    world.fulfilled_claim = WishClaim.objects.get(wish=world.fulfilled)
    world.other_fulfilled_claim = WishClaim.objects.get(wish=world.other_fulfilled)
    cache.clear()
    return world


def _user(world, role):
    return getattr(world.users, role)


def _pk(world, key):
    return getattr(world, key).pk


# ---------------------------------------------------------------------------------------------
# Lists: role -> the records shown, or FORBIDDEN
# ---------------------------------------------------------------------------------------------

OWN_WISHES = {"wish", "pending", "open", "fulfilled"}
OTHER_WISHES = {"other_wish", "other_pending", "other_open", "other_fulfilled"}
ALL_CLAIMS = {"claim", "other_claim", "fulfilled_claim", "other_fulfilled_claim"}
NOBODY = {r: FORBIDDEN for r in ("window_clerk", "fund_officer")} | {
    r: FORBIDDEN for r in ("system_admin", "security_admin", "audit_admin")
}

LIST_EXPECTED: dict[str, dict[str, set[str] | str]] = {
    "wishes": {
        "committee": OWN_WISHES | OTHER_WISHES,
        "unit_admin": {"wish", "fulfilled"},  # what 市纪委's members claimed
        "member": {"wish", "other_wish", "open", "other_open", "fulfilled"},  # the wall + its own
        "community_worker": OWN_WISHES,  # its community, every state
        **NOBODY,
    },
    "wish-claims": {
        "committee": ALL_CLAIMS,
        "unit_admin": {"claim", "fulfilled_claim"},
        "member": {"claim", "fulfilled_claim"},
        "community_worker": {"claim", "fulfilled_claim"},
        **NOBODY,
    },
}

# ---------------------------------------------------------------------------------------------
# Details: url -> (own, other) record keys; role -> (status own, status other)
# ---------------------------------------------------------------------------------------------

DETAIL_RECORDS = {
    "wishes/{id}/": ("wish", "other_pending"),
    "wishes/{id}/events/": ("wish", "other_pending"),
    "wish-claims/{id}/": ("claim", "other_claim"),
}
READ = {
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
DETAIL_EXPECTED = {url: READ for url in DETAIL_RECORDS}

# ---------------------------------------------------------------------------------------------
# Actions: url -> (own, other) record keys, body, "did it happen?"; role -> (own, other)
# ---------------------------------------------------------------------------------------------


def _status_is(status):
    return lambda world, key: Wish.objects.get(pk=_pk(world, key)).status == status


def _claimed_by(role):
    def check(world, key):
        return WishClaim.objects.filter(
            wish_id=_pk(world, key), member_id=_user(world, role).member_id, status="active"
        ).exists()

    return check


ACTIONS = {
    "wishes/{id}/approve/": (("pending", "other_pending"), {}, _status_is("published")),
    "wishes/{id}/reject/": (
        ("pending", "other_pending"),
        {"reason": "不符合"},
        _status_is("rejected"),
    ),
    "wishes/{id}/cancel/": (("open", "other_open"), {"reason": "已解决"}, _status_is("cancelled")),
    "wishes/{id}/claim/": (("open", "other_open"), {}, None),
    "wishes/{id}/withdraw/": (("wish", "other_wish"), {"reason": "出差"}, None),
    "wishes/{id}/fulfil/": (("wish", "other_wish"), {"note": "完成"}, _status_is("fulfilled")),
    "wishes/{id}/confirm/": (("fulfilled", "other_fulfilled"), {}, _status_is("confirmed")),
    "wishes/{id}/confirmation-code/": (("fulfilled", "other_fulfilled"), {}, None),
}
REVIEW = {
    "committee": ALL_OK,
    "unit_admin": NONE,  # a pending wish is nobody's but its community's and the committee's
    "member": NONE,
    "community_worker": OWN,  # the second pair of eyes (the poster is worker2)
    "window_clerk": DENIED,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}
CLAIMANT = {
    "committee": DENIED,
    "unit_admin": (403, 404),  # sees 张三's wish, may not act for him
    "member": (200, 400),  # 李四's wish is on the wall, but 张三 holds no claim on it
    "community_worker": (403, 404),
    "window_clerk": DENIED,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}
CONFIRM = {
    "committee": DENIED,  # the community confirms with the resident
    "unit_admin": (403, 404),
    "member": (403, 404),
    "community_worker": OWN,
    "window_clerk": DENIED,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}
ACTION_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "wishes/{id}/approve/": REVIEW,
    "wishes/{id}/reject/": REVIEW,
    "wishes/{id}/cancel/": {
        "committee": ALL_OK,
        "unit_admin": NONE,
        "member": DENIED,  # on the wall: seen, not editable
        "community_worker": OWN,
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "wishes/{id}/claim/": {
        "committee": DENIED,
        "unit_admin": NONE,  # it sees only wishes its members claimed
        "member": (201, 201),  # the wall is city-wide
        "community_worker": (403, 404),
        "window_clerk": DENIED,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "wishes/{id}/withdraw/": CLAIMANT,
    "wishes/{id}/fulfil/": CLAIMANT,
    "wishes/{id}/confirm/": CONFIRM,
    "wishes/{id}/confirmation-code/": CONFIRM,
}

# ---------------------------------------------------------------------------------------------
# Creates and the endpoints without records of their own
# ---------------------------------------------------------------------------------------------

CREATE_EXPECTED = {  # role -> (own community, other community)
    role: (201, 400) if role == "community_worker" else DENIED for role in ROLES
}
FIGURES_EXPECTED = {
    role: 200 if role in {"committee", "unit_admin", "community_worker"} else 403 for role in ROLES
}
SETTINGS_READ = {role: 200 if role in BUSINESS else 403 for role in ROLES}
SETTINGS_WRITE = {role: 200 if role == "committee" else 403 for role in ROLES}


def test_the_tables_cover_every_role_and_endpoint():
    for table in (LIST_EXPECTED, DETAIL_EXPECTED, ACTION_EXPECTED):
        for endpoint, by_role in table.items():
            assert set(by_role) == set(ROLES), endpoint
    for by_role in (CREATE_EXPECTED, FIGURES_EXPECTED, SETTINGS_READ, SETTINGS_WRITE):
        assert set(by_role) == set(ROLES)
    assert set(ACTION_EXPECTED) == set(ACTIONS)


@pytest.mark.parametrize("endpoint", list(LIST_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(pw, role, endpoint):
    expected = LIST_EXPECTED[endpoint][role]
    response = api_as(_user(pw, role)).get(f"/api/v1/{endpoint}/?page_size=500")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    shown = {row["id"] for row in response.json()["results"]}
    assert shown == {_pk(pw, key) for key in expected}


@pytest.mark.parametrize("url", list(DETAIL_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_detail_answers_own_and_other_record(pw, role, url):
    client = api_as(_user(pw, role))
    for key, expected in zip(DETAIL_RECORDS[url], DETAIL_EXPECTED[url][role], strict=True):
        response = client.get("/api/v1/" + url.format(id=_pk(pw, key)))
        assert response.status_code == expected, (key, response.content[:300])


@pytest.mark.parametrize("url", list(ACTION_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_action_answers_own_and_other_record(pw, role, url):
    keys, body, happened = ACTIONS[url]
    client = api_as(_user(pw, role))
    for key, expected in zip(keys, ACTION_EXPECTED[url][role], strict=True):
        before = Wish.objects.get(pk=_pk(pw, key)).status
        response = client.post("/api/v1/" + url.format(id=_pk(pw, key)), body, format="json")
        assert response.status_code == expected, (key, response.content[:300])
        if happened is not None:
            if expected == 200:
                assert happened(pw, key), key
            else:
                assert Wish.objects.get(pk=_pk(pw, key)).status == before
        if url.endswith("claim/"):
            assert _claimed_by(role)(pw, key) == (expected == 201)


def _out_of_scope_cells(table):
    return [
        (url, role)
        for url, by_role in table.items()
        for role, (own, other) in by_role.items()
        if other == 404
    ]


@pytest.mark.parametrize(
    ("url", "role"),
    _out_of_scope_cells(DETAIL_EXPECTED) + _out_of_scope_cells(ACTION_EXPECTED),
)
def test_an_out_of_scope_record_answers_exactly_like_a_missing_one(pw, url, role):
    client = api_as(_user(pw, role))
    if url in DETAIL_RECORDS:
        other = DETAIL_RECORDS[url][1]
        call = client.get
        body = None
    else:
        (_, other), body, _ = ACTIONS[url]
        call = client.post
    out_of_scope = call("/api/v1/" + url.format(id=_pk(pw, other)), body, format="json")
    missing = call("/api/v1/" + url.format(id=MISSING_ID), body, format="json")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content


@pytest.mark.parametrize("role", ROLES)
def test_create(pw, role):
    client = api_as(_user(pw, role))
    for community, expected in zip(
        (pw.community, pw.other_community), CREATE_EXPECTED[role], strict=True
    ):
        before = Wish.objects.count()
        response = client.post(
            "/api/v1/wishes/",
            {
                "title": "矩阵心愿",
                "category": "goods",
                "deadline": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
                "community": community.code,
            },
            format="json",
        )
        assert response.status_code == expected, (community.name, response.content[:300])
        assert Wish.objects.count() == before + (1 if expected == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_figures_and_settings(pw, role):
    client = api_as(_user(pw, role))
    assert client.get("/api/v1/figures/wishes/").status_code == FIGURES_EXPECTED[role]
    assert client.get("/api/v1/wish-settings/").status_code == SETTINGS_READ[role]
    response = client.patch("/api/v1/wish-settings/", {"claim_period_days": 20}, format="json")
    assert response.status_code == SETTINGS_WRITE[role]


@pytest.mark.parametrize("role", ROLES)
def test_confirm_by_token_is_open_to_everyone_and_needs_the_code(pw, role):
    response = api_as(_user(pw, role)).post(
        "/api/v1/wishes/confirm-by-token/", {"token": "not-a-code"}, format="json"
    )
    assert response.status_code == 400


def test_the_endpoints_need_a_signed_in_user(pw, api):
    for url in ("wishes/", f"wishes/{pw.wish.pk}/", "wish-claims/", "figures/wishes/"):
        assert api.get(f"/api/v1/{url}").status_code in (401, 403)
    assert api.post(f"/api/v1/wishes/{pw.open.pk}/claim/").status_code in (401, 403)


def test_the_matrix_reaches_every_wish_route():
    """A route added to /api/v1/ for wishes without a row here fails this test."""
    import re

    from config import api_urls

    covered = (
        {f"{e}/" for e in LIST_EXPECTED}
        | set(DETAIL_EXPECTED)
        | set(ACTION_EXPECTED)
        | {
            "wishes/{id}/photos/{photo}/",  # test_api.py: a claimant reads it, another gets 404
            "wishes/confirm-by-token/",
            "figures/wishes/",
            "wish-settings/",
        }
    )
    routes = set()
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        if route.startswith(("wish", "figures/wishes")) and "format" not in route:
            route = re.sub(r"<int:pk>|\(\?P<pk>\[\^/\.\]\+\)", "{id}", route)
            routes.add(re.sub(r"\(\?P<photo_pk>\[0-9\]\+\)", "{photo}", route))
    assert routes == covered, routes ^ covered
