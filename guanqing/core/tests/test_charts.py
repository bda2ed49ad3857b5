"""`core/charts.py`: the report's charts as server-drawn SVG, the same on a page and in a PDF."""

from __future__ import annotations

import decimal
import re
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from guanqing.core import charts
from guanqing.core.charts import PALETTE, format_number, nice_range, render_svg
from guanqing.core.pdf import html_to_pdf
from guanqing.core.reports import Chart, Series, freeze

D = decimal.Decimal
NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = [f"{m}月" for m in range(1, 13)]


def chart(kind="bar", *, categories=None, series=None, title="各单位走访户数", unit="户", key="k"):
    return {
        "key": key,
        "title": title,
        "kind": kind,
        "categories": categories if categories is not None else ["市纪委", "市委组织部"],
        "series": series if series is not None else [{"name": "走访", "values": [12, 7]}],
        "unit": unit,
    }


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def having(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['svg']}}}{tag}") if cls in e.get("class", "").split()]


def texts(root: ET.Element, cls: str) -> list[str]:
    return ["".join(e.itertext()) for e in having(root, "text", cls)]


def view_height(root: ET.Element) -> float:
    return float(root.get("viewBox").split()[3])


def luminance(colour: str) -> float:
    """CIE L* of an sRGB colour: what a greyscale print keeps of it."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


# ----------------------------------------------------------------------------------------------
# What every chart is


@pytest.mark.parametrize("kind", charts.KINDS)
def test_each_kind_is_an_accessible_svg_that_scales_and_has_no_inline_style(kind):
    svg = render_svg(
        chart(kind, categories=MONTHS[:3], series=[{"name": "a", "values": [1, 2, 3]}])
    )
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title = root.find("svg:title", NS)
    assert root.get("aria-labelledby") == title.get("id")
    assert title.text == "各单位走访户数"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 640 ")
    assert root.get("font-family") == "Noto Sans CJK SC, Noto Sans SC, sans-serif"
    # a strict Content-Security-Policy blocks inline styles: presentation attributes only
    assert not [e for e in root.iter() if "style" in e.attrib]
    assert not list(root.iter("{http://www.w3.org/2000/svg}style"))
    assert "<script" not in svg and "javascript:" not in svg


def test_the_width_sets_the_view_box_and_two_charts_of_one_key_get_two_ids():
    wide = parse(render_svg(chart(), width=900))
    assert wide.get("viewBox").startswith("0 0 900 ")
    one = parse(render_svg(chart(key="by_unit")))
    other = parse(render_svg(chart(key="by_unit", title="各单位心愿数")))
    assert one.get("aria-labelledby") != other.get("aria-labelledby")
    assert one.get("aria-labelledby") == parse(render_svg(chart(key="by_unit"))).get(
        "aria-labelledby"
    )


def test_an_unknown_kind_or_a_value_that_is_no_number_is_refused():
    with pytest.raises(ValueError, match="pie"):
        render_svg(chart("pie"))
    with pytest.raises(ValueError, match="number"):
        render_svg(chart(series=[{"name": "a", "values": ["12", 1]}]))


def test_every_text_is_escaped():
    hostile = '<script>alert("x")</script>'
    svg = render_svg(
        chart(
            title=hostile,
            unit="<script>",
            categories=["A & B", "</text><script>"],
            series=[{"name": "'\"<b>", "values": [3, 4]}, {"name": "b", "values": [1, 2]}],
        )
    )
    root = parse(svg)  # still well-formed XML
    assert not [e for e in root.iter() if e.tag.endswith("script") or e.tag.endswith("}b")]
    assert root.find("svg:title", NS).text == hostile
    assert texts(root, "chart-title") == [hostile]
    assert texts(root, "category") == ["A & B", "</text><script>"]
    assert "3 <script>" in texts(root, "value")
    legend = ["".join(e.itertext()) for e in having(root, "g", "legend-item")]
    assert legend == ["'\"<b>", "b"]


def test_the_template_tag_draws_a_frozen_chart_in_the_readers_language():
    live = Chart(
        "by_month",
        gettext_lazy("月报"),
        "column",
        MONTHS[:2],
        [Series(gettext_lazy("图表"), [D("1.50"), None]), Series("b", [2, 3])],
        gettext_lazy("万元"),
    )
    frozen = freeze({**vars(live), "series": [vars(s) for s in live.series]})
    template = Template("{% load charts %}<figure>{% chart_svg chart %}</figure>")
    for given in (frozen, live):
        with translation.override("en"):
            html = template.render(Context({"chart": given}))
        root = parse(html.removeprefix("<figure>").removesuffix("</figure>"))
        assert root.find("svg:title", NS).text == "Monthly"
        assert len(having(root, "rect", "column")) == 3
        legend = ["".join(e.itertext()) for e in having(root, "g", "legend-item")]
        assert legend == ["Chart", "b"]
        with translation.override("zh-hans"):
            html = template.render(Context({"chart": given}))
        assert "月报" in html and "Monthly" not in html
    narrow = Template("{% load charts %}{% chart_svg chart width=320 show_title=False %}")
    root = parse(narrow.render(Context({"chart": chart()})))
    assert root.get("viewBox").startswith("0 0 320 ")
    assert texts(root, "chart-title") == []
    assert root.find("svg:title", NS).text == "各单位走访户数"


def test_the_tag_draws_a_chart_once_for_each_language_however_it_is_given(monkeypatch):
    from guanqing.core.reports import thaw
    from guanqing.core.templatetags import charts as tag

    live = Chart(
        "kept", gettext_lazy("月报"), "bar", ["甲", "乙"], [Series("x", [D("1.25"), 3])], "元"
    )
    frozen = freeze({**vars(live), "series": [vars(s) for s in live.series]})
    tag._drawn.cache_clear()
    drawn = []
    monkeypatch.setattr(
        tag, "render_svg", lambda chart, **kw: drawn.append(chart) or render_svg(chart, **kw)
    )
    template = Template("{% load charts %}{% chart_svg chart %}")
    forms = (frozen, thaw(frozen, "zh-hans"), live)  # stored, as the page reads it, the section's
    with translation.override("zh-hans"):
        pages = {template.render(Context({"chart": c})) for c in forms}
        assert len(pages) == 1 and "月报" in pages.pop()  # the same drawing from each form
        first = len(drawn)
        assert all(d["series"][0]["values"] == [D("1.25"), 3] for d in drawn)
        for chart in forms:  # read again: drawn from what was kept
            template.render(Context({"chart": chart}))
        assert len(drawn) == first
    with translation.override("en"):
        assert "Monthly" in template.render(Context({"chart": frozen}))
    assert len(drawn) == first + 1  # another language, another drawing


@pytest.mark.parametrize("text", ["a&b", '<tag attr="x">', "它's", "&amp;", "", "1 < 2 > 0"])
def test_text_is_escaped_as_django_escapes_it(text):
    from django.utils.html import escape

    assert charts.escape(text) == escape(text)


# ----------------------------------------------------------------------------------------------
# Numbers and the axis


def test_numbers_have_thousands_separators_and_decimals_keep_their_places():
    assert format_number(1234567) == "1,234,567"
    assert format_number(D("1234.50")) == "1,234.50"
    assert format_number(D("12")) == "12"
    assert format_number(-9876) == "-9,876"
    root = parse(
        render_svg(
            chart(
                unit="万元",
                categories=["甲区", "乙区"],
                series=[{"name": "拨付", "values": [D("12345.60"), D("0.25")]}],
            )
        )
    )
    assert texts(root, "value") == ["12,345.60万元", "0.25万元"]
    english = parse(render_svg(chart(unit="hours", series=[{"name": "a", "values": [1500, 2]}])))
    assert texts(english, "value") == ["1,500 hours", "2 hours"]


@pytest.mark.parametrize(
    "low, high, whole",
    [
        (0, 7, True),
        (0, 12045, True),
        (3, 98, True),
        (-40, 15, True),
        (0, 1, True),
        (D("0.02"), D("0.34"), False),
        (D("-1.00"), D("12.50"), False),
        (0, D("987654.32"), False),
    ],
)
def test_the_axis_is_ticked_at_one_two_or_five_times_a_power_of_ten_from_zero(low, high, whole):
    bottom, top, step = nice_range(low, high, ticks=5, whole=whole)
    mantissa = step.scaleb(-step.adjusted()).normalize()
    assert mantissa in (1, 2, 5)
    assert bottom <= min(low, 0) and top >= max(high, 0)
    assert bottom % step == 0 and top % step == 0  # zero is a tick
    assert (top - bottom) / step <= 10
    # no wasted step beyond the data
    assert bottom + step > min(low, 0) and top - step < max(high, 0)
    if whole:
        assert step >= 1 and step == step.to_integral_value()


def test_the_drawn_ticks_are_evenly_spaced_labels_starting_at_zero():
    root = parse(
        render_svg(
            chart(
                "column",
                categories=MONTHS,
                series=[{"name": "a", "values": list(range(0, 1200, 100))}],
            )
        )
    )
    labels = [t for t in texts(root, "tick") if re.fullmatch(r"[\d,]+", t)]
    ticks = [int(t.replace(",", "")) for t in labels if t]
    assert ticks[0] == 0
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and str(steps.pop())[0] in "125"


# ----------------------------------------------------------------------------------------------
# The three kinds


def test_bars_a_row_per_category_and_a_gap_for_none():
    units = ["市纪委", "市委组织部", "市教育局", "市公安局", "市民政局"]
    root = parse(
        render_svg(
            chart(categories=units, series=[{"name": "走访", "values": [1234, 0, None, 12045, 55]}])
        )
    )
    assert texts(root, "category") == units
    bars = having(root, "rect", "bar")
    assert len(bars) == 4  # None: no bar, no value
    assert texts(root, "value") == ["1,234户", "0户", "12,045户", "55户"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[1] == 0 and widths[2] == max(widths)  # 0 draws nothing visible, longest is most
    assert widths[0] / widths[2] == pytest.approx(1234 / 12045, rel=0.01)
    zero = float(having(root, "line", "zero")[0].get("x1"))
    assert all(float(b.get("x")) == pytest.approx(zero) for b in bars)
    # the full value is also the bar's tooltip on screen
    assert bars[0].find("svg:title", NS).text == "市纪委: 1,234户"
    assert not having(root, "g", "legend")  # one series needs no legend


def test_several_series_of_bars_sit_side_by_side_with_a_legend():
    root = parse(
        render_svg(
            chart(
                categories=["甲", "乙", "丙"],
                series=[
                    {"name": "2025年", "values": [1, 2, 3]},
                    {"name": "2026年", "values": [4, None, 6]},
                ],
            )
        )
    )
    bars = having(root, "rect", "bar")
    assert len(bars) == 5
    legend = having(root, "g", "legend-item")
    assert ["".join(e.itertext()) for e in legend] == ["2025年", "2026年"]
    swatches = [e.find("svg:rect", NS).get("fill") for e in legend]
    assert swatches == list(PALETTE[:2])
    # the first row: one bar of each series, one under the other
    first, second = bars[0], bars[1]
    assert (first.get("fill"), second.get("fill")) == PALETTE[:2]
    assert float(second.get("y")) > float(first.get("y"))
    assert float(second.get("y")) < float(bars[2].get("y"))  # still above the second row's bars


def test_a_ranking_of_forty_units_grows_and_cuts_long_names_with_the_full_name_as_title():
    names = [f"第{i}个单位（市发展和改革委员会市粮食和物资储备局）" for i in range(40)]
    names[0] = "市纪委"
    root = parse(
        render_svg(chart(categories=names, series=[{"name": "a", "values": list(range(40))}]))
    )
    assert len(having(root, "text", "category")) == 40
    assert len(having(root, "rect", "bar")) == 40
    few = parse(
        render_svg(chart(categories=names[:4], series=[{"name": "a", "values": [1, 2, 3, 4]}]))
    )
    assert view_height(root) > view_height(few) + 36 * 20
    shown = texts(root, "category")
    assert shown[0] == "市纪委"
    assert all(
        t.endswith("…") and len(t) < len(n) for t, n in zip(shown[1:], names[1:], strict=True)
    )
    cut = having(root, "g", "cut")
    assert [g.find("svg:title", NS).text for g in cut] == names[1:]
    assert all(n.startswith(t.removesuffix("…")) for t, n in zip(shown, names, strict=True))


def test_negative_values_are_drawn_on_the_other_side_of_zero():
    root = parse(
        render_svg(
            chart(
                unit="万元",
                categories=["甲区", "乙区"],
                series=[{"name": "增减", "values": [D("12.50"), D("-3.25")]}],
            )
        )
    )
    zero = float(having(root, "line", "zero")[0].get("x1"))
    up, down = having(root, "rect", "bar")
    assert float(up.get("x")) == pytest.approx(zero)
    assert float(down.get("x")) + float(down.get("width")) == pytest.approx(zero, abs=0.2)
    assert float(down.get("width")) > 0
    label = having(root, "text", "value")[1]
    assert "".join(label.itertext()) == "-3.25万元"
    assert label.get("text-anchor") == "end" and float(label.get("x")) < float(down.get("x"))
    assert any(t.startswith("-") for t in texts(root, "tick"))  # the axis goes below zero

    columns = parse(
        render_svg(
            chart("column", categories=MONTHS[:2], series=[{"name": "a", "values": [5, -5]}])
        )
    )
    zero_y = float(having(columns, "line", "zero")[0].get("y1"))
    up, down = having(columns, "rect", "column")
    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(zero_y, abs=0.2)
    assert float(down.get("y")) == pytest.approx(zero_y)
    assert float(up.get("height")) == pytest.approx(float(down.get("height")), abs=0.2)


def test_columns_by_month_grouped_per_series():
    series = [
        {"name": "认领", "values": [5, 8, 12, 3, 0, None, 20, 15, 9, 7, 4, 2]},
        {"name": "实现", "values": [3, 6, 10, 2, 0, None, 18, 14, 8, 6, 3, 1]},
    ]
    root = parse(render_svg(chart("column", categories=MONTHS, series=series, unit="个")))
    assert texts(root, "category") == MONTHS
    groups = having(root, "g", "series")
    assert [len(having(g, "rect", "column")) for g in groups] == [11, 11]
    assert {c.get("fill") for c in having(groups[1], "rect", "column")} == {PALETTE[1]}
    assert texts(root, "unit") == ["单位：个"]
    with translation.override("en"):
        english = parse(render_svg(chart("column", categories=MONTHS, series=series, unit="个")))
    assert texts(english, "unit") == ["Unit: 个"]
    # a column is as high as its value (measured from zero): July 20, March 12
    july, march = having(groups[0], "rect", "column")[5], having(groups[0], "rect", "column")[2]
    assert float(july.get("height")) / float(march.get("height")) == pytest.approx(
        20 / 12, rel=0.01
    )


def test_one_series_of_columns_writes_its_values_when_they_fit():
    root = parse(
        render_svg(
            chart(
                "column",
                categories=MONTHS[:4],
                series=[{"name": "a", "values": [105, 1200, None, 0]}],
                unit="次",
            )
        )
    )
    assert texts(root, "value") == ["105", "1,200", "0"]


def test_forty_columns_slant_and_thin_out_their_labels_and_keep_inside_the_figure():
    names = [f"第{i}个单位名称很长" for i in range(40)]
    root = parse(
        render_svg(
            chart("column", categories=names, series=[{"name": "a", "values": list(range(1, 41))}])
        )
    )
    assert len(having(root, "rect", "column")) == 40
    labels = having(root, "text", "category")
    assert 10 <= len(labels) < 40
    assert all("rotate(-45" in e.get("transform") for e in labels)
    first = having(root, "rect", "column")[0]
    assert float(first.get("x")) > 60  # room for the first slanted label


def test_lines_with_a_marker_per_value_broken_at_none():
    series = [
        {"name": "窗口", "values": [D("95.5"), D("96.0"), None, D("97.25"), D("98"), D("97.5")]},
        {"name": "热线", "values": [90, None, 92, None, 93, 94]},
    ]
    root = parse(render_svg(chart("line", categories=MONTHS[:6], series=series, unit="%")))
    first, second = having(root, "g", "series")
    assert len(having(first, "circle", "point")) == 5
    assert len(having(second, "circle", "point")) == 4
    # 窗口: Jan–Feb and Apr–Jun; 热线: only May–Jun (Jan and Mar stand alone as points)
    assert [len(p.get("points").split()) for p in having(first, "polyline", "line")] == [2, 3]
    assert [len(p.get("points").split()) for p in having(second, "polyline", "line")] == [2]
    dashes = [having(g, "polyline", "line")[0].get("stroke-dasharray") for g in (first, second)]
    assert dashes[0] is None and dashes[1]  # told apart in greyscale by the dash too
    legend = having(root, "g", "legend-item")
    assert [e.find("svg:line", NS).get("stroke") for e in legend] == list(PALETTE[:2])
    point = having(first, "circle", "point")[3]
    assert point.find("svg:title", NS).text == "5月 · 窗口: 98%"
    # a higher value is drawn higher
    drawn = [float(c.get("cy")) for c in having(first, "circle", "point")]
    values = [v for v in series[0]["values"] if v is not None]
    assert sorted(range(5), key=lambda i: drawn[i]) == sorted(range(5), key=lambda i: -values[i])


@pytest.mark.parametrize("kind", charts.KINDS)
@pytest.mark.parametrize(
    "categories, values",
    [
        ([], []),
        (MONTHS[:3], [0, 0, 0]),
        (MONTHS[:3], [None, None, None]),
        (MONTHS[:2], [D("0.00"), 0]),
    ],
)
def test_no_data_draws_an_empty_frame_with_a_note(kind, categories, values):
    svg = render_svg(chart(kind, categories=categories, series=[{"name": "a", "values": values}]))
    root = parse(svg)
    assert texts(root, "no-data") == ["无数据"]
    assert len(having(root, "rect", "frame")) == 1
    assert not having(root, "rect", "bar") and not having(root, "rect", "column")
    assert not having(root, "circle", "point")
    with translation.override("en"):
        english = parse(render_svg(chart(kind, categories=categories, series=[])))
    assert texts(english, "no-data") == ["No data"]


def test_the_palette_stays_apart_on_a_greyscale_print():
    assert len(set(PALETTE)) == 6
    lightness = sorted(luminance(c) for c in PALETTE)
    assert min(b - a for a, b in zip(lightness, lightness[1:], strict=False)) >= 8
    assert lightness[-1] < 90  # the lightest still shows on white paper
    assert abs(luminance(PALETTE[0]) - luminance(PALETTE[1])) >= 30  # the usual two series


# ----------------------------------------------------------------------------------------------
# On paper


def pdf_text(pdf: bytes) -> str:
    """The text WeasyPrint drew, read through each font's ToUnicode map (SVG text included,
    which sets a dash array, `[] 0 d`, right before its text objects)."""
    from guanqing.window.tests.pdfs import _streams

    streams = _streams(pdf)
    maps: dict[bytes, dict[str, str]] = {}
    for data in [pdf, *streams.values()]:
        for body in re.findall(rb"<<([^<>]*)>>", data):
            tag = re.search(rb"/BaseFont\s*/(\w+)\+", body)
            ref = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
            if tag and ref:
                cmap = streams.get(ref.group(1), b"")
                maps[tag.group(1)] = {
                    gid.decode().lower(): bytes.fromhex(code.decode()).decode("utf-16-be")
                    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S)
                    for gid, code in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block)
                }
    out: list[str] = []
    for data in streams.values():
        glyphs: dict[str, str] = {}
        for m in re.finditer(rb"/(\w+) [\d.]+ Tf|\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ", data):
            if m.group(1) is not None:
                glyphs = maps.get(m.group(1), {})
                continue
            for run in re.findall(rb"<([0-9a-fA-F]*)>", m.group(2)):
                run = run.decode().lower()
                out.extend(glyphs.get(run[i : i + 4], "") for i in range(0, len(run), 4))
    return "".join(out)


def test_weasyprint_draws_the_inline_svg_into_the_pdf():
    long_name = "市发展和改革委员会（市粮食和物资储备局）"
    figures = [
        render_svg(
            chart(
                title="各单位走访户数排名",
                categories=["市纪委", long_name],
                series=[{"name": "a", "values": [1234, 5]}],
            )
        ),
        render_svg(
            chart(
                "column",
                title="按月心愿数",
                categories=MONTHS[:3],
                series=[{"name": "a", "values": [1, None, 3]}, {"name": "b", "values": [2, 2, 2]}],
            )
        ),
        render_svg(
            chart(
                "line",
                title="满意率趋势",
                categories=MONTHS[:3],
                series=[{"name": "a", "values": [D("95.5"), None, 97]}],
                unit="%",
            )
        ),
        render_svg(chart("line", title="空的图", categories=[], series=[])),
    ]
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        + "".join(f"<figure>{svg}</figure>" for svg in figures)
        + "</body></html>"
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for title in ("各单位走访户数排名", "按月心愿数", "满意率趋势", "空的图"):
        assert title in text
    assert "1,234户" in text and "无数据" in text
    # a cut label is drawn cut: its full text (the <title>) is a tooltip, not ink
    assert long_name not in text and "市纪委: 1,234户" not in text
