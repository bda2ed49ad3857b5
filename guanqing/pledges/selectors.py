"""Reads of the pledges that the pages, the API, the reports and the daily job agree on: each
pledge's progress (the lead units' reported values, or its live metric), its percentage and its
derived status; the at-risk horizon on the official calendar; the public summary."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Sum

from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays
from guanqing.pledges import metrics, rules
from guanqing.pledges.choices import Status
from guanqing.pledges.models import Milestone, Pledge

TONES = {
    Status.DONE: "ok",
    Status.ON_TRACK: "info",
    Status.AT_RISK: "warn",
    Status.LATE: "danger",
}


def horizon(today: datetime.date) -> datetime.date:
    """The last day a milestone not done makes its pledge at risk: the N-th working day from
    today. A year the official calendar lacks counts N calendar days (a reminder is not a
    deadline; it is better early than never)."""
    days = rules.at_risk_workdays()
    try:
        return add_workdays(today, days)
    except CalendarYearMissing:
        return today + datetime.timedelta(days=days)


@dataclass
class PledgeRow:
    pledge: Pledge
    progress: int
    percent: int
    status: str
    milestones: list = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def tone(self) -> str:
        return TONES[self.status]

    @property
    def metric_label(self) -> str:
        metric = metrics.get(self.pledge.metric) if self.pledge.is_live else None
        return str(metric.label) if metric else ""


def with_details(queryset, *, units: bool = True):
    """The pledges with what their rows need, in a fixed number of queries; without `units`,
    not their lead units (which only lists and reports name: a status needs none of them)."""
    queryset = queryset.annotate(reported=Sum("reports__value")).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk"))
    )
    return queryset.prefetch_related("lead_units") if units else queryset


def rows(pledges, today: datetime.date) -> list[PledgeRow]:
    """Each pledge (from `with_details`) with its progress and status."""
    end = horizon(today)
    live: dict[tuple[str, int], int] = {}
    result = []
    for pledge in pledges:
        if pledge.is_live:
            key = (pledge.metric, pledge.year)
            if key not in live:
                live[key] = metrics.value(*key)
            progress = live[key]
        else:
            progress = getattr(pledge, "reported", None)
            if progress is None and not hasattr(pledge, "reported"):
                progress = pledge.reports.aggregate(n=Sum("value"))["n"]
            progress = progress or 0
        steps = list(pledge.milestones.all())
        result.append(
            PledgeRow(
                pledge=pledge,
                progress=progress,
                percent=rules.percent(progress, pledge.target_value),
                status=rules.status(
                    state=pledge.state,
                    progress=progress,
                    target=pledge.target_value,
                    milestones=[(m.due_on, m.done_on) for m in steps],
                    today=today,
                    horizon=end,
                ),
                milestones=steps,
            )
        )
    return result


def row(pledge: Pledge, today: datetime.date) -> PledgeRow:
    return rows(with_details(Pledge.objects.filter(pk=pledge.pk)), today)[0]


def years(queryset) -> list[int]:
    return sorted(set(queryset.values_list("year", flat=True)), reverse=True)


def public_rows(year: int, today: datetime.date) -> list[PledgeRow]:
    """The year's published (and closed) pledges, for the page without an account."""
    return rows(with_details(Pledge.objects.out_of_draft().filter(year=year)), today)


def public_summary(year: int, today: datetime.date) -> dict:
    """Numbers only: the title, target, progress and status of each published pledge; the rating
    once the committee has made it public. No unit, person, report or file."""
    items = []
    for r in public_rows(year, today):
        p = r.pledge
        items.append(
            {
                "number": p.number,
                "title": p.title,
                "promise": p.promise,
                "target_value": p.target_value,
                "target_unit": p.target_unit,
                "progress": r.progress,
                "percent": r.percent,
                "status": r.status,
                "status_label": r.status_label,
                "rating": p.rating if p.rating_published else "",
                "rating_label": p.get_rating_display() if p.rating_published else "",
            }
        )
    return {"year": year, "pledges": items}
