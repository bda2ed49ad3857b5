"""The pledge API's permission matrix and scope, every endpoint and role written out by hand: the
committee sees every pledge (drafts too), a unit administrator the published ones its unit leads,
a member the published ones, every other role nothing (403 at the door); the public summary
answers everyone."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.pledges import services
from guanqing.pledges.models import Milestone, Pledge, ProgressReport
from guanqing.pledges.tests.helpers import D, pledge, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today", "official_calendar")]

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

# role -> which pledges ("own": led by 市纪委, "other": by 市发改委, "draft") the lists show
SEEN = {
    "committee": {"own", "other", "draft"},
    "unit_admin": {"own"},
    "member": {"own", "other"},
    **{role: FORBIDDEN for role in OUTSIDE},
}
# role -> status of: a new pledge, changing one, publishing the draft, rating, self-assessing,
# a new milestone, a milestone done, a new report (each with an empty body), the public summary
WRITES = {
    "committee": {
        "new": 400,
        "edit": 200,
        "publish": 200,
        "rate": 400,
        "assess": 403,
        "milestone": 400,
        "done": 400,
        "report": 403,
        "public": 200,
    },
    "unit_admin": {
        "new": 403,
        "edit": 403,
        "publish": 403,
        "rate": 403,
        "assess": 400,
        "milestone": 403,
        "done": 400,
        "report": 400,
        "public": 200,
    },
    "member": {
        "new": 403,
        "edit": 403,
        "publish": 403,
        "rate": 403,
        "assess": 403,
        "milestone": 403,
        "done": 403,
        "report": 403,
        "public": 200,
    },
    **{
        role: {
            "new": 403,
            "edit": 403,
            "publish": 403,
            "rate": 403,
            "assess": 403,
            "milestone": 403,
            "done": 403,
            "report": 403,
            "public": 200,
        }
        for role in OUTSIDE
    },
}


@pytest.fixture
def rows(world):
    own = pledge(world, 1)
    services.milestone_add(
        actor=world.users.committee, pledge=own, title="节点", due_on=D(2026, 6, 1)
    )
    report(world, own)
    other = pledge(world, 2, units=[world.other_unit])
    draft = pledge(world, 3, publish=False)
    return {"own": own, "other": other, "draft": draft}


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_details(world, rows, role):
    client = api_as(getattr(world.users, role))
    names = {row.pk: name for name, row in rows.items()}
    expected = SEEN[role]
    listed = client.get("/api/v1/pledges/pledges/")
    milestones = client.get("/api/v1/pledges/milestones/")
    reports = client.get("/api/v1/pledges/reports/")
    if expected == FORBIDDEN:
        assert listed.status_code == milestones.status_code == reports.status_code == 403
        for row in rows.values():
            assert client.get(f"/api/v1/pledges/pledges/{row.pk}/").status_code == 403
        return
    assert {names[r["id"]] for r in listed.json()["results"]} == expected
    assert len(milestones.json()["results"]) == len(reports.json()["results"]) == 1
    for name, row in rows.items():
        status = 200 if name in expected else 404
        assert client.get(f"/api/v1/pledges/pledges/{row.pk}/").status_code == status
    own = client.get(f"/api/v1/pledges/pledges/{rows['own'].pk}/").json()
    assert (own["progress"], own["percent"], own["status"]) == (3, 25, "on_track")


@pytest.mark.parametrize("role", ROLES)
def test_writes(world, rows, role):
    client = api_as(getattr(world.users, role))
    own, draft = rows["own"], rows["draft"]
    step = Milestone.objects.get()
    cells = {
        "new": client.post("/api/v1/pledges/pledges/", {}, format="json"),
        "edit": client.patch(f"/api/v1/pledges/pledges/{own.pk}/", {}, format="json"),
        "publish": client.post(f"/api/v1/pledges/pledges/{draft.pk}/publish/", {}, format="json"),
        "rate": client.post(f"/api/v1/pledges/pledges/{own.pk}/rate/", {}, format="json"),
        "assess": client.post(f"/api/v1/pledges/pledges/{own.pk}/assess/", {}, format="json"),
        "milestone": client.post("/api/v1/pledges/milestones/", {}, format="json"),
        "done": client.post(f"/api/v1/pledges/milestones/{step.pk}/done/", {}, format="json"),
        "report": client.post("/api/v1/pledges/reports/", {}, format="json"),
        "public": client.get("/api/v1/pledges/public/"),
    }
    got = {name: response.status_code for name, response in cells.items()}
    assert got == WRITES[role]
    assert Pledge.objects.count() == 3
    assert ProgressReport.objects.count() == 1
    assert Milestone.objects.filter(done_on__isnull=False).count() == 0


def test_the_public_summary_needs_no_account(api, world, rows):
    response = api.get("/api/v1/pledges/public/?year=2026")
    assert response.status_code == 200
    assert {p["number"] for p in response.json()["pledges"]} == {1, 2}


def test_a_write_through_the_api_and_a_refused_move(world, rows):
    committee = api_as(world.users.committee)
    created = committee.post(
        "/api/v1/pledges/pledges/",
        {
            "year": 2026,
            "number": 5,
            "title": "交友平台",
            "promise": "全年六场联谊",
            "lead_units": [world.unit.pk],
            "target_value": 6,
            "target_unit": "场",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "draft"
    refused = committee.post(f"/api/v1/pledges/pledges/{rows['own'].pk}/publish/")
    assert refused.status_code == 409
    unit = api_as(world.users.unit_admin)
    written = unit.post(
        "/api/v1/pledges/reports/",
        {"pledge": rows["own"].pk, "month": "2026-05-01", "value": 4, "text": "更正"},
        format="json",
    )
    assert written.status_code == 201, written.content
    assert ProgressReport.objects.get().value == 4
    outside = unit.post(
        "/api/v1/pledges/reports/",
        {"pledge": rows["other"].pk, "month": "2026-05-01", "value": 4, "text": "x"},
        format="json",
    )
    assert outside.status_code == 400
    assert "pledge" in outside.json()


@pytest.mark.parametrize("value", ["²⁰²⁶", "abc", "20260", "-1"])
def test_a_year_that_is_not_one_is_refused_naming_the_parameter(world, value):
    for client, url in (
        (api_as(world.users.committee), "/api/v1/pledges/pledges/"),
        (APIClient(), "/api/v1/pledges/public/"),
    ):
        response = client.get(url, {"year": value})
        assert response.status_code == 400, (url, value)
        assert "year" in response.json()
