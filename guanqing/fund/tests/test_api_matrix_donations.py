"""The donations API permission matrix and scope: every endpoint, every role, written out by hand
— the fund officer and the committee see every gift, a unit administrator its unit's (its staff's
included), a member its own, every other role nothing (403 at the door); only the fund officer
records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from guanqing.conftest import api_as
from guanqing.core.roles import Role
from guanqing.fund import donation_services as services
from guanqing.fund.choices import DonationSource
from guanqing.fund.models import Donation

D = datetime.date
FORBIDDEN = "403"
ROLES = [r.value for r in Role]

pytestmark = pytest.mark.django_db

# role -> which gifts ("unit": world.unit's own, "staff": world.member's, "other": the other
# unit's) the list shows
SEEN = {
    "committee": {"unit", "staff", "other"},
    "unit_admin": {"unit", "staff"},
    "member": {"staff"},
    "community_worker": FORBIDDEN,
    "window_clerk": FORBIDDEN,
    "fund_officer": {"unit", "staff", "other"},
    "system_admin": FORBIDDEN,
    "security_admin": FORBIDDEN,
    "audit_admin": FORBIDDEN,
}
# role -> status of: record a gift (an empty body), the totals
WRITES = {
    "committee": {"record": 403, "totals": 200},
    "unit_admin": {"record": 403, "totals": 200},
    "member": {"record": 403, "totals": 200},
    "community_worker": {"record": 403, "totals": 403},
    "window_clerk": {"record": 403, "totals": 403},
    "fund_officer": {"record": 400, "totals": 200},
    "system_admin": {"record": 403, "totals": 403},
    "security_admin": {"record": 403, "totals": 403},
    "audit_admin": {"record": 403, "totals": 403},
}


@pytest.fixture
def gifts(fund_world):
    w = fund_world

    def give(**values):
        return services.donation_record(
            actor=w.users.fund_officer,
            received_on=D(2026, 5, 11),
            **{"source": DonationSource.UNIT, "unit": w.unit, "amount": Decimal(100), **values},
        )

    return {
        "unit": give(),
        "staff": give(source=DonationSource.MEMBER, member=w.member),
        "other": give(unit=w.other_unit),
    }


@pytest.mark.parametrize("role", ROLES)
def test_donations_list_and_detail(fund_world, gifts, role):
    client = api_as(getattr(fund_world.users, role))
    names = {g.pk: name for name, g in gifts.items()}
    expected = SEEN[role]
    response = client.get("/api/v1/fund/donations/")
    if expected == FORBIDDEN:
        assert response.status_code == 403
        for gift in gifts.values():
            assert client.get(f"/api/v1/fund/donations/{gift.pk}/").status_code == 403
        return
    assert {names[row["id"]] for row in response.json()["results"]} == expected
    for name, gift in gifts.items():
        detail = client.get(f"/api/v1/fund/donations/{gift.pk}/")
        assert detail.status_code == (200 if name in expected else 404), (name, detail.content)


@pytest.mark.parametrize("role", ROLES)
def test_writes_and_totals(fund_world, gifts, role):
    client = api_as(getattr(fund_world.users, role))
    cells = {
        "record": client.post("/api/v1/fund/donations/", {}, format="json"),
        "totals": client.get("/api/v1/fund/donations/totals/"),
    }
    assert {name: r.status_code for name, r in cells.items()} == WRITES[role]
    assert Donation.objects.count() == 3


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_donation_is_never_changed_or_deleted_through_the_api(fund_world, gifts, method):
    client = api_as(fund_world.users.fund_officer)
    gift = gifts["unit"]
    response = getattr(client, method)(
        f"/api/v1/fund/donations/{gift.pk}/", {"amount": "1.00"}, format="json"
    )
    assert response.status_code == 405
    gift.refresh_from_db()
    assert gift.amount == Decimal("100.00")
