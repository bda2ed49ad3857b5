"""六激励·六必谈·六必访·六必帮's section of the period report: events and obligations counted by
hand from the records the test makes, city-wide and for one unit, the reader's scope, a period not
begun, no section for a district, nothing but counts in the data (no member, no rule), JSON
through `build_sections`, and a query budget that does not grow with the units.

Today is pinned to Wednesday 2026-05-13; the period is 2026-Q2 (counted up to today).

  own unit    e1  直系亲属去世 (visit, 3 wd)   04-20, met 04-22          on time
              e2  提拔或岗位调整 (talk, 10 wd)  04-01, met 04-20          late
              e3  住院或患重病 (visit, 5 wd, sensitive) 04-27, open      overdue
              e4  生活困难 (help, 10 wd)       05-12, open               due after today
              e5  获得表彰奖励 (incentive, 20 wd) 03-02, open             due in March
              e6  其他急难事项 (help, 3 wd)     04-13, waived
  other unit  o1  直系亲属去世 (visit)          04-20, open               overdue
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest

from guanqing.care import report, services
from guanqing.care.tests.helpers import PLAIN, SENSITIVE, other_record, record
from guanqing.core import reports
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 13)
Q2 = reports.Period.parse("2026-Q2")
CITY = reports.Where()


@pytest.fixture
def s(world, official_calendar, pinned_today):
    w = world
    admin = w.users.unit_admin

    def meet(event, on):
        services.obligation_meet(
            actor=admin, obligation=event.obligations.get(), done_note="已落实", on=on
        )

    w.e1 = record(w, PLAIN, on=D(2026, 4, 20))
    meet(w.e1, D(2026, 4, 22))
    w.e2 = record(w, "talk-promotion", on=D(2026, 4, 1))
    meet(w.e2, D(2026, 4, 20))
    w.e3 = record(w, SENSITIVE, on=D(2026, 4, 27))
    w.e4 = record(w, "help-living", on=D(2026, 5, 12))
    w.e5 = record(w, "incentive-commendation", on=D(2026, 3, 2))
    w.e6 = record(w, "help-emergency", on=D(2026, 4, 13))
    services.obligation_waive(actor=admin, obligation=w.e6.obligations.get(), reason="已调离")
    w.o1 = other_record(w, PLAIN, on=D(2026, 4, 20))
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


def due(event) -> datetime.date:
    return event.obligations.get().due_on


def test_the_set_is_as_described(s):
    for event in (s.e1, s.e2, s.e3, s.e6, s.o1):
        assert Q2.first <= due(event) < TODAY
    assert due(s.e4) > TODAY
    assert due(s.e5) < Q2.first
    assert due(s.e2) < D(2026, 4, 20) and due(s.e1) >= D(2026, 4, 22)


def test_city_figures_by_hand(s):
    data = report.build(ctx_for(s.users.committee))
    assert values(data) == {
        "events": 6,  # e1 e2 e3 e4 e6 o1: e5 happened in March
        "due": 5,  # e1 e2 e3 e6 o1: e4 is due after today
        "on_time": 1,
        "late": 1,
        "overdue": 2,
        "waived": 1,
        "on_time_rate": Decimal("25.0"),  # 1 / (1 + 1 + 2)
    }
    table = data.tables[0]
    rows = {row[0]: row[1:] for row in table.rows}
    assert [str(label) for label in rows] == ["六激励", "六必谈", "六必访", "六必帮"]
    by_name = {str(label): row for label, row in rows.items()}
    assert by_name["六必访"] == [3, 3, 1, 0, 2, 0, Decimal("33.3")]
    assert by_name["六必谈"] == [1, 1, 0, 1, 0, 0, Decimal("0.0")]
    assert by_name["六必帮"] == [2, 1, 0, 0, 0, 1, None]  # waived only: nothing to rate
    assert by_name["六激励"] == [0, 0, 0, 0, 0, 0, None]
    month = next(c for c in data.charts if c.key == "by_month")
    assert month.categories == ["2026-04", "2026-05", "2026-06"]
    assert month.series[0].values == [5, 1, 0]  # events by the month they happened
    ranking = next(c for c in data.charts if c.key == "by_unit")
    assert ranking.kind == "bar"
    assert ranking.categories == [s.unit.name, s.other_unit.name]


def test_a_units_figures(s):
    where = reports.Where(reports.WhereKind.UNIT, s.unit.pk, s.unit.name)
    data = report.build(ctx_for(s.users.committee, where))
    got = values(data)
    assert (got["events"], got["due"], got["overdue"]) == (5, 4, 1)
    assert got["on_time_rate"] == Decimal("33.3")
    assert [c.key for c in data.charts] == ["by_month"]


def test_a_unit_admin_reads_its_own_unit_only(s):
    mine = values(report.build(ctx_for(s.users.unit_admin)))
    where = reports.Where(reports.WhereKind.UNIT, s.unit.pk, s.unit.name)
    assert mine == values(report.build(ctx_for(s.users.committee, where)))
    other = reports.Where(reports.WhereKind.UNIT, s.other_unit.pk, s.other_unit.name)
    assert values(report.build(ctx_for(s.users.unit_admin, other)))["events"] == 0
    assert values(report.build(ctx_for(s.users.window_clerk)))["events"] == 0


def test_a_month_and_a_period_not_begun(s):
    march = values(report.build(ctx_for(s.users.committee, period=reports.Period.parse("2026-03"))))
    assert (march["events"], march["due"], march["overdue"]) == (1, 1, 1)
    july = values(report.build(ctx_for(s.users.committee, period=reports.Period.parse("2026-07"))))
    assert july["events"] == 0
    assert july["on_time_rate"] is None


def test_no_section_for_a_district(s):
    where = reports.Where(reports.WhereKind.DISTRICT, s.district.pk, s.district.name)
    assert report.build(ctx_for(s.users.committee, where)) is None


def test_the_report_data_is_json_with_counts_only(s):
    frozen = reports.build_sections(ctx_for(s.users.committee))
    text = json.dumps(frozen, ensure_ascii=False)
    section = next(item for item in frozen if item["key"] == "care")
    section_text = json.dumps(section, ensure_ascii=False)
    assert "六必访" in section_text
    for secret in (s.member.name, s.other_member.name, "住院", "直系亲属", "已落实", "已调离"):
        assert secret not in section_text
    assert json.loads(text)
    # an English reader reads no Chinese outside the data
    frozen_section = next(item for item in frozen if item["key"] == "care")
    assert not [t for t in english_texts(frozen_section) if re.search("[\u4e00-\u9fff]", t)]


def test_query_budget_does_not_grow_with_units(s, django_assert_max_num_queries):
    ctx = ctx_for(s.users.committee)
    with django_assert_max_num_queries(4):
        report.build(ctx)
    for _ in range(4):
        member = f.MemberFactory(unit=f.UnitFactory())
        record(s, PLAIN, actor=s.users.committee, member=member, on=D(2026, 4, 21))
    with django_assert_max_num_queries(4):
        data = report.build(ctx)
    assert len(next(c for c in data.charts if c.key == "by_unit").categories) == 6
