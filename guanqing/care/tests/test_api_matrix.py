"""The care API's permission matrix and scope: every endpoint, every role, written out by hand —
the committee sees every event, a unit administrator its unit's, a member its own, every other role
nothing (403 at the door)."""

from __future__ import annotations

import pytest

from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.care.tests.helpers import PLAIN, other_record, record
from guanqing.conftest import api_as
from guanqing.core.roles import Role

FORBIDDEN = "403"
ROLES = [r.value for r in Role]

# role -> which events ("own": world.member's, "other": the other unit's) the lists show
SEEN = {
    "committee": {"own", "other"},
    "unit_admin": {"own"},
    "member": {"own"},
    "community_worker": FORBIDDEN,
    "window_clerk": FORBIDDEN,
    "fund_officer": FORBIDDEN,
    "system_admin": FORBIDDEN,
    "security_admin": FORBIDDEN,
    "audit_admin": FORBIDDEN,
}
# role -> status of: the catalogue, a new rule (empty body), changing a rule (empty body), a new
# event (empty body), meeting and waiving the own obligation (empty body), the figures
WRITES = {
    "committee": {
        "rules": 200,
        "rule_new": 400,
        "rule_edit": 200,
        "event": 400,
        "meet": 400,
        "waive": 400,
        "figures": 200,
    },
    "unit_admin": {
        "rules": 200,
        "rule_new": 403,
        "rule_edit": 403,
        "event": 400,
        "meet": 400,
        "waive": 400,
        "figures": 200,
    },
    "member": {
        "rules": 200,
        "rule_new": 403,
        "rule_edit": 403,
        "event": 400,
        "meet": 403,
        "waive": 403,
        "figures": 403,
    },
    **{
        role: {
            "rules": 403,
            "rule_new": 403,
            "rule_edit": 403,
            "event": 403,
            "meet": 403,
            "waive": 403,
            "figures": 403,
        }
        for role in (
            "community_worker",
            "window_clerk",
            "fund_officer",
            "system_admin",
            "security_admin",
            "audit_admin",
        )
    },
}


@pytest.fixture
def events(world, official_calendar, pinned_today):
    return {"own": record(world), "other": other_record(world)}


@pytest.mark.parametrize("role", ROLES)
def test_events_and_obligations_lists_and_details(world, events, role):
    client = api_as(getattr(world.users, role))
    names = {e.pk: name for name, e in events.items()}
    expected = SEEN[role]
    listed = client.get("/api/v1/care/events/")
    obligations = client.get("/api/v1/care/obligations/")
    if expected == FORBIDDEN:
        assert listed.status_code == obligations.status_code == 403
        for event in events.values():
            assert client.get(f"/api/v1/care/events/{event.pk}/").status_code == 403
        return
    assert {names[row["id"]] for row in listed.json()["results"]} == expected
    assert {names[row["event"]] for row in obligations.json()["results"]} == expected
    for name, event in events.items():
        status = 200 if name in expected else 404
        assert client.get(f"/api/v1/care/events/{event.pk}/").status_code == status
        o = event.obligations.get()
        assert client.get(f"/api/v1/care/obligations/{o.pk}/").status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_writes_and_figures(world, events, role):
    client = api_as(getattr(world.users, role))
    own = events["own"].obligations.get()
    item = CareRule.objects.get(code=PLAIN)
    cells = {
        "rules": client.get("/api/v1/care/rules/"),
        "rule_new": client.post("/api/v1/care/rules/", {}, format="json"),
        "rule_edit": client.patch(f"/api/v1/care/rules/{item.pk}/", {}, format="json"),
        "event": client.post("/api/v1/care/events/", {}, format="json"),
        "meet": client.post(f"/api/v1/care/obligations/{own.pk}/meet/", {}, format="json"),
        "waive": client.post(f"/api/v1/care/obligations/{own.pk}/waive/", {}, format="json"),
        "figures": client.get("/api/v1/care/figures/"),
    }
    got = {name: response.status_code for name, response in cells.items()}
    assert got == WRITES[role]
    assert CareEvent.objects.count() == Obligation.objects.count() == 2
    assert not Obligation.objects.exclude(state="open").exists()


@pytest.mark.parametrize("role", ["unit_admin", "member"])
def test_outside_the_scope_is_404(world, events, role):
    client = api_as(getattr(world.users, role))
    other = events["other"].obligations.get()
    meet = client.post(f"/api/v1/care/obligations/{other.pk}/meet/", {"done_note": "x"})
    assert meet.status_code == (404 if role == "unit_admin" else 403)
