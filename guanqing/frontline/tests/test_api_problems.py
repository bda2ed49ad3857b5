"""The problem API under /api/v1/frontline/: every endpoint × every role × an own and an other
problem, the contract (400 naming the field, 409 for a move the lifecycle refuses, 404 outside the
scope exactly like a missing problem), the reporter never shown but masked to the committee and
the handling unit, the list's filters and query budgets.

Every expectation is written out by hand (never derived from `visible_to` or the access table).
"Own" is the world's unit (市纪委) with its unit administrator; "other" is 市发改委 with one of its
own. Pinned on Wednesday 2026-05-13 on the official calendar (劳动节 May 1–5, Saturday May 9
worked).
"""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine

from guanqing.conftest import BUSINESS_TZ, api_as, api_list_queries
from guanqing.core.roles import Role
from guanqing.frontline import services
from guanqing.frontline.choices import ProblemSource, ProblemState, Urgency
from guanqing.frontline.models import Extension, Problem, ProblemEvent
from guanqing.frontline.outreach_services import outreach_record, place_register
from guanqing.frontline.tests import factories as ff
from guanqing.testing import factories as f
from guanqing.testing.module_rows import module_rows, module_world

ROLES = [r.value for r in Role]
FORBIDDEN = "403"
MISSING_ID = 999_999
D = datetime.date
API = "/api/v1/"
PROBLEMS = "/api/v1/frontline/problems/"
NAME, PHONE = "王小明", ff.PHONE
ADMINS = {"system_admin": FORBIDDEN, "security_admin": FORBIDDEN, "audit_admin": FORBIDDEN}
NOT_FRONTLINE = {"community_worker": FORBIDDEN, "fund_officer": FORBIDDEN, **ADMINS}


def _on(day: datetime.date):
    """Run the block as if it were `day` (10:00 Beijing time)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 10, tzinfo=BUSINESS_TZ)
    )


def _problems(world):
    """For each unit: problems assigned, returned, handling, handling with an extension asked,
    and closed (answered on Friday May 8, so that the call-back is due); an unassigned hotline
    problem; one the window clerk handed over; and one collected on the own unit's outreach visit
    (with the member) but assigned to the other unit."""
    committee = world.users.committee
    other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    p = SimpleNamespace(world=world, users=world.users, other_admin=other_admin)
    p.category = ff.category(unit=world.unit)
    for prefix, unit, admin in (
        ("", world.unit, world.users.unit_admin),
        ("other_", world.other_unit, other_admin),
    ):
        with _on(D(2026, 5, 8)):
            closed = ff.closed(
                unit_admin=admin, committee=committee, category=p.category, actor=committee
            )
        setattr(p, f"{prefix}closed", closed)
        setattr(
            p,
            f"{prefix}assigned",
            ff.assigned(committee=committee, unit=unit, category=p.category, actor=committee),
        )
        returned = ff.assigned(committee=committee, unit=unit, category=p.category, actor=committee)
        services.problem_return(actor=admin, problem=returned, reason="不属于本单位职责")
        setattr(p, f"{prefix}returned", returned)
        setattr(
            p,
            f"{prefix}handling",
            ff.handling(
                unit_admin=admin, committee=committee, category=p.category, actor=committee
            ),
        )
        extended = ff.handling(
            unit_admin=admin, committee=committee, category=p.category, actor=committee
        )
        services.extension_request(actor=admin, problem=extended, workdays=3, reason="需协调")
        setattr(p, f"{prefix}extended", extended)
    p.received = ff.reported(category=p.category, actor=committee)
    p.handed = ff.reported(
        category=p.category, actor=world.users.window_clerk, source=ProblemSource.WINDOW
    )
    place = place_register(
        actor=committee, kind="village", name="徐家漕村", division=world.community
    )[0]
    p.visit = outreach_record(
        actor=world.users.unit_admin,
        unit=world.unit,
        visited_on=D(2026, 5, 12),
        place=place,
        cadres=[world.member],
    )
    p.other_visit = outreach_record(
        actor=committee,
        unit=world.other_unit,
        visited_on=D(2026, 5, 12),
        place=place,
        cadres=[world.other_member],
    )
    p.collected = ff.assigned(
        committee=committee,
        unit=world.other_unit,
        category=p.category,
        actor=world.users.unit_admin,
        source=ProblemSource.OUTREACH,
        outreach=p.visit,
    )
    return p


# written once for the module: every test meets them as written (testing/module_rows)
_module_rows, pp = module_rows("pp", _problems)
world = module_world("pp")


def _user(pp, role):
    return getattr(pp.users, role)


def _pk(pp, key):
    return getattr(pp, key).pk


# ---------------------------------------------------------------------------------------------
# Lists: role -> the problems shown, or FORBIDDEN
# ---------------------------------------------------------------------------------------------

OWN = {"assigned", "returned", "handling", "extended", "closed"}
OTHER = {f"other_{key}" for key in OWN}
EVERY_PROBLEM = OWN | OTHER | {"received", "handed", "collected"}

LIST_EXPECTED: dict[str, dict[str, set[str] | str]] = {
    "frontline/problems": {
        "committee": EVERY_PROBLEM,
        "unit_admin": OWN | {"collected"},  # assigned to it, and collected by its outreach
        "member": {"collected"},  # collected on a visit it went on
        "window_clerk": {"handed"},  # handed over by it
        **NOT_FRONTLINE,
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_the_problem_list_shows_exactly_the_problems_in_scope(pp, role):
    expected = LIST_EXPECTED["frontline/problems"][role]
    response = api_as(_user(pp, role)).get(PROBLEMS, {"page_size": 500})
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    shown = {row["id"] for row in response.json()["results"]}
    assert shown == {_pk(pp, key) for key in expected}


# The catalogue is public to every role that works with problems; the desk is the committee's.
CATEGORIES_EXPECTED = {
    "committee": 200,
    "unit_admin": 200,
    "member": 200,
    "window_clerk": 200,
    "community_worker": 403,
    "fund_officer": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
DESK_EXPECTED = {role: 200 if role == "committee" else 403 for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_categories_per_role(pp, role):
    inactive = ff.category(is_active=False)
    response = api_as(_user(pp, role)).get(f"{API}frontline/categories/")
    assert response.status_code == CATEGORIES_EXPECTED[role]
    if response.status_code == 200:
        rows = response.json()["results"]
        assert [row["code"] for row in rows] == [pp.category.code]
        assert inactive.code not in response.content.decode()
        assert rows[0]["urgency"] == "problem"
        assert rows[0]["limit_workdays"] == 13


@pytest.mark.parametrize("role", ROLES)
def test_the_desk_per_role(pp, role):
    response = api_as(_user(pp, role)).get(f"{API}frontline/desk/")
    assert response.status_code == DESK_EXPECTED[role]


# ---------------------------------------------------------------------------------------------
# Details: role -> the status for each of the records below
# ---------------------------------------------------------------------------------------------

DETAIL_RECORDS = ("handling", "other_handling", "collected", "handed")
ALL_FOUR = (200, 200, 200, 200)
NONE_OF_FOUR = (403, 403, 403, 403)
DETAIL_EXPECTED = {
    "frontline/problems/{id}/": {
        "committee": ALL_FOUR,
        "unit_admin": (200, 404, 200, 404),
        "member": (404, 404, 200, 404),
        "window_clerk": (404, 404, 404, 200),
        "community_worker": NONE_OF_FOUR,
        "fund_officer": NONE_OF_FOUR,
        "system_admin": NONE_OF_FOUR,
        "security_admin": NONE_OF_FOUR,
        "audit_admin": NONE_OF_FOUR,
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_detail_answers_each_record_as_the_scope_says(pp, role):
    client = api_as(_user(pp, role))
    url = "frontline/problems/{id}/"
    for key, expected in zip(DETAIL_RECORDS, DETAIL_EXPECTED[url][role], strict=True):
        response = client.get(API + url.format(id=_pk(pp, key)))
        assert response.status_code == expected, (key, response.content[:300])


# ---------------------------------------------------------------------------------------------
# Actions: url -> (own, other) record keys, body, the state it leads to, the timeline steps added
# ---------------------------------------------------------------------------------------------


def _reassign_body(pp, key):
    # to the unit that did not send it back
    unit = pp.world.other_unit if key == "returned" else pp.world.unit
    return {"unit": unit.pk, "note": "改派"}


def _merge_body(pp, key):
    return {"into": pp.handling.pk}


ACTIONS = {
    "frontline/problems/{id}/dispatch/": (
        ("received", "handed"),
        lambda pp, key: {"unit": pp.world.unit.pk},
        "assigned",
        1,
    ),
    "frontline/problems/{id}/return/": (
        ("assigned", "other_assigned"),
        {"reason": "不属于本单位职责"},
        "returned",
        1,
    ),
    "frontline/problems/{id}/reassign/": (
        ("returned", "other_returned"),
        _reassign_body,
        "assigned",
        1,
    ),
    "frontline/problems/{id}/accept/": (("assigned", "other_assigned"), {}, "handling", 1),
    "frontline/problems/{id}/progress/": (
        ("handling", "other_handling"),
        {"note": "已联系供电部门", "public": True},
        "handling",
        1,
    ),
    "frontline/problems/{id}/extension/": (
        ("handling", "other_handling"),
        {"workdays": 3, "reason": "需协调多个部门"},
        "handling",
        1,
    ),
    "frontline/problems/{id}/extension-decision/": (
        ("extended", "other_extended"),
        {"approved": True},
        "handling",
        1,
    ),
    "frontline/problems/{id}/answer/": (
        ("handling", "other_handling"),
        {"answer": "已修复路灯"},
        "closed",
        1,
    ),
    "frontline/problems/{id}/merge/": (("received", "handed"), _merge_body, "merged", 1),
    "frontline/problems/{id}/callback/": (
        ("closed", "other_closed"),
        {"note": "反映人表示满意"},
        "closed",
        1,
    ),
    "frontline/problems/{id}/rating-code/": (("closed", "other_closed"), {}, "closed", 0),
}
# The committee dispatches, decides and calls back, over every problem; a unit administrator
# handles those assigned to its unit (another unit's are not found); nobody else acts.
COMMITTEE_ACTS = {
    "committee": (200, 200),
    "unit_admin": (403, 403),
    "member": (403, 403),
    "window_clerk": (403, 403),
    "community_worker": (403, 403),
    "fund_officer": (403, 403),
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "audit_admin": (403, 403),
}
UNIT_ACTS = {**COMMITTEE_ACTS, "committee": (403, 403), "unit_admin": (200, 404)}
ACTION_EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "frontline/problems/{id}/dispatch/": COMMITTEE_ACTS,
    "frontline/problems/{id}/return/": UNIT_ACTS,
    "frontline/problems/{id}/reassign/": COMMITTEE_ACTS,
    "frontline/problems/{id}/accept/": UNIT_ACTS,
    "frontline/problems/{id}/progress/": UNIT_ACTS,
    "frontline/problems/{id}/extension/": UNIT_ACTS,
    "frontline/problems/{id}/extension-decision/": COMMITTEE_ACTS,
    "frontline/problems/{id}/answer/": UNIT_ACTS,
    "frontline/problems/{id}/merge/": COMMITTEE_ACTS,
    "frontline/problems/{id}/callback/": COMMITTEE_ACTS,
    "frontline/problems/{id}/rating-code/": {**COMMITTEE_ACTS, "committee": (201, 201)},
}


def test_the_tables_cover_every_role_and_endpoint():
    for table in (LIST_EXPECTED, DETAIL_EXPECTED, ACTION_EXPECTED):
        for endpoint, by_role in table.items():
            assert set(by_role) == set(ROLES), endpoint
    for table in (CATEGORIES_EXPECTED, DESK_EXPECTED, CREATE_EXPECTED, VISIT_DETAILS_EXPECTED):
        assert set(table) == set(ROLES)
    assert set(ACTION_EXPECTED) == set(ACTIONS)


def _body(pp, body, key):
    return body(pp, key) if callable(body) else body


@pytest.mark.parametrize("url", list(ACTION_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_action_answers_own_and_other_record(pp, role, url):
    keys, body, target, steps_added = ACTIONS[url]
    client = api_as(_user(pp, role))
    for key, expected in zip(keys, ACTION_EXPECTED[url][role], strict=True):
        before = Problem.objects.get(pk=_pk(pp, key))
        steps = ProblemEvent.objects.filter(problem=before).count()
        response = client.post(
            API + url.format(id=_pk(pp, key)), _body(pp, body, key), format="json"
        )
        assert response.status_code == expected, (key, response.content[:300])
        after = Problem.objects.get(pk=_pk(pp, key))
        if expected in (200, 201):
            assert after.state == target, key
            assert ProblemEvent.objects.filter(problem=after).count() == steps + steps_added
        else:
            assert after.state == before.state
            assert after.updated_at == before.updated_at
            assert ProblemEvent.objects.filter(problem=after).count() == steps


def test_a_unit_may_not_act_on_a_problem_it_sees_but_does_not_handle(pp):
    """Collected on the unit's own visit but assigned to another unit: seen, not changed."""
    client = api_as(pp.users.unit_admin)
    assert client.get(f"{PROBLEMS}{pp.collected.pk}/").status_code == 200
    response = client.post(f"{PROBLEMS}{pp.collected.pk}/accept/", {}, format="json")
    assert response.status_code == 403
    pp.collected.refresh_from_db()
    assert pp.collected.state == ProblemState.ASSIGNED


def _out_of_scope_cells():
    cells = [
        (url, role)
        for url, by_role in ACTION_EXPECTED.items()
        for role, (_own, other) in by_role.items()
        if other == 404
    ]
    cells += [
        ("frontline/problems/{id}/", role)
        for role, statuses in DETAIL_EXPECTED["frontline/problems/{id}/"].items()
        if 404 in statuses
    ]
    return cells


@pytest.mark.parametrize(("url", "role"), _out_of_scope_cells())
def test_an_out_of_scope_problem_answers_exactly_like_a_missing_one(pp, url, role):
    client = api_as(_user(pp, role))
    if url in ACTIONS:
        (_, other), body, _, _ = ACTIONS[url]
        body = _body(pp, body, other)
        call = client.post
    else:
        statuses = DETAIL_EXPECTED[url][role]
        other = DETAIL_RECORDS[statuses.index(404)]
        call, body = client.get, None
    out_of_scope = call(API + url.format(id=_pk(pp, other)), body, format="json")
    missing = call(API + url.format(id=MISSING_ID), body, format="json")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content


# ---------------------------------------------------------------------------------------------
# Reporting: role -> (with the own unit's visit, with the other unit's visit, without a visit)
# ---------------------------------------------------------------------------------------------

CREATE_EXPECTED = {
    "committee": (201, 201, 201),  # a 12345/81890 hand-over, or collected on any visit
    "unit_admin": (201, 400, 400),  # only collected on its own unit's visits
    "window_clerk": (400, 400, 201),  # a window hand-over, never on a visit
    "member": (403, 403, 403),
    "community_worker": (403, 403, 403),
    "fund_officer": (403, 403, 403),
    "system_admin": (403, 403, 403),
    "security_admin": (403, 403, 403),
    "audit_admin": (403, 403, 403),
}
SOURCE_EXPECTED = {"committee": "hotline", "window_clerk": "window", "unit_admin": "outreach"}


def _report_body(pp, **overrides):
    body = {
        "category": pp.category.pk,
        "title": "村口道路塌陷",
        "description": "村口道路塌陷，雨天积水",
        "address": "海曙区测试街道徐家漕村",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("role", ROLES)
def test_report(pp, role):
    client = api_as(_user(pp, role))
    for visit, expected in zip(
        (pp.visit, pp.other_visit, None), CREATE_EXPECTED[role], strict=True
    ):
        before = Problem.objects.count()
        body = _report_body(pp, **({"outreach": visit.pk} if visit else {}))
        response = client.post(PROBLEMS, body, format="json")
        assert response.status_code == expected, (visit, response.content[:300])
        assert Problem.objects.count() == before + (1 if expected == 201 else 0)
        if expected == 400:
            assert "outreach" in response.json()
        if expected == 201:
            data = response.json()
            source = "outreach" if visit else SOURCE_EXPECTED[role]
            assert (data["state"], data["source"]) == ("received", source)
            assert re.fullmatch(r"NT20260513-\d{4}", data["public_id"])
            assert data["deadline"] == "2026-06-01"  # 13 working days (端午节 is June 19)
            assert [e["kind"] for e in data["timeline"]] == ["report"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": None}, "category"),
        ({"category": MISSING_ID}, "category"),
        ({"category": "9223372036854775808"}, "category"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"description": "x" * 2001}, "description"),
        ({"lat": "29.87"}, "long"),
        ({"lat": "95", "long": "121.5"}, "lat"),
        ({"lat": "abc", "long": "121.5"}, "lat"),
        ({"division": MISSING_ID}, "division"),
        ({"media_url": "ftp://example.com/a.jpg"}, "media_url"),
        ({"reporter_phone": "12"}, "reporter_phone"),
        ({"reporter_email": "not-an-address"}, "reporter_email"),
        ({"received_on": "2026-05-14"}, "received_on"),
        ({"received_on": "13/05/2026"}, "received_on"),
        ({"attributes": ["x"]}, "attributes"),
        ({"attributes": {"note": "x\x00"}}, "attributes"),
        ({"outreach": "x"}, "outreach"),
    ],
)
def test_a_refused_report_is_a_400_naming_the_field(pp, overrides, field):
    before = Problem.objects.count()
    response = api_as(pp.users.committee).post(
        PROBLEMS, _report_body(pp, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Problem.objects.count() == before


def test_an_inactive_category_is_refused_naming_the_category(pp):
    inactive = ff.category(is_active=False)
    response = api_as(pp.users.committee).post(
        PROBLEMS, _report_body(pp, category=inactive.pk), format="json"
    )
    assert response.status_code == 400
    assert "category" in response.json()


# ---------------------------------------------------------------------------------------------
# 400 and 409 on the loop's steps: a refused step changes nothing
# ---------------------------------------------------------------------------------------------


def _post(user, problem, action, body=None):
    return api_as(user).post(f"{PROBLEMS}{problem.pk}/{action}/", body or {}, format="json")


def _unchanged(problem, before_state, before_steps):
    problem.refresh_from_db()
    assert problem.state == before_state
    assert ProblemEvent.objects.filter(problem=problem).count() == before_steps


@pytest.mark.parametrize(
    ("who", "key", "action", "body", "field"),
    [
        ("committee", "received", "dispatch", {"unit": MISSING_ID}, "unit"),
        ("committee", "received", "dispatch", {"unit": "9223372036854775808"}, "unit"),
        ("committee", "returned", "reassign", {}, "unit"),
        (
            "committee",
            "returned",
            "reassign",
            {"unit": "own"},
            "unit",
        ),  # the unit that sent it back
        ("unit_admin", "assigned", "return", {"reason": "  "}, "reason"),
        ("unit_admin", "handling", "progress", {}, "note"),
        ("unit_admin", "handling", "extension", {"workdays": 0, "reason": "协调"}, "workdays"),
        ("unit_admin", "handling", "extension", {"workdays": 11, "reason": "协调"}, "workdays"),
        ("unit_admin", "handling", "extension", {"workdays": 3}, "reason"),
        ("committee", "extended", "extension-decision", {"approved": False}, "note"),
        ("committee", "extended", "extension-decision", {"approved": "maybe"}, "approved"),
        ("unit_admin", "handling", "answer", {"answer": ""}, "answer"),
        ("unit_admin", "handling", "answer", {"answer": "已修复", "date": "2026-05-14"}, "date"),
        ("unit_admin", "handling", "answer", {"answer": "已修复", "date": "2026-05-01"}, "date"),
        ("committee", "received", "merge", {"into": "self"}, "into"),
        ("committee", "received", "merge", {"into": "closed"}, "into"),
        ("committee", "received", "merge", {"into": MISSING_ID}, "into"),
        ("committee", "closed", "callback", {"note": ""}, "note"),
        ("committee", "closed", "callback", {"note": "已回访", "date": "2026-05-08"}, "date"),
    ],
)
def test_a_refused_value_is_a_400_naming_the_field(pp, who, key, action, body, field):
    problem = getattr(pp, key)
    references = {"self": problem.pk, "closed": pp.closed.pk, "own": pp.world.unit.pk}
    body = {k: references.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    state = Problem.objects.get(pk=problem.pk).state
    steps = ProblemEvent.objects.filter(problem=problem).count()
    response = _post(_user(pp, who), problem, action, body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    _unchanged(problem, state, steps)


@pytest.mark.parametrize(
    ("who", "key", "action", "body"),
    [
        ("committee", "assigned", "dispatch", {"unit": "own"}),  # already dispatched
        ("committee", "assigned", "reassign", {"unit": "other"}),  # not sent back
        ("unit_admin", "handling", "accept", {}),  # already signed for
        ("unit_admin", "handling", "return", {"reason": "不属于本单位职责"}),  # signed for
        ("unit_admin", "assigned", "answer", {"answer": "已修复"}),  # not signed for
        ("unit_admin", "assigned", "progress", {"note": "进展"}),
        ("unit_admin", "extended", "extension", {"workdays": 2, "reason": "再延"}),  # once only
        ("committee", "handling", "extension-decision", {"approved": True}),  # none asked
        ("committee", "closed", "merge", {"into": "handling"}),  # closed
        ("committee", "handling", "callback", {"note": "已回访"}),  # not closed
        ("committee", "handling", "rating-code", {}),  # not closed
    ],
)
def test_a_move_the_lifecycle_refuses_is_a_409_and_changes_nothing(pp, who, key, action, body):
    problem = getattr(pp, key)
    references = {"own": pp.world.unit.pk, "other": pp.world.other_unit.pk}
    references["handling"] = pp.handling.pk
    body = {k: references.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    state = Problem.objects.get(pk=problem.pk).state
    steps = ProblemEvent.objects.filter(problem=problem).count()
    response = _post(_user(pp, who), problem, action, body)
    assert response.status_code == 409, response.content
    assert response.json()["detail"]
    _unchanged(problem, state, steps)


def test_a_second_extension_decision_is_a_409(pp):
    committee = pp.users.committee
    assert (
        _post(committee, pp.extended, "extension-decision", {"approved": True}).status_code == 200
    )
    again = _post(committee, pp.extended, "extension-decision", {"approved": False, "note": "否"})
    assert again.status_code == 409
    assert Extension.objects.get(problem=pp.extended).decision == "approved"


# ---------------------------------------------------------------------------------------------
# What the answers say
# ---------------------------------------------------------------------------------------------


def test_dispatch_without_a_unit_follows_the_dispatch_rule(pp):
    response = _post(pp.users.committee, pp.received, "dispatch", {})
    assert response.status_code == 200, response.content
    assert response.json()["unit"] == pp.world.unit.pk  # the category's rule
    without_rule = ff.reported(category=ff.category(), actor=pp.users.committee)
    response = _post(pp.users.committee, without_rule, "dispatch", {})
    assert response.status_code == 400
    assert "unit" in response.json()


def test_an_approved_extension_moves_the_deadline_and_shows(pp):
    before = pp.extended.deadline
    response = _post(pp.users.committee, pp.extended, "extension-decision", {"approved": True})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["extension"]["decision"] == "approved"
    assert data["extension"]["workdays"] == 3
    assert data["deadline"] > before.isoformat()
    assert [e["kind"] for e in data["timeline"]][-2:] == ["ext_request", "ext_decision"]


def test_merge_answer_and_the_rating_codes(pp):
    committee, admin = pp.users.committee, pp.users.unit_admin
    duplicate = ff.reported(category=pp.category, actor=committee)
    response = _post(committee, duplicate, "merge", {"into": pp.handling.pk, "note": "重复反映"})
    assert response.status_code == 200, response.content
    assert response.json()["master"] == pp.handling.pk
    assert response.json()["master_public_id"] == pp.handling.public_id
    master = api_as(committee).get(f"{PROBLEMS}{pp.handling.pk}/").json()
    assert master["merged"] == [duplicate.pk]
    assert master["merged_public_ids"] == [duplicate.public_id]

    response = _post(admin, pp.handling, "answer", {"answer": "已修复路灯"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "closed"
    # each reporter gets a code of its own, shown this once
    codes = data["rating_codes"]
    assert set(codes) == {pp.handling.public_id, duplicate.public_id}
    assert services.problem_by_code(codes[duplicate.public_id]).pk == duplicate.pk
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.answer) == (ProblemState.CLOSED, "已修复路灯")
    again = api_as(admin).get(f"{PROBLEMS}{pp.handling.pk}/").json()
    assert "rating_codes" not in again


def test_a_reissued_rating_code_replaces_the_earlier_one(pp):
    first = _post(pp.users.committee, pp.closed, "rating-code")
    second = _post(pp.users.committee, pp.closed, "rating-code")
    assert first.status_code == second.status_code == 201
    assert second.json()["public_id"] == pp.closed.public_id
    assert services.problem_by_code(first.json()["code"]) is None
    assert services.problem_by_code(second.json()["code"]).pk == pp.closed.pk


def test_the_callback_is_recorded_from_the_working_day_after_closing(pp):
    response = _post(pp.users.committee, pp.closed, "callback", {"note": "反映人满意"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["callback_on"], data["callback_note"]) == ("2026-05-13", "反映人满意")


def test_the_detail_shows_the_timeline_in_order(pp):
    data = api_as(pp.users.unit_admin).get(f"{PROBLEMS}{pp.returned.pk}/").json()
    assert [e["kind"] for e in data["timeline"]] == ["report", "dispatch", "return"]
    assert data["timeline"][-1]["note"] == "不属于本单位职责"
    assert data["extension"] is None
    assert data["master"] is None and data["merged"] == []


# --- the reporter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "key", "masked"),
    [
        ("committee", "handling", True),
        ("committee", "other_handling", True),
        ("unit_admin", "handling", True),  # the handling unit
        ("unit_admin", "collected", False),  # its visit collected it; another unit handles it
        ("member", "collected", False),
        ("window_clerk", "handed", False),
    ],
)
def test_the_reporter_is_masked_to_the_committee_and_the_handling_unit_only(pp, role, key, masked):
    client = api_as(_user(pp, role))
    problem = getattr(pp, key)
    detail = client.get(f"{PROBLEMS}{problem.pk}/")
    listed = client.get(PROBLEMS, {"page_size": 500})
    for content in (detail.content.decode(), listed.content.decode()):
        assert NAME not in content and PHONE not in content
        assert "reporter_name" not in content and "reporter_phone" not in content
    row = next(r for r in listed.json()["results"] if r["id"] == problem.pk)
    expected = "王* 138****1234" if masked else None
    assert detail.json()["reporter_masked"] == row["reporter_masked"] == expected


# ---------------------------------------------------------------------------------------------
# The list: filters and timing
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def clock(pp):
    """Enquiries (3 working days) received on either side of today, and an emergency today."""
    enquiry = ff.category(unit=pp.world.unit, urgency=Urgency.ENQUIRY, name="政策咨询")
    emergency = ff.category(unit=pp.world.unit, urgency=Urgency.EMERGENCY, name="燃气泄漏")
    committee, admin = pp.users.committee, pp.users.unit_admin
    c = SimpleNamespace(enquiry=enquiry, emergency=emergency)
    # May 8 + 3 working days (9 worked Saturday, 11, 12): due May 12, one working day overdue
    c.overdue = ff.handling(
        unit_admin=admin, committee=committee, category=enquiry, actor=committee,
        received_on=D(2026, 5, 8), title="超期的咨询",
    )  # fmt: skip
    # May 11 + 3: due May 14, one working day left
    c.due_soon = ff.assigned(
        committee=committee, unit=pp.world.unit, category=enquiry, actor=committee,
        received_on=D(2026, 5, 11),
    )  # fmt: skip
    # today + 3: due May 18
    c.fresh = ff.assigned(
        committee=committee, unit=pp.world.unit, category=enquiry, actor=committee
    )
    c.urgent = ff.reported(category=emergency, actor=committee)  # due today
    return c


def _ids(user, **params):
    response = api_as(user).get(PROBLEMS, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_timing_shown_and_the_timing_filter_agree(pp, clock):
    rows = api_as(pp.users.committee).get(PROBLEMS, {"page_size": 500}).json()["results"]
    by_id = {row["id"]: row for row in rows}
    overdue, due_soon = by_id[clock.overdue.pk], by_id[clock.due_soon.pk]
    fresh, urgent = by_id[clock.fresh.pk], by_id[clock.urgent.pk]
    assert (overdue["deadline"], overdue["timing"]) == ("2026-05-12", "overdue")
    assert (overdue["remaining_workdays"], overdue["overdue_workdays"]) == (-1, 1)
    assert (due_soon["deadline"], due_soon["timing"]) == ("2026-05-14", "due_soon")
    assert (due_soon["remaining_workdays"], due_soon["overdue_workdays"]) == (1, 0)
    assert (fresh["deadline"], fresh["timing"], fresh["remaining_workdays"]) == (
        "2026-05-18",
        "open",
        3,
    )
    assert (urgent["deadline"], urgent["timing"], urgent["remaining_workdays"]) == (
        "2026-05-13",
        "due_soon",
        0,
    )
    # closed on May 8, due 13 working days after: on time
    closed = by_id[pp.closed.pk]
    assert (closed["timing"], closed["remaining_workdays"], closed["overdue_workdays"]) == (
        "on_time",
        None,
        0,
    )
    committee = pp.users.committee
    assert set(_ids(committee, timing="overdue")) == {clock.overdue.pk}
    assert set(_ids(committee, timing="due_soon")) == {clock.due_soon.pk, clock.urgent.pk}
    assert clock.fresh.pk in _ids(committee, timing="open")
    assert set(_ids(committee, timing="on_time")) == {pp.closed.pk, pp.other_closed.pk}
    assert _ids(committee, timing="late") == []
    for timing in ("open", "due_soon", "overdue", "on_time"):
        assert {by_id[pk]["timing"] for pk in _ids(committee, timing=timing)} == {timing}


def test_list_filters(pp, clock):
    committee = pp.users.committee
    assert set(_ids(committee, state="returned")) == {pp.returned.pk, pp.other_returned.pk}
    assert set(_ids(committee, category=clock.enquiry.pk)) == {
        clock.overdue.pk,
        clock.due_soon.pk,
        clock.fresh.pk,
    }
    assert set(_ids(committee, urgency="emergency")) == {clock.urgent.pk}
    assert set(_ids(committee, source="window")) == {pp.handed.pk}
    assert set(_ids(committee, source="outreach")) == {pp.collected.pk}
    other_unit = set(_ids(committee, unit=pp.world.other_unit.pk))
    assert other_unit == {_pk(pp, key) for key in OTHER} | {pp.collected.pk}
    received = set(_ids(committee, received_from="2026-05-08", received_to="2026-05-11"))
    assert received == {pp.closed.pk, pp.other_closed.pk, clock.overdue.pk, clock.due_soon.pk}
    assert _ids(committee, q=pp.handed.public_id) == [pp.handed.pk]
    assert _ids(committee, q=pp.handed.public_id.lower()) == [pp.handed.pk]
    assert _ids(committee, q="超期的") == [clock.overdue.pk]
    # the unit's queue: due soon first
    queue = _ids(pp.users.unit_admin, unit=pp.world.unit.pk, timing="due_soon", ordering="deadline")
    assert queue == [clock.due_soon.pk]
    ordered = _ids(committee, category=clock.enquiry.pk, ordering="deadline")
    assert ordered == [clock.overdue.pk, clock.due_soon.pk, clock.fresh.pk]


def test_bad_filters_are_400_naming_the_parameter(pp):
    client = api_as(pp.users.committee)
    for params, name in [
        ({"timing": "soonish"}, "timing"),
        ({"state": "lost"}, "state"),
        ({"source": "rumour"}, "source"),
        ({"urgency": "whenever"}, "urgency"),
        ({"unit": "x"}, "unit"),
        ({"category": "9223372036854775808"}, "category"),
        ({"received_from": "yesterday"}, "received_from"),
        ({"received_to": "2026-13-01"}, "received_to"),
    ]:
        response = client.get(PROBLEMS, params)
        assert response.status_code == 400, params
        assert name in response.json(), response.json()


def test_the_desk_counts_what_waits_on_the_committee(pp, clock):
    with _on(D(2026, 5, 6)):
        stale = ff.assigned(category=pp.category, actor=pp.users.committee, unit=pp.world.unit)
    stale.noticed_on = D(2026, 5, 13)
    stale.deadline = D(2026, 5, 6)
    stale.save(update_fields=["noticed_on", "deadline"])
    data = api_as(pp.users.committee).get(f"{API}frontline/desk/").json()
    unassigned = {pp.received.pk, pp.handed.pk, clock.urgent.pk}
    assert data["unassigned"]["count"] == 3
    assert set(data["unassigned"]["ids"]) == unassigned
    assert data["returned"]["count"] == 2
    assert set(data["returned"]["ids"]) == {pp.returned.pk, pp.other_returned.pk}
    assert data["overdue"] == {"count": 2, "ids": [stale.pk, clock.overdue.pk]}  # due first
    assert data["noticed"] == {"count": 1, "ids": [stale.pk]}


# ---------------------------------------------------------------------------------------------
# Query budgets: a list costs the same whatever its length
# ---------------------------------------------------------------------------------------------


def _more_problems(pp, n):
    committee, admin = pp.users.committee, pp.users.unit_admin
    for i in range(n):
        problem = ff.handling(unit_admin=admin, committee=committee, category=pp.category)
        if i % 2:
            services.extension_request(actor=admin, problem=problem, workdays=2, reason="协调")


@pytest.mark.parametrize("role", ["committee", "unit_admin", "member", "window_clerk"])
def test_the_problem_list_does_not_grow_with_its_rows(pp, role):
    user = _user(pp, role)
    api_list_queries(user, PROBLEMS)  # the calendar's years are read once per process
    few, rows_few = api_list_queries(user, PROBLEMS)
    _more_problems(pp, 12)
    many, rows_many = api_list_queries(user, PROBLEMS)
    grows = 12 if role in ("committee", "unit_admin") else 0
    assert rows_many == rows_few + grows
    assert many == few
    assert few <= 6


def test_the_category_list_does_not_grow_with_its_rows(pp):
    url = f"{API}frontline/categories/"
    few, rows_few = api_list_queries(pp.users.member, url)
    for _ in range(10):
        ff.category(unit=pp.world.unit)
    many, rows_many = api_list_queries(pp.users.member, url)
    assert rows_many == rows_few + 10
    assert many == few <= 6


def test_the_endpoints_need_a_signed_in_user(pp, api):
    for url in ("frontline/problems/", f"frontline/problems/{pp.handling.pk}/", "frontline/desk/"):
        assert api.get(API + url).status_code in (401, 403)
    assert api.get(f"{API}frontline/categories/").status_code in (401, 403)
    for url in ACTIONS:
        response = api.post(API + url.format(id=pp.handling.pk), {}, format="json")
        assert response.status_code in (401, 403)
    assert api.post(PROBLEMS, {}, format="json").status_code in (401, 403)


# The details of a visit and of a place (the outreach matrix covers their lists): role ->
# (the own unit's visit, the other unit's visit, the place both visited).
VISIT_DETAILS_EXPECTED = {
    "committee": (200, 200, 200),
    "unit_admin": (200, 404, 200),  # its unit's visits; the one registry of places
    "member": (200, 404, 200),  # the visits it went on
    "window_clerk": (403, 403, 403),
    "community_worker": (403, 403, 403),
    "fund_officer": (403, 403, 403),
    "system_admin": (403, 403, 403),
    "security_admin": (403, 403, 403),
    "audit_admin": (403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_visit_and_place_details_per_role(pp, role):
    client = api_as(_user(pp, role))
    urls = (
        f"{API}frontline/outreach/{pp.visit.pk}/",
        f"{API}frontline/outreach/{pp.other_visit.pk}/",
        f"{API}frontline/places/{pp.visit.place_id}/",
    )
    got = tuple(client.get(url).status_code for url in urls)
    assert got == VISIT_DETAILS_EXPECTED[role]


# ---------------------------------------------------------------------------------------------
# Every route under /api/v1/frontline/ is in a matrix
# ---------------------------------------------------------------------------------------------


def test_the_matrices_reach_every_frontline_route():
    """A route added under /api/v1/frontline/ without a row here or in the outreach matrix
    (test_outreach.API_READS) fails this test."""
    from config import api_urls
    from guanqing.frontline.tests.test_outreach import API_READS

    covered = (
        {f"{endpoint}/" for endpoint in LIST_EXPECTED}  # the list
        | set(DETAIL_EXPECTED)
        | set(ACTION_EXPECTED)
        | {"frontline/categories/", "frontline/desk/"}  # test_categories_per_role, test_the_desk
        | {url.removeprefix(API) for url in API_READS}  # test_outreach.test_api_reads_by_role
        # test_visit_and_place_details_per_role
        | {"frontline/outreach/{id}/", "frontline/places/{id}/"}
    )
    routes = set()
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        if route.startswith("frontline/") and "format" not in route:
            routes.add(re.sub(r"<int:pk>|<id:pk>|\(\?P<pk>\[\^/\.\]\+\)", "{id}", route))
    assert routes == covered, routes ^ covered
