"""A unit administrator's own report is the committee's report of that unit: the same sections,
figure for figure, so the unit reads the committee's kept snapshot of it (`reports.live` with
`where=unit:<id>`) as the committee does, and a published unit report is what the unit saw."""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from guanqing.accounts.models import User
from guanqing.core import reports
from guanqing.core.reports import Period, ReportContext
from guanqing.reports import selectors

pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar", "real_sections"),
]


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2", "2026-H1", "2025"])
@pytest.mark.parametrize("username", ["unit_jiwei", "unit_fagaiwei", "unit_shiyaojian"])
def test_a_units_own_report_is_the_committees_report_of_the_unit(period, username):
    admin = User.objects.get(username=username)
    where = selectors.default_where(admin)
    today = selectors.business_date()
    own = reports.build_sections(
        ReportContext(user=admin, period=Period.parse(period), where=where, today=today)
    )
    committee = selectors.committee_sections(
        period=period, where=where.key, today=today.isoformat()
    )
    assert [s["key"] for s in own] == [s["key"] for s in committee]
    for mine, theirs in zip(own, committee, strict=True):
        assert mine == theirs, mine["key"]


def _state(page: str) -> str:
    return page.split("未发布（", 1)[1].split("）", 1)[0]


@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_a_unit_reads_the_kept_report_of_its_unit_and_the_committee_the_same_one():
    cache.clear()
    admin = Client()
    admin.force_login(User.objects.get(username="unit_jiwei"))
    with mock.patch(
        "guanqing.core.snapshots.time.perf_counter", side_effect=itertools.count(0, 2.0)
    ):
        # every count "takes" two seconds, the nested ones too
        first = admin.get("/reports/", {"period": "2026-Q1"}).content.decode()
    assert _state(first) == "实时数据"  # counted just now, and kept (it was slow)
    kept = admin.get("/reports/", {"period": "2026-Q1"}).content.decode()
    assert _state(kept) == "系统定时统计"
    unit = User.objects.get(username="unit_jiwei").unit_id
    committee = Client()
    committee.force_login(User.objects.get(username="committee"))
    seen = committee.get("/reports/", {"period": "2026-Q1", "where": f"unit:{unit}"})
    assert _state(seen.content.decode()) == "系统定时统计"
    # another unit's administrator has no report of this one, kept or not
    other = Client()
    other.force_login(User.objects.get(username="unit_fagaiwei"))
    assert other.get("/reports/", {"period": "2026-Q1", "where": f"unit:{unit}"}).status_code == 404
    cache.clear()
