"""The instructors' figures for a date range: per instructor and term, the days in the village
against the required days (per month, prorated for the months the term or the range cuts; see
`rules`), the months that met the requirement, the log entries, and the problems raised and solved
(their state read from the frontline loop through `guanqing.frontline.interface`); and the totals.

Four queries whatever the number of terms: the terms, their entries in the range, their raised
problems in the range, the problems' states.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from guanqing.core.daterange import DateRange
from guanqing.frontline import interface as frontline
from guanqing.instructors import rules, selectors
from guanqing.instructors.choices import Compliance
from guanqing.instructors.models import InstructorTerm, RaisedProblem, WorkLog

# The committee's figures of a date range (every term), kept as a figures snapshot: at a province's
# scale thousands of terms, each judged month by month in Python.
CITY_FIGURES = "instructors.figures"


@dataclass
class TermFigures:
    term_id: int
    unit: str
    instructor: str
    village: str
    starts_on: datetime.date
    ends_on: datetime.date
    state: str
    days: int = 0
    required: int = 0
    months: int = 0  # months of the range the term had to meet (over, or met already)
    months_met: int = 0
    logs: int = 0
    raised: int = 0
    solved: int = 0

    @property
    def met_rate(self) -> float | None:
        """The months met as a share of the months judged (None before the first is judged)."""
        return self.months_met / self.months if self.months else None


@dataclass
class Figures:
    span: DateRange
    rows: list[TermFigures] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        names = ("days", "required", "months", "months_met", "logs", "raised", "solved")
        return {name: self.total(name) for name in names} | {"terms": len(self.rows)}


def figures(user, span: DateRange, today: datetime.date) -> Figures:
    terms = list(
        selectors.terms_for_list(user)
        .filter(starts_on__lte=span.last, ends_on__gte=span.first)
        .order_by("unit__sort_order", "unit_id", "member_id", "starts_on")
    )
    ids = [t.pk for t in terms]
    entries: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for term_id, first, days in WorkLog.objects.filter(
        term_id__in=ids, starts_on__gte=span.first, starts_on__lte=span.last
    ).values_list("term_id", "starts_on", "days"):
        entries[term_id].append((first, days))
    raised: dict[int, list[int]] = defaultdict(list)
    for term_id, problem_id in RaisedProblem.objects.filter(
        term_id__in=ids, **span.date_bounds("raised_on")
    ).values_list("term_id", "problem_id"):
        raised[term_id].append(problem_id)
    states = frontline.problem_counts(pid for pids in raised.values() for pid in pids)
    result = Figures(span)
    for term in terms:
        row = TermFigures(
            term_id=term.pk,
            unit=term.unit.name,
            instructor=term.member.name,
            village=term.village.name,
            starts_on=term.starts_on,
            ends_on=term.ends_on,
            state=term.state,
            logs=len(entries[term.pk]),
            days=sum(days for _first, days in entries[term.pk]),
            raised=len(raised[term.pk]),
            solved=sum(1 for pid in raised[term.pk] if states.get(pid, ("", False))[1]),
        )
        last = min(span.last, today)
        for month in rules.term_months(max(term.starts_on, span.first), term.ends_on, last):
            required = rules.required_days(
                term.required_days,
                month,
                term.starts_on,
                term.ends_on,
                within=(span.first, span.last),
            )
            logged = rules.logged_days(entries[term.pk], month)
            judged = rules.compliance(
                required, logged, month=month, term_last=min(term.ends_on, span.last), today=today
            )
            row.required += required
            if judged in (Compliance.MET, Compliance.SHORT):
                row.months += 1
                row.months_met += judged == Compliance.MET
        result.rows.append(row)
    return result


def figures_of(user, span: DateRange, today: datetime.date):
    """`figures(user, span, today)` as a `snapshots.Snapshot`: the committee's kept one, a unit
    administrator's counted now (the page and the API read the same)."""
    from guanqing.core import snapshots

    return snapshots.for_reader(
        InstructorTerm.objects.visible_to(user),
        CITY_FIGURES,
        snapshots.span_args(span, today),
        lambda: figures(user, span, today),
    )


def register_snapshots() -> None:
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    snapshots.register(
        CITY_FIGURES,
        snapshots.span_counts(lambda span, today: figures(committee_reader(), span, today)),
        warm=snapshots.span_defaults,
    )
