"""Demo 工作情况统计: the committee has published the last complete quarter's report for the city
and for 市纪委 (the `unit_jiwei` account's unit), so the published list, a frozen version and its
PDF and Excel can be opened at once; the live report of any period is there as for any data."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from guanqing.core.demo import DemoContext
from guanqing.core.reports import Where, WhereKind
from guanqing.registry.models import Unit
from guanqing.reports import selectors, services


@dataclass
class ReportsDemoSummary:
    period: str = ""
    publications: int = 0

    def as_changes(self) -> dict:
        return {"report_publications": [None, self.publications]}

    def describe(self) -> str:
        return gettext("工作情况统计：已发布 %(period)s 报告 %(n)s 份") % {
            "period": self.period,
            "n": self.publications,
        }


def build(ctx: DemoContext) -> ReportsDemoSummary:
    users = get_user_model().objects
    committee = users.filter(username="committee").first()
    if committee is None:
        return ReportsDemoSummary()
    period = selectors.default_period(ctx.today)
    areas = [Where(WhereKind.CITY)]
    jiwei = Unit.objects.filter(
        pk__in=users.filter(username="unit_jiwei").values("unit_id")
    ).first()
    if jiwei is not None:
        areas.append(Where(WhereKind.UNIT, jiwei.pk, jiwei.name))
    published = 0
    for where in areas:
        services.publication_publish(actor=committee, period=period, where=where)
        published += 1
    return ReportsDemoSummary(period.key, published)
