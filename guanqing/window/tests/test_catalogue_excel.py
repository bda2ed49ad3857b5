"""The catalogue workbook: export, import round trip, and every bad row reported, nothing written."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.window import catalogue_excel as excel
from guanqing.window.models import ApprovalItem, Matter, MatterVersion
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

MATTER_HEADERS = [c.header for c in excel.MATTER_COLUMNS]
MATERIAL_HEADERS = [c.header for c in excel.MATERIAL_COLUMNS]


def workbook(matter_rows, material_rows) -> io.BytesIO:
    wb = Workbook()
    first = wb.active
    first.title = excel.MATTERS_SHEET
    first.append(MATTER_HEADERS)
    for row in matter_rows:
        first.append(row)
    second = wb.create_sheet(excel.MATERIALS_SHEET)
    second.append(MATERIAL_HEADERS)
    for row in material_rows:
        second.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def matter_row(item="SP001", matter="SP001-01", unit="市纪委", **kw):
    values = {
        excel.ITEM_CODE: item,
        excel.ITEM_NAME: "食品经营许可",
        excel.UNIT: unit,
        excel.ITEM_BASIS: "《食品安全法》",
        excel.MATTER_CODE: matter,
        excel.MATTER_NAME: "食品经营许可（新办）",
        excel.KIND: "承诺件",
        excel.STATUTORY: 20,
        excel.PROMISED: 7,
        excel.FEE: 0,
        excel.FEE_NOTE: "",
        excel.BASIS: "《食品经营许可管理办法》",
    }
    values.update(kw)
    return [values[h] for h in MATTER_HEADERS]


def material_row(matter="SP001-01", name="申请书", form="原件", copies=1, deferrable="否", note=""):
    return [matter, name, form, copies, deferrable, note]


def sheet_rows(content: bytes, title: str) -> list[list]:
    wb = load_workbook(io.BytesIO(content))
    return [list(row) for row in wb[title].iter_rows(values_only=True)]


def errors(result) -> set[tuple]:
    return {(e.sheet, e.row, e.column) for e in result.errors}


def test_an_import_creates_items_matters_versions_and_materials(world):
    result = excel.import_catalogue(
        actor=world.users.committee,
        fileobj=workbook(
            [matter_row(), matter_row(matter="SP001-02", **{excel.MATTER_NAME: "变更"})],
            [
                material_row(),
                material_row(name="营业执照复印件", form="复印件", deferrable="是"),
                material_row(matter="SP001-02", name="变更申请书"),
            ],
        ),
    )
    assert result.ok, result.errors
    assert (result.items_created, result.matters_created) == (1, 2)
    matter = Matter.objects.get(code="SP001-01")
    assert matter.item.unit == world.unit
    assert [(m.name, m.form, m.deferrable) for m in matter.current.materials.all()] == [
        ("申请书", "original", False),
        ("营业执照复印件", "copy", True),
    ]


def test_export_then_import_changes_nothing_and_an_edited_limit_publishes_a_version(world):
    first = wf.matter(unit=world.unit)
    wf.matter(unit=world.other_unit)
    content, count = excel.export_workbook(Matter.objects.all())
    assert count == 2
    matters = sheet_rows(content, excel.MATTERS_SHEET)
    assert matters[0] == MATTER_HEADERS
    assert len(sheet_rows(content, excel.MATERIALS_SHEET)) == 1 + 6

    again = excel.import_catalogue(actor=world.users.committee, fileobj=io.BytesIO(content))
    assert again.ok, again.errors
    assert (again.matters_unchanged, again.versions_published) == (2, 0)
    assert MatterVersion.objects.count() == 2

    wb = load_workbook(io.BytesIO(content))
    ws = wb[excel.MATTERS_SHEET]
    promised = MATTER_HEADERS.index(excel.PROMISED) + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, MATTER_HEADERS.index(excel.MATTER_CODE) + 1).value == first.code:
            ws.cell(row, promised).value = 3
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    edited = excel.import_catalogue(actor=world.users.committee, fileobj=buffer)
    assert edited.ok, edited.errors
    assert edited.versions_published == 1
    first.refresh_from_db()
    assert (first.current.number, first.current.promised_workdays) == (2, 3)
    assert first.current.materials.count() == 3


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    content = workbook(
        [
            matter_row(),  # fine
            matter_row(matter="SP001-02", **{excel.KIND: "加急件"}),
            matter_row(matter="SP001-03", unit="不存在的局"),
            matter_row(matter="SP001-04", **{excel.STATUTORY: "二十"}),
            matter_row(matter="SP001-05"),  # no materials
            matter_row(matter="SP001-01"),  # the same code twice
        ],
        [
            material_row(),
            material_row(matter="SP001-02"),
            material_row(matter="SP001-03"),
            material_row(matter="SP001-04"),
            material_row(matter="SP009-99"),
            material_row(name="营业执照", deferrable="也许"),
            material_row(name="场所图", copies=0),
        ],
    )
    result = excel.import_catalogue(actor=world.users.committee, fileobj=content)
    assert errors(result) == {
        (excel.MATTERS_SHEET, 3, excel.KIND),
        (excel.MATTERS_SHEET, 4, excel.UNIT),
        (excel.MATTERS_SHEET, 5, excel.STATUTORY),
        (excel.MATTERS_SHEET, 6, excel.MATTER_CODE),
        (excel.MATTERS_SHEET, 7, excel.MATTER_CODE),
        (excel.MATERIALS_SHEET, 6, excel.MATTER_CODE),
        (excel.MATERIALS_SHEET, 7, excel.DEFERRABLE),
        (excel.MATERIALS_SHEET, 8, excel.COPIES),
    }
    assert all(e.reason for e in result.errors)
    assert not ApprovalItem.objects.exists()


def test_a_service_refusal_is_reported_on_its_row_and_column_and_rolls_everything_back(world):
    content = workbook(
        [matter_row(), matter_row(item="SP002", matter="SP002-01", **{excel.PROMISED: 30})],
        [material_row(), material_row(matter="SP002-01")],
    )
    result = excel.import_catalogue(actor=world.users.committee, fileobj=content)
    assert errors(result) == {(excel.MATTERS_SHEET, 3, excel.PROMISED)}
    assert "法定办结时限" in result.errors[0].reason
    assert not ApprovalItem.objects.exists()
    assert not Matter.objects.exists()


def test_a_unit_administrator_imports_into_its_own_unit_only(world):
    foreign = wf.matter(unit=world.other_unit)
    content = workbook(
        [
            matter_row(unit=""),  # blank: the administrator's own unit
            matter_row(item="SP002", matter="SP002-01", unit="市发改委"),
            matter_row(item=foreign.item.code, matter=foreign.code, unit=""),
        ],
        [
            material_row(),
            material_row(matter="SP002-01"),
            material_row(matter=foreign.code),
        ],
    )
    result = excel.import_catalogue(actor=world.users.unit_admin, fileobj=content)
    assert (excel.MATTERS_SHEET, 3, excel.UNIT) in errors(result)
    assert (excel.MATTERS_SHEET, 4, excel.ITEM_CODE) in errors(result)
    assert ApprovalItem.objects.count() == 1


def test_a_missing_column_or_sheet_is_reported(world):
    wb = Workbook()
    ws = wb.active
    ws.append([h for h in MATTER_HEADERS if h != excel.PROMISED])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    result = excel.import_catalogue(actor=world.users.committee, fileobj=buffer)
    assert (excel.MATTERS_SHEET, 1, excel.PROMISED) in errors(result)
    assert any(e.sheet == excel.MATERIALS_SHEET and e.row is None for e in result.errors)


def test_only_catalogue_editors_import(world):
    with pytest.raises(PermissionDenied):
        excel.import_catalogue(
            actor=world.users.window_clerk, fileobj=workbook([matter_row()], [material_row()])
        )


def test_the_import_page_lists_the_errors_and_the_export_is_audited(world):
    client = client_for(world.users.committee)
    bad = workbook([matter_row(**{excel.KIND: "加急件"})], [material_row()])
    bad.name = "catalogue.xlsx"
    page = client.post("/window/catalogue/import/", {"file": bad})
    assert page.status_code == 200
    assert "未导入任何内容" in page.content.decode()
    assert list(page.context["result"].errors)[0].column == excel.KIND
    assert not ApprovalItem.objects.exists()

    good = workbook([matter_row()], [material_row()])
    good.name = "catalogue.xlsx"
    done = client.post("/window/catalogue/import/", {"file": good})
    assert done.status_code == 302
    assert Matter.objects.filter(code="SP001-01").exists()

    export = client_for(world.users.member).get("/window/catalogue/export/")
    assert export.status_code == 200
    assert sheet_rows(export.content, excel.MATTERS_SHEET)[1][4] == "SP001-01"
    event = AuditEvent.objects.filter(action="export").get()
    assert event.changes["rows"] == [None, 1]
