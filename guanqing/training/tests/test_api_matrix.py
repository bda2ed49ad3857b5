"""The training API's permission matrix and scope, every endpoint and role written out by hand:
the committee sees every cadre, a unit administrator its unit's, a member itself, every other role
nothing (403 at the door); then what the committee, the unit and the cadre do through it."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.testing import factories as f
from guanqing.training import services, tasks
from guanqing.training.choices import PlanState
from guanqing.training.models import (
    Assignment,
    AssignmentMove,
    Participant,
    Plan,
    Preference,
    Unavailability,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]

D = datetime.date
API = "/api/v1/training"
FORBIDDEN = "403"
ROLES = [r.value for r in Role]
OUTSIDE = (
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
)

# role -> whose rows ("own": 张三's, "colleague": another cadre of 市纪委, "other": 李四's of
# 市发改委) the participant, assignment, unavailability and preference lists show
SEEN = {
    "committee": {"own", "colleague", "other"},
    "unit_admin": {"own", "colleague"},
    "member": {"own"},
    **{role: FORBIDDEN for role in OUTSIDE},
}
# role -> status of: the plans, the sessions, a new plan (empty body), changing the draft's title,
# building the draft's list, solving the draft, and on 张三's rows (empty bodies): the leader
# role, an unavailable date, the preferred months, a move and a swap
WRITES = {
    "committee": {
        "plans": 200,
        "sessions": 200,
        "new": 400,
        "edit": 200,
        "build": 200,
        "solve": 200,
        "role": 400,
        "unavailability": 400,
        "preference": 403,
        "move": 400,
        "swap": 400,
    },
    "unit_admin": {
        "plans": 200,
        "sessions": 200,
        "new": 403,
        "edit": 403,
        "build": 403,
        "solve": 403,
        "role": 400,
        "unavailability": 400,
        "preference": 403,
        "move": 403,
        "swap": 403,
    },
    "member": {
        "plans": 200,
        "sessions": 200,
        "new": 403,
        "edit": 403,
        "build": 403,
        "solve": 403,
        "role": 403,
        "unavailability": 400,
        "preference": 400,
        "move": 403,
        "swap": 403,
    },
    **{
        role: {
            "plans": 403,
            "sessions": 403,
            "new": 403,
            "edit": 403,
            "build": 403,
            "solve": 403,
            "role": 403,
            "unavailability": 403,
            "preference": 403,
            "move": 403,
            "swap": 403,
        }
        for role in OUTSIDE
    },
}


def plan_values(**over):
    values = {
        "year": 2026,
        "title": "处级干部轮训",
        "venue": "市委党校",
        "sessions_count": 6,
        "classes_per_session": 2,
        "days_per_session": 2,
        "class_capacity": 5,
        "unit_share": "0.30",
        "required_ranks": ["division"],
        "first_date": D(2026, 9, 21),
        "last_date": D(2026, 12, 31),
        "time_limit_seconds": 5,
    }
    values.update(over)
    return values


@pytest.fixture
def rows(world):
    """A solved plan: 张三 and 7 colleagues of 市纪委, 李四 and 5 others of 市发改委 (30 %: two of
    市纪委 and one of 市发改委 a session), each with an unavailable date and a preference."""
    for member in (world.member, world.other_member):
        member.rank = "division"
        member.save()
    colleagues = [f.MemberFactory(unit=world.unit, rank="division") for _ in range(7)]
    for _ in range(5):
        f.MemberFactory(unit=world.other_unit, rank="division")
    committee = world.users.committee
    plan = services.plan_save(actor=committee, **plan_values())
    services.participants_build(actor=committee, plan=plan)
    people = {
        "own": Participant.objects.get(member=world.member),
        "colleague": Participant.objects.get(member=colleagues[0]),
        "other": Participant.objects.get(member=world.other_member),
    }
    for person in people.values():
        services.unavailability_add(
            actor=committee,
            participant=person,
            start=D(2026, 12, 28),
            end=D(2026, 12, 31),
            reason="出差",
        )
        Preference.objects.create(participant=person, months=[10])
    services.plan_solve(actor=committee, plan=plan)
    draft = services.plan_save(actor=committee, **plan_values(title="第二期轮训"))
    return {"plan": plan, "draft": draft, "people": people}


def _names(rows, key, ids):
    return {ids[row[key]] for row in rows}


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_details_in_scope(world, rows, role):
    client = api_as(getattr(world.users, role))
    people = rows["people"]
    by_participant = {p.pk: name for name, p in people.items()}
    assignments = {name: p.assignment for name, p in people.items()}
    lists = {
        "participants": client.get(f"{API}/participants/", {"page_size": 100}),
        "assignments": client.get(f"{API}/assignments/", {"page_size": 100}),
        "unavailability": client.get(f"{API}/unavailability/", {"page_size": 100}),
        "preferences": client.get(f"{API}/preferences/", {"page_size": 100}),
    }
    expected = SEEN[role]
    if expected == FORBIDDEN:
        assert {r.status_code for r in lists.values()} == {403}
        for name, person in people.items():
            assert client.get(f"{API}/participants/{person.pk}/").status_code == 403
            assert client.get(f"{API}/assignments/{assignments[name].pk}/").status_code == 403
        return
    participants = lists["participants"].json()["results"]
    assert {by_participant.get(r["id"]) for r in participants} >= expected
    assert (
        _names([r for r in participants if r["id"] in by_participant], "id", by_participant)
        == expected
    )
    listed = lists["assignments"].json()["results"]
    assert (
        _names(
            [r for r in listed if r["participant"] in by_participant], "participant", by_participant
        )
        == expected
    )
    for key in ("unavailability", "preferences"):
        assert _names(lists[key].json()["results"], "participant", by_participant) == expected
    # a member sees itself only; a unit administrator never another unit's cadre
    seen = {r["unit"] for r in participants}
    if role != "committee":
        assert seen == {world.unit.pk}
    if role == "member":
        assert [r["member"] for r in participants] == [world.member.pk]
    for name, person in people.items():
        status = 200 if name in expected else 404
        assert client.get(f"{API}/participants/{person.pk}/").status_code == status
        assert client.get(f"{API}/assignments/{assignments[name].pk}/").status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_writes(world, rows, role):
    client = api_as(getattr(world.users, role))
    plan, draft = rows["plan"], rows["draft"]
    own = rows["people"]["own"]
    cells = {
        "plans": client.get(f"{API}/plans/"),
        "sessions": client.get(f"{API}/sessions/", {"plan": plan.pk}),
        "new": client.post(f"{API}/plans/", {}, format="json"),
        "edit": client.patch(f"{API}/plans/{draft.pk}/", {"title": "改名"}, format="json"),
        "build": client.post(f"{API}/plans/{draft.pk}/build/", {}, format="json"),
        "solve": client.post(f"{API}/plans/{draft.pk}/solve/", format="json"),
        "role": client.post(f"{API}/participants/{own.pk}/role/", {}, format="json"),
        "unavailability": client.post(
            f"{API}/participants/{own.pk}/unavailability/", {}, format="json"
        ),
        "preference": client.post(f"{API}/participants/{own.pk}/preference/", {}, format="json"),
        "move": client.post(f"{API}/assignments/{own.assignment.pk}/move/", {}, format="json"),
        "swap": client.post(f"{API}/assignments/{own.assignment.pk}/swap/", {}, format="json"),
    }
    got = {name: response.status_code for name, response in cells.items()}
    assert got == WRITES[role]
    assert Unavailability.objects.count() == 3
    assert not AssignmentMove.objects.exists()
    draft.refresh_from_db()
    if role == "committee":
        assert draft.title == "改名" and draft.state == PlanState.SCHEDULED
    else:
        assert draft.title == "第二期轮训" and draft.state == PlanState.DRAFT


@pytest.mark.parametrize(
    ("role", "whose", "operation"),
    [
        ("unit_admin", "other", "role"),
        ("unit_admin", "other", "unavailability"),
        ("member", "colleague", "unavailability"),
        ("member", "colleague", "preference"),
    ],
)
def test_outside_the_scope_is_404(world, rows, role, whose, operation):
    client = api_as(getattr(world.users, role))
    person = rows["people"][whose]
    body = {
        "role": {"leader_role": "principal"},
        "unavailability": {"start": "2026-10-08", "end": "2026-10-09", "reason": "出差"},
        "preference": {"months": [11]},
    }[operation]
    response = client.post(f"{API}/participants/{person.pk}/{operation}/", body, format="json")
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.leader_role == "other"
    assert Unavailability.objects.filter(participant=person).count() == 1
    assert person.preference.months == [10]


def test_the_committee_makes_a_plan_with_its_dates_and_errors_name_fields(world):
    client = api_as(world.users.committee)
    body = plan_values(sessions_count=2, first_date="2026-09-21", last_date="2026-12-31")
    body["starts"] = ["2026-09-30", "2026-10-12"]
    made = client.post(f"{API}/plans/", body, format="json")
    assert made.status_code == 201, made.content
    plan = made.json()
    assert plan["state"] == "draft" and plan["unit_share"] == "0.30"
    sessions = client.get(f"{API}/sessions/", {"plan": plan["id"]}).json()["results"]
    # the National Day holiday is stepped over
    assert [s["days"] for s in sessions] == [
        ["2026-09-30", "2026-10-08"],
        ["2026-10-12", "2026-10-13"],
    ]
    # a change that leaves the dates alone keeps the committee's starts
    changed = client.patch(f"{API}/plans/{plan['id']}/", {"venue": "市行政中心"}, format="json")
    assert changed.status_code == 200 and changed.json()["venue"] == "市行政中心"
    again = client.get(f"{API}/sessions/", {"plan": plan["id"]}).json()["results"]
    assert [s["start_date"] for s in again] == ["2026-09-30", "2026-10-12"]
    refused = client.post(
        f"{API}/plans/",
        plan_values(first_date="2026-09-21", last_date="2026-09-01", required_ranks=[]),
        format="json",
    )
    assert refused.status_code == 400
    assert {"last_date", "required_ranks"} <= set(refused.json())
    holiday = client.patch(f"{API}/plans/{plan['id']}/", {"starts": ["2026-10-01"]}, format="json")
    assert holiday.status_code == 400 and "starts" in holiday.json()


def test_a_scheduled_plan_is_not_changed(world, rows):
    client = api_as(world.users.committee)
    response = client.patch(f"{API}/plans/{rows['plan'].pk}/", {"title": "改"}, format="json")
    assert response.status_code == 400 and "state" in response.json()


def test_solving_through_the_api_assigns_everyone(world, rows):
    client = api_as(world.users.committee)
    draft = rows["draft"]
    services.participants_build(actor=world.users.committee, plan=draft)
    response = client.post(f"{API}/plans/{draft.pk}/solve/")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "scheduled" and body["solve_status"] in ("OPTIMAL", "FEASIBLE")
    assert body["required"] == body["assigned"] == 14
    # each session's count is its own assignments; together, the plan's
    sessions = client.get(f"{API}/sessions/", {"plan": draft.pk, "page_size": 100}).json()
    counts = {row["id"]: row["assigned"] for row in sessions["results"]}
    assert counts == {session.pk: session.assignments.count() for session in draft.sessions.all()}
    assert sum(counts.values()) == 14 and max(counts.values()) < 14


def test_an_impossible_plan_answers_with_the_reasons(world, rows):
    client = api_as(world.users.committee)
    draft = rows["draft"]
    services.participants_build(actor=world.users.committee, plan=draft)
    client.patch(f"{API}/plans/{draft.pk}/", {"sessions_count": 2}, format="json")
    body = client.post(f"{API}/plans/{draft.pk}/solve/").json()
    assert body["state"] == "draft" and body["solve_status"] == "INFEASIBLE"
    assert "市纪委" in body["solve_explanation"] or "市发改委" in body["solve_explanation"]


def test_a_move_breaking_a_rule_is_refused_with_the_checkers_words(world, rows):
    client = api_as(world.users.committee)
    plan = rows["plan"]
    theirs = list(Assignment.objects.filter(participant__unit=world.other_unit))
    first = theirs[0]
    second = next(a for a in theirs if a.session_id != first.session_id)
    response = client.post(
        f"{API}/assignments/{second.pk}/move/",
        {"session": first.session_id, "class_number": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "市发改委" in response.json()["session"][0]
    assert not AssignmentMove.objects.exists()
    # a session of another plan is refused under the same field
    elsewhere = rows["draft"].sessions.first()
    response = client.post(
        f"{API}/assignments/{second.pk}/move/",
        {"session": elsewhere.pk, "class_number": 1},
        format="json",
    )
    assert response.status_code == 400 and "session" in response.json()
    # the other class of its own session breaks nothing: moved, fixed, logged
    klass = 3 - second.class_number
    response = client.post(
        f"{API}/assignments/{second.pk}/move/",
        {"session": second.session_id, "class_number": klass},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["fixed"] is True and response.json()["class_number"] == klass
    assert AssignmentMove.objects.filter(participant=second.participant).exists()
    assert plan.pk == response.json()["plan"]


def test_a_swap_exchanges_two_cadres(world, rows):
    client = api_as(world.users.committee)
    mine = list(Assignment.objects.filter(participant__unit=world.unit))
    a = mine[0]
    b = next(r for r in mine if r.session_id != a.session_id)
    response = client.post(f"{API}/assignments/{a.pk}/swap/", {"second": b.pk}, format="json")
    assert response.status_code == 200, response.content
    after = {row["id"]: (row["session"], row["class_number"]) for row in response.json()}
    assert after == {a.pk: (b.session_id, b.class_number), b.pk: (a.session_id, a.class_number)}
    itself = client.post(f"{API}/assignments/{a.pk}/swap/", {"second": a.pk}, format="json")
    assert itself.status_code == 400 and "second" in itself.json()


def test_the_unit_and_the_cadre_write_their_part(world, rows):
    own = rows["people"]["own"]
    unit = api_as(world.users.unit_admin)
    member = api_as(world.users.member)
    role = unit.post(
        f"{API}/participants/{own.pk}/role/", {"leader_role": "principal"}, format="json"
    )
    assert role.status_code == 200 and role.json()["leader_role"] == "principal"
    wrong = unit.post(f"{API}/participants/{own.pk}/role/", {"leader_role": "x"}, format="json")
    assert wrong.status_code == 400 and "leader_role" in wrong.json()
    added = member.post(
        f"{API}/participants/{own.pk}/unavailability/",
        {"start": "2026-11-02", "end": "2026-11-06", "reason": "出差"},
        format="json",
    )
    assert added.status_code == 201 and added.json()["source"] == "member"
    backwards = member.post(
        f"{API}/participants/{own.pk}/unavailability/",
        {"start": "2026-11-06", "end": "2026-11-02", "reason": "出差"},
        format="json",
    )
    assert backwards.status_code == 400 and "end" in backwards.json()
    ancient = member.post(
        f"{API}/participants/{own.pk}/unavailability/",
        {"start": "1999-12-31", "end": "2026-11-02", "reason": "出差"},
        format="json",
    )
    assert ancient.status_code == 400 and "start" in ancient.json()
    months = member.post(
        f"{API}/participants/{own.pk}/preference/", {"months": [11, 10, 11]}, format="json"
    )
    assert months.status_code == 200 and months.json()["months"] == [10, 11]
    bad = member.post(f"{API}/participants/{own.pk}/preference/", {"months": [13]}, format="json")
    assert bad.status_code == 400 and "months" in bad.json()
    own.refresh_from_db()
    assert own.leader_role == "principal" and own.preference.months == [10, 11]


def test_lists_filter_by_plan_and_unit(world, rows):
    client = api_as(world.users.committee)
    plan = rows["plan"]
    listed = client.get(
        f"{API}/assignments/", {"plan": plan.pk, "unit": world.other_unit.pk, "page_size": 100}
    ).json()
    assert listed["count"] == 6
    assert {row["unit"] for row in listed["results"]} == {world.other_unit.pk}
    bad = client.get(f"{API}/assignments/", {"plan": "99999999999999999999"})
    assert bad.status_code == 400 and "plan" in bad.json()
    plans = client.get(f"{API}/plans/", {"year": 2026}).json()
    assert {p["id"] for p in plans["results"]} == set(Plan.objects.values_list("pk", flat=True))


def test_a_solve_needs_a_list_and_only_one_runs_at_a_time(world, rows):
    client = api_as(world.users.committee)
    draft = rows["draft"]
    empty = client.post(f"{API}/plans/{draft.pk}/solve/")
    assert empty.status_code == 400 and "participants" in empty.json()
    services.participants_build(actor=world.users.committee, plan=draft)
    cache.add(tasks._key(draft.pk), tasks.PENDING)  # another solve is under way
    try:
        busy = client.post(f"{API}/plans/{draft.pk}/solve/")
    finally:
        cache.delete(tasks._key(draft.pk))
    assert busy.status_code == 409 and busy.json()["detail"]
    draft.refresh_from_db()
    assert draft.state == PlanState.DRAFT and not draft.solve_status
