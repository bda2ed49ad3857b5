"""How a report figure reads: numbers grouped by thousands, money and rates with their decimals,
"—" for a figure that does not apply."""

from __future__ import annotations

import decimal

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def format_value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, decimal.Decimal | float):
        text = f"{value:,f}" if isinstance(value, decimal.Decimal) else f"{value:,.2f}"
        return text
    return str(value)


@register.filter
def report_value(value) -> str:
    return format_value(value)


@register.simple_tag
def report_rows(table) -> SafeString:
    """The body rows of a report table, as `reports/_table.html` lays them out: one `<tr>` a row,
    each cell through `report_value` (escaped), the columns from `numeric_from` on marked `num`;
    one "no data" row for a table without rows. Written here rather than by the template engine,
    cell by cell: a city's report has tables of a hundred units in every section."""
    rows = table["rows"]
    if not rows:
        return format_html(
            '<tr><td colspan="{}" class="muted">{}</td></tr>',
            len(table["columns"]),
            _("本期无数据"),
        )
    numeric_from = table["numeric_from"]
    plain = "<td>"
    number = '<td class="num">'
    out = []
    for row in rows:
        cells = "".join(
            f"{number if i >= numeric_from else plain}{conditional_escape(format_value(cell))}</td>"
            for i, cell in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>\n      ")
    return mark_safe("".join(out))  # noqa: S308 - every cell is escaped above
