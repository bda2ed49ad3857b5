"""农村工作指导员's section of the period report: the city, one unit, one district (an old district
merged into it rolled up), the period's bounds, the reader's scope, JSON and the query budget.

Period 2026-H1, today 13 May 2026 (pinned). 海曙区 gathers the old 江东区; 江北区 stands apart.
  T0 张三 (市纪委) in 徐家漕社区, 2024–2025, ended: 10 days in December 2025 (before the period)
  T1 张三 (市纪委) in 徐家漕社区 (海曙区) from 2026-01-01: 10 days from 5 Jan, 20 from 1 March;
     raised a problem on 10 March (since solved)
  T2 王五 (市纪委) in a 江东区 village from 2026-02-01: 5 days from 2 Feb
  T3 李四 (市发改委) in a 江北区 village from 2026-01-01: 10 days from 1 April; raised a problem on
     5 April (open)
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.core import reports
from guanqing.frontline.choices import ProblemSource, ProblemState, Urgency
from guanqing.frontline.models import Problem
from guanqing.instructors.choices import TermState
from guanqing.instructors.models import RaisedProblem
from guanqing.instructors.report import build
from guanqing.instructors.tests.helpers import TODAY, category, log, second_member, term
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f

D = datetime.date
H1 = reports.Period.parse("2026-H1")
CITY = reports.Where()


def raise_problem(t, day, state=ProblemState.RECEIVED):
    problem = Problem.objects.create(
        public_id=f"NT{day:%Y%m%d}-{Problem.objects.count() + 1:04d}",
        source=ProblemSource.INSTRUCTOR,
        category=category(),
        urgency=Urgency.PROBLEM,
        title="路灯损坏",
        description="主干道路灯损坏",
        state=state,
        received_on=day,
        deadline=day + datetime.timedelta(days=20),
        closed_on=day + datetime.timedelta(days=5) if state == ProblemState.CLOSED else None,
        division=t.village,
        unit=t.unit,
    )
    return RaisedProblem.objects.create(
        term=t, problem_id=problem.pk, public_id=problem.public_id, title="路灯", raised_on=day
    )


@pytest.fixture
def story(world, official_calendar, pinned_today):
    old = f.DistrictFactory(name="江东区")
    registry_services.division_abolish(
        actor=world.users.committee, division=old, on=D(2016, 9, 1), successor=world.district
    )
    north = f.DistrictFactory(name="江北区")
    world.north = north
    old_village = f.CommunityFactory(parent=f.StreetFactory(parent=old), kind="village")
    north_village = f.CommunityFactory(parent=f.StreetFactory(parent=north), kind="village")
    t0 = term(world, starts=D(2024, 1, 1), ends=D(2025, 12, 31), state=TermState.ENDED)
    log(t0, D(2025, 12, 1), D(2025, 12, 10))
    t1 = term(world)
    log(t1, D(2026, 1, 5), D(2026, 1, 14))
    log(t1, D(2026, 3, 1), D(2026, 3, 20))
    raise_problem(t1, D(2026, 3, 10), ProblemState.CLOSED)
    t2 = term(world, member=second_member(world), village=old_village, starts=D(2026, 2, 1))
    log(t2, D(2026, 2, 2), D(2026, 2, 6))
    t3 = term(world, member=world.other_member, village=north_village)
    log(t3, D(2026, 4, 1), D(2026, 4, 10))
    raise_problem(t3, D(2026, 4, 5))
    return world


def ctx(user, where=CITY, period=H1):
    return reports.ReportContext(user=user, period=period, where=where, today=TODAY)


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def test_city(story):
    data = build(ctx(story.users.committee))
    got = values(data)
    assert (got["instructors"], got["villages"]) == (3, 3)  # T0 ended before the period
    assert got["days"] == 45  # 10 + 20 + 5 + 10; not December's 10
    assert (got["logs"], got["raised"], got["solved"]) == (4, 2, 1)
    tables = {t.key: t for t in data.tables}
    by_district = {row[0]: row[1:] for row in tables["by_district"].rows}
    assert by_district == {"海曙区": [2, 2, 35, 3, 1, 1], "江北区": [1, 1, 10, 1, 1, 0]}
    assert tables["by_unit"].rows == [
        ["市纪委", 2, 2, 35, 3, 1, 1],
        ["市发改委", 1, 1, 10, 1, 1, 0],
    ]
    charts = {c.key: c for c in data.charts}
    assert charts["days_by_month"].series[0].values == [10, 5, 20, 10, 0, 0]
    assert charts["units_by_days"].categories == ["市纪委", "市发改委"]


def test_the_month_rate_counts_only_months_judged(story):
    # March: T1 met its 20 days; T2 logged none of its required days; T3 none either
    got = values(build(ctx(story.users.committee, period=reports.Period.parse("2026-03"))))
    assert (got["days"], got["required_days"]) == (20, 60)
    assert got["months_met_rate"] == Decimal("33.3")  # 1 of 3 months met


def test_one_unit(story):
    where = reports.Where(reports.WhereKind.UNIT, story.unit.pk)
    data = build(ctx(story.users.committee, where))
    got = values(data)
    assert (got["instructors"], got["days"], got["logs"], got["raised"]) == (2, 35, 3, 1)
    assert data.tables == []
    assert data.charts[0].series[0].values == [10, 5, 20, 0, 0, 0]


def test_a_unit_admin_reads_only_its_unit(story):
    got = values(build(ctx(story.users.unit_admin)))
    assert (got["instructors"], got["days"], got["raised"], got["solved"]) == (2, 35, 1, 1)


def test_one_district_counts_the_old_district_merged_into_it(story):
    where = reports.Where(reports.WhereKind.DISTRICT, story.district.pk)
    data = build(ctx(story.users.committee, where))
    got = values(data)
    assert (got["instructors"], got["villages"], got["days"]) == (2, 2, 35)  # T2 in 江东区
    assert [t.key for t in data.tables] == ["by_unit"]
    north = reports.Where(reports.WhereKind.DISTRICT, story.north.pk)
    got = values(build(ctx(story.users.committee, north)))
    assert (got["instructors"], got["days"], got["raised"], got["solved"]) == (1, 10, 1, 0)


def test_a_period_not_begun_gives_zeros(story):
    got = values(build(ctx(story.users.committee, period=reports.Period.parse("2026-H2"))))
    assert got["instructors"] == 0 and got["days"] == 0
    assert got["months_met_rate"] is None


def test_the_section_survives_json(story, monkeypatch):
    monkeypatch.setattr(reports, "_sections", {"instructors": reports._sections["instructors"]})
    frozen = reports.build_sections(ctx(story.users.committee))
    assert frozen[0]["key"] == "instructors" and "months_met_rate" in json.dumps(frozen)


def _more_units(world, n):
    for _ in range(n):
        member = f.MemberFactory(unit=f.UnitFactory())
        t = term(world, member=member)
        log(t, D(2026, 2, 10), D(2026, 2, 11))


def test_queries_do_not_grow_with_the_units(story, django_assert_max_num_queries):
    _more_units(story, 2)
    with CaptureQueriesContext(connection) as few:
        build(ctx(story.users.committee))
    _more_units(story, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = build(ctx(story.users.committee))
    assert values(data)["instructors"] == 13
