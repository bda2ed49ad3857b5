"""A report with one known section, so the report app is tested apart from the work methods'
sections (each app tests its own): the section counts the households in the reader's scope and
area, which a test can change after publishing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils.translation import gettext_lazy as _

from guanqing.core import reports
from guanqing.core.reports import Chart, Figure, SectionData, Series, Table
from guanqing.registry.models import Household

TODAY = datetime.date(2026, 11, 16)


def households_section(ctx) -> SectionData | None:
    households = Household.objects.visible_to(ctx.user)
    if ctx.where.kind == "unit":
        return None
    if ctx.where.district_id:
        households = households.filter(community__district_id=ctx.where.district_id)
    n = households.count()
    return SectionData(
        figures=[
            Figure("households", _("困难家庭"), n, _("户")),
            Figure("money", _("帮扶资金"), Decimal("12.50"), _("万元")),
            Figure("rate", _("完成率"), None, "%"),
        ],
        tables=[Table("by_name", _("家庭"), [_("户主"), _("人数")], [["张国宝", 1]])],
        charts=[
            Chart(
                "trend", _("按月"), "column", ["1月", "2月"], [Series(_("户"), [n, None])], _("户")
            )
        ],
        notes=[_("按户主统计")],
    )


def units_section(ctx) -> SectionData:
    return SectionData(figures=[Figure("where", _("范围"), ctx.where.kind, "")])


@pytest.fixture
def real_sections():
    """Asked for by a test that reads the work methods' own sections (the demo's reports)."""


@pytest.fixture(autouse=True)
def only_test_sections(request, monkeypatch):
    if "real_sections" in request.fixturenames:
        return
    monkeypatch.setattr(reports, "_sections", {})
    reports.register(
        reports.ReportSection("households", _("困难家庭"), 10, f"{__name__}.households_section")
    )
    reports.register(reports.ReportSection("area", _("范围"), 20, f"{__name__}.units_section"))


@pytest.fixture
def today():
    with time_machine.travel(
        datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=True
    ):
        yield TODAY
