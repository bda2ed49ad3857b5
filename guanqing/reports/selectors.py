"""Reads of the period report: which areas a reader may ask for, the live report of a period and
area, the versions published for it, and what a correction changed."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.accounts.selectors import committee_reader
from guanqing.core import reports, snapshots
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import parse_id
from guanqing.core.reports import Period, ReportContext, Where, WhereKind
from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope
from guanqing.registry.models import Division, Unit
from guanqing.reports.models import Publication


def districts_for(user):
    """The current districts a reader may ask a report of (the committee only)."""
    if user.role != Role.COMMITTEE:
        return Division.objects.none()
    return Division.objects.visible_to(user).districts().current().order_by("code")


def units_for(user):
    """The units a reader may ask a report of: every unit for the committee, one's own for a
    unit's administrators."""
    units = Unit.objects.visible_to(user)
    if user.role == Role.UNIT_ADMIN:
        units = units.filter(pk=user.unit_id or 0)
    elif user.role != Role.COMMITTEE:
        units = units.none()
    return units.order_by("sort_order", "name")


def default_where(user) -> Where:
    if user.role == Role.UNIT_ADMIN and user.unit_id:
        return where_for(user, WhereKind.UNIT, user.unit_id)
    return Where(WhereKind.CITY)


def where_for(user, kind: str, pk=None, *, field_name: str = "where") -> Where:
    """The area `kind`/`pk` as the reader may ask it: a kind that is not one is a 400 naming
    `field_name`, an area outside the reader's scope answers 404 (OutOfScope) like a missing one."""
    if kind not in WhereKind.ALL:
        raise ValidationError({field_name: [_("范围应为 city、district:<编号> 或 unit:<编号>")]})
    if kind == WhereKind.CITY:
        if user.role != Role.COMMITTEE:
            raise OutOfScope()
        return Where(WhereKind.CITY)
    ident = parse_id(pk)
    if ident is None:
        raise ValidationError({field_name: [_("范围应为 city、district:<编号> 或 unit:<编号>")]})
    if kind == WhereKind.UNIT:
        unit = units_for(user).filter(pk=ident).first()
        if unit is None:
            raise OutOfScope()
        return Where(WhereKind.UNIT, unit.pk, unit.name)
    district = districts_for(user).filter(pk=ident).first()
    if district is None:
        raise OutOfScope()
    return Where(WhereKind.DISTRICT, district.pk, district.name)


def parse_where(user, value: str, *, field_name: str = "where") -> Where:
    """`city`, `district:<id>` or `unit:<id>` (the `key` of a Where)."""
    value = (value or "").strip()
    if not value:
        return default_where(user)
    kind, _sep, pk = value.partition(":")
    return where_for(user, kind, pk or None, field_name=field_name)


def default_period(today: datetime.date) -> Period:
    """The last complete quarter (what the committee publishes most), or this year's first
    quarter while it runs."""
    quarter = (today.month - 1) // 3  # complete quarters this year
    if quarter == 0:
        return Period("quarter", today.year - 1, 4)
    return Period("quarter", today.year, quarter)


@dataclass
class LiveReport:
    period: Period
    where: Where
    counted_on: datetime.date
    as_of: datetime.datetime
    sections: list[dict]  # frozen
    kept: bool = False  # the committee's snapshot (core/snapshots.py), not counted just now


LIVE_REPORT = "reports.live"


def live_report(
    user, period: Period, where: Where, *, today: datetime.date | None = None, kept=False
):
    """The report as the data stand. With `kept`, the committee reads the kept snapshot of the
    report when counting it is slow (a province's data), and so does a unit's administrator of
    the unit's own report, which is the committee's report of the unit (a unit reads what the
    committee publishes of it); publishing always counts afresh."""
    today = today or business_date()
    counted_on = min(period.last, today)
    if kept and _reads_the_committees(user, where):
        args = {"period": period.key, "where": where.key, "today": today.isoformat()}
        snapshot = snapshots.read(LIVE_REPORT, args)
        return LiveReport(
            period=period,
            where=where,
            counted_on=counted_on,
            as_of=snapshot.as_of,
            sections=snapshot.value,
            kept=snapshot.kept,
        )
    ctx = ReportContext(user=user, period=period, where=where, today=today)
    return LiveReport(
        period=period,
        where=where,
        counted_on=counted_on,
        as_of=timezone.now(),
        sections=reports.build_sections(ctx),
    )


def _reads_the_committees(user, where: Where) -> bool:
    """The reader sees the committee's report of `where`: the committee itself, or the
    administrator of the unit reported on."""
    if user.role == Role.COMMITTEE:
        return True
    return (
        user.role == Role.UNIT_ADMIN and where.unit_id is not None and where.unit_id == user.unit_id
    )


def committee_sections(*, period: str, where: str, today: str) -> list[dict]:
    """The frozen sections of the report of `period` and `where`, as the committee reads them."""
    reader = committee_reader()
    ctx = ReportContext(
        user=reader,
        period=Period.parse(period),
        where=parse_where(reader, where),
        today=datetime.date.fromisoformat(today),
    )
    return reports.build_sections(ctx)


def committee_defaults(today: datetime.date) -> list[dict]:
    """The report page's default: the city's last complete quarter."""
    period = default_period(today)
    return [{"period": period.key, "where": Where(WhereKind.CITY).key, "today": today.isoformat()}]


def versions(user, period: Period, where: Where):
    return (
        Publication.objects.visible_to(user)
        .of(period, where)
        .select_related("published_by")
        .order_by("-version")
    )


def _plain(value):
    """A frozen figure value, comparable and printable."""
    if isinstance(value, dict) and set(value) == {"decimal"}:
        return decimal.Decimal(value["decimal"])
    return value


def changes_between(before: list[dict], after: list[dict]) -> list[dict]:
    """The figures whose value differs between two frozen reports, in the report's order:
    [{section, key, label, old, new}] (labels frozen, in every language). A figure only one side
    has is a change from or to None."""
    old = reports.figure_values(before)
    out = []
    seen = set()
    for section in after:
        for figure in section.get("figures", []):
            where = (section["key"], figure["key"])
            seen.add(where)
            was = _plain(old.get(where))
            now = _plain(figure["value"])
            if was != now:
                out.append(
                    {
                        "section": section["title"],
                        "key": f"{section['key']}.{figure['key']}",
                        "label": figure["label"],
                        "old": old.get(where),
                        "new": figure["value"],
                    }
                )
    for section in before:
        for figure in section.get("figures", []):
            if (section["key"], figure["key"]) not in seen:
                out.append(
                    {
                        "section": section["title"],
                        "key": f"{section['key']}.{figure['key']}",
                        "label": figure["label"],
                        "old": figure["value"],
                        "new": None,
                    }
                )
    return out
