"""走亲连心's section of the period report: the seven outreach figures and the problem loop for the
city, one unit and one district (an old district merged into it rolled up), the period's bounds,
the reader's scope, JSON and the query budget.

Period 2026-H1, today 13 May 2026. 海曙区 gathers the old 江东区; 江北区 stands apart.
Visits (unit, day, place, cadres, money, goods):
  v1 市纪委   02-01 village V (海曙区)      [王局长 (局级), 张三]  1,000.00   500.50
  v2 市纪委   03-01 village V               [张三]                     0        0
  v3 市纪委   03-05 grassroots G (江东区)   [王局长]               2,000.00        0
  v4 市发改委 04-01 enterprise E (江北区)   [李四]                     0   10,000.00
  v5 市发改委 04-02 village V               [李四]                   300.00        0
  (v0 市纪委 2025-12-31 enterprise E [王局长, 张三] 99,999: before the period)
Problems (received, unit, deadline, closed, rating, where):
  P1 02-01 市纪委, 02-20, closed 02-18 (on time), 满意, 徐家漕社区 (海曙区)
  P2 03-01 市纪委, 03-10, closed 03-15 (late), 不满意, a 江东区 community
  P3 04-01 市发改委, 04-20, still handling (overdue), no division: v4's place (江北区)
  P4 2025-12-20 市发改委, 2026-01-10, closed 01-05 (solved in the period, on time), 江北区
"""

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
from guanqing.frontline.choices import PlaceKind, ProblemSource, ProblemState, Urgency
from guanqing.frontline.models import Outreach, Place, Problem, ProblemCategory
from guanqing.frontline.report import build
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f

D = datetime.date
TODAY = D(2026, 5, 13)
H1 = reports.Period.parse("2026-H1")
CITY = reports.Where()


def _visit(unit, day, place, cadres, money="0", goods="0"):
    outreach = Outreach.objects.create(
        unit=unit,
        visited_on=day,
        place=place,
        donated_money=money,
        donated_goods=goods,
        goods_note="物资" if goods != "0" else "",
    )
    outreach.cadres.set(cadres)
    return outreach


def _problem(n, received, state, unit, deadline, **kwargs):
    category = ProblemCategory.objects.get_or_create(code="road", defaults={"name": "道路"})[0]
    return Problem.objects.create(
        public_id=f"NT{received:%Y%m%d}-{n:04d}",
        source=ProblemSource.OUTREACH,
        category=category,
        urgency=Urgency.PROBLEM,
        title=f"难题{n}",
        description="描述",
        state=state,
        received_on=received,
        unit=unit,
        deadline=deadline,
        **kwargs,
    )


@pytest.fixture
def story(world):
    moment = datetime.datetime(2026, 5, 13, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        u1, u2 = world.unit, world.other_unit
        old = f.DistrictFactory(name="江东区")
        registry_services.division_abolish(
            actor=world.users.committee, division=old, on=D(2016, 9, 1), successor=world.district
        )
        north = f.DistrictFactory(name="江北区")
        world.north = north
        old_community = f.CommunityFactory(parent=f.StreetFactory(parent=old))
        north_community = f.CommunityFactory(parent=f.StreetFactory(parent=north))
        village = Place.objects.create(
            kind=PlaceKind.VILLAGE, name="徐家漕村", division=world.community
        )
        grassroots = Place.objects.create(
            kind=PlaceKind.GRASSROOTS, name="江东服务中心", division=old_community
        )
        enterprise = Place.objects.create(
            kind=PlaceKind.ENTERPRISE,
            name="甬江机械",
            division=north_community,
            credit_code="X" * 18,
        )
        bureau = f.MemberFactory(unit=u1, name="王局长", rank="bureau")
        _visit(u1, D(2026, 2, 1), village, [bureau, world.member], "1000.00", "500.50")
        _visit(u1, D(2026, 3, 1), village, [world.member])
        _visit(u1, D(2026, 3, 5), grassroots, [bureau], "2000")
        v4 = _visit(u2, D(2026, 4, 1), enterprise, [world.other_member], goods="10000")
        _visit(u2, D(2026, 4, 2), village, [world.other_member], "300")
        _visit(u1, D(2025, 12, 31), enterprise, [bureau, world.member], "99999")
        closed = ProblemState.CLOSED
        _problem(
            1,
            D(2026, 2, 1),
            closed,
            u1,
            D(2026, 2, 20),
            closed_on=D(2026, 2, 18),
            satisfaction="satisfied",
            rated_on=D(2026, 2, 25),
            division=world.community,
        )
        _problem(
            2,
            D(2026, 3, 1),
            closed,
            u1,
            D(2026, 3, 10),
            closed_on=D(2026, 3, 15),
            satisfaction="dissatisfied",
            rated_on=D(2026, 3, 16),
            division=old_community,
        )
        _problem(3, D(2026, 4, 1), ProblemState.HANDLING, u2, D(2026, 4, 20), outreach=v4)
        _problem(
            4,
            D(2025, 12, 20),
            closed,
            u2,
            D(2026, 1, 10),
            closed_on=D(2026, 1, 5),
            division=north_community,
        )
        yield world


def ctx(user, where=CITY, period=H1):
    return reports.ReportContext(user=user, period=period, where=where, today=TODAY)


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def test_city_the_seven_figures_and_the_problem_loop(story):
    data = build(ctx(story.users.committee))
    got = values(data)
    assert (got["visits"], got["person_times"], got["bureau_person_times"]) == (5, 6, 2)
    assert (got["grassroots_units"], got["villages_enterprises"]) == (1, 2)  # V counted once
    # 1,000 + 500.50 + 2,000 + 10,000 + 300; not the 99,999 of 31 December
    assert got["donated_wan"] == Decimal("1.38")
    assert (got["donated_money_wan"], got["donated_goods_wan"]) == (
        Decimal("0.33"),
        Decimal("1.05"),
    )
    assert (got["problems_collected"], got["problems_solved"]) == (3, 3)  # P1–P3; P1, P2, P4
    assert (got["problems_solved_on_time"], got["on_time_rate"]) == (2, Decimal("66.7"))
    assert got["problems_overdue"] == 1
    assert (got["rated"], got["satisfaction"]) == (2, Decimal("50.0"))
    tables = {t.key: t for t in data.tables}
    by_district = {row[0]: row[1:] for row in tables["by_district"].rows}
    assert set(by_district) == {"海曙区", "江北区"}  # 江东区 rolled up
    assert by_district["海曙区"][:4] == [5, 2, 2, 2]  # 人次, 局级, collected, solved
    assert [row[0] for row in tables["by_unit"].rows] == ["市纪委", "市发改委"]
    charts = {c.key: c for c in data.charts}
    assert [s.values for s in charts["by_month"].series] == [
        [0, 2, 2, 2, 0, 0],
        [0, 1, 1, 1, 0, 0],
    ]
    assert charts["units_by_person_times"].series[0].values == [4, 2]


def test_one_unit(story):
    where = reports.Where(reports.WhereKind.UNIT, story.unit.pk)
    data = build(ctx(story.users.committee, where))
    got = values(data)
    assert (got["visits"], got["person_times"], got["bureau_person_times"]) == (3, 4, 2)
    assert (got["grassroots_units"], got["villages"], got["enterprises"]) == (1, 1, 0)
    assert got["donated_wan"] == Decimal("0.35")  # 3,500.50
    assert (got["problems_collected"], got["problems_solved"], got["on_time_rate"]) == (
        2,
        2,
        Decimal("50.0"),
    )
    assert data.tables == []
    assert [s.values for s in data.charts[0].series] == [
        [0, 2, 2, 0, 0, 0],
        [0, 1, 1, 0, 0, 0],
    ]


def test_a_unit_admin_reads_only_its_unit(story):
    got = values(build(ctx(story.users.unit_admin)))
    assert (got["visits"], got["person_times"], got["problems_collected"]) == (3, 4, 2)
    assert got["donated_wan"] == Decimal("0.35")


def test_one_district_counts_the_old_district_merged_into_it(story):
    where = reports.Where(reports.WhereKind.DISTRICT, story.district.pk)
    data = build(ctx(story.users.committee, where))
    got = values(data)
    # v1, v2, v5 at V and v3 at G (江东区); P1 and P2 (江东区)
    assert (got["visits"], got["person_times"], got["grassroots_units"]) == (4, 5, 1)
    assert got["donated_wan"] == Decimal("0.38")  # 3,800.50
    assert (got["problems_collected"], got["problems_solved"], got["on_time_rate"]) == (
        2,
        2,
        Decimal("50.0"),
    )
    assert [t.key for t in data.tables] == ["by_unit"]
    rows = {row[0]: row[1:] for row in data.tables[0].rows}
    assert rows["市纪委"][:4] == [4, 2, 2, 2]
    assert rows["市发改委"][:4] == [1, 0, 0, 0]
    assert [s.values for s in data.charts[0].series][1] == [0, 1, 1, 0, 0, 0]

    north = reports.Where(reports.WhereKind.DISTRICT, story.north.pk)
    got = values(build(ctx(story.users.committee, north)))
    # P3 has no division: the place of v4 that collected it
    assert (got["visits"], got["problems_collected"], got["problems_overdue"]) == (1, 1, 1)
    assert got["problems_solved"] == 1  # P4, received before the period, closed in it


def test_a_period_not_begun_gives_zeros_and_no_rates(story):
    got = values(build(ctx(story.users.committee, period=reports.Period.parse("2026-H2"))))
    assert got["visits"] == 0 and got["problems_collected"] == 0
    assert got["donated_wan"] == Decimal("0.00")
    assert got["on_time_rate"] is None and got["satisfaction"] is None


def test_the_section_survives_json(story, monkeypatch):
    monkeypatch.setattr(reports, "_sections", {"frontline": reports._sections["frontline"]})
    frozen = reports.build_sections(ctx(story.users.committee))
    assert frozen[0]["key"] == "frontline" and "on_time_rate" in json.dumps(frozen)


def _more_units(world, n):
    place = Place.objects.get(name="徐家漕村")
    for _ in range(n):
        unit = f.UnitFactory()
        _visit(unit, D(2026, 2, 20), place, [f.MemberFactory(unit=unit)], "10")
        _problem(
            100 + Problem.objects.count(),
            D(2026, 2, 20),
            ProblemState.HANDLING,
            unit,
            D(2026, 6, 1),
            division=world.community,
        )


@pytest.mark.parametrize("kind", ["city", "district"])
def test_queries_do_not_grow_with_the_units(story, kind, django_assert_max_num_queries):
    where = CITY if kind == "city" else reports.Where(reports.WhereKind.DISTRICT, story.district.pk)
    _more_units(story, 2)
    with CaptureQueriesContext(connection) as few:
        build(ctx(story.users.committee, where))
    _more_units(story, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = build(ctx(story.users.committee, where))
    assert len({t.key: t for t in data.tables}["by_unit"].rows) == 12
