"""Charts of the period report as SVG drawn on the server: the same picture on a page and in a
PDF (WeasyPrint draws inline SVG), with no script and no inline style, so a strict
Content-Security-Policy allows it and an intranet without a CDN shows it.

`render_svg(chart)` takes a report chart as `reports.thaw` gives it
(`{"key", "title", "kind", "categories", "series": [{"name", "values"}], "unit"}`, texts as
strings, numbers as int, Decimal or None) and returns the `<svg>` element:

- "bar": horizontal bars, a row per category (a ranking by unit or district; the figure grows
  with the rows), the value written at the end of each bar with its unit;
- "column": vertical columns by category (the months of a period), the series side by side;
- "line": a line per series with a marker on each value.

The value axis always shows zero and is ticked at 1, 2 or 5 × 10ⁿ. None is a gap: no bar, a
broken line; a series shorter than the categories ends in gaps, values beyond them are ignored.
Negative values are drawn on the other side of the zero line. Without a value other than zero
(or without categories) the frame is drawn empty with a "无数据" note. Each bar, column and
point carries its category, series and value as a `<title>` (a tooltip on screen, no ink on
paper); a label cut with an ellipsis carries its whole text the same way.

Everything is set with presentation attributes (fill=, stroke=, font-size=), never `style=`: a
strict CSP blocks inline styles. The root names the CJK fonts first, since WeasyPrint maps the
generic sans-serif to a font without Chinese glyphs.
"""

from __future__ import annotations

import decimal
import hashlib
import html
import math
import re
import unicodedata
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

KINDS = ("bar", "column", "line")

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, sans-serif"

# Six calm colours whose lightness steps about ten points apart (CIE L* 28, 71, 52, 41, 83, 62), so
# the series stay apart on a greyscale print; the first two, the usual pair, are the most different.
PALETTE = ("#1f4466", "#d6a74f", "#3f8a78", "#9a4a3c", "#c0d2e3", "#9a8fb8")
# Lines also differ by their dash, for the same reason.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")

TEXT = "#333333"
MUTED = "#666666"
GRID = "#e4e4e4"
AXIS = "#555555"
FRAME = "#cccccc"

PAD = 12
TITLE_SIZE = 14
LABEL_SIZE = 12
SMALL_SIZE = 11
ELLIPSIS = "…"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ----------------------------------------------------------------------------------------------
# Numbers


def _number(value) -> int | decimal.Decimal | None:
    """A value as int or Decimal; None stays None (a gap)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"a chart value must be a number, not {value!r}")
    if isinstance(value, int | decimal.Decimal):
        if isinstance(value, decimal.Decimal) and not value.is_finite():
            raise ValueError(f"a chart value must be finite, not {value!r}")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a chart value must be finite, not {value!r}")
        return decimal.Decimal(repr(value))
    raise ValueError(f"a chart value must be a number, not {value!r}")


def format_number(value: int | decimal.Decimal) -> str:
    """Thousands separators; a Decimal keeps its decimals ("1,234.50")."""
    if isinstance(value, decimal.Decimal):
        places = max(0, -value.as_tuple().exponent)
        return f"{value:,.{places}f}"
    return f"{value:,}"


def with_unit(text: str, unit: str) -> str:
    """ "12户", "12.5%", "12 hours": no space before a CJK unit or a sign, one before a word."""
    if not unit:
        return text
    first = unit[0]
    if first in "%‰" or unicodedata.east_asian_width(first) in ("W", "F"):
        return f"{text}{unit}"
    return f"{text} {unit}"


@dataclass(frozen=True)
class Scale:
    """A linear value axis from `low` to `high` (both ticks, zero among them) onto [start, end]."""

    low: decimal.Decimal
    high: decimal.Decimal
    step: decimal.Decimal
    start: float
    end: float

    def __call__(self, value) -> float:
        share = float((decimal.Decimal(value) - self.low) / (self.high - self.low))
        return self.start + share * (self.end - self.start)

    @property
    def ticks(self) -> list[decimal.Decimal]:
        count = int((self.high - self.low) / self.step)
        return [self.low + self.step * i for i in range(count + 1)]

    def label(self, tick: decimal.Decimal) -> str:
        places = max(0, -self.step.normalize().as_tuple().exponent)
        return f"{tick:,.{places}f}"


def nice_step(raw: decimal.Decimal, *, whole: bool) -> decimal.Decimal:
    """The smallest 1, 2 or 5 × 10ⁿ at least `raw` (at least 1 for counts)."""
    base = decimal.Decimal(1).scaleb(raw.adjusted())
    step = next(base * m for m in (1, 2, 5, 10) if base * m >= raw)
    if whole and step < 1:
        step = decimal.Decimal(1)
    return step


def nice_range(
    low, high, *, ticks: int, whole: bool
) -> tuple[decimal.Decimal, decimal.Decimal, decimal.Decimal]:
    """(low, high, step) covering [min(low, 0), max(high, 0)] in about `ticks` nice steps."""
    low = min(decimal.Decimal(low), decimal.Decimal(0))
    high = max(decimal.Decimal(high), decimal.Decimal(0))
    step = nice_step((high - low) / max(ticks, 1), whole=whole)
    return (
        (low / step).to_integral_value(decimal.ROUND_FLOOR) * step,
        (high / step).to_integral_value(decimal.ROUND_CEILING) * step,
        step,
    )


# ----------------------------------------------------------------------------------------------
# Text


def escape(text) -> str:
    """Text for the markup: `& < > " '` as entities, as Django's `escape` writes them, without
    its wrapper for lazy text (a report's charts escape some 600 texts and attributes)."""
    return html.escape(str(text))


def _clean(value) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` in the Noto Sans CJK fonts: a CJK character is one em,
    most others a little over half of one."""
    em = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            em += 1.0
        elif ch in " .,:;'!|il1":
            em += 0.32
        elif ch.isupper() or ch in "mwMW%@":
            em += 0.72
        else:
            em += 0.56
    return em * size


def fit(text: str, width: float, size: float) -> str:
    """`text` cut to `width` with an ellipsis when it is longer."""
    if text_width(text, size) <= width:
        return text
    keep = len(text)
    while keep > 0 and text_width(text[:keep] + ELLIPSIS, size) > width:
        keep -= 1
    return text[:keep].rstrip() + ELLIPSIS


def _n(value: float) -> str:
    """A coordinate: one decimal at most."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None or value == "":
            continue
        if isinstance(value, float):
            value = _n(value)
        parts.append(f'{name.rstrip("_").replace("_", "-")}="{escape(_clean(value))}"')
    return " ".join(parts)


def _el(tag: str, body: str = "", **attrs) -> str:
    head = f"<{tag} {_attrs(attrs)}".rstrip()
    return f"{head}>{body}</{tag}>" if body else f"{head}/>"


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _label(text: str, width: float, size: float, **attrs) -> str:
    """A text cut to `width`; when cut, the whole text is the `<title>` of a group around it."""
    shown = fit(text, width, size)
    element = _el("text", escape(shown), font_size=size, **attrs)
    if shown == text:
        return element
    return f'<g class="cut">{_title(text)}{element}</g>'


# ----------------------------------------------------------------------------------------------
# The chart


@dataclass
class _Data:
    key: str
    title: str
    kind: str
    unit: str
    categories: list[str]
    names: list[str]
    values: list[list[int | decimal.Decimal | None]]  # per series, one per category

    @property
    def numbers(self) -> list[int | decimal.Decimal]:
        return [v for row in self.values for v in row if v is not None]

    @property
    def empty(self) -> bool:
        return not self.categories or not any(self.numbers)

    @property
    def whole(self) -> bool:
        return all(isinstance(v, int) for v in self.numbers)

    def tip(self, category: str, series: int, value) -> str:
        name = f" · {self.names[series]}" if len(self.names) > 1 and self.names[series] else ""
        return f"{category}{name}: {with_unit(format_number(value), self.unit)}"


def _data(chart: dict) -> _Data:
    kind = chart.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown chart kind {kind!r}; one of {', '.join(KINDS)}")
    categories = [_clean(c) for c in chart.get("categories") or []]
    names, values = [], []
    for series in chart.get("series") or []:
        row = [_number(v) for v in list(series.get("values") or [])[: len(categories)]]
        values.append(row + [None] * (len(categories) - len(row)))
        names.append(_clean(series.get("name")))
    return _Data(
        key=_clean(chart.get("key")),
        title=_clean(chart.get("title")),
        kind=kind,
        unit=_clean(chart.get("unit")),
        categories=categories,
        names=names,
        values=values,
    )


def render_svg(chart: dict, *, width: int = 640, show_title: bool = True) -> SafeString:
    """The chart as an inline `<svg>` element, `width` units wide; it scales to the width of the
    page. With `show_title=False` the title is only the accessible name (the page writes it as
    a caption of its own)."""
    data = _data(chart)
    width = max(int(width), 240)
    dom_id = _dom_id(data)
    title = data.title or _("图表")
    parts: list[str] = []
    top = PAD
    if show_title and data.title:
        parts.append(
            _label(
                data.title,
                width - 2 * PAD,
                TITLE_SIZE,
                x=PAD,
                y=top + TITLE_SIZE,
                fill=TEXT,
                font_weight="bold",
                class_="chart-title",
            )
        )
        top += TITLE_SIZE + 10
    if len(data.names) > 1 and not data.empty:
        legend, height = _legend(data, top, width)
        parts.append(legend)
        top += height + 6
    draw = {"bar": _bar, "column": _columns, "line": _columns}[data.kind]
    body, height = _empty(data, top, width) if data.empty else draw(data, top, width)
    parts.append(body)
    height = math.ceil(height + PAD)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{dom_id}" class="chart chart-{data.kind}" '
        f'font-family="{FONT_FAMILY}" font-size="{LABEL_SIZE}" fill="{TEXT}">'
        f'<title id="{dom_id}">{escape(title)}</title>'
        f'<rect class="chart-ground" x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        f"{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # every text in it went through escape()


def _dom_id(data: _Data) -> str:
    """The id of the title: the key and a digest of the content, so two charts on one page (the
    same key in two sections) have two ids, and the same chart has the same one every time."""
    digest = hashlib.sha1(repr(data).encode())
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", data.key).strip("-")[:40] or "chart"
    return f"chart-{slug}-{digest.hexdigest()[:8]}"


def _legend(data: _Data, top: float, width: int) -> tuple[str, float]:
    """The series names in a row (wrapped), each after a swatch of its colour."""
    items, x, y, row = [], PAD, top, 16
    for i, name in enumerate(data.names):
        shown = fit(name, 180, SMALL_SIZE)
        item = 14 + 4 + text_width(shown, SMALL_SIZE) + 16
        if x > PAD and x + item > width - PAD:
            x, y = PAD, y + row
        colour = PALETTE[i % len(PALETTE)]
        if data.kind == "line":
            swatch = _el(
                "line",
                x1=float(x),
                y1=y + 7.0,
                x2=x + 14.0,
                y2=y + 7.0,
                stroke=colour,
                stroke_width=2,
                stroke_dasharray=DASHES[i % len(DASHES)],
            )
        else:
            swatch = _el("rect", x=float(x), y=y + 2.0, width=12, height=10, fill=colour)
        label = _label(name, 180, SMALL_SIZE, x=x + 18.0, y=y + 11.0, fill=TEXT)
        items.append(f'<g class="legend-item">{swatch}{label}</g>')
        x += item
    return f'<g class="legend">{"".join(items)}</g>', y + row - top


def _empty(data: _Data, top: float, width: int) -> tuple[str, float]:
    height = 120.0
    frame = _el(
        "rect",
        x=float(PAD),
        y=float(top),
        width=float(width - 2 * PAD),
        height=height,
        fill="none",
        stroke=FRAME,
        class_="frame",
    )
    note = _el(
        "text",
        escape(_("无数据")),
        x=width / 2,
        y=top + height / 2 + 4,
        text_anchor="middle",
        fill=MUTED,
        class_="no-data",
    )
    return frame + note, top + height


def _value_labels(data: _Data) -> list[str]:
    return [with_unit(format_number(v), data.unit) for v in data.numbers]


def _bar(data: _Data, top: float, width: int) -> tuple[str, float]:
    """Horizontal bars: a row per category, the series side by side (one above the other)."""
    n = len(data.values)
    bar = 14.0 if n == 1 else 10.0
    gap = 2.0
    row = max(24.0, n * bar + (n - 1) * gap + 10)
    size = SMALL_SIZE if n == 1 else 10

    labels_wide = max(text_width(c, LABEL_SIZE) for c in data.categories)
    label_w = min(labels_wide, width * 0.3)
    plot_left = PAD + label_w + 8
    plot_right = width - PAD
    # room for the values written beyond the end of a bar, on either side of zero
    right_room = max(
        [
            text_width(with_unit(format_number(v), data.unit), size) + 6
            for v in data.numbers
            if v > 0
        ]
        or [0]
    )
    left_room = max(
        [
            text_width(with_unit(format_number(v), data.unit), size) + 6
            for v in data.numbers
            if v < 0
        ]
        or [0]
    )
    start, end = plot_left + left_room, plot_right - right_room
    if end - start < 120:  # a narrow figure with long labels: the labels give way
        label_w = max(40.0, label_w - (120 - (end - start)))
        plot_left = PAD + label_w + 8
        start = plot_left + left_room
    low, high, step = nice_range(
        min(data.numbers),
        max(data.numbers),
        ticks=max(2, min(8, int((end - start) // 80))),
        whole=data.whole,
    )
    scale = Scale(low, high, step, start, end)

    rows_top = top + 4
    rows_bottom = rows_top + row * len(data.categories)
    out = [_grid_x(scale, rows_top, rows_bottom)]
    for c, category in enumerate(data.categories):
        y0 = rows_top + row * c
        out.append(
            _label(
                category,
                label_w,
                LABEL_SIZE,
                x=PAD + label_w,
                y=y0 + row / 2 + LABEL_SIZE * 0.35,
                text_anchor="end",
                fill=TEXT,
                class_="category",
            )
        )
        group_top = y0 + (row - (n * bar + (n - 1) * gap)) / 2
        for s in range(n):
            value = data.values[s][c]
            if value is None:
                continue
            y = group_top + s * (bar + gap)
            zero, at = scale(0), scale(value)
            left, right = min(zero, at), max(zero, at)
            out.append(
                _el(
                    "rect",
                    _title(data.tip(category, s, value)),
                    x=left,
                    y=y,
                    width=max(right - left, 0.0),
                    height=bar,
                    fill=PALETTE[s % len(PALETTE)],
                    class_="bar",
                )
            )
            out.append(
                _el(
                    "text",
                    escape(with_unit(format_number(value), data.unit)),
                    x=at - 4 if value < 0 else at + 4,
                    y=y + bar / 2 + size * 0.35,
                    text_anchor="end" if value < 0 else "start",
                    font_size=size,
                    fill=TEXT,
                    class_="value",
                )
            )
    out.append(_zero_x(scale, rows_top, rows_bottom))
    out.append(_ticks_x(scale, rows_bottom))
    return f'<g class="plot">{"".join(out)}</g>', rows_bottom + 4 + SMALL_SIZE + 4


def _grid_x(scale: Scale, y0: float, y1: float) -> str:
    lines = [
        _el("line", x1=scale(t), y1=y0, x2=scale(t), y2=y1, stroke=GRID, stroke_width=1)
        for t in scale.ticks
        if t != 0
    ]
    return f'<g class="grid">{"".join(lines)}</g>'


def _zero_x(scale: Scale, y0: float, y1: float) -> str:
    return _el(
        "line", x1=scale(0), y1=y0, x2=scale(0), y2=y1, stroke=AXIS, stroke_width=1, class_="zero"
    )


def _ticks_x(scale: Scale, y: float) -> str:
    labels = [
        _el(
            "text",
            escape(scale.label(t)),
            x=scale(t),
            y=y + 4 + SMALL_SIZE,
            text_anchor="middle",
            font_size=SMALL_SIZE,
            fill=MUTED,
            class_="tick",
        )
        for t in scale.ticks
    ]
    return f'<g class="ticks">{"".join(labels)}</g>'


def _columns(data: _Data, top: float, width: int) -> tuple[str, float]:
    """Columns (or lines) over the categories, the value axis on the left."""
    plot_h = max(160.0, round(width * 0.34))
    out = []
    if data.unit:
        out.append(
            _label(
                _("单位：%(unit)s") % {"unit": data.unit},
                width - 2 * PAD,
                SMALL_SIZE,
                x=PAD,
                y=top + SMALL_SIZE,
                fill=MUTED,
                class_="unit",
            )
        )
        top += SMALL_SIZE + 8
    plot_top = top + 6
    plot_bottom = plot_top + plot_h
    low, high, step = nice_range(
        min(data.numbers),
        max(data.numbers),
        ticks=max(2, min(8, int(plot_h // 40))),
        whole=data.whole,
    )
    scale = Scale(low, high, step, plot_bottom, plot_top)
    tick_w = max(text_width(scale.label(t), SMALL_SIZE) for t in scale.ticks)
    plot_left = PAD + tick_w + 6
    plot_right = width - PAD
    count = len(data.categories)
    band = (plot_right - plot_left) / count

    # the category labels: level when they fit under their column; slanted (and cut) otherwise,
    # every second (third…) one when even slanted they would overlap
    widest = max(text_width(c, LABEL_SIZE) for c in data.categories)
    slanted = widest > band - 4
    label_room = min(widest, 90.0) if slanted else 0.0
    every = 1
    if slanted:
        # the first label reaches down to the left of its column
        plot_left = max(plot_left, PAD + label_room * 0.71 - band / 2)
        band = (plot_right - plot_left) / count
        every = math.ceil(LABEL_SIZE * 1.5 / band)

    out.append(_grid_y(scale, plot_left, plot_right))
    for c, category in enumerate(data.categories):
        x = plot_left + band * (c + 0.5)
        if c % every:
            continue
        if slanted:
            y = plot_bottom + 10
            out.append(
                _label(
                    category,
                    label_room,
                    LABEL_SIZE,
                    x=x,
                    y=y + LABEL_SIZE * 0.35,
                    text_anchor="end",
                    transform=f"rotate(-45 {_n(x)} {_n(y)})",
                    fill=TEXT,
                    class_="category",
                )
            )
        else:
            out.append(
                _el(
                    "text",
                    escape(category),
                    x=x,
                    y=plot_bottom + 6 + LABEL_SIZE,
                    text_anchor="middle",
                    font_size=LABEL_SIZE,
                    fill=TEXT,
                    class_="category",
                )
            )
    if data.kind == "column":
        out.append(_column_marks(data, scale, plot_left, band))
    else:
        out.append(_line_marks(data, scale, plot_left, band))
    out.append(
        _el(
            "line",
            x1=float(plot_left),
            y1=scale(0),
            x2=float(plot_right),
            y2=scale(0),
            stroke=AXIS,
            stroke_width=1,
            class_="zero",
        )
    )
    bottom = plot_bottom + (label_room * 0.71 + LABEL_SIZE + 12 if slanted else 6 + LABEL_SIZE + 4)
    return f'<g class="plot">{"".join(out)}</g>', bottom


def _grid_y(scale: Scale, x0: float, x1: float) -> str:
    out = []
    for t in scale.ticks:
        y = scale(t)
        if t != 0:
            out.append(_el("line", x1=x0, y1=y, x2=x1, y2=y, stroke=GRID, stroke_width=1))
        out.append(
            _el(
                "text",
                escape(scale.label(t)),
                x=x0 - 6,
                y=y + SMALL_SIZE * 0.35,
                text_anchor="end",
                font_size=SMALL_SIZE,
                fill=MUTED,
                class_="tick",
            )
        )
    return f'<g class="grid">{"".join(out)}</g>'


def _column_marks(data: _Data, scale: Scale, left: float, band: float) -> str:
    n = len(data.values)
    group = band * 0.72
    slot = group / n
    column = slot * (0.86 if n > 1 else 1.0)
    size = 10 if n > 1 else SMALL_SIZE
    # the values are written over the columns when each fits over its own
    written = all(text_width(t, size) <= slot + 2 for t in _value_labels(data))
    out = []
    for s in range(n):
        marks = []
        for c, value in enumerate(data.values[s]):
            if value is None:
                continue
            x = left + band * c + (band - group) / 2 + slot * s + (slot - column) / 2
            zero, at = scale(0), scale(value)
            marks.append(
                _el(
                    "rect",
                    _title(data.tip(data.categories[c], s, value)),
                    x=x,
                    y=min(zero, at),
                    width=column,
                    height=abs(zero - at),
                    fill=PALETTE[s % len(PALETTE)],
                    class_="column",
                )
            )
            if written:
                marks.append(
                    _el(
                        "text",
                        escape(format_number(value)),
                        x=x + column / 2,
                        y=at + size + 3 if value < 0 else at - 3,
                        text_anchor="middle",
                        font_size=size,
                        fill=TEXT,
                        class_="value",
                    )
                )
        out.append(f'<g class="series">{"".join(marks)}</g>')
    return "".join(out)


def _line_marks(data: _Data, scale: Scale, left: float, band: float) -> str:
    out = []
    for s, values in enumerate(data.values):
        colour = PALETTE[s % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        points = []
        for c, value in enumerate(values):
            if value is None:
                runs.append([])  # a gap breaks the line
                continue
            x, y = left + band * (c + 0.5), scale(value)
            runs[-1].append((x, y))
            points.append(
                _el(
                    "circle",
                    _title(data.tip(data.categories[c], s, value)),
                    cx=x,
                    cy=y,
                    r=3.5,
                    fill=colour,
                    stroke="#ffffff",
                    stroke_width=1,
                    class_="point",
                )
            )
        lines = [
            _el(
                "polyline",
                points=" ".join(f"{_n(x)},{_n(y)}" for x, y in run),
                fill="none",
                stroke=colour,
                stroke_width=2,
                stroke_dasharray=DASHES[s % len(DASHES)],
                stroke_linejoin="round",
                class_="line",
            )
            for run in runs
            if len(run) > 1
        ]
        out.append(f'<g class="series">{"".join(lines)}{"".join(points)}</g>')
    return "".join(out)
