"""三服务·走亲连心's section of the period report (工作情况统计).

The numbers are `figures.frontline_figures` over the reader's visits and problems (the module's
figures page and API): the city its totals, a unit its row by unit, a district its row by today's
district (old districts merged into it rolled up there). A unit's or a district's row is counted
for that area alone, with the same measures (`_area_row`), not picked out of the city's figures. A district's table by unit is counted
with the same building blocks (`visits_in`, `problems_touching`, the same measures), narrowed to
the places and problems of the district.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from guanqing.core import reports
from guanqing.core.daterange import DateRange
from guanqing.frontline import figures
from guanqing.frontline.models import Outreach, Problem
from guanqing.registry.choices import Rank
from guanqing.registry.models import Division
from guanqing.registry.selectors import district_ids_rolling_up_to

TOP = 15

U_PERSON_TIMES = _("人次")
U_TIMES = _("次")
U_PLACES = _("个")
U_ITEMS = _("件")
U_WAN = _("万元")
U_PERCENT = _("%")


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _rolling_up(ctx: reports.ReportContext) -> list[int]:
    return ctx.shared(
        reports.DISTRICT_IDS,
        lambda: district_ids_rolling_up_to(Division(pk=ctx.where.district_id)),
    )


def _district_by_unit(ctx: reports.ReportContext, span: DateRange) -> list[dict]:
    """The rows by unit of one district's visits and problems (`frontline_figures`' by-unit rows,
    narrowed to the district): four queries."""
    rolling_up = _rolling_up(ctx)
    units: dict = defaultdict(figures.Tally)
    names: dict = {}
    visits = figures.visits_in(ctx.user, span).filter(district__in=rolling_up)
    for row in visits.values("unit_id", "unit__name").annotate(
        visits=Count("pk"), money=Sum("donated_money"), goods=Sum("donated_goods")
    ):
        names[row["unit_id"]] = row["unit__name"]
        tally = units[row["unit_id"]]
        tally.numbers["visits"] += row["visits"]
        tally.money += row["money"] or figures.ZERO
        tally.goods += row["goods"] or figures.ZERO
    for row in (
        Outreach.cadres.through.objects.filter(outreach_id__in=visits.values("pk"))
        .order_by()
        .values("outreach__unit_id")
        .annotate(n=Count("pk"), bureau=Count("pk", filter=Q(member__rank=Rank.BUREAU)))
    ):
        tally = units[row["outreach__unit_id"]]
        tally.numbers["person_times"] += row["n"]
        tally.numbers["bureau_person_times"] += row["bureau"]
    for row in visits.values("unit_id").annotate(**figures.PLACE_MEASURES):
        for key in figures.PLACE_KEYS:
            units[row["unit_id"]].numbers[key] = row[key]
    for row in (
        figures.problems_touching(ctx.user, span)
        .filter(district__in=rolling_up)
        .values("unit_id", "unit__name")
        .annotate(**figures._problem_measures(span, ctx.today))
    ):
        if row["unit_id"] is not None:
            names.setdefault(row["unit_id"], row["unit__name"])
        for key in figures.PROBLEM_KEYS:
            units[row["unit_id"]].numbers[key] += row[key]
    return [
        {"unit": {"id": pk, "name": names.get(pk)}, **tally.as_dict()}
        for pk, tally in units.items()
    ]


def _monthly(ctx: reports.ReportContext, span: DateRange | None) -> tuple[list[int], list[int]]:
    """Visit 人次 and problems collected in each month of the period, narrowed as the figures
    are: two queries."""
    months = ctx.period.months_in()
    if not ctx.begun:
        return [0] * len(months), [0] * len(months)
    visits = figures.visits_in(ctx.user, span)
    problems = (
        Problem.objects.visible_to(ctx.user)
        .filter(master__isnull=True, **span.date_bounds("received_on"))
        .order_by()
    )
    if ctx.where.unit_id is not None:
        visits = visits.filter(unit_id=ctx.where.unit_id)
        problems = problems.filter(unit_id=ctx.where.unit_id)
    if ctx.where.district_id is not None:
        rolling_up = _rolling_up(ctx)
        visits = visits.filter(district__in=rolling_up)
        problems = problems.filter(
            Q(division__district_id__in=rolling_up)
            | Q(division__isnull=True, outreach__place__division__district_id__in=rolling_up)
        )
    n = len(months)
    people = (
        Outreach.cadres.through.objects.filter(outreach_id__in=visits.values("pk"))
        .order_by()
        .aggregate(
            **{
                f"m{i}": Count("pk", filter=f)
                for i, f in enumerate(reports.month_filters(ctx, "outreach__visited_on"))
            }
        )
    )
    collected = problems.aggregate(
        **{
            f"m{i}": Count("pk", filter=f)
            for i, f in enumerate(reports.month_filters(ctx, "received_on"))
        }
    )
    return reports.month_values(people, "m", n), reports.month_values(collected, "m", n)


def _area_row(ctx: reports.ReportContext, span: DateRange) -> dict:
    """The row of `frontline_figures` for the report's unit (its row by unit) or district (its row
    by today's district), counted for that area alone: three queries."""
    visits = figures.visits_in(ctx.user, span)
    people = Outreach.cadres.through.objects.order_by()
    problems = figures.problems_touching(ctx.user, span)
    if ctx.where.unit_id is not None:
        visits = visits.filter(unit_id=ctx.where.unit_id)
        problems = problems.filter(unit_id=ctx.where.unit_id)
    else:
        rolling_up = _rolling_up(ctx)
        visits = visits.filter(district__in=rolling_up)
        problems = problems.filter(district__in=rolling_up)
    people = people.filter(outreach_id__in=visits.values("pk"))
    tally = figures.Tally()
    counted = visits.aggregate(
        visits=Count("pk"),
        money=Sum("donated_money"),
        goods=Sum("donated_goods"),
        **figures.PLACE_MEASURES,
    )
    tally.numbers["visits"] = counted["visits"]
    tally.money = counted["money"] or figures.ZERO
    tally.goods = counted["goods"] or figures.ZERO
    for key in figures.PLACE_KEYS:
        tally.numbers[key] = counted[key]
    counted = people.aggregate(
        n=Count("pk"), bureau=Count("pk", filter=Q(member__rank=Rank.BUREAU))
    )
    tally.numbers["person_times"] = counted["n"]
    tally.numbers["bureau_person_times"] = counted["bureau"]
    counted = problems.aggregate(**figures._problem_measures(span, ctx.today))
    for key in figures.PROBLEM_KEYS:
        tally.numbers[key] = counted[key]
    return tally.as_dict()


def _zero_row() -> dict:
    return figures.Tally().as_dict()


def build(ctx: reports.ReportContext) -> reports.SectionData:
    span = DateRange(ctx.first, ctx.last) if ctx.begun else None
    by_unit: list[dict] = []
    by_district: list[dict] = []
    if span is None:
        row = _zero_row()
    else:
        if ctx.where.is_city:
            row = figures.frontline_figures(ctx.user, span, today=ctx.today)
            by_unit, by_district = row["by_unit"], row["by_district"]
        else:
            row = _area_row(ctx, span)
            if ctx.where.district_id is not None:
                by_unit = _district_by_unit(ctx, span)

    F = reports.Figure
    data = reports.SectionData(
        figures=[
            F("visits", _("走访"), row["visits"], U_TIMES),
            F(
                "person_times",
                _("走访干部"),
                row["person_times"],
                U_PERSON_TIMES,
                _("每次走访的参加干部人数之和"),
            ),
            F("bureau_person_times", _("其中局级干部"), row["bureau_person_times"], U_PERSON_TIMES),
            F("grassroots_units", _("走访基层单位"), row["grassroots_units"], U_PLACES),
            F(
                "villages_enterprises",
                _("走访村（社区）和企业"),
                row["villages_enterprises"],
                U_PLACES,
                _("同一处走访多次只计一次"),
            ),
            F("villages", _("其中村（社区）"), row["villages"], U_PLACES),
            F("enterprises", _("其中企业"), row["enterprises"], U_PLACES),
            F(
                "donated_wan",
                _("捐赠资金和物资"),
                Decimal(row["donated_wan_yuan"]),
                U_WAN,
                _("捐赠资金与物资折价合计"),
            ),
            F("donated_money_wan", _("其中资金"), Decimal(row["donated_money_wan_yuan"]), U_WAN),
            F(
                "donated_goods_wan",
                _("其中物资折价"),
                Decimal(row["donated_goods_wan_yuan"]),
                U_WAN,
            ),
            F(
                "problems_collected",
                _("收集问题"),
                row["problems_collected"],
                U_ITEMS,
                _("期内受理的问题，重复件只计一次"),
            ),
            F(
                "problems_solved",
                _("办结问题"),
                row["problems_solved"],
                U_ITEMS,
                _("期内办结的问题"),
            ),
            F("problems_solved_on_time", _("按期办结"), row["problems_solved_on_time"], U_ITEMS),
            F(
                "on_time_rate",
                _("按期办结率"),
                _number(row["on_time_rate"]),
                U_PERCENT,
                _("按期办结 ÷ 办结"),
            ),
            F(
                "problems_overdue",
                _("逾期未办结"),
                row["problems_overdue"],
                U_ITEMS,
                _("期内受理、至今未办结且已过期限的问题"),
            ),
            F("problems_noticed", _("通报"), row["problems_noticed"], U_ITEMS),
            F("rated", _("评价"), row["rated"], U_ITEMS),
            F(
                "satisfaction",
                _("满意率"),
                _number(row["satisfaction"]),
                U_PERCENT,
                _("满意与基本满意 ÷ 期内评价"),
            ),
        ]
    )

    columns = [
        _("走访人次"),
        _("局级干部人次"),
        _("收集问题"),
        _("办结问题"),
        _("按期办结率（%）"),
        _("捐赠（万元）"),
    ]

    def cells(r: dict) -> list:
        return [
            r["person_times"],
            r["bureau_person_times"],
            r["problems_collected"],
            r["problems_solved"],
            _number(r["on_time_rate"]),
            Decimal(r["donated_wan_yuan"]),
        ]

    no_name = _("（未确定）")
    if ctx.where.is_city:
        data.tables.append(
            reports.Table(
                key="by_district",
                title=_("走亲连心分区县情况"),
                columns=[_("区（县、市）"), *columns],
                rows=[[r["district"]["name"] or no_name, *cells(r)] for r in by_district],
            )
        )
    units = sorted(
        by_unit,
        key=lambda r: (r["unit"]["id"] is None, -r["person_times"], r["unit"]["name"] or ""),
    )
    if ctx.where.unit_id is None:
        data.tables.append(
            reports.Table(
                key="by_unit",
                title=_("走亲连心分单位情况"),
                columns=[_("单位"), *columns],
                rows=[[r["unit"]["name"] or _("未派单"), *cells(r)] for r in units],
            )
        )

    person_times, problems = _monthly(ctx, span)
    data.charts.append(
        reports.Chart(
            key="by_month",
            title=_("逐月走访人次与收集问题"),
            kind="column",
            categories=[m.strftime("%Y-%m") for m in ctx.period.months_in()],
            series=[
                reports.Series(_("走访（人次）"), person_times),
                reports.Series(_("收集问题（件）"), problems),
            ],
        )
    )
    if ctx.where.unit_id is None:
        top = [r for r in units if r["unit"]["id"] is not None and r["person_times"]][:TOP]
        data.charts.append(
            reports.Chart(
                key="units_by_person_times",
                title=_("走访人次前十五位单位"),
                kind="bar",
                categories=[r["unit"]["name"] for r in top],
                series=[reports.Series(_("走访"), [r["person_times"] for r in top])],
                unit=U_PERSON_TIMES,
            )
        )
    return data
