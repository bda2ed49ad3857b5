"""Reading and writing xlsx sheets: the plumbing shared by every import and export.

Nothing here knows about a model. A sheet is read into (row number, {header: value}) pairs with the
row numbers Excel shows (the header is row 1); workbooks are written with Chinese headers, text
columns that keep leading zeros, drop-down lists, and a second sheet explaining every column.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUCTIONS_TITLE = "填写说明"
MAX_ROWS = 200_000


class SheetError(Exception):
    """The upload is not a readable xlsx workbook (or has no header row)."""


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded sheet: Excel row number (header = 1), column header, reason."""

    row: int | None
    column: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Sheet:
    """The first worksheet of a workbook: its headers and its non-empty data rows."""

    headers: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class ColumnSpec:
    """How a column looks in a template and what its 填写说明 line says."""

    header: str
    required: bool = False
    help: str = ""
    choices: Sequence[str] = ()
    example: str = ""
    text: bool = False  # stored as text so that leading zeros and 18-digit numbers survive
    width: int = 14


def clean_header(value) -> str:
    """A header as users type it: surrounding spaces, a trailing * and （必填） are ignored."""
    text = str(value or "").strip().replace("\u3000", "")
    for suffix in ("（必填）", "(必填)", "*", "＊"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
    return text


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_sheet(fileobj) -> Sheet:
    """Read the first worksheet; skip empty rows but keep Excel's row numbers."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise SheetError(
            "无法读取文件：请上传 Excel .xlsx 文件 / not a readable .xlsx file"
        ) from None
    try:
        if not workbook.worksheets:
            raise SheetError("工作簿中没有工作表 / the workbook has no sheet")
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        headers = [clean_header(v) for v in (header_row or ())]
        while headers and not headers[-1]:
            headers.pop()
        if not any(headers):
            raise SheetError("第 1 行应为列名，但它是空的 / row 1 must hold the column headers")
        sheet = Sheet(headers=headers)
        for number, values in enumerate(rows, start=2):
            values = [_cell(v) for v in values[: len(headers)]]
            if all(v is None for v in values):
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise SheetError(f"文件超过 {MAX_ROWS} 行，请拆分后导入 / too many rows")
            record = {h: v for h, v in zip(headers, values, strict=False) if h}
            sheet.rows.append((number, record))
        return sheet
    finally:
        workbook.close()


def duplicate_headers(headers: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    twice = []
    for header in headers:
        if header and header in seen and header not in twice:
            twice.append(header)
        seen.add(header)
    return twice


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_HEADER_FILL = "FFDCE6F1"
_REQUIRED_FONT = "FFB42318"


def _style_header(ws, columns: Sequence[ColumnSpec]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color=_REQUIRED_FONT if column.required else None)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(column.width, len(column.header) * 2 + 4)
    ws.freeze_panes = "A2"


def _text_columns(ws, columns: Sequence[ColumnSpec]) -> None:
    """Mark text columns as text: a typed ID number stays 18 characters, a code keeps its zeros."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        if column.text:
            ws.column_dimensions[get_column_letter(index)].number_format = "@"


def _drop_downs(ws, columns: Sequence[ColumnSpec], last_row: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, column in enumerate(columns, start=1):
        choices = ",".join(column.choices)
        if not column.choices or len(choices) > 250:  # Excel's limit for an inline list
            continue
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1=f'"{choices}"',
            allow_blank=True,
            showErrorMessage=False,  # codes are accepted as well as labels
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.add_data_validation(validation)


def _instructions(wb, columns: Sequence[ColumnSpec], notes: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(INSTRUCTIONS_TITLE)
    ws.append(["列名", "是否必填", "格式与说明", "可选值", "示例"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column in columns:
        ws.append(
            [
                column.header,
                "必填" if column.required else "选填",
                column.help,
                "、".join(column.choices),
                column.example,
            ]
        )
    if notes:
        ws.append([])
        for note in notes:
            ws.append([note])
    for letter, width in zip("ABCDE", (16, 10, 60, 36, 24), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _save(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_workbook(
    *, title: str, columns: Sequence[ColumnSpec], notes: Sequence[str] = (), blank_rows: int = 5000
) -> bytes:
    """An empty sheet with the headers, plus a 填写说明 sheet describing every column."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([c.header for c in columns])
    _style_header(ws, columns)
    _text_columns(ws, columns)
    _drop_downs(ws, columns, blank_rows + 1)
    _instructions(wb, columns, notes)
    return _save(wb)


def literal_row(ws, values: Iterable[object]) -> list[object]:
    """A row whose text cells stay text: a value such as '=HYPERLINK(…)' typed into a form (or
    as a user name at the login page) must never become a live formula in someone's Excel."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str) and value:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row


def data_workbook(
    *, title: str, columns: Sequence[ColumnSpec], rows: Iterable[Sequence[object]]
) -> bytes:
    """A sheet of exported rows under the same headers as the template (streamed: 15,000 rows
    take about a second). Values arrive as strings where leading zeros matter, so Excel keeps
    them as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        width = max(column.width, len(column.header) * 2 + 4)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = fill
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append(literal_row(ws, row))
    return _save(wb)


def rows_workbook(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A plain sheet (e.g. a list of errors)."""
    return data_workbook(title=title, columns=[ColumnSpec(h) for h in headers], rows=rows)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def dated_filename(stem: str, today: datetime.date | None = None) -> str:
    from django.utils import timezone

    today = today or timezone.localdate()
    return f"{stem}_{today:%Y%m%d}.xlsx"


# ---------------------------------------------------------------------------------------------
# Progress of a long import, kept in the cache: on SQLite the writer's open transaction would hide
# progress written to the database until it commits.
# ---------------------------------------------------------------------------------------------

PROGRESS_TIMEOUT = 24 * 3600


def _progress_key(name: str) -> str:
    return f"guanqing:excel-progress:{name}"


def progress_set(name: str, **values) -> None:
    import time

    cache.set(_progress_key(name), {**values, "at": time.time()}, PROGRESS_TIMEOUT)


def progress_get(name: str) -> dict:
    return cache.get(_progress_key(name)) or {}


def progress_clear(name: str) -> None:
    cache.delete(_progress_key(name))


def throttled(
    callback: Callable[[int], None] | None, every: int = 50
) -> Callable[[int, bool], None]:
    """Call `callback(done)` every `every` rows and on the last one, not on each row."""

    def report(done: int, last: bool = False) -> None:
        if callback is not None and (last or done % every == 0):
            callback(done)

    return report
