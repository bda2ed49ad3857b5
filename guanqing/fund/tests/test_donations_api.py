"""/api/v1/fund/donations/: recording through the service (400 naming the field, 409 for a closed
month), filters, the totals of a year, and a list whose queries do not grow with its rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanqing.conftest import api_as, api_list_queries
from guanqing.fund import donation_services as services
from guanqing.fund.choices import DonationSource
from guanqing.fund.models import Donation, Period, Transaction

D = datetime.date

pytestmark = pytest.mark.django_db


def give(w, **values):
    return services.donation_record(
        actor=w.users.fund_officer,
        received_on=values.pop("received_on", D(2026, 5, 11)),
        **{"source": DonationSource.UNIT, "unit": w.unit, "amount": Decimal(100), **values},
    )


def test_the_fund_officer_records_a_staff_gift(fund_world):
    w = fund_world
    response = api_as(w.users.fund_officer).post(
        "/api/v1/fund/donations/",
        {
            "source": "member",
            "unit": w.unit.pk,
            "member": w.member.pk,
            "amount": "500.00",
            "received_on": "2026-05-12",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["receipt_number"] == "HA2026-000001"
    assert (body["donor_name"], body["member"], body["unit_name"]) == (
        "张三",
        w.member.pk,
        "市纪委",
    )
    assert (body["amount"], body["amount_in_words"]) == ("500.00", "伍佰元整")
    assert body["recorded_by"] == "fund_officer"
    assert Transaction.objects.get().donation.pk == body["id"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"source": "unit", "unit": None, "amount": "1", "received_on": "2026-05-12"}, {"unit"}),
        ({"source": "unit", "amount": "0", "received_on": "2026-05-12"}, {"amount"}),
        ({"source": "unit", "amount": "1", "received_on": "2026-05-14"}, {"received_on"}),
        ({"source": "member", "amount": "1", "received_on": "2026-05-12"}, {"donor_name"}),
        ({"source": "x", "amount": "1", "received_on": "2026-05-12"}, {"source"}),
        ({"source": "unit", "amount": "1.001", "received_on": "2026-05-12"}, {"amount"}),
    ],
)
def test_a_refused_gift_is_a_400_naming_the_field(fund_world, body, fields):
    body = {"unit": fund_world.unit.pk, **body}
    response = api_as(fund_world.users.fund_officer).post(
        "/api/v1/fund/donations/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert set(response.json()) == fields
    assert not Donation.objects.exists()


def test_a_member_of_another_unit_is_a_400_on_member(fund_world):
    w = fund_world
    response = api_as(w.users.fund_officer).post(
        "/api/v1/fund/donations/",
        {
            "source": "member",
            "unit": w.unit.pk,
            "member": w.other_member.pk,
            "amount": "5",
            "received_on": "2026-05-12",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"member"}


def test_a_closed_month_is_a_409(fund_world):
    Period.objects.create(month=D(2026, 4, 1), closed_at=timezone.now())
    response = api_as(fund_world.users.fund_officer).post(
        "/api/v1/fund/donations/",
        {"source": "unit", "unit": fund_world.unit.pk, "amount": "5", "received_on": "2026-04-30"},
        format="json",
    )
    assert response.status_code == 409
    assert not Donation.objects.exists()


def test_filters(fund_world):
    w = fund_world
    own = give(w)
    staff = give(w, source=DonationSource.MEMBER, donor_name="王工会")
    other = give(w, unit=w.other_unit, received_on=D(2025, 3, 1))
    client = api_as(w.users.committee)

    def ids(**query):
        return {row["id"] for row in client.get("/api/v1/fund/donations/", query).json()["results"]}

    assert ids(unit=w.other_unit.pk) == {other.pk}
    assert ids(year=2026) == {own.pk, staff.pk}
    assert ids(source="member") == {staff.pk}
    assert ids(q="王工") == {staff.pk}
    assert ids(q=own.receipt_number.lower()) == {own.pk}
    bad = client.get("/api/v1/fund/donations/", {"unit": "99999999999999999999999"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"unit"}


def test_the_totals_of_a_year(fund_world):
    w = fund_world
    give(w, amount=Decimal("5000"))
    give(w, source=DonationSource.MEMBER, member=w.member, amount=Decimal("100.50"))
    give(w, unit=w.other_unit, amount=Decimal("2000"), received_on=D(2025, 3, 1))
    body = api_as(w.users.fund_officer).get("/api/v1/fund/donations/totals/").json()
    assert body["year"] == 2026
    assert body["rows"] == [
        {
            "unit": w.unit.pk,
            "unit_name": "市纪委",
            "own": "5000.00",
            "staff": "100.50",
            "total": "5100.50",
            "gifts": 2,
            "donors": 1,
        }
    ]
    assert body["city"]["total"] == "5100.50"
    assert body["city"]["total_wan"] == "0.51"
    assert body["city"]["units"] == 1
    assert body["article"] == {"units": 106, "total": "564769.00"}
    last_year = api_as(w.users.unit_admin).get("/api/v1/fund/donations/totals/?year=2025").json()
    assert last_year["rows"] == []  # the other unit's, outside the administrator's scope
    bad = api_as(w.users.committee).get("/api/v1/fund/donations/totals/?year=abc")
    assert bad.status_code == 400
    assert set(bad.json()) == {"year"}


def test_the_list_runs_a_fixed_number_of_queries(fund_world):
    w = fund_world
    give(w)
    few, rows = api_list_queries(w.users.fund_officer, "/api/v1/fund/donations/")
    assert rows == 1
    for index in range(15):
        give(w, source=DonationSource.MEMBER, donor_name=f"职工{index}")
    many, rows = api_list_queries(w.users.fund_officer, "/api/v1/fund/donations/")
    assert rows == 16
    assert many == few
