"""`{% load charts %}` then `{% chart_svg chart %}`: a report chart drawn as inline SVG (see
`guanqing.core.charts`), the same on a page and in a PDF."""

from __future__ import annotations

import decimal
import json
from functools import lru_cache

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString

from guanqing.core.charts import render_svg
from guanqing.core.reports import Chart, freeze, thaw

register = template.Library()


@register.simple_tag
def chart_svg(chart, width: int = 640, show_title: bool = True) -> SafeString:
    """`chart` as the report stores it (frozen), as `thaw` gives it, or a section's `Chart`
    before it is stored; `width` in SVG units (the figure always fills the width of its box),
    `show_title=False` when the page writes the title as a caption of its own."""
    if isinstance(chart, Chart):
        chart = freeze({**vars(chart), "series": [vars(s) for s in chart.series]})
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = json.dumps(
        chart, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_frozen
    )
    return _drawn(key, int(width), bool(show_title), language)


def _frozen(value):
    """A Decimal of a thawed chart as the report stores it (`thaw` turns it back)."""
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    raise TypeError(f"not chart data: {type(value).__name__}")


# A kept or published report is read again and again with the same charts: each drawing is kept
# per process, by the chart's data, size and language (a drawing depends on nothing else).
@lru_cache(maxsize=512)
def _drawn(key: str, width: int, show_title: bool, language: str) -> SafeString:
    return render_svg(thaw(json.loads(key), language), width=width, show_title=show_title)
