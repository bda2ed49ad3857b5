"""轮训's section of the period report: the plan whose sessions began in the period, counted by hand
from the rota the test builds (see `build_rota`: 市纪委 6 cadres and one exempted, 市发改委 4, three
sessions of two days from Monday 1 June 2026), city-wide and for one unit, the reader's scope, a
period without sessions, no section for a district, JSON through `build_sections`, and a query
budget that does not grow with the units.

Session 1: 张三 present both days (completed), 甲1 absent on day 1, 乙1 excused on day 2.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest

from guanqing.core import reports
from guanqing.testing import factories as f
from guanqing.training import report
from guanqing.training.choices import AttendanceStatus
from guanqing.training.models import Participant
from guanqing.training.tests.test_attendance import build_rota
from guanqing.training.tests.test_figures import mark

pytestmark = pytest.mark.django_db

D = datetime.date
PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)
Q2 = reports.Period.parse("2026-Q2")
CITY = reports.Where()
END_OF_JUNE = D(2026, 6, 30)


@pytest.fixture
def r(world, official_calendar):
    r = build_rota(world, exempt=1)
    mark(r, r.s1, 1, {r.mine: PRESENT, r.a[0]: ABSENT, r.b[0]: PRESENT})
    mark(r, r.s1, 2, {r.mine: PRESENT, r.a[0]: PRESENT, r.b[0]: EXCUSED})
    return r


def english_texts(section: dict) -> list[str]:
    """The texts an English reader reads in the frozen section (labels, units, notes, titles and
    column heads; data such as unit names apart)."""
    english = reports.thaw(section, "en")
    texts = [english["title"]]
    for fig in english["figures"]:
        texts += [fig["label"], fig["unit"], fig["note"]]
    for table in english["tables"]:
        texts += [table["title"], *table["columns"]]
    for chart in english["charts"]:
        texts += [chart["title"], chart["unit"], *(s["name"] for s in chart["series"])]
    return [str(text) for text in texts]


def ctx_for(user, where=CITY, period=Q2, today=END_OF_JUNE):
    return reports.ReportContext(user=user, period=period, where=where, today=today)


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def june_sessions(r) -> int:
    return sum(1 for s in (r.s1, r.s2, r.s3) if s.start_date.month == 6)


def test_city_figures_by_hand(r, world):
    data = report.build(ctx_for(world.users.committee))
    got = values(data)
    assert got["plans"] == 1
    assert got["sessions_held"] == june_sessions(r) == 3
    assert got["planned"] == 10  # 6 + 4: the exempted cadre is not required
    assert got["trained"] == 1
    assert got["completion_rate"] == Decimal("10.0")
    assert got["absent"] == 2
    assert got["exempt"] == 1
    assert [[str(row[0]), *row[1:]] for row in data.tables[0].rows] == [
        ["处级", 10, 1, Decimal("10.0"), 2, 1]
    ]
    month = next(c for c in data.charts if c.key == "by_month")
    assert month.categories == ["2026-04", "2026-05", "2026-06"]
    assert month.series[0].values == [0, 0, 3]
    ranking = next(c for c in data.charts if c.key == "by_unit")
    assert ranking.categories == [world.unit.name, world.other_unit.name]
    assert [s.values for s in ranking.series] == [[6, 4], [1, 0]]


def test_sessions_held_stop_at_today(r, world):
    got = values(report.build(ctx_for(world.users.committee, today=r.s1.start_date)))
    assert got["sessions_held"] == 1
    assert got["planned"] == 10


def test_a_units_figures(r, world):
    where = reports.Where(reports.WhereKind.UNIT, world.unit.pk, world.unit.name)
    data = report.build(ctx_for(world.users.committee, where))
    got = values(data)
    assert (got["planned"], got["trained"], got["exempt"]) == (6, 1, 1)
    assert got["completion_rate"] == Decimal("16.7")
    assert [c.key for c in data.charts] == ["by_month"]


def test_the_readers_scope(r, world):
    mine = values(report.build(ctx_for(world.users.unit_admin)))
    where = reports.Where(reports.WhereKind.UNIT, world.unit.pk, world.unit.name)
    assert mine == values(report.build(ctx_for(world.users.committee, where)))
    other = reports.Where(reports.WhereKind.UNIT, world.other_unit.pk, world.other_unit.name)
    assert values(report.build(ctx_for(world.users.unit_admin, other)))["planned"] == 0
    # a member sees the plan but not the completion figures
    assert values(report.build(ctx_for(world.users.member)))["planned"] == 0


def test_a_period_without_sessions_and_one_not_begun(r, world):
    q1 = values(
        report.build(ctx_for(world.users.committee, period=reports.Period.parse("2026-Q1")))
    )
    assert (q1["plans"], q1["planned"], q1["sessions_held"]) == (0, 0, 0)
    assert q1["completion_rate"] is None
    later = ctx_for(
        world.users.committee, period=reports.Period.parse("2026-07"), today=D(2026, 5, 13)
    )
    assert values(report.build(later))["planned"] == 0


def test_no_section_for_a_district(r, world):
    where = reports.Where(reports.WhereKind.DISTRICT, world.district.pk, world.district.name)
    assert report.build(ctx_for(world.users.committee, where)) is None


def test_the_report_data_is_json(r, world):
    frozen = reports.build_sections(ctx_for(world.users.committee))
    json.dumps(frozen)
    section = reports.thaw(next(item for item in frozen if item["key"] == "training"), "en")
    assert {fig["key"]: fig["value"] for fig in section["figures"]}["trained"] == 1
    # an English reader reads no Chinese outside the data
    frozen_section = next(item for item in frozen if item["key"] == "training")
    assert not [t for t in english_texts(frozen_section) if re.search("[\u4e00-\u9fff]", t)]


def test_query_budget_does_not_grow_with_units(r, world, django_assert_max_num_queries):
    ctx = ctx_for(world.users.committee)
    with django_assert_max_num_queries(8):
        report.build(ctx)
    for _ in range(4):
        unit = f.UnitFactory()
        member = f.MemberFactory(unit=unit, rank="division")
        Participant.objects.create(plan=r.plan, member=member, unit=unit)
    with django_assert_max_num_queries(8):
        data = report.build(ctx)
    assert values(data)["planned"] == 14
