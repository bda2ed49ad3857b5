"""轮训's section of the period report (工作情况统计).

The plans (not drafts) with a session that began in the period, each counted by the module's
completion figures (`figures.completion`: the cadres required by the plan, those present on every
training day, exemptions apart) as they stand on the day the report is built: the training of a
plan is one list, trained over its sessions, so a period report gives the plan's progress, not a
slice of it. Sessions held: the plans' sessions that began in the period (up to today). The
completion rate is completed / required with one decimal.

Cadres belong to units, and units to no district: a district's report has no training section
(None). The completion figures are the committee's and the unit administrators' (the "completion"
rule): a unit administrator reads its own unit's, any other reader none.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from guanqing.core import reports
from guanqing.core.roles import Role
from guanqing.registry.choices import Rank
from guanqing.training.access import access
from guanqing.training.choices import PlanState
from guanqing.training.figures import COUNTS, completion
from guanqing.training.models import Plan, Session

TOP_UNITS = 15


def _rate(completed: int, required: int) -> Decimal | None:
    if not required:
        return None
    return (Decimal(completed) * 100 / required).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _rank_label(key):
    return Rank(key).label if key in Rank.values else (key or "—")


def _units(ctx: reports.ReportContext) -> list[int] | None:
    """The units whose cadres the reader may count: None for all, [] for none."""
    user = ctx.user
    if not access.allows(user, "completion"):
        return []
    units = [user.unit_id] if user.role == Role.UNIT_ADMIN else None
    if ctx.where.unit_id:
        units = [ctx.where.unit_id] if units is None or ctx.where.unit_id in units else []
    return units


def build(ctx: reports.ReportContext) -> reports.SectionData | None:
    if ctx.where.district_id:
        # cadres are counted by their unit, and a unit belongs to no district
        return None
    units = _units(ctx)
    months = {month: 0 for month in ctx.period.months_in()}
    total = dict.fromkeys(COUNTS, 0)
    by_rank: dict[str, dict] = {}
    by_unit: dict[str, dict] = {}
    plans: list[Plan] = []
    held = 0
    if ctx.begun and units != []:
        sessions = list(
            Session.objects.visible_to(ctx.user)
            .filter(start_date__gte=ctx.first, start_date__lte=ctx.last)
            .exclude(plan__state=PlanState.DRAFT)
            .select_related("plan")
            .order_by("plan_id", "number")
        )
        held = len(sessions)
        for session in sessions:
            months[session.start_date.replace(day=1)] += 1
        plans = list({session.plan_id: session.plan for session in sessions}.values())
        for plan in plans:
            result = completion(plan, units=units)
            for name in COUNTS:
                total[name] += getattr(result.totals, name)
            for row in result.by_rank:
                bucket = by_rank.setdefault(row.key, dict.fromkeys(COUNTS, 0))
                for name in COUNTS:
                    bucket[name] += getattr(row, name)
            for row in result.by_unit:
                bucket = by_unit.setdefault(
                    row.key, {"name": row.label, **dict.fromkeys(COUNTS, 0)}
                )
                for name in COUNTS:
                    bucket[name] += getattr(row, name)

    figures = [
        reports.Figure(
            "plans", _("轮训计划"), len(plans), _("个"), _("有期次在报告期内开班的计划")
        ),
        reports.Figure("sessions_held", _("开班期次"), held, _("期"), _("报告期内开班的期次")),
        reports.Figure(
            "planned", _("应训干部"), total["required"], _("人"), _("计划名单中未免训的干部")
        ),
        reports.Figure(
            "trained",
            _("完成轮训"),
            total["completed"],
            _("人"),
            _("每个培训日均出勤（含补训）的干部，截至统计日"),
        ),
        reports.Figure(
            "completion_rate",
            _("完成率"),
            _rate(total["completed"], total["required"]),
            _("%"),
            _("完成轮训 ÷ 应训干部"),
        ),
        reports.Figure(
            "absent", _("缺训未补"), total["absent"], _("人"), _("缺训且尚未安排补训的干部")
        ),
        reports.Figure("exempt", _("免训"), total["exempt"], _("人"), _("经机关工委批准免训")),
    ]
    order = {value: index for index, value in enumerate(Rank.values)}
    table = reports.Table(
        key="by_rank",
        title=_("按职级的轮训完成情况"),
        columns=[_("职级"), _("应训"), _("已完成"), _("完成率（%）"), _("缺训未补"), _("免训")],
        rows=[
            [
                _rank_label(key),
                row["required"],
                row["completed"],
                _rate(row["completed"], row["required"]),
                row["absent"],
                row["exempt"],
            ]
            for key, row in sorted(by_rank.items(), key=lambda kv: order.get(kv[0], len(order)))
        ],
    )
    charts = [
        reports.Chart(
            key="by_month",
            title=_("各月开班期次"),
            kind="column",
            categories=[month.strftime("%Y-%m") for month in months],
            series=[reports.Series(_("开班期次"), list(months.values()))],
            unit=_("期"),
        )
    ]
    if not ctx.where.unit_id and len(by_unit) > 1:
        top = sorted(by_unit.values(), key=lambda r: (-r["required"], r["name"]))[:TOP_UNITS]
        charts.append(
            reports.Chart(
                key="by_unit",
                title=_("各单位轮训完成情况"),
                kind="bar",
                categories=[row["name"] for row in top],
                series=[
                    reports.Series(_("应训"), [row["required"] for row in top]),
                    reports.Series(_("已完成"), [row["completed"] for row in top]),
                ],
                unit=_("人"),
            )
        )
    return reports.SectionData(figures=figures, tables=[table], charts=charts)
