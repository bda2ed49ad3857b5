"""Reading and writing xlsx sheets: the plumbing shared by every import and export.

Nothing here knows about a model. A sheet is read into (row number, {header: value}) pairs with the
row numbers Excel shows (the header is row 1); workbooks are written with Chinese headers, text
columns that keep leading zeros, drop-down lists, and a second sheet explaining every column.
"""

from __future__ import annotations

import datetime
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from guanqing.core.calendar.workdays import business_date

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUCTIONS_TITLE = "填写说明"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
# Headers are read from at most this many columns: an import template has a dozen.
MAX_COLUMNS = 200
# A part this small cannot exhaust anything, however well it compresses (styles, themes).
RATIO_EXEMPT_BYTES = 1024 * 1024


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
    # Cells that hold no value to import (a formula Excel never calculated), by row and header:
    # the first settings.IMPORT_MAX_ERRORS of them, and how many there are in all.
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    # Reading stopped at `stop_after` rows: the file is for the background job to read whole.
    truncated: bool = False

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


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def inspect_archive(fileobj) -> int:
    """Check an upload's zip directory against the import limits, before anything is unpacked;
    returns the total unpacked size. A small file can unpack to gigabytes (one shared string of
    300 MB compresses to 300 KB), and openpyxl holds every shared string in memory."""
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SheetError(_("无法读取文件：请上传 Excel .xlsx 文件")) from None
    finally:
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)
    if len(parts) > settings.IMPORT_MAX_PARTS:
        raise SheetError(
            _(
                "文件包含 %(count)s 个部件，不是常见的 Excel 工作簿；请在 Excel 中另存为 .xlsx 后再导入"
            )
            % {"count": len(parts)}
        )
    # zipfile never unpacks more than a part's declared size (it fails on the CRC instead), so the
    # declared sizes bound what reading the file can cost.
    total = sum(part.file_size for part in parts)
    if total > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise SheetError(
            _("文件解压后超过 %(limit)s MB，请拆分后分批导入")
            % {"limit": _megabytes(settings.IMPORT_MAX_UNPACKED_BYTES)}
        )
    for part in parts:
        if part.filename == SHARED_STRINGS_PART and (
            part.file_size > settings.IMPORT_MAX_SHARED_STRINGS_BYTES
        ):
            raise SheetError(
                _("文件中的文字内容解压后超过 %(limit)s MB，请拆分后分批导入")
                % {"limit": _megabytes(settings.IMPORT_MAX_SHARED_STRINGS_BYTES)}
            )
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_EXEMPT_BYTES and ratio > settings.IMPORT_MAX_COMPRESSION_RATIO:
            raise SheetError(
                _(
                    "文件中的 %(part)s 压缩比异常（超过 %(limit)s 倍），无法安全读取；"
                    "请在 Excel 中另存为 .xlsx 后再导入"
                )
                % {"part": part.filename, "limit": settings.IMPORT_MAX_COMPRESSION_RATIO}
            )
    return total


def _too_many_rows() -> SheetError:
    return SheetError(
        _("工作表超过 %(limit)s 行（空白行也计算在内），请删除多余的空行或拆分后分批导入")
        % {"limit": settings.IMPORT_MAX_ROWS}
    )


def _open_workbook(fileobj):
    """openpyxl's reader with the workbook's own parts read (its sheet list, shared strings and
    number formats), but not its worksheets: openpyxl's read-only worksheet reads a whole sheet
    once just to learn its size when the sheet does not state it (most files written by
    programs), before it is read again for its rows."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(fileobj, read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    return reader


def _worksheet_parts(reader) -> list[str]:
    """The archive paths of the workbook's worksheets, in the order Excel shows them (chart
    sheets aside, as openpyxl's `worksheets` leaves them out)."""
    return [
        rel.target
        for _sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]


def _stated_max_row(source) -> int | None:
    """The last row the sheet's <dimension> states, read from the sheet's start only (it comes
    before the rows); None when the sheet states none."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, iterparse

    for _event, element in iterparse(source, events=("start",)):
        if element.tag == DIMENSION_TAG:
            return range_boundaries(element.get("ref"))[3]
        if element.tag == DATA_TAG:
            return None
    return None


def _inline_text(node) -> str:
    """The text of an inline string (<is>), as openpyxl's Text.content reads it: the plain text,
    then each run's, without phonetic guides."""
    from openpyxl.worksheet._reader import SHEET_MAIN_NS

    text_tag, run_tag = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"
    plain, runs = [], []
    for part in node:
        if part.tag == text_tag:
            plain.append(part.text or "")
        elif part.tag == run_tag:
            text = part.find(text_tag)
            if text is not None:
                runs.append(text.text or "")
    return "".join(plain + runs)


def _row_parser(reader, part: str):
    """openpyxl's own worksheet parser, reading cached results (data_only), except that a formula
    Excel never calculated (no cached result: files written by programs and not saved in Excel)
    reads as UNCALCULATED rather than as an empty cell. Rows come as they are stored, each with
    its Excel row number: no filler rows for the gaps. The parser is not public openpyxl API;
    guanqing/registry/tests/test_excel_limits.py pins what is relied on."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import (
        FORMULA_TAG,
        INLINE_STRING,
        VALUE_TAG,
        WorkSheetParser,
    )

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            # Most cells of an import are text: shared strings (<c r="B2" t="s"><v>7</v></c>,
            # what Excel writes) or inline strings (<c r="B2" t="inlineStr"><is><t>…</t></is></c>,
            # what many programs write). Read those directly; anything else (numbers, dates,
            # formulas) as openpyxl does.
            kind = element.get("t")
            coordinate = element.get("r")
            if kind in ("s", "inlineStr") and len(element) == 1 and coordinate:
                child = element[0]
                value = None
                if kind == "s" and child.tag == VALUE_TAG and child.text:
                    value = self.shared_strings[int(child.text)]
                elif kind == "inlineStr" and child.tag == INLINE_STRING:
                    value = _inline_text(child)
                if value is not None:
                    row, column = coordinate_to_tuple(coordinate)
                    self.col_counter = column
                    style_id = element.get("s", 0)
                    return {
                        "row": row,
                        "column": column,
                        "value": value,
                        "data_type": "s",
                        "style_id": int(style_id) if style_id else 0,
                    }
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                value = element.find(VALUE_TAG)
                # Excel stores a formula whose result is "" as t="str" with an empty <v>.
                if value is None or element.get("t") != "str":
                    cell["value"] = UNCALCULATED
            return cell

    workbook = reader.wb
    return Parser(
        reader.archive.open(part),
        reader.shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )


class _Uncalculated:
    def __repr__(self) -> str:
        return "UNCALCULATED"


UNCALCULATED = _Uncalculated()


def _values(cells: list[dict], width: int) -> list[object]:
    values: list[object] = [None] * width
    for cell in cells:
        column = cell["column"]
        if 1 <= column <= width:
            values[column - 1] = _cell(cell["value"])
    return values


def read_sheet(fileobj, *, stop_after: int | None = None, index: int = 0) -> Sheet:
    """Read the first worksheet (or the `index`-th); skip empty rows but keep Excel's row numbers.

    The upload's size is checked before it is unpacked, and its rows are counted, blank ones
    included, as they are read: more than settings.IMPORT_MAX_ROWS is refused. With `stop_after`,
    reading stops after that many rows and the sheet is marked `truncated`."""
    inspect_archive(fileobj)
    try:
        reader = _open_workbook(fileobj)
    except Exception:
        # Any damaged or hand-made part: bad XML, a missing part, a value openpyxl rejects.
        logger.info("unreadable workbook", exc_info=True)
        raise SheetError(_("无法读取文件：请上传 Excel .xlsx 文件")) from None
    try:
        parts = _worksheet_parts(reader)
        if len(parts) <= index:
            raise SheetError(_("工作簿中没有工作表"))
        try:
            # The sheet's own record of its size, when it has one, refuses a long file unread.
            with reader.archive.open(parts[index]) as source:
                max_row = _stated_max_row(source)
            if max_row is not None and max_row - 1 > settings.IMPORT_MAX_ROWS:
                raise _too_many_rows()
            parser = _row_parser(reader, parts[index])
            try:
                return _read_rows(parser, max_row, stop_after)
            finally:
                parser.source.close()
        except SheetError:
            raise
        except Exception:
            # Bad XML in the sheet, a shared-string index out of range, a part failing its CRC.
            logger.info("unreadable worksheet", exc_info=True)
            raise SheetError(_("无法读取文件：请上传 Excel .xlsx 文件")) from None
    finally:
        reader.archive.close()


def _read_rows(parser, max_row: int | None, stop_after: int | None) -> Sheet:
    limit = settings.IMPORT_MAX_ROWS
    rows = iter(parser.parse())
    number, cells = next(rows, (None, []))
    headers = [clean_header(v) for v in _values(cells, MAX_COLUMNS)] if number == 1 else []
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise SheetError(_("第 1 行应为列名，但它是空的"))
    sheet = Sheet(headers=headers)
    if stop_after is not None and max_row is not None and max_row - 1 > stop_after:
        sheet.truncated = True
        return sheet
    for read, (number, cells) in enumerate(rows, start=1):
        if read > limit:
            raise _too_many_rows()
        if stop_after is not None and read > stop_after:
            sheet.truncated = True
            break
        values = _values(cells, len(headers))
        if all(v is None for v in values):
            continue
        record = {}
        for header, value in zip(headers, values, strict=True):
            if not header:
                continue
            if value is UNCALCULATED:
                sheet.error_count += 1
                if len(sheet.errors) < settings.IMPORT_MAX_ERRORS:
                    reason = _("公式没有计算结果，请在 Excel 中打开并保存文件后再导入")
                    sheet.errors.append(RowError(number, header, reason))
                value = None
            record[header] = value
        sheet.rows.append((number, record))
    return sheet


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
            literal_row(
                ws,
                [
                    column.header,
                    "必填" if column.required else "选填",
                    column.help,
                    "、".join(column.choices),
                    column.example,  # may be a stored record (a community's name)
                ],
            )
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


def writable_text(value: str) -> str:
    """`value` without the characters an xlsx file cannot hold (C0 controls other than tab and
    newline). Stored text may carry them — rows saved before input was checked, a user name tried at
    the login page — and openpyxl refuses the whole workbook for one such character."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def literal_row(ws, values: Iterable[object]) -> list[object]:
    """A row whose text cells stay text: a value such as '=HYPERLINK(…)' typed into a form (or
    as a user name at the login page) must never become a live formula in someone's Excel.
    Every export writes its rows through here, so stored text never makes an export fail."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str):
            value = writable_text(value)
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

    today = today or business_date()
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


# A long import's progress is written to the cache (a file on the embedded set-up) at most this
# often: the page polling it asks every few seconds, and a report per 50 rows cost an import of
# 100,000 rows two thousand cache writes.
PROGRESS_EVERY_SECONDS = 0.5


def throttled(
    callback: Callable[[int], None] | None, every: int = 50
) -> Callable[[int, bool], None]:
    """Call `callback(done)` on the last row and every `every` rows, at most every
    PROGRESS_EVERY_SECONDS; the first report is not held back."""
    import time

    reported_at: float | None = None

    def report(done: int, last: bool = False) -> None:
        nonlocal reported_at
        if callback is None or not (last or done % every == 0):
            return
        now = time.monotonic()
        if last or reported_at is None or now - reported_at >= PROGRESS_EVERY_SECONDS:
            reported_at = now
            callback(done)

    return report


# ---------------------------------------------------------------------------------------------
# An export: the workbook, and its record in the audit log, in one place
# ---------------------------------------------------------------------------------------------


def too_many_to_export(request, rows, *, back: str):
    """A redirect to `back` with a message when `rows` (a queryset, or a number) holds more than
    `GUANQING_EXPORT_MAX_ROWS` rows; None when they may be exported. A queryset that is every row
    of a counted table is measured by its counter (`core.counters.table_length`)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from guanqing.core import counters

    if not isinstance(rows, int):
        known = counters.table_length(rows)
        rows = rows.count() if known is None else known
    limit = settings.EXPORT_MAX_ROWS
    if rows <= limit:
        return None
    messages.error(
        request,
        _("要导出 %(rows)s 条，超过单次导出的上限 %(limit)s 条：请缩小筛选范围后分批导出。")
        % {"rows": f"{rows:,}", "limit": f"{limit:,}"},
    )
    return redirect(back)


def audited_export(
    *,
    actor,
    content: bytes,
    title: str,
    object_type: str,
    rows: int,
    filters: dict | None = None,
    changes: dict | None = None,
    note: str = "",
) -> HttpResponse:
    """Answer an xlsx download of `rows` rows, recording in the audit log who took it and with
    which filters, in the same transaction as nothing else: the record is written before the file
    leaves, so there is no export without its trace.

    `title` is the stored title (site language: the log reads the same to every auditor);
    `filters` the request's filter values that were applied (empty ones left out).
    """
    from django.db import transaction

    from guanqing.core import audit

    applied = "; ".join(f"{name}={value}" for name, value in (filters or {}).items() if value)
    message = f"导出{title} {rows} 条" + (f"（{note}）" if note else "")
    if applied:
        message += f"；筛选 {applied}"
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="export",
            object_type=object_type,
            object_repr=f"{title}导出",
            changes={"rows": [None, rows], **(changes or {})},
            message=message,
        )
    return xlsx_response(content, dated_filename(title))
