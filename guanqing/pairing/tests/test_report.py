"""结对帮困's section of the period report: the city, one unit and one district (old districts
merged into it rolled up), the period's bounds, the reader's scope, the partnerships, JSON and the
query budget."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.core import reports
from guanqing.pairing.report import build
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f

D = datetime.date
TODAY = D(2025, 4, 10)
Q1 = reports.Period.parse("2025-Q1")


@pytest.fixture
def report_today():
    moment = datetime.datetime(2025, 4, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield moment.date()


@pytest.fixture
def pairing_world(world, report_today):
    """海曙区 gathers the old 江东区; 江北区 stands apart.

    A: 市纪委 × 张国宝 (海曙区): festival visit on 5 Jan with 2 members (12,345.67 + 5,000.00 in
       kind), a talk on 1 March (100.00), and a visit on 31 Dec 2024 (99,999.00, before Q1);
    B: 市发改委 × a 江东区 household: festival visit on 20 Jan (2,000.00 + 654.33);
    C: 市纪委 × a 江北区 household, no visit; D: 市发改委 × 张国宝 again, no visit.
    Partnerships: 市纪委 × a 海曙区 village (a project of 100,000 started in February, one of
    50,000 started in 2024 and finished on 1 March); 市发改委 × a 江北区 village; and an old one of
    市纪委 ended in 2024."""
    committee = world.users.committee
    old = f.DistrictFactory(name="江东区")
    registry_services.division_abolish(
        actor=committee, division=old, on=D(2016, 9, 1), successor=world.district
    )
    north = f.DistrictFactory(name="江北区")
    world.old_district, world.north = old, north
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

    def village(district):
        return f.PartyOrgFactory(
            unit=None,
            division=f.CommunityFactory(parent=f.StreetFactory(parent=district), kind="village"),
        )

    ours = f.PartnershipFactory(unit_org=world.org, village_org=village(world.district))
    f.PartnershipProjectFactory(
        partnership=ours, funds=Decimal("100000"), status="underway", started_on=D(2025, 2, 1)
    )
    f.PartnershipProjectFactory(
        partnership=ours,
        funds=Decimal("50000"),
        status="done",
        started_on=D(2024, 5, 1),
        finished_on=D(2025, 3, 1),
    )
    f.PartnershipFactory(unit_org=world.other_org, village_org=village(north))
    f.PartnershipFactory(unit_org=world.org, village_org=village(north), ended_on=D(2024, 6, 30))
    return world


CITY = reports.Where()


def ctx(user, where=CITY, period=Q1, today=TODAY):
    return reports.ReportContext(user=user, period=period, where=where, today=today)


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def test_city_counts_every_unit_and_leaves_out_the_visit_before_the_period(pairing_world):
    got = values(build(ctx(pairing_world.users.committee)))
    assert {k: got[k] for k in ("units", "pairings", "households")} == {
        "units": 2,
        "pairings": 4,
        "households": 3,  # 张国宝户 is paired with both units: one household
    }
    assert (got["visits"], got["visit_person_times"]) == (3, 4)
    assert (got["festival_visits"], got["festival_person_times"]) == (2, 3)
    # 12,345.67 + 100 + 2,000 cash; 5,000 + 654.33 in kind; the 99,999 of 31 Dec is not counted
    assert got["help_cash_wan"] == Decimal("1.44")
    assert got["help_in_kind_wan"] == Decimal("0.57")
    assert got["help_total_wan"] == Decimal("2.01")
    # done: A's quarter and window, B's window; overdue: B's quarter, C and D both
    assert got["compliance_rate"] == Decimal("37.5")


def test_city_partnerships_in_force_and_the_projects_of_the_period(pairing_world):
    got = values(build(ctx(pairing_world.users.committee)))
    assert (got["partnership_count"], got["partnership_villages"]) == (2, 2)
    assert (got["partnership_projects"], got["partnership_projects_done"]) == (1, 1)
    assert got["partnership_funds_wan"] == Decimal("10.00")


def test_city_tables_by_district_and_by_unit_and_the_charts(pairing_world):
    data = build(ctx(pairing_world.users.committee))
    tables = {t.key: t for t in data.tables}
    by_district = {row[0]: row for row in tables["by_district"].rows}
    assert set(by_district) == {"海曙区", "江北区"}  # 江东区 rolled up into 海曙区
    assert by_district["海曙区"][1:4] == [2, 3, 4]  # households, visits, 人次
    assert by_district["江北区"][1:4] == [1, 0, 0]
    assert [row[0] for row in tables["by_unit"].rows] == ["市纪委", "市发改委"]  # by visits
    charts = {c.key: c for c in data.charts}
    by_month = charts["visits_by_month"]
    assert by_month.categories == ["2025-01", "2025-02", "2025-03"]
    assert by_month.series[0].values == [2, 0, 1]
    assert charts["units_by_visits"].kind == "bar"
    assert charts["units_by_visits"].series[0].values == [2, 1]


def test_one_unit(pairing_world):
    where = reports.Where(reports.WhereKind.UNIT, pairing_world.unit.pk)
    data = build(ctx(pairing_world.users.committee, where))
    got = values(data)
    assert (got["units"], got["pairings"], got["households"]) == (1, 2, 2)
    assert (got["visits"], got["visit_person_times"]) == (2, 3)
    assert got["help_total_wan"] == Decimal("1.74")  # 12,345.67 + 5,000 + 100
    assert (got["partnership_count"], got["partnership_projects"]) == (1, 1)
    assert data.tables == []
    assert [c.key for c in data.charts] == ["visits_by_month"]
    assert data.charts[0].series[0].values == [1, 0, 1]


def test_one_district_counts_the_old_district_merged_into_it(pairing_world):
    where = reports.Where(reports.WhereKind.DISTRICT, pairing_world.district.pk)
    data = build(ctx(pairing_world.users.committee, where))
    got = values(data)
    # A and D (张国宝, 海曙区) and B (old 江东区); C (江北区) is not counted
    assert (got["pairings"], got["households"], got["visits"]) == (3, 2, 3)
    assert got["help_total_wan"] == Decimal("2.01")
    assert (got["partnership_count"], got["partnership_funds_wan"]) == (1, Decimal("10.00"))
    assert [t.key for t in data.tables] == ["by_unit"]
    assert {row[0] for row in data.tables[0].rows} == {"市纪委", "市发改委"}

    north = reports.Where(reports.WhereKind.DISTRICT, pairing_world.north.pk)
    got = values(build(ctx(pairing_world.users.committee, north)))
    assert (got["pairings"], got["visits"], got["partnership_count"]) == (1, 0, 1)


def test_a_unit_admin_reads_only_its_own_unit(pairing_world):
    got = values(build(ctx(pairing_world.users.unit_admin)))
    assert (got["units"], got["pairings"], got["visits"]) == (1, 2, 2)
    assert got["help_total_wan"] == Decimal("1.74")
    assert got["partnership_count"] == 1


def test_a_period_not_begun_gives_zeros(pairing_world):
    got = values(build(ctx(pairing_world.users.committee, period=reports.Period.parse("2025-Q3"))))
    assert got["pairings"] == 0 and got["visits"] == 0 and got["partnership_count"] == 0
    assert got["help_total_wan"] == Decimal("0.00")
    assert got["compliance_rate"] is None


def test_a_month_without_visits_has_no_rate_of_nothing(pairing_world):
    got = values(build(ctx(pairing_world.users.committee, period=reports.Period.parse("2025-02"))))
    assert got["visits"] == 0
    assert got["partnership_projects"] == 1


def test_the_section_survives_json(pairing_world, monkeypatch):
    monkeypatch.setattr(reports, "_sections", {"pairing": reports._sections["pairing"]})
    frozen = reports.build_sections(ctx(pairing_world.users.committee))
    text = json.dumps(frozen)
    section = next(s for s in frozen if s["key"] == "pairing")
    assert section["title"]["i18n"]["en"] == "Pairing"
    assert "help_total_wan" in text


def _more_units(world, n):
    for _ in range(n):
        unit = f.UnitFactory()
        member = f.MemberFactory(unit=unit)
        pairing = f.PairingFactory(
            household=f.HouseholdFactory(community=world.community),
            unit=unit,
            member=member,
            started_on=D(2024, 1, 1),
        )
        f.VisitFactory(pairing=pairing, date=D(2025, 2, 3), participants=[member])


def test_queries_do_not_grow_with_the_units(pairing_world, django_assert_max_num_queries):
    _more_units(pairing_world, 2)
    with CaptureQueriesContext(connection) as few:
        build(ctx(pairing_world.users.committee))
    _more_units(pairing_world, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = build(ctx(pairing_world.users.committee))
    assert values(data)["units"] == 12
