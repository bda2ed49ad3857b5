"""`{% load charts %}` then `{% chart_svg chart %}`: a report chart drawn as inline SVG (see
`guanqing.core.charts`), the same on a page and in a PDF."""

from __future__ import annotations

from django import template
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
    return render_svg(thaw(chart), width=int(width), show_title=show_title)
