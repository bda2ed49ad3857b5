"""The care figures for a date range, within the user's scope: the events of the range, and the
obligations due in it by outcome — met on time, met late, waived, open and overdue, open and not
yet due — by unit and by system. Counts only: no member, no rule, nothing sensitive.

Five queries whatever the data: events and obligations, each grouped by unit and by system,
and the units' names. The committee's figures of a whole province (35–40 ms of counting) are a
snapshot (`core/snapshots.py`), shown with the time they were counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from guanqing.care.choices import CareSystem, ObligationState
from guanqing.care.models import CareEvent, Obligation
from guanqing.core.daterange import DateRange
from guanqing.registry.models import Unit

OUTCOMES = ("on_time", "late", "waived", "overdue", "pending")


@dataclass
class Row:
    key: object  # a unit id or a system code
    label: str
    events: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    waived: int = 0
    overdue: int = 0
    pending: int = 0

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "events": self.events,
            "due": self.due,
            **{name: getattr(self, name) for name in OUTCOMES},
        }


@dataclass
class Figures:
    span: DateRange
    by_unit: list[Row] = field(default_factory=list)
    by_system: list[Row] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        names = ("events", "due", *OUTCOMES)
        return {name: sum(getattr(row, name) for row in self.by_system) for name in names}


def _outcomes(today: datetime.date) -> dict:
    met = Q(state=ObligationState.MET)
    opened = Q(state=ObligationState.OPEN)
    return {
        "due": Count("pk"),
        "on_time": Count("pk", filter=met & Q(met_on__lte=F("due_on"))),
        "late": Count("pk", filter=met & Q(met_on__gt=F("due_on"))),
        "waived": Count("pk", filter=Q(state=ObligationState.WAIVED)),
        "overdue": Count("pk", filter=opened & Q(due_on__lt=today)),
        "pending": Count("pk", filter=opened & Q(due_on__gte=today)),
    }


def figures(user, span: DateRange, today: datetime.date) -> Figures:
    events = CareEvent.objects.visible_to(user).filter(**span.date_bounds("occurred_on"))
    obligations = Obligation.objects.visible_to(user).filter(**span.date_bounds("due_on"))
    units: dict[int, Row] = {}
    systems: dict[str, Row] = {value: Row(value, str(label)) for value, label in CareSystem.choices}

    def unit_row(pk):
        return units.setdefault(pk, Row(pk, ""))

    for row in events.values("unit_id").annotate(n=Count("pk")).order_by():
        unit_row(row["unit_id"]).events = row["n"]
    for row in events.values("rule__system").annotate(n=Count("pk")).order_by():
        systems[row["rule__system"]].events = row["n"]
    outcomes = _outcomes(today)
    for row in obligations.values("unit_id").annotate(**outcomes).order_by():
        target = unit_row(row["unit_id"])
        for name in ("due", *OUTCOMES):
            setattr(target, name, row[name])
    for row in obligations.values("event__rule__system").annotate(**outcomes).order_by():
        target = systems[row["event__rule__system"]]
        for name in ("due", *OUTCOMES):
            setattr(target, name, row[name])
    order = {}
    for pk, name, sort_order in Unit.objects.filter(pk__in=units).values_list(
        "pk", "name", "sort_order"
    ):
        units[pk].label, order[pk] = name, sort_order
    return Figures(
        span=span,
        by_unit=sorted(units.values(), key=lambda r: (order.get(r.key, 0), r.key)),
        by_system=list(systems.values()),
    )


CITY_FIGURES = "care.figures"


def figures_of(user, span: DateRange, today: datetime.date):
    """`figures(user, span, today)` as a `snapshots.Snapshot`: the committee's kept one, anyone
    else's counted now (the page and the API read the same)."""
    from guanqing.core import snapshots

    return snapshots.for_reader(
        CareEvent.objects.visible_to(user),
        CITY_FIGURES,
        snapshots.span_args(span, today),
        lambda: figures(user, span, today),
    )


def register_snapshots() -> None:
    """The committee's figures of a date range (every event and obligation)."""
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    snapshots.register(
        CITY_FIGURES,
        snapshots.span_counts(lambda span, today: figures(committee_reader(), span, today)),
        warm=snapshots.span_defaults,
    )
