"""满意窗口's section of the period report (工作情况统计).

Counted as the module's figures page counts (`guanqing.window.figures`): the cases ACCEPTED in the
period (`accepted_cases`, `_measures`: completed, early, late and the 提前办结率 = early / completed),
on time = completed on the deadline day (the case list's `timing=on_time`), overdue = accepted in
the period and still running past the deadline today (`timing_filter(OVERDUE)`), 容缺受理 = accepted
with a material missing; the ratings RATED in the period as `Rating.objects.counted()` says, 好评率 =
levels 4–5 / rated (`_rating_measures`); and the average promised working days of the catalogue's
matters in use, as each read at the period's last day.

Windows belong to units, and units to no district: a district's report has no window section
(None). City-wide: a table by unit; a unit's report: a table of its windows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core import reports
from guanqing.core.daterange import DateRange
from guanqing.window.api.filters import timing_filter
from guanqing.window.figures import (
    COMPLETED,
    _counted_ratings,
    _derived,
    _measures,
    _rating_measures,
    _ratio,
    accepted_cases,
)
from guanqing.window.models import CaseMissingMaterial, Matter, MatterVersion, Window
from guanqing.window.rules import Timing

CASE_COUNTS = ("accepted", "completed", "early", "on_time", "late", "overdue", "deferred")
RATING_COUNTS = ("rated", "good")
TOP_UNITS = 15


def _rate(part, whole) -> Decimal | None:
    value = _ratio(part, whole)
    return None if value is None else Decimal(value)


def _case_measures(ctx: reports.ReportContext) -> dict:
    missing = CaseMissingMaterial.objects.filter(case_id=OuterRef("pk"))
    # due_soon_workdays only shapes the due-soon bucket: overdue does not read it
    overdue = timing_filter(Timing.OVERDUE, today=ctx.today, due_soon_workdays=0)
    return {
        **_measures(),
        "on_time": Count(
            "pk", filter=timing_filter(Timing.ON_TIME, today=ctx.today, due_soon_workdays=0)
        ),
        "overdue": Count("pk", filter=overdue),
        "deferred": Count("pk", filter=Q(Exists(missing))),
    }


def _add(total: dict, row: dict, names) -> None:
    for name in names:
        total[name] = total.get(name, 0) + (row.get(name) or 0)


def _catalogue_promised(ctx: reports.ReportContext, window_units) -> Decimal | None:
    """The average promised working days of the matters in use of the units whose windows the
    reader sees, each by its version in force on the period's last day."""
    in_force = (
        MatterVersion.objects.filter(matter_id=OuterRef("pk"), valid_from__lte=ctx.last)
        .order_by("-valid_from", "-number")
        .values("promised_workdays")[:1]
    )
    matters = Matter.objects.visible_to(ctx.user).filter(
        is_active=True, item__is_active=True, item__unit_id__in=window_units
    )
    if ctx.where.unit_id:
        matters = matters.filter(item__unit_id=ctx.where.unit_id)
    average = (
        matters.annotate(promised=Subquery(in_force))
        .filter(promised__isnull=False)
        .aggregate(avg=Avg("promised"))["avg"]
    )
    if average is None:
        return None
    return Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build(ctx: reports.ReportContext) -> reports.SectionData | None:
    if ctx.where.district_id:
        # windows belong to units, and a unit belongs to no district
        return None
    unit_id = ctx.where.unit_id
    windows = Window.objects.visible_to(ctx.user)
    if unit_id:
        windows = windows.filter(unit_id=unit_id)
    by_unit = not unit_id
    group = ("window__unit_id",) if by_unit else ("window_id",)
    rating_group = ("case__window__unit_id",) if by_unit else ("case__window_id",)

    # the rows of the table: every unit with a window the reader sees, or the unit's windows
    if by_unit:
        rows = {
            pk: {"name": name}
            for pk, name in windows.order_by("unit__sort_order", "unit__name")
            .values_list("unit_id", "unit__name")
            .distinct()
        }
    else:
        rows = {pk: {"name": name} for pk, name in windows.values_list("pk", "name")}

    months = {month: {"accepted": 0, "completed": 0} for month in ctx.period.months_in()}
    total: dict = {}
    if ctx.begun:
        span = DateRange(ctx.first, ctx.last)
        cases = accepted_cases(ctx.user, span)
        ratings = _counted_ratings(ctx.user, span)
        if unit_id:
            cases = cases.filter(window__unit_id=unit_id)
            ratings = ratings.filter(case__window__unit_id=unit_id)
        for row in cases.values(*group).annotate(**_case_measures(ctx)).order_by():
            bucket = rows.setdefault(row[group[0]], {"name": "—"})
            _add(bucket, row, (*CASE_COUNTS, "promised_sum", "statutory_sum", "used_sum"))
            _add(total, row, (*CASE_COUNTS, "promised_sum", "statutory_sum", "used_sum"))
        for row in ratings.values(*rating_group).annotate(**_rating_measures()).order_by():
            bucket = rows.setdefault(row[rating_group[0]], {"name": "—"})
            _add(bucket, row, RATING_COUNTS)
            _add(total, row, RATING_COUNTS)
        by_month = cases.order_by().aggregate(
            **{
                f"{prefix}{i}": Count("pk", filter=f & extra)
                for i, f in enumerate(reports.month_filters(ctx, "accepted_on"))
                for prefix, extra in (("a", Q()), ("c", COMPLETED))
            }
        )
        for i, month in enumerate(months):
            months[month] = {"accepted": by_month[f"a{i}"], "completed": by_month[f"c{i}"]}

    def count(row: dict, name: str) -> int:
        return row.get(name) or 0

    totals = {name: count(total, name) for name in (*CASE_COUNTS, *RATING_COUNTS)}
    derived = _derived(
        {
            **{name: totals[name] for name in ("accepted", "completed", "early", "late")},
            "immediate": 0,
            "promised_sum": total.get("promised_sum") or 0,
            "statutory_sum": total.get("statutory_sum") or 0,
            "used_sum": total.get("used_sum") or 0,
        }
    )
    figures = [
        reports.Figure(
            "accepted",
            _("受理办件"),
            totals["accepted"],
            pgettext_lazy("window", "件"),
            _("报告期内受理的办件"),
        ),
        reports.Figure(
            "completed",
            _("办结办件"),
            totals["completed"],
            pgettext_lazy("window", "件"),
            _("报告期内受理的办件中已办结的"),
        ),
        reports.Figure(
            "completed_early",
            pgettext_lazy("case timing", "提前办结"),
            totals["early"],
            pgettext_lazy("window", "件"),
            _("早于承诺办结日期办结"),
        ),
        reports.Figure(
            "early_rate",
            _("提前办结率"),
            _rate(totals["early"], totals["completed"]),
            _("%"),
            _("提前办结件数 ÷ 办结件数"),
        ),
        reports.Figure(
            "completed_on_time",
            pgettext_lazy("case timing", "按期办结"),
            totals["on_time"],
            pgettext_lazy("window", "件"),
            _("在承诺办结日期当日办结"),
        ),
        reports.Figure(
            "completed_late",
            _("超期办结"),
            totals["late"],
            pgettext_lazy("window", "件"),
            _("晚于承诺办结日期办结"),
        ),
        reports.Figure(
            "overdue",
            _("逾期未办结"),
            totals["overdue"],
            pgettext_lazy("window", "件"),
            _("已过承诺办结日期仍在办理（按统计日）"),
        ),
        reports.Figure(
            "deferred",
            _("容缺受理"),
            totals["deferred"],
            pgettext_lazy("window", "件"),
            _("受理时有容缺材料的办件"),
        ),
        reports.Figure(
            "avg_workdays_used",
            _("平均办理用时"),
            None if derived["avg_workdays_used"] is None else Decimal(derived["avg_workdays_used"]),
            _("个工作日"),
            _("已办结办件实际使用的工作日的平均数"),
        ),
        reports.Figure(
            "rated", _("评价"), totals["rated"], _("次"), _("报告期内的办件评价（不含申诉成立的）")
        ),
        reports.Figure(
            "good_rate",
            _("好评率"),
            _rate(totals["good"], totals["rated"]),
            _("%"),
            _("“非常满意”“满意”的评价 ÷ 评价次数"),
        ),
        reports.Figure(
            "catalogue_promised_workdays",
            _("办理项平均承诺时限"),
            _catalogue_promised(ctx, windows.values("unit_id")),
            _("个工作日"),
            _("在用办理项按报告期末有效版本的承诺办结时限的平均数"),
        ),
    ]

    ordered = sorted(
        rows.items(), key=lambda item: (-count(item[1], "accepted"), item[1]["name"], item[0])
    )
    table = reports.Table(
        key="by_unit" if by_unit else "by_window",
        title=_("各单位窗口办件情况") if by_unit else _("各窗口办件情况"),
        columns=[
            _("单位") if by_unit else _("窗口"),
            _("受理"),
            _("办结"),
            pgettext_lazy("case timing", "提前办结"),
            _("提前办结率（%）"),
            _("逾期未办结"),
            _("容缺受理"),
            _("评价"),
            _("好评率（%）"),
        ],
        rows=[
            [
                row["name"],
                count(row, "accepted"),
                count(row, "completed"),
                count(row, "early"),
                _rate(count(row, "early"), count(row, "completed")),
                count(row, "overdue"),
                count(row, "deferred"),
                count(row, "rated"),
                _rate(count(row, "good"), count(row, "rated")),
            ]
            for _pk, row in ordered
        ],
    )
    charts = [
        reports.Chart(
            key="by_month",
            title=_("各月受理办件"),
            kind="column",
            categories=[month.strftime("%Y-%m") for month in months],
            series=[
                reports.Series(_("受理"), [v["accepted"] for v in months.values()]),
                reports.Series(_("其中已办结"), [v["completed"] for v in months.values()]),
            ],
            unit=pgettext_lazy("window", "件"),
        )
    ]
    if by_unit and ordered:
        top = ordered[:TOP_UNITS]
        charts.append(
            reports.Chart(
                key="by_unit",
                title=_("各单位受理办件"),
                kind="bar",
                categories=[row["name"] for _pk, row in top],
                series=[reports.Series(_("受理"), [count(row, "accepted") for _pk, row in top])],
                unit=pgettext_lazy("window", "件"),
            )
        )
    return reports.SectionData(figures=figures, tables=[table], charts=charts)
