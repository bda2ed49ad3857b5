"""The pairing figures: sums in 元 and 万元, 人次, festival visits, distinct households, the
compliance rate, by unit and by today's district, within the user's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanqing.conftest import api_as
from guanqing.pairing.figures import wan_yuan, yuan
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f

D = datetime.date
URL = "/api/v1/figures/pairing/"
RANGE = {"from": "2025-01-01", "to": "2025-03-31"}


@pytest.fixture
def figures_today():
    """The figures are asked for on 10 April 2025 (noon in Shanghai, the clock stopped)."""
    moment = datetime.datetime(2025, 4, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield moment.date()


@pytest.fixture
def figures_world(world, figures_today):
    """海曙区 gathers the old 江东区; 江北区 stands apart.

    A: 市纪委 × 张国宝 (海曙区) — festival visit with 2 members (12,345.67 + 5,000.00 in kind),
       a talk on 1 March (100.00); B: 市发改委 × a 江东区 household — festival visit (2,000.00 +
       654.33); C: 市纪委 × a 江北区 household, no visit; D: 市发改委 × 张国宝 again, no visit;
       and one visit of A before the range (99,999.00) that must not count."""
    committee = world.users.committee
    old = f.DistrictFactory(name="江东区")
    registry_services.division_abolish(
        actor=committee, division=old, on=D(2016, 9, 1), successor=world.district
    )
    north = f.DistrictFactory(name="江北区")
    old_household = f.HouseholdFactory(
        community=f.CommunityFactory(parent=f.StreetFactory(parent=old))
    )
    north_household = f.HouseholdFactory(
        community=f.CommunityFactory(parent=f.StreetFactory(parent=north))
    )
    colleague = f.MemberFactory(unit=world.unit, branch=world.org, name="王五")
    start = D(2024, 1, 1)
    a = f.PairingFactory(
        household=world.household, unit=world.unit, member=world.member, started_on=start
    )
    b = f.PairingFactory(
        household=old_household, unit=world.other_unit, member=world.other_member, started_on=start
    )
    f.PairingFactory(household=north_household, unit=world.unit, member=colleague, started_on=start)
    f.PairingFactory(
        household=world.household,
        unit=world.other_unit,
        member=world.other_member,
        started_on=start,
    )
    f.VisitFactory(
        pairing=a,
        date=D(2025, 1, 5),
        talk=False,
        festival=True,
        cash_amount=Decimal("12345.67"),
        in_kind_value=Decimal("5000.00"),
        participants=[world.member, colleague],
    )
    f.VisitFactory(
        pairing=a, date=D(2025, 3, 1), cash_amount=Decimal("100"), participants=[world.member]
    )
    f.VisitFactory(
        pairing=b,
        date=D(2025, 1, 20),
        talk=False,
        festival=True,
        cash_amount=Decimal("2000"),
        in_kind_value=Decimal("654.33"),
        participants=[world.other_member],
    )
    f.VisitFactory(
        pairing=a, date=D(2024, 12, 31), cash_amount=Decimal("99999"), participants=[world.member]
    )
    return world


def test_figures_sum_help_in_yuan_and_wan_yuan(figures_world):
    body = api_as(figures_world.users.committee).get(URL, RANGE).json()
    assert body["help"] == {
        "cash_yuan": "14445.67",
        "cash_wan_yuan": "1.44",
        "in_kind_yuan": "5654.33",
        "in_kind_wan_yuan": "0.57",
        "total_yuan": "20100.00",
        "total_wan_yuan": "2.01",
    }


def test_figures_count_pairings_households_visits_and_person_times(figures_world):
    body = api_as(figures_world.users.committee).get(URL, RANGE).json()
    numbers = {
        key: body[key]
        for key in (
            "units",
            "pairings",
            "households",
            "visits",
            "visit_person_times",
            "festival_visits",
            "festival_person_times",
        )
    }
    assert numbers == {
        "units": 2,
        "pairings": 4,
        "households": 3,  # 张国宝户 is paired with both units: one household
        "visits": 3,
        "visit_person_times": 4,
        "festival_visits": 2,
        "festival_person_times": 3,
    }


def test_figures_compliance_rate_over_the_periods_of_the_range(figures_world):
    body = api_as(figures_world.users.committee).get(URL, RANGE).json()
    assert body["periods"] == ["2025Q1", "2025-new_year"]
    # done: A's quarter and window, B's window; overdue: B's quarter, C and D both
    assert body["compliance_rate"] == 0.375


def test_figures_by_unit_and_by_todays_district(figures_world):
    body = api_as(figures_world.users.committee).get(URL, RANGE).json()
    by_unit = {row["unit"]["name"]: row for row in body["by_unit"]}
    assert (by_unit["市纪委"]["pairings"], by_unit["市纪委"]["visits"]) == (2, 2)
    assert by_unit["市纪委"]["help"]["total_yuan"] == "17445.67"
    assert by_unit["市发改委"]["households"] == 2
    assert by_unit["市发改委"]["help"]["total_wan_yuan"] == "0.27"
    by_district = {row["district"]["name"]: row for row in body["by_district"]}
    assert set(by_district) == {"海曙区", "江北区"}  # 江东区 rolled up into 海曙区
    assert (by_district["海曙区"]["pairings"], by_district["海曙区"]["households"]) == (3, 2)
    assert by_district["海曙区"]["help"]["total_yuan"] == "20100.00"
    assert by_district["江北区"]["visits"] == 0


def test_figures_filtered_by_district_include_merged_districts(figures_world):
    body = api_as(figures_world.users.committee).get(URL, {**RANGE, "district": "330203"}).json()
    assert (body["pairings"], body["households"], body["visits"]) == (3, 2, 3)


def test_unit_admin_figures_cover_its_unit_only(figures_world):
    client = api_as(figures_world.users.unit_admin)
    body = client.get(URL, RANGE).json()
    assert (body["units"], body["pairings"], body["visits"]) == (1, 2, 2)
    assert body["help"]["cash_yuan"] == "12445.67"
    other = client.get(URL, {**RANGE, "unit": figures_world.other_unit.pk})
    assert other.status_code == 404
    own = client.get(URL, {**RANGE, "unit": figures_world.unit.pk})
    assert own.json()["pairings"] == 2


def test_committee_figures_for_one_unit(figures_world):
    body = (
        api_as(figures_world.users.committee)
        .get(URL, {**RANGE, "unit": figures_world.other_unit.pk})
        .json()
    )
    assert (body["pairings"], body["help"]["total_yuan"]) == (2, "2654.33")


def test_a_range_without_visits_sums_to_zero(figures_world):
    body = api_as(figures_world.users.committee).get(
        URL, {"from": "2025-04-01", "to": "2025-04-05"}
    )
    assert body.json()["help"]["total_yuan"] == "0.00"
    assert body.json()["pairings"] == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"from": "2025-03-01", "to": "2025-01-01"}, "to"),
        ({"district": "330299"}, "district"),
        ({"district": "abc"}, "district"),
        ({"unit": "x"}, "unit"),
    ],
)
def test_figures_name_the_malformed_parameter(figures_world, query, field):
    response = api_as(figures_world.users.committee).get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("role", ["member", "community_worker", "fund_officer", "audit_admin"])
def test_figures_are_for_the_committee_and_unit_admins(world, role):
    assert api_as(getattr(world.users, role)).get(URL).status_code == 403


def test_wan_yuan_rounds_half_up_to_two_decimals():
    assert wan_yuan(Decimal("50")) == "0.01"
    assert wan_yuan(Decimal("49.99")) == "0.00"
    assert wan_yuan(Decimal("1570000")) == "157.00"
    assert yuan(Decimal("0.005")) == "0.01"
