"""The report-section registry's periods, areas and frozen data."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanqing.core import reports
from guanqing.core.reports import Period, ReportContext, Where


@pytest.mark.parametrize(
    ("key", "first", "last"),
    [
        ("2026", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        ("2026-H1", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        ("2026-H2", datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
        ("2026-Q1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        ("2026-Q4", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        ("2024-02", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        ("2026-12", datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)),
    ],
)
def test_a_period_key_reads_as_its_first_and_last_day(key, first, last):
    period = Period.parse(key)
    assert (period.first, period.last, period.key) == (first, last, key)
    assert len(period.months_in()) == (last.month - first.month + 1)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "２０２６-Q1",
        "2026-\x00Q1",
        "9999-Q1",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-H3",
        "26",
        "1999",
        "2026-q1",
        "2026-Q1x",
    ],
)
def test_a_period_that_is_not_one_is_refused_under_period(key):
    with pytest.raises(ValidationError) as error:
        Period.parse(key)
    assert "period" in error.value.message_dict


def test_labels_follow_the_language():
    with translation.override("zh-hans"):
        assert Period.parse("2026-Q3").label == "2026年第3季度"
        assert Period.parse("2026-H1").label == "2026年上半年"
    with translation.override("en"):
        assert "2026" in Period.parse("2026-Q3").label and "季" not in Period.parse("2026-Q3").label


def test_frozen_text_keeps_every_language_and_decimals_stay_exact():
    frozen = reports.freeze({"label": _("万元"), "value": Decimal("0.10"), "n": 3})
    assert json.loads(json.dumps(frozen)) == frozen
    assert reports.thaw(frozen, "zh-hans") == {"label": "万元", "value": Decimal("0.10"), "n": 3}
    assert reports.thaw(frozen, "en")["label"] != "万元"


@pytest.mark.django_db
def test_sections_come_in_their_order_and_a_section_with_nothing_is_left_out(world, today):
    ctx = ReportContext(
        world.users.committee, Period.parse("2026-Q3"), Where("unit", world.unit.pk), today
    )
    built = reports.build_sections(ctx)
    assert [s["key"] for s in built] == ["area"]  # households says None for a unit
    ctx = ReportContext(world.users.committee, Period.parse("2026-Q3"), Where(), today)
    assert [s["key"] for s in reports.build_sections(ctx)] == ["households", "area"]
    json.dumps(reports.build_sections(ctx))


def test_context_stops_counting_at_today_while_the_period_runs():
    ctx = ReportContext(None, Period.parse("2026-Q4"), Where(), datetime.date(2026, 11, 16))
    assert ctx.last == datetime.date(2026, 11, 16) and ctx.begun
    ctx = ReportContext(None, Period.parse("2027-Q1"), Where(), datetime.date(2026, 11, 16))
    assert not ctx.begun


def test_a_period_counts_by_month_on_the_business_calendars_days():
    ctx = ReportContext(None, Period.parse("2026-Q1"), Where(), datetime.date(2026, 5, 13))
    dates = reports.month_filters(ctx, "on")
    assert [dict(q.children) for q in dates] == [
        {"on__gte": datetime.date(2026, 1, 1), "on__lte": datetime.date(2026, 1, 31)},
        {"on__gte": datetime.date(2026, 2, 1), "on__lte": datetime.date(2026, 2, 28)},
        {"on__gte": datetime.date(2026, 3, 1), "on__lte": datetime.date(2026, 3, 31)},
    ]
    december = ReportContext(None, Period.parse("2026-12"), Where(), datetime.date(2027, 1, 5))
    [moments] = reports.month_filters(december, "at", timestamp=True)
    bounds = dict(moments.children)
    # midnight in Asia/Shanghai: 16:00 UTC the day before
    assert bounds["at__gte"] == datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
    assert bounds["at__lt"] == datetime.datetime(2026, 12, 31, 16, tzinfo=datetime.UTC)
    assert reports.month_values({"m0": 4, "m1": None}, "m", 3) == [4, 0, 0]


def test_a_lookup_several_sections_make_is_made_once_per_report():
    ctx = ReportContext(None, Period.parse("2026-Q3"), Where(), datetime.date(2026, 11, 16))
    calls = []
    assert ctx.shared("k", lambda: calls.append(1) or [7]) == [7]
    assert ctx.shared("k", lambda: calls.append(1) or [8]) == [7]
    assert calls == [1]
    other = ReportContext(None, Period.parse("2026-Q3"), Where(), datetime.date(2026, 11, 16))
    assert other.shared("k", lambda: [9]) == [9]


def test_a_table_writes_its_rows_escaped_with_numbers_marked():
    from guanqing.reports.templatetags.report_values import report_rows

    table = {
        "columns": ["单位", "户"],
        "numeric_from": 1,
        "rows": [["<b>甲</b>", 1234], ["乙", None]],
    }
    assert str(report_rows(table)) == (
        '<tr><td>&lt;b&gt;甲&lt;/b&gt;</td><td class="num">1,234</td></tr>\n      '
        '<tr><td>乙</td><td class="num">—</td></tr>\n      '
    )
    with translation.override("zh-hans"):
        empty = str(report_rows({**table, "rows": []}))
    assert empty == '<tr><td colspan="2" class="muted">本期无数据</td></tr>'
