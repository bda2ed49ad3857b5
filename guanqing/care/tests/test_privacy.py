"""Scope and privacy for every role: the committee sees every event, a unit administrator its
unit's, a member its own, every other role nothing (403 at the door). A sensitive event (illness,
discipline) is read only by the committee, its unit's administrators and the member it is about;
every read of its page is audited; the figures show counts only."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from guanqing.care import selectors
from guanqing.care.models import CareEvent, Obligation
from guanqing.care.tests.helpers import PLAIN, SENSITIVE, other_record, record
from guanqing.conftest import api_as, client_for
from guanqing.core.models import AuditEvent
from guanqing.core.roles import Role

ROLES = [r.value for r in Role]
READERS = {"committee", "unit_admin", "member"}
# role -> which events it sees: "own" (world.member's, sensitive), "other" (the other unit's)
SEEN = {
    "committee": {"own", "other"},
    "unit_admin": {"own"},
    "member": {"own"},
}


@pytest.fixture
def events(world, official_calendar, pinned_today):
    return {
        "own": record(world, SENSITIVE, note="胃癌手术"),
        "other": other_record(world, SENSITIVE),
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_scope_and_nothing_else(world, events, role):
    user = getattr(world.users, role)
    names = {e.pk: name for name, e in events.items()}
    seen = {names[pk] for pk in CareEvent.objects.visible_to(user).values_list("pk", flat=True)}
    obligations = {
        names[pk] for pk in Obligation.objects.visible_to(user).values_list("event_id", flat=True)
    }
    assert seen == obligations == SEEN.get(role, set())


@pytest.mark.parametrize("role", ROLES)
def test_the_event_page_answers_by_scope(world, events, role):
    client = client_for(getattr(world.users, role))
    for name, event in events.items():
        response = client.get(f"/care/events/{event.pk}/")
        expected = 403 if role not in READERS else 200 if name in SEEN[role] else 404
        assert response.status_code == expected, (name, response.status_code)
        if expected == 200:
            assert "住院或患重病" in response.content.decode()
            assert "胃癌手术" in response.content.decode() or name == "other"


@pytest.mark.parametrize("role", sorted(READERS))
def test_every_read_of_a_sensitive_event_is_audited(world, events, role):
    user = getattr(world.users, role)
    client_for(user).get(f"/care/events/{events['own'].pk}/")
    api_as(user).get(f"/api/v1/care/events/{events['own'].pk}/")
    reads = AuditEvent.objects.filter(
        action="reveal", object_type="care.careevent", object_id=str(events["own"].pk)
    )
    assert reads.count() == 2
    assert set(reads.values_list("actor_id", flat=True)) == {user.pk}


def test_reading_a_plain_event_is_not_audited(world, official_calendar, pinned_today):
    event = record(world, PLAIN)
    client_for(world.users.unit_admin).get(f"/care/events/{event.pk}/")
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lists_and_details_answer_by_scope(world, events, role):
    client = api_as(getattr(world.users, role))
    names = {e.pk: name for name, e in events.items()}
    listed = client.get("/api/v1/care/events/")
    obligations = client.get("/api/v1/care/obligations/")
    if role not in READERS:
        assert listed.status_code == obligations.status_code == 403
        return
    assert {names[row["id"]] for row in listed.json()["results"]} == SEEN[role]
    assert {names[row["event"]] for row in obligations.json()["results"]} == SEEN[role]
    for row in listed.json()["results"]:
        assert row["rule_name"] == "住院或患重病"
    for name, event in events.items():
        detail = client.get(f"/api/v1/care/events/{event.pk}/")
        assert detail.status_code == (200 if name in SEEN[role] else 404)


def _user(role, unit_id=None, member_id=None):
    return SimpleNamespace(role=role, unit_id=unit_id, member_id=member_id)


def test_a_sensitive_rule_is_masked_for_anyone_but_those_allowed(world, events):
    own = events["own"]
    allowed = [
        _user("committee"),
        _user("unit_admin", unit_id=world.unit.pk),
        _user("member", member_id=world.member.pk),
    ]
    refused = [
        _user("unit_admin", unit_id=world.other_unit.pk),
        _user("member", member_id=world.other_member.pk),
        _user("member"),
        *(_user(role) for role in ROLES if role not in READERS),
    ]
    for user in allowed:
        assert selectors.rule_label(user, own) == "住院或患重病"
    for user in refused:
        assert selectors.rule_label(user, own) == "（敏感事项）"
    plain = record(world, PLAIN)
    assert all(selectors.rule_label(u, plain) == "直系亲属去世" for u in refused)


@pytest.mark.parametrize("role", ["committee", "unit_admin"])
def test_the_figures_show_counts_and_never_a_name_or_rule(world, events, role):
    client = client_for(getattr(world.users, role))
    page = client.get("/care/figures/", {"from": "2026-01-01", "to": "2026-12-31"}).content.decode()
    body = (
        api_as(getattr(world.users, role))
        .get("/api/v1/care/figures/", {"from": "2026-01-01", "to": "2026-12-31"})
        .json()
    )
    for text in ("张三", "李四", "住院", "胃癌"):
        assert text not in page
        assert text not in str(body)
    assert body["totals"]["events"] == len(SEEN[role])
