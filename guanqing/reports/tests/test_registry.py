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
