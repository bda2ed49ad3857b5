"""Hostile uploads: a file that unpacks to far more than it weighs, a sheet of a million blank rows,
a file of junk rows with an error in every cell, a formula nobody calculated. Each is refused
with a message a user can act on, before it costs memory or time, and nothing is written."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanqing.core import excel
from guanqing.core.excel import XLSX_CONTENT_TYPE
from guanqing.registry.models import Household
from guanqing.registry.models_imports import ImportJob
from guanqing.registry.tests.excel_helpers import (
    HOUSEHOLD_HEADERS,
    bad_checksum,
    household_row,
    xlsx_bytes,
)

URL = "/registry/excel/"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def rewrite(content: bytes, parts: dict[str, bytes | None]) -> bytes:
    """The workbook `content` with some parts replaced (None drops one), every part deflated."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = parts.get(info.filename, source.read(info.filename))
            if data is not None:
                target.writestr(info.filename, data)
        for name, data in parts.items():
            if name not in source.namelist() and data is not None:
                target.writestr(name, data)
    return out.getvalue()


def upload(content: bytes, name: str = "import.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


def post(client, user, content: bytes):
    client.force_login(user)
    return client.post(URL, {"kind": "households", "file": upload(content)})


def file_error(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get("file", []))


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if openpyxl is asked to open the workbook at all."""
    import openpyxl

    def refuse(*args, **kwargs):
        pytest.fail("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def households(world, count: int, bad: bool = False) -> bytes:
    rows = [household_row(n, world.community.code) for n in range(1, count + 1)]
    if bad:
        for row in rows:
            row[1] = bad_checksum(row[1])
    return xlsx_bytes(HOUSEHOLD_HEADERS, rows)


def with_shared_string(world, text: str) -> bytes:
    """A household file whose 家庭情况 cell is one shared string, as Excel would store it."""
    content = households(world, 1)
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        f'uniqueCount="1"><si><t>{text}</t></si></sst>'
    ).encode()
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        sheet = source.read(SHEET).decode()
    sheet = re.sub(
        r'<c r="I2" t="inlineStr"><is><t>[^<]*</t></is></c>', '<c r="I2" t="s"><v>0</v></c>', sheet
    )
    rels = source_part(content, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    types = source_part(content, "[Content_Types].xml").replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return rewrite(
        content,
        {
            SHEET: sheet.encode(),
            STRINGS: strings,
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
        },
    )


def source_part(content: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        return source.read(name).decode()


# -- before parsing ----------------------------------------------------------------------------


def test_a_shared_string_file_of_sensible_size_imports(world, client):
    response = post(client, world.users.committee, with_shared_string(world, "独居老人"))
    assert response.context["result"].ok, response.context["result"].errors
    assert Household.objects.get(head_name="导入户主1").situation == "独居老人"


def test_a_giant_shared_string_is_refused_before_the_workbook_is_opened(
    world, client, settings, never_parsed
):
    # The reported file: one shared string of 300 MB in 311 KB. Here 3 MB in a few KB, against a
    # limit lowered to 2 MB.
    settings.IMPORT_MAX_SHARED_STRINGS_BYTES = 2 * 1024 * 1024
    content = with_shared_string(world, "困" * (1024 * 1024))
    assert len(content) < 50_000

    message = file_error(post(client, world.users.committee, content))

    assert "文字内容解压后超过 2 MB" in message
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()
    assert not ImportJob.objects.exists()


def test_a_part_that_unpacks_a_hundredfold_is_refused_before_the_workbook_is_opened(
    world, client, never_parsed
):
    content = with_shared_string(world, "困" * (1024 * 1024))

    message = file_error(post(client, world.users.committee, content))

    assert "xl/sharedStrings.xml 压缩比异常（超过 100 倍）" in message


def test_a_file_that_unpacks_beyond_the_total_limit_is_refused(
    world, client, settings, never_parsed
):
    settings.IMPORT_MAX_UNPACKED_BYTES = 10_000
    message = file_error(post(client, world.users.committee, households(world, 3)))
    assert "文件解压后超过" in message


def test_a_file_of_too_many_parts_is_refused(world, client, settings, never_parsed):
    settings.IMPORT_MAX_PARTS = 10
    content = rewrite(households(world, 1), {f"xl/junk/{n}.xml": b"<a/>" for n in range(20)})
    message = file_error(post(client, world.users.committee, content))
    assert "29 个部件" in message


@pytest.mark.parametrize(
    "damage",
    [
        lambda sheet: sheet.replace('t="inlineStr"><is><t>独居</t></is>', 't="s"><v>99</v>', 1),
        lambda sheet: sheet.replace("</sheetData>", "<row r='x'></sheetData>"),
        lambda sheet: sheet[: len(sheet) // 2],
    ],
    ids=["string index out of range", "bad row number", "cut short"],
)
def test_a_damaged_sheet_is_refused_as_unreadable(world, client, damage):
    content = households(world, 2)
    damaged = damage(source_part(content, SHEET))
    assert damaged != source_part(content, SHEET)
    response = post(client, world.users.committee, rewrite(content, {SHEET: damaged.encode()}))
    assert "无法读取文件" in file_error(response)


# -- rows ----------------------------------------------------------------------------------------


def blank_rows(world, count: int, *, dimension: bool = True) -> bytes:
    """A header, one household and `count` rows of styled but empty cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.append(HOUSEHOLD_HEADERS)
    ws.append(household_row(1, world.community.code))
    bold = Font(bold=True)
    for row in range(3, count + 3):
        for column in range(1, 4):
            ws.cell(row=row, column=column).font = bold
    buffer = io.BytesIO()
    wb.save(buffer)
    content = buffer.getvalue()
    if not dimension:
        sheet = re.sub(r"<dimension [^>]*/>", "", source_part(content, SHEET))
        content = rewrite(content, {SHEET: sheet.encode()})
    return content


def test_a_sheet_whose_size_exceeds_the_row_limit_is_refused_unread(
    world, client, settings, monkeypatch
):
    settings.IMPORT_MAX_ROWS = 50
    monkeypatch.setattr(excel, "_row_parser", lambda *a: pytest.fail("rows were parsed"))

    message = file_error(post(client, world.users.committee, blank_rows(world, 60)))

    assert "工作表超过 50 行（空白行也计算在内）" in message
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()


def test_blank_rows_count_toward_the_limit_and_reading_stops_there(world, settings, monkeypatch):
    settings.IMPORT_MAX_ROWS = 50
    read = []
    values = excel._values
    monkeypatch.setattr(
        excel, "_values", lambda cells, width: read.append(1) or values(cells, width)
    )

    with pytest.raises(excel.SheetError, match="工作表超过 50 行"):
        excel.read_sheet(io.BytesIO(blank_rows(world, 5000, dimension=False)))

    assert len(read) <= 52  # the header, then rows up to the first one beyond the limit


def test_blank_rows_within_the_limit_are_skipped(world, client, settings):
    settings.IMPORT_MAX_ROWS = 50
    response = post(client, world.users.committee, blank_rows(world, 40, dimension=False))
    result = response.context["result"]
    assert (result.ok, result.total, result.created) == (True, 1, 1)


# -- the request hands big files to the background job -------------------------------------------


def test_a_file_that_unpacks_beyond_the_background_size_is_queued_unread(
    world, client, settings, monkeypatch
):
    settings.IMPORT_BACKGROUND_UNPACKED_BYTES = 1000
    monkeypatch.setattr(excel, "read_sheet", lambda *a, **k: pytest.fail("read in the request"))

    response = post(client, world.users.committee, households(world, 3))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registry/excel/jobs/{job.pk}/"
    assert job.status == "queued"
    monkeypatch.undo()
    from guanqing.registry import imports

    imports.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.created_count) == ("done", 3, 3)


def test_a_long_file_is_read_in_the_request_only_up_to_the_background_threshold(
    world, client, settings, monkeypatch
):
    settings.IMPORT_BACKGROUND_THRESHOLD = 5
    read = []
    values = excel._values
    monkeypatch.setattr(
        excel, "_values", lambda cells, width: read.append(1) or values(cells, width)
    )
    content = households(world, 40)
    # Without the sheet's own size, the request reads rows until it passes the threshold.
    content = rewrite(
        content, {SHEET: re.sub(r"<dimension [^>]*/>", "", source_part(content, SHEET)).encode()}
    )

    response = post(client, world.users.committee, content)

    assert response.status_code == 302
    assert len(read) <= 7
    assert ImportJob.objects.get().status == "queued"


# -- a capped, paginated list of errors --------------------------------------------------------


def test_errors_beyond_the_cap_are_counted_not_listed(world, client, settings):
    settings.IMPORT_MAX_ERRORS = 5
    response = post(client, world.users.committee, households(world, 12, bad=True))

    result = response.context["result"]
    assert [e.row for e in result.errors] == [2, 3, 4, 5, 6]
    assert (result.more_errors, result.error_total) == (7, 12)
    content = response.content.decode()
    assert "发现 12 处问题" in content
    assert content.count("<tr data-row=") == 5
    assert "以及另外 7 处错误" in content
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()


def test_a_job_keeps_a_capped_list_and_pages_it(
    world, client, settings, django_capture_on_commit_callbacks
):
    from guanqing.registry.views_excel import ERRORS_PER_PAGE

    settings.IMPORT_BACKGROUND_THRESHOLD = 2
    settings.IMPORT_MAX_ERRORS = ERRORS_PER_PAGE * 2 + 10
    total = settings.IMPORT_MAX_ERRORS + 15
    with django_capture_on_commit_callbacks(execute=True):
        post(client, world.users.committee, households(world, total, bad=True))

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert len(job.errors) == settings.IMPORT_MAX_ERRORS + 1  # the listed ones and a count

    page = client.get(f"/registry/excel/jobs/{job.pk}/").content.decode()
    assert f"发现 {total} 处问题" in page
    assert page.count("<tr data-row=") == ERRORS_PER_PAGE
    assert "以及另外 15 处错误" in page
    assert f'href="/registry/excel/jobs/{job.pk}/?page=3"' in page

    last = client.get(f"/registry/excel/jobs/{job.pk}/?page=3").content.decode()
    assert last.count("<tr data-row=") == 10
    assert f'data-row="{settings.IMPORT_MAX_ERRORS + 1}"' in last

    fragment = client.get(f"/registry/excel/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().count("<tr data-row=") == ERRORS_PER_PAGE

    data = client.get(f"/registry/excel/jobs/{job.pk}/progress/?format=json").json()
    assert len(data["errors"]) == settings.IMPORT_MAX_ERRORS
    assert (data["more_errors"], data["error_count"]) == (15, total)


# -- formulas ------------------------------------------------------------------------------------


def test_a_formula_without_a_calculated_result_is_an_error_naming_row_and_column(world, client):
    rows = [household_row(n, world.community.code) for n in range(1, 4)]
    rows[1][0] = '="张"&"三"'  # 户主姓名, required
    rows[2][8] = "=A2"  # 家庭情况
    response = post(client, world.users.committee, xlsx_bytes(HOUSEHOLD_HEADERS, rows))

    errors = [(e.row, e.column, e.reason) for e in response.context["result"].errors]
    reason = "公式没有计算结果，请在 Excel 中打开并保存文件后再导入"
    assert errors == [(3, "户主姓名", reason), (4, "家庭情况", reason)]
    assert not Household.objects.filter(head_name__startswith="导入户主").exists()


def test_a_formula_with_its_result_saved_imports_the_result(world, client):
    rows = [household_row(1, world.community.code)]
    rows[0][8] = '="独"&"居"'
    content = xlsx_bytes(HOUSEHOLD_HEADERS, rows)
    sheet = source_part(content, SHEET)
    saved = re.sub(
        r'<c r="I2"><f>([^<]*)</f><v ?/>', r'<c r="I2" t="str"><f>\1</f><v>独居</v>', sheet
    )
    assert saved != sheet
    content = rewrite(content, {SHEET: saved.encode()})

    response = post(client, world.users.committee, content)

    assert response.context["result"].ok, response.context["result"].errors
    assert Household.objects.get(head_name="导入户主1").situation == "独居"


def test_the_calendar_import_reports_an_uncalculated_formula_too(world, client):
    from guanqing.core.models import CalendarDay

    notice = "国务院办公厅关于2027年部分节假日安排的通知"
    content = xlsx_bytes(
        ["日期", "是否上班", "节假日名称", "依据"],
        [["2027-01-01", "否", "元旦", notice], ["2027-02-05", '=IF(1,"否","是")', "春节", notice]],
    )
    client.force_login(world.users.committee)
    response = client.post("/calendar/import/", {"file": upload(content)})

    assert response.status_code == 200
    errors = [(e.row, e.column, e.reason) for e in response.context["errors"]]
    assert errors == [(3, "是否上班", "公式没有计算结果，请在 Excel 中打开并保存文件后再导入")]
    assert not CalendarDay.objects.filter(date__year=2027).exists()
