"""The demo's published reports, read from the shared small demo (scale 0.05): the last complete
quarter for the city and for 市纪委, frozen with every registered section."""

from __future__ import annotations

import pytest

from guanqing.core import reports
from guanqing.reports.models import Publication

pytestmark = [
    pytest.mark.shared_demo(scale=0.05),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar", "real_sections"),
]


def test_the_demo_publishes_last_quarter_for_the_city_and_jiwei():
    publications = list(Publication.objects.order_by("where_kind"))
    assert [(p.where_kind, p.version) for p in publications] == [("city", 1), ("unit", 1)]
    city = publications[0]
    assert city.period_key == "2026-Q1"  # the last complete quarter on 13 May 2026
    keys = [s["key"] for s in city.sections]
    assert keys == [s.key for s in reports.sections() if s.key in keys]
    assert {"pairing", "wishes", "fund"} <= set(keys)
    assert publications[1].where_name == "中共宁波市纪律检查委员会"  # 市纪委
