"""十件实事's section of the period report: the year's pledges with their derived status, counted by
hand from the pledges the test makes; a unit's report (the pledges it leads), the reader's scope,
a period not begun, no section for a district, JSON through `build_sections`, and a query budget
that does not grow with the pledges' lead units.

Today is pinned to Wednesday 2026-05-13; the at-risk horizon is 2026-05-20.

  p1  市纪委            target 12, reported 12                       done
  p2  市纪委 + 市发改委  reported 3, milestone due 04-30 not done        late
  p3  市发改委           milestone due 05-18 not done                  at risk
  p4  市发改委           milestone due 04-10 done 04-09, one due 09-30  on track
  a draft of 市纪委 and a published pledge of 2025: not in the 2026 reports
"""

from __future__ import annotations

import datetime
import json
import re

import pytest

from guanqing.core import reports
from guanqing.pledges import report, services
from guanqing.pledges.tests.helpers import TODAY, pledge
from guanqing.pledges.tests.helpers import report as progress_report
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
Q2 = reports.Period.parse("2026-Q2")
CITY = reports.Where()


@pytest.fixture
def s(world, pinned_today, official_calendar):
    w = world
    committee = w.users.committee

    def milestone(row, due, done=None):
        step = services.milestone_add(actor=committee, pledge=row, title="节点", due_on=due)
        if done:
            services.milestone_done(
                actor=committee, milestone=step, evidence_note="已完成", done_on=done
            )
        return step

    w.p1 = pledge(w, 1)
    progress_report(w, w.p1, value=12)
    w.p2 = pledge(w, 2, units=[w.unit, w.other_unit])
    progress_report(w, w.p2, value=3)
    milestone(w.p2, D(2026, 4, 30))
    w.p3 = pledge(w, 3, units=[w.other_unit])
    milestone(w.p3, D(2026, 5, 18))
    w.p4 = pledge(w, 4, units=[w.other_unit])
    milestone(w.p4, D(2026, 4, 10), done=D(2026, 4, 9))
    milestone(w.p4, D(2026, 9, 30))
    pledge(w, 5, publish=False)
    pledge(w, 1, year=2025)
    return w


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


def test_city_figures_and_table_by_hand(s):
    data = report.build(ctx_for(s.users.committee))
    assert values(data) == {
        "pledges": 4,
        "done": 1,
        "on_track": 1,
        "at_risk": 1,
        "late": 1,
    }
    table = data.tables[0]
    assert [[row[0], row[1], row[2], str(row[3]), row[5], row[6]] for row in table.rows] == [
        [1, "实事1", "市纪委", "已完成", 12, 100],
        [2, "实事2", "市发改委、市纪委", "滞后", 3, 25],  # in the units' order
        [3, "实事3", "市发改委", "临近节点", 0, 0],
        [4, "实事4", "市发改委", "正常推进", 0, 0],
    ]
    chart = data.charts[0]
    assert chart.kind == "column"
    assert chart.categories == ["2026-04", "2026-05", "2026-06"]
    assert [series.values for series in chart.series] == [[2, 1, 0], [1, 0, 0]]


def test_a_units_report_shows_the_pledges_it_leads(s):
    where = reports.Where(reports.WhereKind.UNIT, s.unit.pk, s.unit.name)
    data = report.build(ctx_for(s.users.committee, where))
    assert [row[0] for row in data.tables[0].rows] == [1, 2]
    assert values(data) == {"pledges": 2, "done": 1, "on_track": 0, "at_risk": 0, "late": 1}


def test_a_unit_admin_reads_the_pledges_its_unit_leads(s):
    mine = report.build(ctx_for(s.users.unit_admin))
    assert [row[0] for row in mine.tables[0].rows] == [1, 2]
    assert values(report.build(ctx_for(s.users.window_clerk)))["pledges"] == 0


def test_another_year_and_a_period_not_begun(s):
    last_year = values(
        report.build(ctx_for(s.users.committee, period=reports.Period.parse("2025")))
    )
    assert last_year["pledges"] == 1
    later = values(report.build(ctx_for(s.users.committee, period=reports.Period.parse("2026-07"))))
    assert later == {"pledges": 0, "done": 0, "on_track": 0, "at_risk": 0, "late": 0}


def test_no_section_for_a_district(s):
    where = reports.Where(reports.WhereKind.DISTRICT, s.district.pk, s.district.name)
    assert report.build(ctx_for(s.users.committee, where)) is None


def test_the_report_data_is_json(s):
    frozen = reports.build_sections(ctx_for(s.users.committee))
    json.dumps(frozen)
    section = reports.thaw(next(item for item in frozen if item["key"] == "pledges"), "en")
    assert {fig["key"]: fig["value"] for fig in section["figures"]}["late"] == 1
    # a status is kept in every language: an English reader reads it in English
    assert section["tables"][0]["rows"][1][3] == "Late"
    # an English reader reads no Chinese outside the data
    frozen_section = next(item for item in frozen if item["key"] == "pledges")
    assert not [t for t in english_texts(frozen_section) if re.search("[\u4e00-\u9fff]", t)]


def test_query_budget_does_not_grow_with_units(s, django_assert_max_num_queries):
    ctx = ctx_for(s.users.committee)
    with django_assert_max_num_queries(4):
        report.build(ctx)
    units = [f.UnitFactory() for _ in range(4)]
    pledge(s, 6, units=units)
    pledge(s, 7, units=units[:2])
    with django_assert_max_num_queries(4):
        data = report.build(ctx)
    assert len(data.tables[0].rows) == 6
