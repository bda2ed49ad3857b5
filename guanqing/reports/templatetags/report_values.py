"""How a report figure reads: numbers grouped by thousands, money and rates with their decimals,
"—" for a figure that does not apply."""

from __future__ import annotations

import decimal

from django import template

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
