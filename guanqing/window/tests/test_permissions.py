"""The API permission matrix of the service window: every endpoint × every role × an own and an
other record.

Like guanqing/wishes/tests/test_permissions.py, every expectation is written out by hand (never
derived from `visible_to` or the access table), so a change of scope in a queryset or of a rule in
the table fails a cell here; and a record outside the scope answers exactly like a missing one.

"Own" is the world's unit (市纪委): its window, worked by the world's window clerk, and its matter;
"other" is the other unit's (市发改委) window, with a clerk of its own, and its matter.
"""

from __future__ import annotations

import datetime

import pytest

from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.testing.module_rows import module_rows, module_world
from guanqing.window import services
from guanqing.window.models import Case, CaseEvent
from guanqing.window.tests import factories as wf

ROLES = [r.value for r in Role]
FORBIDDEN = "403"
MISSING_ID = 999_999
ALL_OK = (200, 200)
OWN = (200, 404)
DENIED = (403, 403)
D = datetime.date
TODAY = "2026-05-13"
ADMINS = {"system_admin": FORBIDDEN, "security_admin": FORBIDDEN, "audit_admin": FORBIDDEN}


def _cases(world):
    """For each unit's window: an accepted case, a paused one, a completed one, one asked for
    corrections and one accepted with a deferred (容缺) material."""
    d = wf.desk(world)
    for prefix, clerk, window, matter in (
        ("", d.clerk, d.window, d.matter),
        ("other_", d.other_clerk, d.other_window, d.other_matter),
    ):

        def accept(clerk=clerk, window=window, matter=matter, **kwargs):
            return wf.accepted_case(
                actor=clerk, window=window, matter=matter, accepted_on=D(2026, 5, 11), **kwargs
            )

        setattr(d, f"{prefix}case", accept())
        paused = accept()
        services.case_pause(
            actor=clerk, case=paused, on=D(2026, 5, 12), kind="hearing", reason="听证"
        )
        setattr(d, f"{prefix}paused", paused)
        completed = accept()
        services.case_complete(actor=clerk, case=completed, on=D(2026, 5, 12), outcome="approved")
        setattr(d, f"{prefix}completed", completed)
        setattr(
            d,
            f"{prefix}asked",
            wf.correction_case(actor=clerk, window=window, matter=matter),
        )
        material = matter.current.materials.filter(deferrable=True).first()
        setattr(d, f"{prefix}material", material)
        setattr(
            d,
            f"{prefix}deferred",
            accept(
                deferred_materials=[material],
                supply_by=D(2026, 5, 15),
                deferral_promise="承诺按期补齐",
            ),
        )
    d.users = world.users
    d.world = world
    return d


# written once for the module: every test meets them as written (testing/module_rows)
_module_rows, pw = module_rows("pw", _cases)
world = module_world("pw")


def _user(pw, role):
    return getattr(pw.users, role)


def _pk(pw, key):
    return getattr(pw, key).pk


# ---------------------------------------------------------------------------------------------
# Lists: role -> the records shown, or FORBIDDEN
# ---------------------------------------------------------------------------------------------

OWN_CASES = {"case", "paused", "completed", "asked", "deferred"}
OTHER_CASES = {f"other_{key}" for key in OWN_CASES}
BOTH_MATTERS = {"matter", "other_matter"}

LIST_EXPECTED: dict[str, dict[str, set[str] | str]] = {
    # the catalogue is public information: every business role reads all of it
    "window/matters": {
        "committee": BOTH_MATTERS,
        "unit_admin": BOTH_MATTERS,
        "member": BOTH_MATTERS,
        "community_worker": BOTH_MATTERS,
        "window_clerk": BOTH_MATTERS,
        "fund_officer": BOTH_MATTERS,
        **ADMINS,
    },
    "window/cases": {
        "committee": OWN_CASES | OTHER_CASES,
        "unit_admin": OWN_CASES,  # its unit's windows
        "member": FORBIDDEN,
        "community_worker": FORBIDDEN,
        "window_clerk": OWN_CASES,  # its window's
        "fund_officer": FORBIDDEN,
        **ADMINS,
    },
}

# ---------------------------------------------------------------------------------------------
# Details: url -> (own, other) record keys; role -> (status own, status other)
# ---------------------------------------------------------------------------------------------

DETAIL_RECORDS = {
    "window/matters/{id}/": ("matter", "other_matter"),
    "window/cases/{id}/": ("case", "other_case"),
}
DETAIL_EXPECTED = {
    "window/matters/{id}/": {
        "committee": ALL_OK,
        "unit_admin": ALL_OK,
        "member": ALL_OK,
        "community_worker": ALL_OK,
        "window_clerk": ALL_OK,
        "fund_officer": ALL_OK,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
    "window/cases/{id}/": {
        "committee": ALL_OK,
        "unit_admin": OWN,
        "member": DENIED,
        "community_worker": DENIED,
        "window_clerk": OWN,
        "fund_officer": DENIED,
        "system_admin": DENIED,
        "security_admin": DENIED,
        "audit_admin": DENIED,
    },
}

# ---------------------------------------------------------------------------------------------
# Actions: url -> (own, other) record keys, body, the state it leads to; role -> (own, other)
# ---------------------------------------------------------------------------------------------


def _supply_body(pw, key):
    material = pw.material if key == "deferred" else pw.other_material
    return {"date": TODAY, "materials": [material.pk]}


ACTIONS = {
    "window/cases/{id}/pause/": (
        ("case", "other_case"),
        {"date": TODAY, "kind": "inspection", "reason": "检验检测"},
        "paused",
    ),
    "window/cases/{id}/resume/": (("paused", "other_paused"), {"date": TODAY}, "accepted"),
    "window/cases/{id}/supply/": (("deferred", "other_deferred"), _supply_body, "accepted"),
    "window/cases/{id}/complete/": (
        ("case", "other_case"),
        {"date": TODAY, "outcome": "denied", "note": "不符合条件"},
        "completed",
    ),
    "window/cases/{id}/deliver/": (("completed", "other_completed"), {"date": TODAY}, "delivered"),
    "window/cases/{id}/accept/": (("asked", "other_asked"), {"accepted_on": TODAY}, "accepted"),
    "window/cases/{id}/refuse/": (
        ("asked", "other_asked"),
        {"date": TODAY, "reason": "不属于受理范围"},
        "refused",
    ),
}
# Only a window clerk handles cases, and only its window's; the unit and the committee follow them.
HANDLE = {
    "committee": DENIED,
    "unit_admin": DENIED,
    "member": DENIED,
    "community_worker": DENIED,
    "window_clerk": OWN,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}
ACTION_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "window/cases/{id}/pause/": HANDLE,
    "window/cases/{id}/resume/": HANDLE,
    "window/cases/{id}/supply/": HANDLE,
    "window/cases/{id}/complete/": HANDLE,
    "window/cases/{id}/deliver/": HANDLE,
    "window/cases/{id}/accept/": HANDLE,
    "window/cases/{id}/refuse/": HANDLE,
}

# ---------------------------------------------------------------------------------------------
# Creates: role -> (own window, other unit's window)
# ---------------------------------------------------------------------------------------------

CREATE_EXPECTED = {
    "committee": DENIED,
    "unit_admin": DENIED,
    "member": DENIED,
    "community_worker": DENIED,
    "window_clerk": (201, 400),  # another unit's window is not one it may name
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}


def test_the_tables_cover_every_role_and_endpoint():
    for table in (LIST_EXPECTED, DETAIL_EXPECTED, ACTION_EXPECTED):
        for endpoint, by_role in table.items():
            assert set(by_role) == set(ROLES), endpoint
    assert set(CREATE_EXPECTED) == set(ROLES)
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


def _body(pw, body, key):
    return body(pw, key) if callable(body) else body


@pytest.mark.parametrize("url", list(ACTION_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_action_answers_own_and_other_record(pw, role, url):
    keys, body, target = ACTIONS[url]
    client = api_as(_user(pw, role))
    for key, expected in zip(keys, ACTION_EXPECTED[url][role], strict=True):
        before = Case.objects.get(pk=_pk(pw, key))
        steps = CaseEvent.objects.filter(case=before).count()
        response = client.post(
            "/api/v1/" + url.format(id=_pk(pw, key)), _body(pw, body, key), format="json"
        )
        assert response.status_code == expected, (key, response.content[:300])
        after = Case.objects.get(pk=_pk(pw, key))
        if expected == 200:
            assert after.state == target, key
            assert CaseEvent.objects.filter(case=after).count() == steps + 1
        else:
            assert after.state == before.state
            assert CaseEvent.objects.filter(case=after).count() == steps


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
        call, body = client.get, None
    else:
        (_, other), body, _ = ACTIONS[url]
        body = _body(pw, body, other)
        call = client.post
    out_of_scope = call("/api/v1/" + url.format(id=_pk(pw, other)), body, format="json")
    missing = call("/api/v1/" + url.format(id=MISSING_ID), body, format="json")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content


@pytest.mark.parametrize("role", ROLES)
def test_create(pw, role):
    client = api_as(_user(pw, role))
    for window, matter, expected in zip(
        (pw.window, pw.other_window),
        (pw.matter, pw.other_matter),
        CREATE_EXPECTED[role],
        strict=True,
    ):
        before = Case.objects.count()
        response = client.post(
            "/api/v1/window/cases/",
            {
                "matter": matter.code,
                "window": window.pk,
                "applicant_name": "王小明",
                "applicant_id": wf.id_number(),
                "applicant_phone": wf.PHONE,
                "accepted_on": TODAY,
            },
            format="json",
        )
        assert response.status_code == expected, (window.name, response.content[:300])
        assert Case.objects.count() == before + (1 if expected == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_correction(pw, role):
    client = api_as(_user(pw, role))
    for window, matter, expected in zip(
        (pw.window, pw.other_window),
        (pw.matter, pw.other_matter),
        CREATE_EXPECTED[role],
        strict=True,
    ):
        before = Case.objects.count()
        response = client.post(
            "/api/v1/window/cases/correction/",
            {
                "matter": matter.code,
                "window": window.pk,
                "applicant_name": "王小明",
                "applicant_id": wf.id_number(),
                "applicant_phone": wf.PHONE,
                "received_on": TODAY,
                "missing": ["申请书未签字"],
            },
            format="json",
        )
        assert response.status_code == expected, (window.name, response.content[:300])
        assert Case.objects.count() == before + (1 if expected == 201 else 0)


def test_the_endpoints_need_a_signed_in_user(pw, api):
    for url in ("window/matters/", "window/cases/", f"window/cases/{pw.case.pk}/"):
        assert api.get(f"/api/v1/{url}").status_code in (401, 403)
    for url in ACTIONS:
        response = api.post("/api/v1/" + url.format(id=pw.case.pk), {}, format="json")
        assert response.status_code in (401, 403)


# The figures: the committee's cover every window, a unit administrator's its own windows only.
FIGURES_EXPECTED = {
    "committee": {"window", "other_window"},
    "unit_admin": {"window"},
    "member": FORBIDDEN,
    "community_worker": FORBIDDEN,
    "window_clerk": FORBIDDEN,
    "fund_officer": FORBIDDEN,
    **ADMINS,
}


@pytest.mark.parametrize("role", ROLES)
def test_figures(pw, role):
    response = api_as(_user(pw, role)).get("/api/v1/window/figures/", {"from": "2026-01-01"})
    expected = FIGURES_EXPECTED[role]
    if expected == FORBIDDEN:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    names = {"window": pw.window.pk, "other_window": pw.other_window.pk}
    shown = {row["window_id"] for row in response.json()["by_window"]}
    assert shown == {names[key] for key in expected}


def test_the_matrix_reaches_every_window_route():
    """A route added under /api/v1/window/ without a row here fails this test."""
    import re

    from config import api_urls
    from guanqing.window.tests.test_api_ratings import COVERED_ROUTES

    covered = (
        {f"{e}/" for e in LIST_EXPECTED}
        | set(DETAIL_EXPECTED)
        | set(ACTION_EXPECTED)
        | {"window/cases/correction/"}  # test_correction
        | {"window/figures/"}  # test_figures
        | COVERED_ROUTES  # 好差评: test_api_ratings
        # 六零: test_zero.API_MATRIX
        | {"window/zero/items/", "window/zero/items/{id}/", "window/zero/checks/"}
        | {"window/zero/windows/<str:window_pk>/months/<str:month>/"}
    )
    routes = set()
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        if route.startswith("window/") and "format" not in route:
            routes.add(re.sub(r"<(?:int|id):pk>|\(\?P<pk>\[\^/\.\]\+\)", "{id}", route))
    assert routes == covered, routes ^ covered
