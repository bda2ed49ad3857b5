"""The aid API's permission matrix and scope, written out by hand: the fund officer and the committee
see every application, a unit administrator its unit's, a member its own, every other role
nothing (403 at the door); who may create, decide, pay and read 公示."""

from __future__ import annotations

import pytest

from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.fund.models import AidApplication, Approval, Payment
from guanqing.fund.tests.aid_support import draft, submitted

FORBIDDEN = "403"
ROLES = [r.value for r in Role]

# role -> which applications ("own": world.member's, "other": the other unit's) the list shows
SEEN = {
    "committee": {"own", "other"},
    "unit_admin": {"own"},
    "member": {"own"},
    "community_worker": FORBIDDEN,
    "window_clerk": FORBIDDEN,
    "fund_officer": {"own", "other"},
    "system_admin": FORBIDDEN,
    "security_admin": FORBIDDEN,
    "audit_admin": FORBIDDEN,
}
# role -> status of: create (empty body), decide the own submitted one (empty body), pay it
# (empty body), 公示
WRITES = {
    "committee": {"create": 403, "decide": 400, "pay": 403, "publicity": 200},
    "unit_admin": {"create": 400, "decide": 403, "pay": 403, "publicity": 200},
    "member": {"create": 403, "decide": 403, "pay": 403, "publicity": 200},
    "community_worker": {"create": 403, "decide": 403, "pay": 403, "publicity": 200},
    "window_clerk": {"create": 403, "decide": 403, "pay": 403, "publicity": 200},
    "fund_officer": {"create": 400, "decide": 400, "pay": 400, "publicity": 200},
    "system_admin": {"create": 403, "decide": 403, "pay": 403, "publicity": 403},
    "security_admin": {"create": 403, "decide": 403, "pay": 403, "publicity": 403},
    "audit_admin": {"create": 403, "decide": 403, "pay": 403, "publicity": 403},
}


@pytest.fixture
def applications(aid_world):
    own = submitted(aid_world)
    other = draft(aid_world, actor=aid_world.users.fund_officer, member=aid_world.other_member)
    return {"own": own, "other": other}


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail(aid_world, applications, role):
    client = api_as(getattr(aid_world.users, role))
    names = {a.pk: name for name, a in applications.items()}
    expected = SEEN[role]
    response = client.get("/api/v1/fund/applications/")
    if expected == FORBIDDEN:
        assert response.status_code == 403
        for a in applications.values():
            assert client.get(f"/api/v1/fund/applications/{a.pk}/").status_code == 403
        return
    assert {names[row["id"]] for row in response.json()["results"]} == expected
    for name, a in applications.items():
        detail = client.get(f"/api/v1/fund/applications/{a.pk}/")
        assert detail.status_code == (200 if name in expected else 404), (name, detail.content)


@pytest.mark.parametrize("role", ROLES)
def test_writes_and_publicity(aid_world, applications, role):
    client = api_as(getattr(aid_world.users, role))
    own = applications["own"]
    cells = {
        "create": client.post("/api/v1/fund/applications/", {}, format="json"),
        "decide": client.post(f"/api/v1/fund/applications/{own.pk}/decide/", {}, format="json"),
        "pay": client.post(f"/api/v1/fund/applications/{own.pk}/pay/", {}, format="json"),
        "publicity": client.get("/api/v1/fund/publicity/"),
    }
    got = {name: response.status_code for name, response in cells.items()}
    assert got == WRITES[role]
    assert AidApplication.objects.count() == 2
    assert not Approval.objects.exists()
    assert not Payment.objects.exists()
