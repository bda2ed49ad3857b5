"""Reads of the instructors' pages, API and figures that need more than one filter: the days of a
month against the required days per term, a term's months, its raised problems with their state in
the frontline loop (through `guanqing.frontline.interface`), the committee's city view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from guanqing.frontline import interface as frontline
from guanqing.instructors import rules
from guanqing.instructors.choices import Compliance
from guanqing.instructors.models import InstructorTerm, RaisedProblem, WorkLog
from guanqing.registry.models import Unit


@dataclass
class MonthRow:
    month: rules.Month
    required: int
    logged: int
    compliance: str

    @property
    def compliance_label(self) -> str:
        return Compliance(self.compliance).label


@dataclass
class TermRow:
    term: InstructorTerm
    month: MonthRow
    logs: int = 0
    raised: int = 0


def terms_for_list(user):
    return InstructorTerm.objects.visible_to(user).select_related("member", "unit", "village")


def month_row(term: InstructorTerm, month: rules.Month, logged: int, today) -> MonthRow:
    required = rules.required_days(term.required_days, month, term.starts_on, term.ends_on)
    return MonthRow(
        month=month,
        required=required,
        logged=logged,
        compliance=rules.compliance(
            required, logged, month=month, term_last=term.ends_on, today=today
        ),
    )


def term_rows(terms, today: datetime.date) -> list[TermRow]:
    """Each term with this month's days against the required days, its logs and raised problems:
    two queries whatever the number of terms, counted by the database (a term's log grows by a
    few entries a month for years)."""
    terms = list(terms)
    ids = [t.pk for t in terms]
    month = rules.Month.of(today)
    this_month = Q(starts_on__gte=month.first, starts_on__lte=month.last)
    logs = {
        term_id: (n, days or 0)
        for term_id, n, days in WorkLog.objects.filter(term_id__in=ids)
        .order_by()
        .values("term_id")
        .annotate(n=Count("pk"), days=Sum("days", filter=this_month))
        .values_list("term_id", "n", "days")
    }
    raised = dict(
        RaisedProblem.objects.filter(term_id__in=ids)
        .order_by()
        .values("term_id")
        .annotate(n=Count("pk"))
        .values_list("term_id", "n")
    )
    rows = []
    for t in terms:
        count, logged = logs.get(t.pk, (0, 0))
        rows.append(
            TermRow(
                term=t,
                month=month_row(t, month, logged, today),
                logs=count,
                raised=raised.get(t.pk, 0),
            )
        )
    return rows


def term_months(term: InstructorTerm, today: datetime.date) -> list[MonthRow]:
    """The term's months, latest first, with required and logged days and compliance."""
    entries = list(term.logs.values_list("starts_on", "days"))
    rows = [
        month_row(term, month, rules.logged_days(entries, month), today)
        for month in rules.term_months(term.starts_on, term.ends_on, today)
    ]
    rows.reverse()
    return rows


@dataclass
class RaisedRow:
    raised: RaisedProblem
    state: str = ""
    solved: bool = False

    @property
    def state_label(self) -> str:
        return frontline.state_labels().get(self.state, "")


def raised_rows(term: InstructorTerm) -> list[RaisedRow]:
    """The term's raised problems with their state in the loop: two queries."""
    rows = list(term.raised_problems.select_related("log"))
    states = frontline.problem_counts(r.problem_id for r in rows)
    return [RaisedRow(r, *states.get(r.problem_id, ("", False))) for r in rows]


def current_term(user) -> InstructorTerm | None:
    """The member's appointed term (an instructor is stationed in one village at a time)."""
    return terms_for_list(user).appointed().order_by("-starts_on").first()


@dataclass
class UnitRow:
    unit: object
    rows: list[TermRow] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for r in self.rows if r.month.compliance == Compliance.MET)

    @property
    def short(self) -> int:
        return sum(1 for r in self.rows if r.month.compliance == Compliance.SHORT)

    @property
    def logged(self) -> int:
        return sum(r.month.logged for r in self.rows)

    @property
    def required(self) -> int:
        return sum(r.month.required for r in self.rows)


def city_units(user):
    """The units with an appointed term the reader sees, in the city view's order (a page of
    them at a time: a province has a thousand such units)."""
    appointed = InstructorTerm.objects.visible_to(user).appointed().order_by()
    return Unit.objects.filter(pk__in=appointed.values("unit_id")).order_by("sort_order", "pk")


def city(user, today: datetime.date, units=None) -> list[UnitRow]:
    """The appointed terms per unit (of `units`, when given), with this month's days against
    the required days."""
    terms = terms_for_list(user).appointed()
    if units is not None:
        terms = terms.filter(unit__in=list(units))
    rows = term_rows(terms.order_by("unit__sort_order", "unit_id", "member_id"), today)
    by_unit: dict[int, UnitRow] = {}
    for row in rows:
        by_unit.setdefault(row.term.unit_id, UnitRow(row.term.unit)).rows.append(row)
    return list(by_unit.values())


def logged_total(term: InstructorTerm) -> int:
    return term.logs.aggregate(n=Sum("days"))["n"] or 0
