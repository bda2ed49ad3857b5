"""导出 Excel of the visit list: exactly the filtered visits in scope, every row, text kept as text,
money as numbers, audited as an export, in a fixed number of queries."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.pairing import exports
from guanqing.pairing.tests import pair_world
from guanqing.testing import factories as f

DAY = datetime.timedelta(days=1)
EXPORT = "/pairing/visits/export/"
HEADERS = [
    "日期",
    "困难家庭",
    "社区",
    "责任单位",
    "类型",
    "参加党员",
    "慰问金(元)",
    "慰问物品",
    "物品折价(元)",
    "扶持方式",
    "扶持说明",
    "走访记录",
    "记录人",
    "记录时间",
]
FORMULA = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def paired(world):
    world = pair_world(world)
    world.help_visit = f.VisitFactory(
        pairing=world.pairing,
        date=world.start + 20 * DAY,
        talk=False,
        festival=True,
        help=True,
        cash_amount=Decimal("300.00"),
        in_kind_items="米、油",
        in_kind_value=Decimal("150.50"),
        participants=[world.member, world.colleague],
        recorded_by=world.users.member,
        notes=FORMULA,
        support_note="+1 介绍岗位",
        support_kind="employment",
    )
    return world


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook.worksheets[0]


def _rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_export_has_the_chinese_headers(paired):
    sheet = _sheet(client_for(paired.users.committee).get(EXPORT))
    assert [c.value for c in sheet[1]] == HEADERS == exports.HEADERS


def test_export_of_a_filter_contains_exactly_the_filtered_visits(paired):
    client = client_for(paired.users.committee)
    rows = _rows(_sheet(client.get(EXPORT, {"kind": "festival"})))
    assert len(rows) == 1
    row = {k: c.value for k, c in rows[0].items()}
    assert row["困难家庭"] == "张国宝户"
    assert row["社区"] == paired.community.name
    assert row["责任单位"] == "市纪委"
    assert row["类型"] == "访、帮"
    assert set(row["参加党员"].split("、")) == {"张三", "王五"}
    assert row["扶持方式"] == "就业帮扶"
    assert row["慰问物品"] == "米、油"
    assert row["日期"].date() == paired.help_visit.date
    # money stays a number, in 元
    assert isinstance(row["慰问金(元)"], int | float) and row["慰问金(元)"] == 300
    assert isinstance(row["物品折价(元)"], int | float) and row["物品折价(元)"] == 150.5
    # every row of the filter, not one page: the committee's whole set
    everything = _rows(_sheet(client.get(EXPORT, {"per_page": 10, "page": 1})))
    assert len(everything) == 3


def test_export_contains_all_rows_not_just_the_first_page(paired):
    for n in range(30):
        f.VisitFactory(
            pairing=paired.pairing,
            date=paired.start + (30 + n) * DAY,
            participants=[paired.member],
            notes=f"第{n}次",
        )
    rows = _rows(_sheet(client_for(paired.users.unit_admin).get(EXPORT, {"page": 2})))
    # the unit's 2 earlier visits plus the 30 new ones
    assert len(rows) == 32


def test_export_never_contains_visits_outside_the_scope(paired):
    client = client_for(paired.users.unit_admin)
    rows = _rows(_sheet(client.get(EXPORT)))
    households = {r["困难家庭"].value for r in rows}
    assert households == {"张国宝户"}
    # asking for the other unit yields nothing rather than its visits
    assert _rows(_sheet(client.get(EXPORT, {"unit": paired.other_unit.pk}))) == []
    member_rows = _rows(_sheet(client_for(paired.users.member).get(EXPORT)))
    assert {r["困难家庭"].value for r in member_rows} == {"张国宝户"}


def test_a_formula_looking_note_stays_text(paired):
    rows = _rows(_sheet(client_for(paired.users.committee).get(EXPORT, {"kind": "festival"})))
    note = rows[0]["走访记录"]
    assert note.value == FORMULA
    assert note.data_type == "s"
    assert rows[0]["扶持说明"].data_type == "s"


def test_export_is_audited_as_an_export(paired):
    client = client_for(paired.users.unit_admin)
    before = AuditEvent.objects.filter(action="export").count()
    client.get(EXPORT, {"kind": "festival"})
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor == paired.users.unit_admin
    assert event.object_type == "pairing.visit"
    assert event.changes == {"rows": [None, 1]}
    assert "kind=festival" in event.message


def _export_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(EXPORT)
    return len(ctx.captured_queries), len(_rows(_sheet(response)))


def _add_visits(paired, n: int) -> None:
    for _ in range(n):
        household = f.HouseholdFactory(community=paired.community)
        member = f.MemberFactory(unit=paired.unit)
        pairing = f.PairingFactory(
            household=household, unit=paired.unit, member=member, started_on=paired.start
        )
        f.VisitFactory(
            pairing=pairing,
            participants=[member, paired.colleague],
            recorded_by=paired.users.unit_admin,
        )


@pytest.mark.parametrize("who", ["committee", "unit_admin"])
def test_export_query_count_does_not_grow_with_the_rows(paired, who):
    client = client_for(getattr(paired.users, who))
    _add_visits(paired, 5)
    _export_queries(client)  # warms per-process caches
    few, few_rows = _export_queries(client)
    _add_visits(paired, 20)
    many, many_rows = _export_queries(client)
    assert many_rows == few_rows + 20
    assert many == few


@pytest.mark.parametrize("role", ["window_clerk", "fund_officer", "system_admin", "audit_admin"])
def test_roles_without_pairings_cannot_export_visits(paired, role):
    before = AuditEvent.objects.filter(action="export").count()
    assert client_for(getattr(paired.users, role)).get(EXPORT).status_code == 403
    assert AuditEvent.objects.filter(action="export").count() == before
