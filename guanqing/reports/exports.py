"""The period report on paper and in Excel: a PDF (WeasyPrint, CJK fonts, the charts as inline
SVG, the period, area and the data's "as of" time in every page's header, page numbers in the
footer) and a workbook with a cover sheet and one sheet per section. Both are built from the same
frozen data as the page, live or published."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core.excel import audited_export, literal_row
from guanqing.core.pdf import html_to_pdf, inline_pdf_response
from guanqing.core.reports import Period, Where, thaw
from guanqing.core.ui.ranking import TOP_ROWS

SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def for_reading(frozen_sections: list[dict], *, limit: int | None = None) -> list[dict]:
    """The sections as the page and the PDF show them: every table cut to its first `limit` rows
    (TOP_ROWS), in the order its section ranked them. A province's table by unit has thousands of
    rows: on screen and on paper the reader gets the leaders and a line saying how many there are;
    the workbook keeps every row. Each table says `total` (its rows) and `cut` (rows left out)."""
    limit = TOP_ROWS if limit is None else limit
    sections = thaw(frozen_sections)
    for section in sections:
        for table in section["tables"]:
            rows = table["rows"]
            table["total"] = len(rows)
            table["cut"] = max(0, len(rows) - limit)
            table["rows"] = rows[:limit]
    return sections


@dataclass
class Document:
    period: Period
    where: Where
    counted_on: datetime.date
    as_of: datetime.datetime
    sections: list[dict]  # frozen
    version: int | None = None  # None: the live report, not published
    published_by: str = ""
    published_at: datetime.datetime | None = None
    reason: str = ""
    changes: list[dict] = field(default_factory=list)

    @classmethod
    def live(cls, live) -> Document:
        return cls(live.period, live.where, live.counted_on, live.as_of, live.sections)

    @classmethod
    def published(cls, publication) -> Document:
        return cls(
            publication.period,
            publication.where,
            publication.counted_on,
            publication.as_of,
            publication.sections,
            version=publication.version,
            published_by=str(publication.published_by),
            published_at=publication.published_at,
            reason=publication.reason,
            changes=publication.changes,
        )

    @property
    def area(self) -> str:
        return self.where.name or _("全市")

    @property
    def title(self) -> str:
        return _("%(area)s工作情况统计（%(period)s）") % {
            "area": self.area,
            "period": self.period.label,
        }

    @property
    def stem(self) -> str:
        version = f"_v{self.version}" if self.version else ""
        return f"{_('工作情况统计')}_{self.period.key}_{self.area}{version}"

    @property
    def status(self) -> str:
        if self.version is None:
            return _("未发布（实时数据）")
        return _("第 %(version)s 版") % {"version": self.version}


def pdf_html(request, document: Document) -> str:
    """The HTML WeasyPrint lays out: a running header (title, version, the data's time) and page
    numbers on every page."""
    return render_to_string(
        "reports/report_pdf.html",
        {
            "document": document,
            "sections": for_reading(document.sections),
            "changes": thaw(document.changes),
            "as_of": timezone.localtime(document.as_of),
        },
        request=request,
    )


def pdf_response(request, document: Document):
    content = html_to_pdf(pdf_html(request, document), base_url=request.build_absolute_uri("/"))
    return inline_pdf_response(content, filename=f"{document.stem}.pdf")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = SHEET_TITLE_BAD.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name in taken:
        name = f"{base[:25]}({n})"
        n += 1
    taken.add(name)
    return name


def _cell(value):
    """A frozen-then-thawed value as Excel should hold it: numbers as numbers."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return value
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return str(value)


def workbook(document: Document) -> tuple[bytes, int]:
    """The workbook and how many data rows it holds (the audit log records the number)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    taken: set[str] = set()
    cover = wb.create_sheet(_sheet_title(_("说明"), taken))
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 60
    as_of = timezone.localtime(document.as_of)
    for row in (
        [_("报告"), document.title],
        [_("报告期"), f"{document.period.first:%Y-%m-%d} — {document.period.last:%Y-%m-%d}"],
        [_("统计截至"), f"{document.counted_on:%Y-%m-%d}"],
        [_("数据时间"), f"{as_of:%Y-%m-%d %H:%M}"],
        [_("版本"), document.status],
        [_("发布人"), document.published_by],
        [_("更正原因"), document.reason],
    ):
        cover.append(literal_row(cover, row))
    rows = 0
    for section in thaw(document.sections):
        ws = wb.create_sheet(_sheet_title(section["title"], taken))
        for index, width in enumerate((28, 16, 10, 48), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.append(literal_row(ws, [_("指标"), _("数值"), _("单位"), _("说明")]))
        for figure in section["figures"]:
            ws.append(
                literal_row(
                    ws,
                    [
                        figure["label"],
                        _cell(figure["value"]),
                        figure["unit"] or "",
                        figure["note"] or "",
                    ],
                )
            )
            rows += 1
        for table in section["tables"]:
            ws.append([])
            ws.append(literal_row(ws, [table["title"]]))
            ws.append(literal_row(ws, [str(c) for c in table["columns"]]))
            for table_row in table["rows"]:
                ws.append(literal_row(ws, [_cell(c) for c in table_row]))
                rows += 1
        for note in section["notes"]:
            ws.append(literal_row(ws, [note]))
    from io import BytesIO

    out = BytesIO()
    wb.save(out)
    return out.getvalue(), rows


def xlsx_response(user, document: Document):
    content, rows = workbook(document)
    return audited_export(
        actor=user,
        content=content,
        title=f"工作情况统计 {document.period.key} {document.where.name or '全市'}",
        object_type="reports.report",
        rows=rows,
        filters={
            "period": document.period.key,
            "where": document.where.key,
            "version": document.version or "",
        },
    )
