"""十件实事's section of the period report (工作情况统计).

The pledges of the period's year (published or closed) that the reader sees, each with its progress
and its derived status as the module reads them (`selectors.rows`: the lead units' reported values
or the live metric, the status by `rules.status`) on the day the report is counted; the counts by
status as figures. The milestones of those pledges due in the period give the by-month chart.

A unit's report: the pledges it leads. Pledges are led by units, which belong to no district: a
district's report has no pledges section (None).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core import reports
from guanqing.pledges import selectors
from guanqing.pledges.choices import Status
from guanqing.pledges.models import Pledge

FIGURE_KEYS = {
    Status.DONE: "done",
    Status.ON_TRACK: "on_track",
    Status.AT_RISK: "at_risk",
    Status.LATE: "late",
}


def build(ctx: reports.ReportContext) -> reports.SectionData | None:
    if ctx.where.district_id:
        # pledges are led by units, and a unit belongs to no district
        return None
    rows = []
    if ctx.begun:
        pledges = (
            Pledge.objects.visible_to(ctx.user)
            .out_of_draft()
            .filter(year=ctx.period.year)
            .order_by("number", "pk")
        )
        if ctx.where.unit_id:
            pledges = pledges.filter(lead_units=ctx.where.unit_id)
        rows = selectors.rows(selectors.with_details(pledges), ctx.today)

    counts = dict.fromkeys(FIGURE_KEYS, 0)
    for row in rows:
        counts[row.status] += 1
    figures = [
        reports.Figure(
            "pledges",
            _("实事项目"),
            len(rows),
            pgettext_lazy("pledges", "件"),
            _("本年度已公布的实事"),
        ),
        *(
            reports.Figure(
                FIGURE_KEYS[status],
                Status(status).label,
                counts[status],
                pgettext_lazy("pledges", "件"),
                _("按统计日"),
            )
            for status in FIGURE_KEYS
        ),
    ]
    table = reports.Table(
        key="pledges",
        title=_("十件实事进展"),
        columns=[
            _("序号"),
            _("实事名称"),
            _("牵头单位"),
            _("状态"),
            _("目标"),
            _("完成"),
            _("完成率（%）"),
        ],
        rows=[
            [
                row.pledge.number,
                row.pledge.title,
                "、".join(unit.name for unit in row.pledge.lead_units.all()),
                Status(row.status).label,
                f"{row.pledge.target_value} {row.pledge.target_unit}".strip(),
                row.progress,
                row.percent,
            ]
            for row in rows
        ],
        numeric_from=5,
    )
    months = {month: {"due": 0, "done": 0} for month in ctx.period.months_in()}
    for row in rows:
        for milestone in row.milestones:
            if ctx.first <= milestone.due_on <= ctx.period.last:
                bucket = months[milestone.due_on.replace(day=1)]
                bucket["due"] += 1
                if milestone.done_on is not None and milestone.done_on <= ctx.last:
                    bucket["done"] += 1
    chart = reports.Chart(
        key="milestones_by_month",
        title=_("各月节点"),
        kind="column",
        categories=[month.strftime("%Y-%m") for month in months],
        series=[
            reports.Series(_("计划完成的节点"), [m["due"] for m in months.values()]),
            reports.Series(_("其中已完成"), [m["done"] for m in months.values()]),
        ],
        unit=_("个"),
    )
    return reports.SectionData(figures=figures, tables=[table], charts=[chart])
