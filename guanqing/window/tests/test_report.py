"""满意窗口's section of the period report: the numbers of a small set of cases counted by hand,
city-wide, for one unit, read by a unit administrator (scope), a period not begun, no section for
a district, JSON through `build_sections`, and a query budget that does not grow with the units.

Today is pinned to Wednesday 2026-05-13 (劳动节 May 1–5 off, Saturday May 9 worked); a matter
promises 5 working days, so a case accepted 04-20 is due 04-27 and one accepted 05-06 on 05-12.

  own unit    c1  accepted 04-20, completed 04-23, rated 5      early
              c2  accepted 04-20, completed 04-27, rated 3      on time
              c3  accepted 05-06, open                          overdue today
              c4  accepted 05-12, open, 容缺 one material        on track
              c0  accepted 03-02, completed 03-04, rated 5      outside 2026-Q2
  other unit  c5  accepted 04-20, completed 04-22, rated 4      early
(each rated on the day it was completed)
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine

from guanqing.conftest import clock_from
from guanqing.core import reports
from guanqing.testing import factories as f
from guanqing.window import report
from guanqing.window.models import Material, MatterVersion
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = wf.TODAY
Q2 = reports.Period.parse("2026-Q2")
CITY = reports.Where()


@pytest.fixture
def s(world, official_calendar, pinned_today):
    d = wf.desk(world)
    clerk, other = d.clerk, d.other_clerk

    def done(accepted, completed, level, window=d.window, matter=d.matter, actor=clerk):
        case = wf.completed_case(
            actor=actor, window=window, matter=matter, accepted_on=accepted, completed_on=completed
        )
        # rated the day it is completed
        with time_machine.travel(clock_from(completed.isoformat()), tick=False):
            wf.kiosk_rating(actor=actor, case=case, level=level)
        return case

    d.c1 = done(D(2026, 4, 20), D(2026, 4, 23), 5)
    d.c2 = done(D(2026, 4, 20), D(2026, 4, 27), 3)
    d.c3 = wf.accepted_case(
        actor=clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 5, 6)
    )
    deferrable = Material.objects.filter(version=d.matter.current, deferrable=True).first()
    d.c4 = wf.accepted_case(
        actor=clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 5, 12),
        deferred_materials=[deferrable.pk],
        supply_by=D(2026, 5, 15),
        deferral_promise="承诺五月十五日前补齐",
    )
    d.c0 = done(D(2026, 3, 2), D(2026, 3, 4), 5)
    d.c5 = done(
        D(2026, 4, 20),
        D(2026, 4, 22),
        4,
        window=d.other_window,
        matter=d.other_matter,
        actor=other,
    )
    # the catalogue: 5 (own), 5 and 2 (other unit); a version valid from after the period ends
    wf.matter(unit=world.other_unit, promised=2)
    MatterVersion.objects.create(
        matter=d.matter,
        number=2,
        kind=d.matter.current.kind,
        statutory_workdays=20,
        promised_workdays=1,
        valid_from=D(2026, 7, 1),
    )
    return d


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


def ctx_for(user, where=CITY, period=Q2):
    return reports.ReportContext(user=user, period=period, where=where, today=TODAY)


def values(data) -> dict:
    return {fig.key: fig.value for fig in data.figures}


def test_the_set_is_as_described(s):
    assert (s.c1.deadline, s.c2.deadline, s.c3.deadline) == (
        D(2026, 4, 27),
        D(2026, 4, 27),
        D(2026, 5, 12),
    )


def test_city_figures_by_hand(s, world):
    data = report.build(ctx_for(world.users.committee))
    got = values(data)
    assert got["accepted"] == 5  # c1 c2 c3 c4 c5: c0 was accepted in March
    assert got["completed"] == 3
    assert got["completed_early"] == 2
    assert got["early_rate"] == Decimal("66.7")
    assert got["completed_on_time"] == 1
    assert got["completed_late"] == 0
    assert got["overdue"] == 1
    assert got["deferred"] == 1
    assert got["rated"] == 3  # c0's rating was given in March
    assert got["good_rate"] == Decimal("66.7")
    assert got["catalogue_promised_workdays"] == Decimal("4.00")  # (5 + 5 + 2) / 3
    table = data.tables[0]
    assert table.key == "by_unit"
    assert [row[:4] for row in table.rows] == [
        [world.unit.name, 4, 2, 1],
        [world.other_unit.name, 1, 1, 1],
    ]
    month = next(c for c in data.charts if c.key == "by_month")
    assert month.kind == "column"
    assert month.categories == ["2026-04", "2026-05", "2026-06"]
    assert month.series[0].values == [3, 2, 0]
    ranking = next(c for c in data.charts if c.key == "by_unit")
    assert ranking.kind == "bar"
    assert ranking.series[0].values == [4, 1]


def test_unit_figures_and_its_windows(s, world):
    where = reports.Where(reports.WhereKind.UNIT, world.unit.pk, world.unit.name)
    data = report.build(ctx_for(world.users.committee, where))
    got = values(data)
    assert (got["accepted"], got["completed"], got["completed_early"]) == (4, 2, 1)
    assert got["early_rate"] == Decimal("50.0")
    assert got["rated"] == 2
    assert got["good_rate"] == Decimal("50.0")
    assert got["catalogue_promised_workdays"] == Decimal("5.00")  # version 2 is not yet in force
    table = data.tables[0]
    assert table.key == "by_window"
    assert {row[0]: row[1] for row in table.rows} == {s.window.name: 4, s.second_window.name: 0}


def test_a_unit_admin_reads_its_own_unit_only(s, world):
    city = values(report.build(ctx_for(world.users.unit_admin)))
    unit = values(
        report.build(
            ctx_for(
                world.users.committee,
                reports.Where(reports.WhereKind.UNIT, world.unit.pk, world.unit.name),
            )
        )
    )
    assert city == unit
    other = reports.Where(reports.WhereKind.UNIT, world.other_unit.pk, world.other_unit.name)
    assert values(report.build(ctx_for(world.users.unit_admin, other)))["accepted"] == 0


def test_a_month_counts_its_own_cases(s, world):
    march = values(
        report.build(ctx_for(world.users.committee, period=reports.Period.parse("2026-03")))
    )
    assert (march["accepted"], march["completed"], march["rated"]) == (1, 1, 1)
    assert march["overdue"] == 0


def test_a_period_not_begun_counts_zero(s, world):
    data = report.build(ctx_for(world.users.committee, period=reports.Period.parse("2026-07")))
    got = values(data)
    assert got["accepted"] == 0
    assert got["early_rate"] is None
    assert got["good_rate"] is None
    assert next(c for c in data.charts if c.key == "by_month").series[0].values == [0]


def test_no_section_for_a_district(s, world):
    where = reports.Where(reports.WhereKind.DISTRICT, world.district.pk, world.district.name)
    assert report.build(ctx_for(world.users.committee, where)) is None


def test_the_report_data_is_json(s, world):
    frozen = reports.build_sections(ctx_for(world.users.committee))
    section = next(item for item in frozen if item["key"] == "window")
    text = json.dumps(frozen, ensure_ascii=False)
    assert "满意窗口" in text
    got = reports.thaw(section, "en")
    values_by_key = {fig["key"]: fig["value"] for fig in got["figures"]}
    assert values_by_key["good_rate"] == Decimal("66.7")
    # an English reader reads no Chinese outside the data
    frozen_section = next(item for item in frozen if item["key"] == "window")
    assert not [t for t in english_texts(frozen_section) if re.search("[\u4e00-\u9fff]", t)]


def test_query_budget_does_not_grow_with_units(s, world, django_assert_max_num_queries):
    ctx = ctx_for(world.users.committee)
    with django_assert_max_num_queries(5):
        report.build(ctx)
    for _ in range(4):
        unit = f.UnitFactory()
        window = wf.window(unit=unit, clerks=[s.clerk])
        matter = wf.matter(unit=unit)
        wf.completed_case(
            actor=s.clerk,
            window=window,
            matter=matter,
            accepted_on=D(2026, 4, 20),
            completed_on=D(2026, 4, 21),
        )
    with django_assert_max_num_queries(5):
        data = report.build(ctx)
    assert len(data.tables[0].rows) == 6
