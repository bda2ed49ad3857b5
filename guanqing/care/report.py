"""关怀帮扶's section of the period report (工作情况统计): 六激励 · 六必谈 · 六必访 · 六必帮.

Counted as the module's figures (`guanqing.care.figures`): the events that OCCURRED in the period,
and the obligations DUE in it by outcome (`figures._outcomes`: met on time, met late, waived, open
and overdue today, open and not yet due). The on-time rate is met on time / the obligations due in
the period that are met or overdue (waived ones and those not yet due are left out): None when
there are none. Counts only: no member, no rule, no note — a sensitive event is one more in a
count, nothing else.

The care rules are the units' duty to their staff, and units belong to no district: a district's
report has no care section (None). City-wide: the four systems as a table, the units as a bar
chart; a unit's report: the four systems of that unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.care.choices import CareSystem
from guanqing.care.figures import OUTCOMES, _outcomes
from guanqing.care.models import CareEvent, Obligation
from guanqing.core import reports

COUNTS = ("events", "due", *OUTCOMES)
TOP_UNITS = 15


def _rate(row: dict) -> Decimal | None:
    whole = row["on_time"] + row["late"] + row["overdue"]
    if not whole:
        return None
    return (Decimal(row["on_time"]) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def build(ctx: reports.ReportContext) -> reports.SectionData | None:
    if ctx.where.district_id:
        # the care rules are each unit's duty to its own staff: a unit belongs to no district
        return None
    unit_id = ctx.where.unit_id
    systems = {value: dict.fromkeys(COUNTS, 0) for value in CareSystem.values}
    units: dict[int, dict] = {}
    months = {month: {"events": 0, "due": 0} for month in ctx.period.months_in()}
    if ctx.begun:
        events = CareEvent.objects.visible_to(ctx.user).filter(
            occurred_on__gte=ctx.first, occurred_on__lte=ctx.last
        )
        obligations = Obligation.objects.visible_to(ctx.user).filter(
            due_on__gte=ctx.first, due_on__lte=ctx.last
        )
        if unit_id:
            events = events.filter(unit_id=unit_id)
            obligations = obligations.filter(unit_id=unit_id)

        def unit_row(row: dict) -> dict:
            return units.setdefault(
                row["unit_id"], {"name": row["unit__name"], **dict.fromkeys(COUNTS, 0)}
            )

        for row in (
            events.values("unit_id", "unit__name", "rule__system")
            .annotate(events=Count("pk"))
            .order_by()
        ):
            systems[row["rule__system"]]["events"] += row["events"]
            unit_row(row)["events"] += row["events"]
        for row in (
            obligations.values("unit_id", "unit__name", "event__rule__system")
            .annotate(**_outcomes(ctx.today))
            .order_by()
        ):
            for name in ("due", *OUTCOMES):
                systems[row["event__rule__system"]][name] += row[name]
                unit_row(row)[name] += row[name]
        # by month: conditional counts of one query each, in the months' order
        for name, queryset, field in (
            ("events", events, "occurred_on"),
            ("due", obligations, "due_on"),
        ):
            counted = queryset.order_by().aggregate(
                **{
                    f"m{i}": Count("pk", filter=f)
                    for i, f in enumerate(reports.month_filters(ctx, field))
                }
            )
            for month, n in zip(
                months, reports.month_values(counted, "m", len(months)), strict=True
            ):
                months[month][name] = n

    total = {name: sum(row[name] for row in systems.values()) for name in COUNTS}
    figures = [
        reports.Figure(
            "events",
            _("关怀事件"),
            total["events"],
            pgettext_lazy("care event", "件"),
            _("报告期内发生的事件"),
        ),
        reports.Figure(
            "due",
            _("应落实事项"),
            total["due"],
            pgettext_lazy("care", "件"),
            _("落实期限在报告期内的事项"),
        ),
        reports.Figure(
            "on_time",
            _("按时落实"),
            total["on_time"],
            pgettext_lazy("care", "件"),
            _("在期限内落实"),
        ),
        reports.Figure(
            "late", _("逾期落实"), total["late"], pgettext_lazy("care", "件"), _("超过期限后落实")
        ),
        reports.Figure(
            "overdue",
            _("逾期未落实"),
            total["overdue"],
            pgettext_lazy("care", "件"),
            _("已过期限仍未落实（按统计日）"),
        ),
        reports.Figure(
            "waived",
            _("免除"),
            total["waived"],
            pgettext_lazy("care", "件"),
            _("经单位或机关工委免除"),
        ),
        reports.Figure(
            "on_time_rate",
            _("按时落实率"),
            _rate(total),
            _("%"),
            _("按时落实 ÷（按时落实 + 逾期落实 + 逾期未落实）"),
        ),
    ]
    table = reports.Table(
        key="by_system",
        title=_("四项制度落实情况"),
        columns=[
            _("制度"),
            _("关怀事件"),
            _("应落实事项"),
            _("按时落实"),
            _("逾期落实"),
            _("逾期未落实"),
            _("免除"),
            _("按时落实率（%）"),
        ],
        rows=[
            [
                CareSystem(value).label,
                row["events"],
                row["due"],
                row["on_time"],
                row["late"],
                row["overdue"],
                row["waived"],
                _rate(row),
            ]
            for value, row in systems.items()
        ],
    )
    charts = [
        reports.Chart(
            key="by_month",
            title=_("各月关怀事件和应落实事项"),
            kind="column",
            categories=[month.strftime("%Y-%m") for month in months],
            series=[
                reports.Series(_("关怀事件"), [row["events"] for row in months.values()]),
                reports.Series(_("应落实事项"), [row["due"] for row in months.values()]),
            ],
            unit=pgettext_lazy("care", "件"),
        )
    ]
    if not unit_id and units:
        top = sorted(units.values(), key=lambda row: (-row["due"], -row["events"], row["name"]))
        top = top[:TOP_UNITS]
        charts.append(
            reports.Chart(
                key="by_unit",
                title=_("各单位应落实事项"),
                kind="bar",
                categories=[row["name"] for row in top],
                series=[
                    reports.Series(_("按时落实"), [row["on_time"] for row in top]),
                    reports.Series(_("逾期落实"), [row["late"] for row in top]),
                    reports.Series(_("逾期未落实"), [row["overdue"] for row in top]),
                ],
                unit=pgettext_lazy("care", "件"),
            )
        )
    return reports.SectionData(figures=figures, tables=[table], charts=charts)
