"""Tables by unit at a province's scale: the first rows in the order the reader chose, sorted on
the server, and the whole table as an Excel download.

A province has thousands of units. A table of every one takes most of a second to render, runs to
dozens of printed pages and is read from its top and its bottom anyway. A figures page therefore
shows the first `TOP_ROWS` rows of its table by unit, ordered by the column whose heading the
reader clicked (`?sort=visits`; again for the reverse, `?sort=-visits`), and links the whole table
as a sheet (`?export=<table>`) counted from the same figures.

Numbers come largest first and a second click reverses them; an empty value (a rate with nothing
to rate yet) sits last either way, and rows with equal values keep the order they came in. The
name column is not a sort key: ordering thousands of Chinese names by 拼音 takes over a second,
and a reader looking for one unit chooses it in the page's filter instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _

from guanqing.core.excel import ColumnSpec, data_workbook, dated_filename, xlsx_response

TOP_ROWS = 50
SORT_PARAM = "sort"
EXPORT_PARAM = "export"


@dataclass(frozen=True)
class Column:
    """One column of a ranked table: `value(row)` sorts it and fills its cell in the sheet
    (`cell(row)` instead, when the sheet shows it otherwise, e.g. a rate in per cent; `sheet_label`
    then names it there). `numeric=False` marks the name column (it keeps the rows' own order)."""

    key: str
    label: str
    value: Callable[[Any], Any]
    numeric: bool = True
    cell: Callable[[Any], Any] | None = None
    sheet_label: str = ""
    width: int = 14
    on_page: bool = True  # False: in the sheet only (the page shows it within another column)


def name_column(label, value: Callable[[Any], Any]) -> Column:
    """The name column (units, windows, clerks): shown first, not sorted by."""
    return Column("name", label, value, numeric=False, width=36)


def share_column(key: str, label, value: Callable[[Any], Any], *, sheet_label) -> Column:
    """A rate of 0–1: sorted by itself, kept in per cent in the sheet."""
    return Column(key, label, value, cell=lambda row: per_cent(value(row)), sheet_label=sheet_label)


@dataclass(frozen=True)
class Heading:
    key: str
    label: str
    numeric: bool
    url: str
    # "descending" / "ascending" on the column the rows are sorted by (aria-sort), else ""
    sorted: str


@dataclass(frozen=True)
class Ranking:
    rows: list  # the first `limit` of `ordered`
    ordered: list
    columns: Sequence[Column]
    headings: list[Heading]
    export_url: str
    limit: int
    noun: str  # what a row is, with its measure word: "个单位", "个窗口", "人"

    @property
    def total(self) -> int:
        return len(self.ordered)

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)

    @property
    def sorted_by(self) -> Heading:
        return next(h for h in self.headings if h.sorted)


def _query(request, **changes) -> str:
    query: QueryDict = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _order(text: str) -> tuple[str, bool]:
    """ "visits" → ("visits", False); "-visits" → ("visits", True)."""
    return (text[1:], True) if text.startswith("-") else (text, False)


def _sorted(rows: Sequence, column: Column, reverse: bool) -> list:
    present = [r for r in rows if column.value(r) not in (None, "")]
    empty = [r for r in rows if column.value(r) in (None, "")]
    # stable: rows with equal values keep the committee's order
    present.sort(key=lambda r: Decimal(str(column.value(r))), reverse=not reverse)
    return present + empty


def rank(
    request,
    rows: Sequence,
    columns: Sequence[Column],
    *,
    default: str,
    table: str = "units",
    limit: int | None = None,
    present: Callable[[list], list] | None = None,
    sort_param: str = SORT_PARAM,
    noun: str = "",
    anchor: str = "by-unit",
) -> Ranking:
    """The first `limit` of `rows` in the order `?sort=` asks for (`default` when it names no
    column; "-rate" for the lowest first), with the headings' links and the export link of the
    whole table. `present(rows)` formats the rows shown (only those: formatting thousands would
    cost what the cut saves).
    A page with several ranked tables gives each its own `table`, `sort_param` and `anchor` (the
    id of the table, where a heading's link lands)."""
    by_key = {c.key: c for c in columns}
    key, reverse = _order(request.GET.get(sort_param, ""))
    if key not in by_key or not (by_key[key].numeric and by_key[key].on_page):
        key, reverse = _order(default)
    ordered = _sorted(rows, by_key[key], reverse)
    limit = TOP_ROWS if limit is None else limit
    headings = []
    for column in columns:
        if not column.on_page:
            continue
        current = column.key == key
        url = ""
        if column.numeric:
            url = _query(
                request, **{sort_param: f"-{column.key}" if current and not reverse else column.key}
            )
            url = f"{url}#{anchor}" if anchor else url
        headings.append(
            Heading(
                key=column.key,
                label=column.label,
                numeric=column.numeric,
                url=url,
                sorted=("ascending" if reverse else "descending") if current else "",
            )
        )
    return Ranking(
        rows=present(ordered[:limit]) if present else ordered[:limit],
        ordered=ordered,
        columns=columns,
        headings=headings,
        export_url=_query(request, **{EXPORT_PARAM: table}),
        limit=limit,
        noun=noun or _("个单位"),
    )


def wants_export(request, table: str = "units") -> bool:
    return request.GET.get(EXPORT_PARAM) == table


def export(ranked: Ranking, *, title: str, stem: str) -> HttpResponse:
    """Every row of the table as a sheet, in the order the page shows them, numbers as numbers."""
    columns = ranked.columns
    specs = [ColumnSpec(str(c.sheet_label or c.label), width=c.width) for c in columns]
    values = ([_cell((c.cell or c.value)(r), c.numeric) for c in columns] for r in ranked.ordered)
    return xlsx_response(
        data_workbook(title=title, columns=specs, rows=values), dated_filename(stem)
    )


def _cell(value, numeric: bool):
    """A sheet cell: numbers stay numbers (money counted as text, "1234.50", too)."""
    if value is None:
        return ""
    if numeric and isinstance(value, str) and value:
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(value, Decimal | int | float | str):
        return value
    return str(value)


def per_cent(rate) -> Decimal | str:
    """A rate of 0–1 as per cent with one decimal for the sheet ("" when there is none)."""
    if rate in (None, ""):
        return ""
    return round(Decimal(str(rate)) * 100, 1)
