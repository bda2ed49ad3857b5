"""结对帮困's section of the period report (工作情况统计).

The pairing figures are `figures.pairing_figures` over the reader's pairings, narrowed to the
report's unit or district, so the report and the module's own figures page give the same numbers.
The 结对共建 partnerships follow as figures of the same section (keys `partnership_…`):
- partnerships: organ–village partnerships in force on at least one day of the period; villages:
  the distinct village organisations among them;
- projects: projects started in the period, projects finished in the period, and the funds of the
  projects started in the period, in 万元.
A unit's report counts the partnerships of its own organisations; a district's, the partnerships
with villages in it (old districts merged into it included).
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from guanqing.core import reports
from guanqing.pairing import boards, compliance, figures, rules
from guanqing.pairing.models import Pairing, Partnership, PartnershipProject, Visit
from guanqing.registry.models import Division
from guanqing.registry.selectors import district_ids_rolling_up_to

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
WAN = Decimal(10000)
TOP = 15

U_UNIT = _("个")
U_HOUSEHOLD = _("户")
U_TIMES = _("次")
U_PERSON_TIMES = _("人次")
U_WAN = _("万元")
U_PERCENT = _("%")


def _wan(yuan) -> Decimal:
    return (Decimal(yuan or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(rate) -> Decimal | None:
    """A rate of 0..1 (None: nothing to rate) as a percent with one decimal."""
    if rate is None:
        return None
    return (Decimal(str(rate)) * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def _empty() -> dict:
    """What `pairing_figures` gives for a period with nothing in it (one not begun yet)."""
    money = {"cash_wan_yuan": "0.00", "in_kind_wan_yuan": "0.00", "total_wan_yuan": "0.00"}
    return {
        "units": 0,
        "pairings": 0,
        "households": 0,
        "visits": 0,
        "visit_person_times": 0,
        "festival_visits": 0,
        "festival_person_times": 0,
        "help": money,
        "compliance_rate": None,
        "by_unit": [],
        "by_district": [],
    }


def _district(ctx: reports.ReportContext) -> Division | None:
    if ctx.where.district_id is None:
        return None
    return Division(pk=ctx.where.district_id)  # its id is all the figures read of it


def _rolling_up(ctx: reports.ReportContext, district: Division) -> list[int]:
    return ctx.shared(reports.DISTRICT_IDS, lambda: district_ids_rolling_up_to(district))


def _pairings(ctx: reports.ReportContext):
    pairings = Pairing.objects.visible_to(ctx.user)
    if ctx.where.unit_id is not None:
        pairings = pairings.filter(unit_id=ctx.where.unit_id)
    return pairings


def _active(ctx: reports.ReportContext, district: Division | None):
    """The pairings counted: those active in the period, in the district's households if asked
    (as `pairing_figures` narrows them)."""
    active = compliance._touching(_pairings(ctx), ctx.first, ctx.last).order_by()
    if district is not None:
        active = active.filter(household__community__district_id__in=_rolling_up(ctx, district))
    return active


def _visits_by_month(ctx: reports.ReportContext, district: Division | None) -> list[int]:
    """The visits of each month of the period, counted as `pairing_figures` counts them (the
    visits of the pairings active in the period): one query."""
    months = ctx.period.months_in()
    if not ctx.begun:
        return [0] * len(months)
    counted = (
        Visit.objects.filter(
            pairing_id__in=_active(ctx, district).values("pk"),
            date__gte=ctx.first,
            date__lte=ctx.last,
        )
        .order_by()
        .aggregate(
            **{
                f"m{i}": Count("pk", filter=f)
                for i, f in enumerate(reports.month_filters(ctx, "date"))
            }
        )
    )
    return reports.month_values(counted, "m", len(months))


def _area_figures(ctx: reports.ReportContext, district: Division | None) -> tuple[dict, list]:
    """`pairing_figures`' totals for a unit's report (which shows no table by unit or district),
    and the visits by month: the same measures counted in total, in
    four queries and one a compliance period."""
    active = _active(ctx, district)
    first, last = ctx.first, ctx.last
    counted = active.aggregate(
        units=Count("unit_id", distinct=True),
        pairings=Count("pk"),
        households=Count("household_id", distinct=True),
    )
    months = reports.month_filters(ctx, "date")
    festival = Q(festival=True)
    visits = Visit.objects.filter(
        pairing_id__in=active.values("pk"), date__gte=first, date__lte=last
    ).order_by()
    seen = visits.aggregate(
        visits=Count("pk"),
        festival_visits=Count("pk", filter=festival),
        cash=Sum("cash_amount"),
        in_kind=Sum("in_kind_value"),
        **{f"m{i}": Count("pk", filter=f) for i, f in enumerate(months)},
    )
    people = (
        Visit.participants.through.objects.filter(
            visit__pairing_id__in=active.values("pk"),
            visit__date__gte=first,
            visit__date__lte=last,
        )
        .order_by()
        .aggregate(n=Count("pk"), festival_n=Count("pk", filter=Q(visit__festival=True)))
    )
    config = compliance.current_config()
    statuses: Counter = Counter()
    for period in figures.periods_overlapping(first, last, config):
        if period.start > ctx.today:
            continue
        for status, n in boards.status_counts(active, period, ctx.today, config):
            statuses[rules.Status(status)] += n
    rate = rules.rate_of(statuses[rules.Status.DONE], statuses[rules.Status.OVERDUE])
    result = {
        "units": counted["units"],
        "pairings": counted["pairings"],
        "households": counted["households"],
        "visits": seen["visits"],
        "visit_person_times": people["n"],
        "festival_visits": seen["festival_visits"],
        "festival_person_times": people["festival_n"],
        "help": figures._money(seen["cash"] or figures.ZERO, seen["in_kind"] or figures.ZERO),
        "compliance_rate": None if rate is None else round(rate, 4),
        "by_unit": [],
        "by_district": [],
    }
    return result, reports.month_values(seen, "m", len(ctx.period.months_in()))


def _partnerships(ctx: reports.ReportContext, district: Division | None) -> dict:
    zero = {"count": 0, "villages": 0, "projects": 0, "done": 0, "funds": Decimal(0)}
    if not ctx.begun:
        return zero
    partnerships = Partnership.objects.visible_to(ctx.user).order_by()
    projects = PartnershipProject.objects.visible_to(ctx.user).order_by()
    if ctx.where.unit_id is not None:
        partnerships = partnerships.filter(unit_org__unit_id=ctx.where.unit_id)
        projects = projects.filter(partnership__unit_org__unit_id=ctx.where.unit_id)
    if district is not None:
        rolling_up = _rolling_up(ctx, district)
        partnerships = partnerships.filter(village_org__division__district_id__in=rolling_up)
        projects = projects.filter(partnership__village_org__division__district_id__in=rolling_up)
    in_force = partnerships.filter(started_on__lte=ctx.last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=ctx.first)
    )
    counted = in_force.aggregate(count=Count("pk"), villages=Count("village_org_id", distinct=True))
    started = Q(started_on__gte=ctx.first, started_on__lte=ctx.last)
    done = Q(finished_on__gte=ctx.first, finished_on__lte=ctx.last)
    made = projects.aggregate(
        projects=Count("pk", filter=started),
        done=Count("pk", filter=done),
        funds=Sum("funds", filter=started),
    )
    return {
        "count": counted["count"],
        "villages": counted["villages"],
        "projects": made["projects"],
        "done": made["done"],
        "funds": made["funds"] or Decimal(0),
    }


COLUMNS_TAIL = [
    _("结对户数"),
    _("走访次数"),
    _("走访人次"),
    _("帮扶金额（万元）"),
    _("履约率（%）"),
]


def _row(name: str, row: dict) -> list:
    return [
        name,
        row["households"],
        row["visits"],
        row["visit_person_times"],
        Decimal(row["help"]["total_wan_yuan"]),
        _percent(row["compliance_rate"]),
    ]


def build(ctx: reports.ReportContext) -> reports.SectionData:
    district = _district(ctx)
    by_month = None
    if not ctx.begun:
        result = _empty()
    elif ctx.where.unit_id is None:  # the city's and a district's tables by unit
        result = figures.pairing_figures(
            _pairings(ctx), ctx.first, ctx.last, ctx.today, district=district
        )
    else:
        result, by_month = _area_figures(ctx, district)
    help_ = result["help"]
    partnership = _partnerships(ctx, district)
    F = reports.Figure
    data = reports.SectionData(
        figures=[
            F("units", _("结对单位"), result["units"], U_UNIT, _("期内有结对的单位")),
            F("pairings", _("结对"), result["pairings"], U_UNIT, _("期内至少一天在结的结对")),
            F("households", _("结对困难家庭"), result["households"], U_HOUSEHOLD),
            F("visits", _("走访"), result["visits"], U_TIMES),
            F(
                "visit_person_times",
                _("走访党员"),
                result["visit_person_times"],
                U_PERSON_TIMES,
                _("每次走访的参加党员人数之和"),
            ),
            F("festival_visits", _("节日走访"), result["festival_visits"], U_TIMES),
            F(
                "festival_person_times",
                _("节日走访党员"),
                result["festival_person_times"],
                U_PERSON_TIMES,
            ),
            F("help_cash_wan", _("慰问金"), Decimal(help_["cash_wan_yuan"]), U_WAN),
            F("help_in_kind_wan", _("慰问物品折价"), Decimal(help_["in_kind_wan_yuan"]), U_WAN),
            F(
                "help_total_wan",
                _("帮扶金额"),
                Decimal(help_["total_wan_yuan"]),
                U_WAN,
                _("慰问金与物品折价合计"),
            ),
            F(
                "compliance_rate",
                _("走访履约率"),
                _percent(result["compliance_rate"]),
                U_PERCENT,
                _("已完成 ÷（已完成 + 逾期），按期内已开始的考核期计"),
            ),
            F("partnership_count", _("结对共建"), partnership["count"], U_UNIT),
            F("partnership_villages", _("共建村"), partnership["villages"], U_UNIT),
            F(
                "partnership_projects",
                _("共建项目"),
                partnership["projects"],
                U_UNIT,
                _("期内开始的项目"),
            ),
            F(
                "partnership_projects_done",
                _("完成共建项目"),
                partnership["done"],
                U_UNIT,
            ),
            F(
                "partnership_funds_wan",
                _("共建项目资金"),
                _wan(partnership["funds"]),
                U_WAN,
                _("期内开始的项目的资金"),
            ),
        ]
    )

    by_unit = sorted(
        result["by_unit"], key=lambda r: (-r["visits"], -r["households"], r["unit"]["name"])
    )
    if ctx.where.is_city:
        data.tables.append(
            reports.Table(
                key="by_district",
                title=_("结对帮困分区县情况"),
                columns=[_("区（县、市）"), *COLUMNS_TAIL],
                rows=[
                    _row(r["district"]["name"], r)
                    for r in sorted(
                        result["by_district"],
                        key=lambda r: (-r["visits"], -r["households"], r["district"]["name"]),
                    )
                ],
            )
        )
    if ctx.where.unit_id is None:
        data.tables.append(
            reports.Table(
                key="by_unit",
                title=_("结对帮困分单位情况"),
                columns=[_("单位"), *COLUMNS_TAIL],
                rows=[_row(r["unit"]["name"], r) for r in by_unit],
            )
        )

    data.charts.append(
        reports.Chart(
            key="visits_by_month",
            title=_("逐月走访次数"),
            kind="column",
            categories=[_month_label(m) for m in ctx.period.months_in()],
            series=[
                reports.Series(
                    _("走访"), by_month if by_month is not None else _visits_by_month(ctx, district)
                )
            ],
            unit=U_TIMES,
        )
    )
    if ctx.where.unit_id is None:
        top = [r for r in by_unit if r["visits"]][:TOP]
        data.charts.append(
            reports.Chart(
                key="units_by_visits",
                title=_("走访次数前十五位单位"),
                kind="bar",
                categories=[r["unit"]["name"] for r in top],
                series=[reports.Series(_("走访"), [r["visits"] for r in top])],
                unit=U_TIMES,
            )
        )
    return data


def _month_label(month) -> str:
    """A month on a chart's axis: 2026-07 (data, the same in every language)."""
    return month.strftime("%Y-%m")
