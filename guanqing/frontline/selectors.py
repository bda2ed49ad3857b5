"""Reads of the problem loop that pages, the API and the services agree on: a unit's queue (due
soon first), the committee's dispatch desk, and a problem's timeline."""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.frontline.choices import OPEN_STATES, ProblemState
from guanqing.frontline.models import Extension, Problem, ProblemEvent

ESCALATED_STATES = (ProblemState.ASSIGNED, ProblemState.RETURNED, ProblemState.HANDLING)
UNIT_QUEUE_STATES = (ProblemState.ASSIGNED, ProblemState.HANDLING)


# what the queue and the desk show of a problem (reading every column costs more than the query)
LIST_COLUMNS = (
    "public_id",
    "title",
    "state",
    "source",
    "urgency",
    "received_on",
    "deadline",
    "urged_on",
    "noticed_on",
    "category__name",
    "unit__name",
)


def _due_first(queryset: QuerySet) -> QuerySet:
    return queryset.only(*LIST_COLUMNS).order_by(
        F("deadline").asc(nulls_last=True), "received_on", "pk"
    )


def problem_queue(user) -> QuerySet:
    """The open problems `user` sees, due soon first. A unit administrator's queue is what its unit
    must handle now (assigned to it, being handled); one it sent back is the committee's."""
    queryset = Problem.objects.visible_to(user).open().select_related("category", "unit")
    if getattr(user, "role", None) == Role.UNIT_ADMIN:
        queryset = queryset.filter(unit_id=user.unit_id, state__in=UNIT_QUEUE_STATES)
    return _due_first(queryset)


def _due_key(problem: Problem) -> tuple:
    """A problem's place in `_due_first`'s order."""
    return (problem.deadline is None, problem.deadline, problem.received_on, problem.pk)


class FirstDue:
    """The problems of several querysets (one a state) in `_due_first`'s order, read as their
    first n (`[:n]`): the first n of each, merged. Each state is read from the (state, deadline)
    index in its order; one query over all of them sorted every overdue problem of a province
    (11,000: 32 ms) to show the first twenty (three queries: 2 ms each)."""

    def __init__(self, querysets: Sequence[QuerySet]):
        self.querysets = [_due_first(queryset) for queryset in querysets]

    def count(self) -> int:
        return sum(queryset.count() for queryset in self.querysets)

    def ids(self, n: int) -> list[int]:
        """The ids of the first n, reading only what orders them."""
        firsts = [
            list(
                queryset.values_list(
                    Q(deadline__isnull=True), "deadline", "received_on", "pk", named=False
                )[:n]
            )
            for queryset in self.querysets
        ]
        return [row[-1] for row in heapq.merge(*firsts)][:n]

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.start or key.step or key.stop is None:
            raise TypeError("FirstDue gives its first n problems only: [:n]")
        firsts = [list(queryset[: key.stop]) for queryset in self.querysets]
        return list(heapq.merge(*firsts, key=_due_key))[: key.stop]

    def __iter__(self):
        return heapq.merge(*self.querysets, key=_due_key)

    def exists(self) -> bool:
        return any(queryset.exists() for queryset in self.querysets)


@dataclass(frozen=True)
class DispatchDesk:
    unassigned: QuerySet  # received, waiting to be dispatched
    returned: QuerySet  # sent back by a unit, waiting to be reassigned
    overdue: FirstDue  # with a unit (or sent back) past their deadline
    noticed: QuerySet  # on the 通报 list and still open


def dispatch_desk(today: datetime.date | None = None) -> DispatchDesk:
    """The committee's desk (the committee sees every problem)."""
    today = today or business_date()
    problems = Problem.objects.select_related("category", "unit")
    return DispatchDesk(
        unassigned=_due_first(problems.filter(state=ProblemState.RECEIVED)),
        returned=_due_first(problems.filter(state=ProblemState.RETURNED)),
        overdue=FirstDue(
            [problems.filter(state=state, deadline__lt=today) for state in ESCALATED_STATES]
        ),
        noticed=problems.filter(state__in=OPEN_STATES, noticed_on__isnull=False)
        .only(*LIST_COLUMNS)
        .order_by("noticed_on", "deadline", "pk"),
    )


def waiting_extensions(problems: QuerySet) -> QuerySet:
    """The extensions asked for `problems` that still wait for the committee's decision."""
    return Extension.objects.filter(
        decision="", problem__in=problems.filter(state=ProblemState.HANDLING)
    )


def first_ids(rows: QuerySet | FirstDue, n: int) -> list[int]:
    """The ids of a desk list's first n problems, in its order."""
    if isinstance(rows, FirstDue):
        return rows.ids(n)
    return list(rows.values_list("pk", flat=True)[:n])


def problem_timeline(problem: Problem, public_only: bool = False) -> QuerySet:
    """The problem's steps in order; `public_only` gives what the reporter is shown."""
    events = ProblemEvent.objects.filter(problem=problem).select_related("unit", "actor")
    if public_only:
        events = events.filter(public=True)
    return events.order_by("on", "at", "pk")
