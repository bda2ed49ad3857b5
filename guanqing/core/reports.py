"""The report-section registry: each work method adds its section to the committee's period report
(工作情况统计) from its `AppConfig.ready()`, without the report importing it.

A section's builder is `build(ctx: ReportContext) -> SectionData | None`. It reads through
`visible_to(ctx.user)` (the report is one more reader of the scoped data, never a way around it),
narrows to `ctx.where` (city-wide, one unit, one current district and those merged into it), counts
over `ctx.period` (inclusive business dates) and returns figures, tables and charts as plain data:
a published report stores that data and shows it unchanged for ever, so nothing in it may be a model
instance or a queryset. Text a reader sees (labels, titles, column heads, a status) is given as
lazy gettext text; `freeze` keeps it in every language of the site, so a frozen report still
answers in its reader's language. None means "this method has nothing to report for this area"
(the fund is city-wide: no section in a unit's report).
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core.daterange import DateRange

# ----------------------------------------------------------------------------------------------
# The period a report covers


class PeriodKind:
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    ALL = (MONTH, QUARTER, HALF, YEAR)
    LABELS = {
        MONTH: gettext_lazy("月报"),
        QUARTER: gettext_lazy("季报"),
        HALF: gettext_lazy("半年报"),
        YEAR: gettext_lazy("年报"),
    }


_PERIOD_KEY = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|H(?P<half>[12])))?$", re.ASCII
)
FIRST_YEAR = 2000


@dataclass(frozen=True, order=True)
class Period:
    """A month (`2026-07`), quarter (`2026-Q3`), half-year (`2026-H1`) or year (`2026`)."""

    kind: str
    year: int
    index: int = 1  # the month, quarter or half; 1 for a year

    @classmethod
    def parse(cls, key: str, *, field_name: str = "period") -> Period:
        match = _PERIOD_KEY.match((key or "").strip())
        if not match:
            raise ValidationError(
                {field_name: [_("报告期应写作 2026、2026-H1、2026-Q3 或 2026-07")]}
            )
        year = int(match["year"])
        if not FIRST_YEAR <= year <= 2100:
            raise ValidationError({field_name: [_("报告期的年份应在 2000 至 2100 之间")]})
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValidationError({field_name: [_("月份应在 01 至 12 之间")]})
            return cls(PeriodKind.MONTH, year, month)
        if match["quarter"]:
            return cls(PeriodKind.QUARTER, year, int(match["quarter"]))
        if match["half"]:
            return cls(PeriodKind.HALF, year, int(match["half"]))
        return cls(PeriodKind.YEAR, year, 1)

    @property
    def key(self) -> str:
        return {
            PeriodKind.MONTH: f"{self.year}-{self.index:02d}",
            PeriodKind.QUARTER: f"{self.year}-Q{self.index}",
            PeriodKind.HALF: f"{self.year}-H{self.index}",
            PeriodKind.YEAR: f"{self.year}",
        }[self.kind]

    @property
    def months(self) -> tuple[int, int]:
        """The first and last month of the period."""
        size = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
        n = size[self.kind]
        first = (self.index - 1) * n + 1 if self.kind != PeriodKind.MONTH else self.index
        return first, first + n - 1

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.months[0], 1)

    @property
    def last(self) -> datetime.date:
        month = self.months[1]
        if month == 12:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, month + 1, 1) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.index}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s年第%(quarter)s季度") % {"year": self.year, "quarter": self.index}
        if self.kind == PeriodKind.HALF:
            return (_("%(year)s年上半年") if self.index == 1 else _("%(year)s年下半年")) % {
                "year": self.year
            }
        return _("%(year)s年") % {"year": self.year}

    def months_in(self) -> list[datetime.date]:
        """The first day of each month of the period (the x axis of a trend chart)."""
        first, last = self.months
        return [datetime.date(self.year, m, 1) for m in range(first, last + 1)]

    def clipped(self, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
        """The part of the period up to `today`, or None when it has not begun."""
        if self.first > today:
            return None
        return self.first, min(self.last, today)


# ----------------------------------------------------------------------------------------------
# The area a report covers


class WhereKind:
    CITY = "city"
    UNIT = "unit"
    DISTRICT = "district"
    ALL = (CITY, UNIT, DISTRICT)


@dataclass(frozen=True)
class Where:
    kind: str = WhereKind.CITY
    pk: int | None = None  # the unit's or the (current) district's id
    name: str = ""

    @property
    def key(self) -> str:
        return self.kind if self.pk is None else f"{self.kind}:{self.pk}"

    @property
    def unit_id(self) -> int | None:
        return self.pk if self.kind == WhereKind.UNIT else None

    @property
    def district_id(self) -> int | None:
        return self.pk if self.kind == WhereKind.DISTRICT else None

    @property
    def is_city(self) -> bool:
        return self.kind == WhereKind.CITY


DISTRICT_IDS = "district_ids"  # `shared` key: the district and the districts rolling up to it
DISTRICT_MAP = "district_map"  # `shared` key: {district id: today's district id}


@dataclass
class ReportContext:
    user: object  # the reader: every section reads through visible_to(user)
    period: Period
    where: Where
    today: datetime.date  # the business date the figures are counted on
    # lookups several sections make (the districts rolling up to the report's, the district map),
    # made once per report: see `shared`
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def shared(self, key: str, compute: Callable[[], object]):
        """`compute()`, once per report for `key`: what several sections look up the same way."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    @property
    def first(self) -> datetime.date:
        return self.period.first

    @property
    def last(self) -> datetime.date:
        """The last day counted: the period's end, or today while the period runs."""
        return min(self.period.last, self.today)

    @property
    def begun(self) -> bool:
        return self.period.first <= self.today


def month_filters(ctx: ReportContext, field: str, *, timestamp: bool = False) -> list:
    """One filter per month of the period (`Period.months_in`'s order) on `field`, a DateField or,
    with `timestamp`, a DateTimeField read on the business calendar's days (Asia/Shanghai): a
    section counts its by-month chart as conditional counts of one query, in plain comparisons,
    instead of extracting the month of every row (a Python function per row on SQLite)."""
    out = []
    for month in ctx.period.months_in():
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        days = DateRange(month, following - datetime.timedelta(days=1))
        bounds = days.bounds(field) if timestamp else days.date_bounds(field)
        out.append(Q(**bounds))
    return out


def month_values(row: dict, prefix: str, count: int) -> list:
    """The values `<prefix>0` … `<prefix><count - 1>` of an aggregate's row, None read as 0."""
    return [row.get(f"{prefix}{i}") or 0 for i in range(count)]


# ----------------------------------------------------------------------------------------------
# What a section returns


@dataclass
class Figure:
    key: str  # stable within the section: published versions are compared by it
    label: object  # lazy text
    value: int | decimal.Decimal | str | None  # None: not applicable (a rate of nothing)
    unit: object = ""  # 户, 人, 人次, 次, 个, 件, 小时, 元, 万元, %: lazy text
    note: object = ""  # how it is counted, one short sentence


@dataclass
class Table:
    key: str
    title: object
    columns: list  # lazy texts
    rows: list[list]  # cells: int, Decimal, str, lazy text or None
    numeric_from: int = 1  # the columns from this index on are numbers (right-aligned)


@dataclass
class Series:
    name: object
    values: list  # numbers or None, one per category


@dataclass
class Chart:
    key: str
    title: object
    kind: str  # "bar" (horizontal, a ranking by unit or district), "column" (by month), "line"
    categories: list  # lazy texts or data strings
    series: list[Series]
    unit: object = ""


@dataclass
class SectionData:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list = field(default_factory=list)  # lazy texts shown under the section


@dataclass(frozen=True)
class ReportSection:
    key: str  # the module's label: "pairing", "wishes", …
    title: object  # lazy text
    order: int  # the article's order: pairing 10, wishes 20, community 30, frontline 40 …
    build: str  # dotted path to build(ctx) -> SectionData | None

    def builder(self) -> Callable[[ReportContext], SectionData | None]:
        return import_string(self.build)


_sections: dict[str, ReportSection] = {}


def register(section: ReportSection) -> None:
    """Called from an app's `ready()`; registering the same key again replaces it."""
    _sections[section.key] = section


def sections() -> list[ReportSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def build_sections(ctx: ReportContext) -> list[dict]:
    """Every registered section for `ctx`, frozen (see `freeze`): the report's data."""
    out = []
    for section in sections():
        data = section.builder()(ctx)
        if data is None:
            continue
        out.append(
            {
                "key": section.key,
                "title": section.title,
                "figures": [vars(f) for f in data.figures],
                "tables": [vars(t) for t in data.tables],
                "charts": [{**vars(c), "series": [vars(s) for s in c.series]} for c in data.charts],
                "notes": list(data.notes),
            }
        )
    return freeze(out)  # every text of every section translated in one pass per language


# ----------------------------------------------------------------------------------------------
# Freezing: plain JSON that keeps every language of a text


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def freeze(value):
    """`value` as JSON data: lazy text becomes {"i18n": {language: text}}, Decimal a string
    ("12.50", exact), dates ISO strings; lists and dicts recursively. The texts are translated
    language by language, each language switched to once for the whole of `value`."""
    pending: list[tuple[Promise, dict]] = []
    frozen = _freeze(value, pending)
    if pending:
        for code in _languages():
            with translation.override(code):
                for text, texts in pending:
                    texts[code] = str(text)
    return frozen


def _freeze(value, pending: list):
    if isinstance(value, Promise):
        texts: dict[str, str] = {}
        pending.append((value, texts))
        return {"i18n": texts}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _freeze(v, pending) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_freeze(v, pending) for v in value]
    return value


def thaw(value, language: str | None = None):
    """Frozen data for a reader: texts in `language` (the active one by default, else the site's),
    decimals back to Decimal."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if isinstance(value, dict):
        if set(value) == {"i18n"}:
            texts = value["i18n"]
            return (
                texts.get(language)
                or texts.get(settings.LANGUAGE_CODE)
                or next(iter(texts.values()), "")
            )
        if set(value) == {"decimal"}:
            return decimal.Decimal(value["decimal"])
        return {k: thaw(v, language) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v, language) for v in value]
    return value


def figure_values(frozen_sections: Iterable[dict]) -> dict[tuple[str, str], object]:
    """(section key, figure key) → the frozen value: what two versions of a report compare."""
    return {(s["key"], f["key"]): f["value"] for s in frozen_sections for f in s.get("figures", [])}
