"""农村工作指导员's section of the period report (工作情况统计).

The numbers are the terms of `figures.figures` (the module's figures page and API) over the
period: days in the village (the work logs that began in the period), logs, problems raised in the
period and how many of them are solved, and the months that met the required days. A unit's report
keeps its own terms; a district's, the terms in its villages (old districts merged into it
included). Instructors and villages are counted once however many terms they had in the period.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from guanqing.core import reports
from guanqing.core.daterange import DateRange
from guanqing.instructors import figures
from guanqing.instructors.models import InstructorTerm, WorkLog
from guanqing.registry.models import Division
from guanqing.registry.selectors import current_district_map

TENTH = Decimal("0.1")
TOP = 15

U_PEOPLE = _("人")
U_PLACES = _("个")
U_DAYS = _("天")
U_TIMES = _("次")
U_ITEMS = _("件")
U_PERCENT = _("%")

SUMMED = ("days", "required", "months", "months_met", "logs", "raised", "solved")


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


class _Group:
    def __init__(self, name: str = ""):
        self.name = name
        self.members: set[int] = set()
        self.villages: set[int] = set()
        self.numbers: dict[str, int] = dict.fromkeys(SUMMED, 0)

    def add(self, row: figures.TermFigures, term: dict) -> None:
        self.members.add(term["member_id"])
        self.villages.add(term["village_id"])
        for key in SUMMED:
            self.numbers[key] += getattr(row, key)

    def cells(self) -> list:
        n = self.numbers
        return [
            len(self.members),
            len(self.villages),
            n["days"],
            n["logs"],
            n["raised"],
            n["solved"],
        ]


def _terms(ctx: reports.ReportContext) -> tuple[list, dict]:
    """(the figures' rows kept for the report's area, {term id: its unit, member, village and
    today's district})."""
    if not ctx.begun:
        return [], {}
    span = DateRange(ctx.first, ctx.last)
    result = figures.figures(ctx.user, span, ctx.today)
    district_of = ctx.shared(reports.DISTRICT_MAP, current_district_map)
    terms = {
        t["pk"]: t
        for t in InstructorTerm.objects.visible_to(ctx.user)
        .filter(starts_on__lte=ctx.last, ends_on__gte=ctx.first)
        .order_by()
        .values("pk", "member_id", "unit_id", "unit__name", "village_id", "village__district_id")
    }
    for term in terms.values():
        original = term["village__district_id"]
        term["district_id"] = district_of.get(original, original)
    kept = []
    for row in result.rows:
        term = terms.get(row.term_id)
        if term is None:
            continue
        if ctx.where.unit_id is not None and term["unit_id"] != ctx.where.unit_id:
            continue
        if ctx.where.district_id is not None and term["district_id"] != ctx.where.district_id:
            continue
        kept.append(row)
    return kept, terms


def _days_by_month(ctx: reports.ReportContext, term_ids: list[int]) -> list[int]:
    """Days in the village of each month (a stay counts in the month it began, as the figures
    count it in the period it began): one query."""
    months = ctx.period.months_in()
    if not term_ids:
        return [0] * len(months)
    rows = (
        WorkLog.objects.filter(
            term_id__in=term_ids, starts_on__gte=ctx.first, starts_on__lte=ctx.last
        )
        .order_by()
        .aggregate(
            **{
                f"m{i}": Sum("days", filter=f)
                for i, f in enumerate(reports.month_filters(ctx, "starts_on"))
            }
        )
    )
    return reports.month_values(rows, "m", len(months))


def build(ctx: reports.ReportContext) -> reports.SectionData:
    rows, terms = _terms(ctx)
    total = _Group()
    units: dict[int, _Group] = {}
    districts: dict[int | None, _Group] = defaultdict(_Group)
    for row in rows:
        term = terms[row.term_id]
        total.add(row, term)
        units.setdefault(term["unit_id"], _Group(term["unit__name"])).add(row, term)
        districts[term["district_id"]].add(row, term)
    n = total.numbers
    F = reports.Figure
    data = reports.SectionData(
        figures=[
            F(
                "instructors",
                _("农村工作指导员"),
                len(total.members),
                U_PEOPLE,
                _("期内在任的指导员，一人只计一次"),
            ),
            F("villages", _("驻村"), len(total.villages), U_PLACES),
            F(
                "days",
                _("驻村天数"),
                n["days"],
                U_DAYS,
                _("期内开始的驻村记录的天数之和"),
            ),
            F("required_days", _("应驻村天数"), n["required"], U_DAYS),
            F(
                "months_met_rate",
                _("驻村天数达标率"),
                _share(n["months_met"], n["months"]),
                U_PERCENT,
                _("达标的月数 ÷ 已到期考核的月数"),
            ),
            F("logs", _("工作日志"), n["logs"], U_TIMES),
            F("raised", _("反映问题"), n["raised"], U_ITEMS),
            F("solved", _("其中已解决"), n["solved"], U_ITEMS),
        ]
    )

    columns = [
        _("指导员"),
        _("驻村"),
        _("驻村天数"),
        _("工作日志"),
        _("反映问题"),
        _("已解决"),
    ]
    if ctx.where.is_city and districts:
        names = dict(
            Division.objects.filter(pk__in=[pk for pk in districts if pk is not None]).values_list(
                "pk", "name"
            )
        )
        ordered = sorted(
            districts.items(), key=lambda kv: (-kv[1].numbers["days"], names.get(kv[0], ""))
        )
        data.tables.append(
            reports.Table(
                key="by_district",
                title=_("农村工作指导员分区县情况"),
                columns=[_("区（县、市）"), *columns],
                rows=[[names.get(pk, "—"), *group.cells()] for pk, group in ordered],
            )
        )
    ranked = sorted(units.values(), key=lambda g: (-g.numbers["days"], g.name))
    if ctx.where.unit_id is None:
        data.tables.append(
            reports.Table(
                key="by_unit",
                title=_("农村工作指导员分单位情况"),
                columns=[_("单位"), *columns],
                rows=[[group.name, *group.cells()] for group in ranked],
            )
        )
    data.charts.append(
        reports.Chart(
            key="days_by_month",
            title=_("逐月驻村天数"),
            kind="column",
            categories=[m.strftime("%Y-%m") for m in ctx.period.months_in()],
            series=[reports.Series(_("驻村天数"), _days_by_month(ctx, [r.term_id for r in rows]))],
            unit=U_DAYS,
        )
    )
    if ctx.where.unit_id is None:
        top = [g for g in ranked if g.numbers["days"]][:TOP]
        data.charts.append(
            reports.Chart(
                key="units_by_days",
                title=_("驻村天数前十五位单位"),
                kind="bar",
                categories=[g.name for g in top],
                series=[reports.Series(_("驻村天数"), [g.numbers["days"] for g in top])],
                unit=U_DAYS,
            )
        )
    return data
