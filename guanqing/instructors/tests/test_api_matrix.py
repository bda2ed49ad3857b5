"""The instructors' API permission matrix and scope: every endpoint, every role, written out by
hand — the committee sees every term, a unit administrator its unit's, a member its own, every
other role nothing (403 at the door)."""

from __future__ import annotations

import pytest

from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.instructors.models import InstructorTerm, RaisedProblem, WorkLog
from guanqing.instructors.tests.helpers import D, log, other_term, term

FORBIDDEN = "403"
ROLES = [r.value for r in Role]

# role -> which terms ("own": world.member's, "other": the other unit's) the list shows
TERMS_SEEN = {
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
# role -> status of: appoint, record a log on the own term, raise on the own term (empty body),
# the figures
WRITES = {
    "committee": {"appoint": 400, "log": 403, "raise": 403, "figures": 200},
    "unit_admin": {"appoint": 400, "log": 400, "raise": 400, "figures": 200},
    "member": {"appoint": 403, "log": 400, "raise": 400, "figures": 403},
    "community_worker": {"appoint": 403, "log": 403, "raise": 403, "figures": 403},
    "window_clerk": {"appoint": 403, "log": 403, "raise": 403, "figures": 403},
    "fund_officer": {"appoint": 403, "log": 403, "raise": 403, "figures": 403},
    "system_admin": {"appoint": 403, "log": 403, "raise": 403, "figures": 403},
    "security_admin": {"appoint": 403, "log": 403, "raise": 403, "figures": 403},
    "audit_admin": {"appoint": 403, "log": 403, "raise": 403, "figures": 403},
}


@pytest.fixture
def terms(world, pinned_today):
    own, other = term(world), other_term(world)
    log(own, D(2026, 5, 4))
    log(other, D(2026, 5, 5))
    return {"own": own, "other": other}


@pytest.mark.parametrize("role", ROLES)
def test_terms_and_logs_lists(world, terms, role):
    client = api_as(getattr(world.users, role))
    names = {t.pk: name for name, t in terms.items()}
    expected = TERMS_SEEN[role]
    response = client.get("/api/v1/instructors/terms/")
    logs = client.get("/api/v1/instructors/logs/")
    if expected == FORBIDDEN:
        assert response.status_code == 403
        assert logs.status_code == 403
        return
    assert {names[row["id"]] for row in response.json()["results"]} == expected
    assert {names[row["term"]] for row in logs.json()["results"]} == expected
    for name, t in terms.items():
        detail = client.get(f"/api/v1/instructors/terms/{t.pk}/")
        assert detail.status_code == (200 if name in expected else 404), (name, detail.content)


@pytest.mark.parametrize("role", ROLES)
def test_writes_and_figures(world, terms, role):
    client = api_as(getattr(world.users, role))
    own = terms["own"]
    cells = {
        "appoint": client.post("/api/v1/instructors/terms/", {}, format="json"),
        "log": client.post("/api/v1/instructors/logs/", {"term": own.pk}, format="json"),
        "raise": client.post(
            f"/api/v1/instructors/terms/{own.pk}/raise-problem/", {}, format="json"
        ),
        "figures": client.get("/api/v1/instructors/figures/"),
    }
    got = {name: response.status_code for name, response in cells.items()}
    assert got == WRITES[role]
    assert InstructorTerm.objects.count() == 2
    assert WorkLog.objects.count() == 2
    assert not RaisedProblem.objects.exists()


def test_a_member_reads_its_own_term_with_its_months(world, terms):
    response = api_as(world.users.member).get(f"/api/v1/instructors/terms/{terms['own'].pk}/")
    body = response.json()
    assert body["this_month"] == {
        "month": "2026-05",
        "required": 20,
        "logged": 1,
        "compliance": "in_progress",
    }
    assert [m["month"] for m in body["months"]][:2] == ["2026-05", "2026-04"]
    assert body["months"][1]["compliance"] == "short"


def test_a_term_of_another_unit_named_in_the_body_is_refused(world, terms):
    response = api_as(world.users.unit_admin).post(
        "/api/v1/instructors/logs/",
        {"term": terms["other"].pk, "starts_on": "2026-05-11", "work": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"term"}
    assert WorkLog.objects.count() == 2
