"""The compliance boards, computed by the database in one query each.

`rules.status` is the specification: a pure function of one pairing's facts. A board asks it of
every pairing of a unit or of the city, and at a province's scale (a million pairings, ten million
visits) loading the facts into Python costs far more than the question. So the boards translate
the rule into one SQL expression per period — a CASE over the pairing's dates and one indexed
EXISTS (or COUNT) over its visits — which the database evaluates where the rows are, and which
`tests/test_boards.py` checks against `rules.status` for generated pairings on both databases.

The translation, for a pairing active on at least one day of the period P (the caller's filter),
with `today`, the committee's `grace_days` and `due_soon_days` as constants:

- done      eligible visits (required kind, P.start ≤ date ≤ min(P.end, today)) ≥ required count
- not_owed  active on fewer than all of P's days and on no more than `grace_days` of them
- upcoming  today < P.start
- overdue   today > the deadline, the deadline being min(ended_on, P.end)
- due_soon  days left (deadline − today + 1) ≤ `due_soon_days`
- due       otherwise

in that order, as in `rules.status`. Everything that depends only on P and today is worked out
here in Python, so the database sees plain date comparisons against constants; the one
column-to-column comparison left (a pairing that both starts and ends inside P) uses `DaysBetween`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from guanqing.pairing import rules
from guanqing.pairing.models import PairingTerm, Visit
from guanqing.pairing.rules import ComplianceConfig, Period, Status

DAY = datetime.timedelta(days=1)


class DaysBetween(Func):
    """`later - earlier` in whole days, on PostgreSQL (date − date) and SQLite (julianday)."""

    output_field = IntegerField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def touching(queryset, period: Period):
    """The pairings active on at least one day of the period."""
    return queryset.filter(started_on__lte=period.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)
    )


def owes_condition(period: Period, config: ComplianceConfig) -> Q:
    """`rules.owes` for a pairing touching the period: active on all of it, or on more than
    `grace_days` of its days (⇔ last active day − first active day ≥ grace)."""
    grace = config.grace_days
    open_to_end = Q(ended_on__isnull=True) | Q(ended_on__gte=period.end)
    condition = Q(started_on__lte=period.start) & open_to_end  # the whole period
    if period.end >= period.start + grace * DAY:
        # from the period's first day to an end more than `grace` days later
        condition |= Q(started_on__lte=period.start, ended_on__gte=period.start + grace * DAY)
    # from a later start to the period's end
    condition |= Q(started_on__lte=period.end - grace * DAY) & open_to_end
    # starts and ends inside the period
    condition |= Q(started_on__gt=period.start, ended_on__lt=period.end, span__gte=grace)
    return condition


def _eligible_visits(period: Period, today: datetime.date):
    kind = rules.REQUIRED_KIND[period.kind]
    last = min(period.end, today)
    return Visit.objects.filter(
        pairing_id=OuterRef("pk"), date__gte=period.start, date__lte=last, **{kind: True}
    ).order_by()


def done_count_expression(period: Period, today: datetime.date):
    """How many visits meet the period's duty, as of `today` (a correlated COUNT)."""
    if today < period.start:
        return Value(0, output_field=IntegerField())
    visits = _eligible_visits(period, today)
    counted = visits.values("pairing_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def done_condition(
    period: Period, today: datetime.date, config: ComplianceConfig, *, counted: bool
):
    """`rules.is_done` as a condition: an EXISTS when one visit is enough, else on the
    `done_count` annotation (which the query then carries)."""
    if today < period.start:
        return None
    required = rules.required_count(period, config)
    if required == 1:
        # cheaper than the count even where the query selects it: it stops at the first visit
        return Exists(_eligible_visits(period, today))
    return Q(done_count__gte=required)


def deadline_expression(period: Period):
    """`rules.deadline` for a pairing touching the period: min(ended_on, P.end)."""
    return Case(
        When(ended_on__lt=period.end, then=F("ended_on")),
        default=Value(period.end),
        output_field=DateField(),
    )


def status_expression(
    period: Period, today: datetime.date, config: ComplianceConfig, *, counted: bool = False
):
    """`rules.status` for a pairing touching the period, as a CASE the database evaluates.

    The queryset must carry `span` (see `annotate_status`) and, with `counted`, `done_count`.
    """
    whens = []
    done = done_condition(period, today, config, counted=counted)
    if done is not None:
        whens.append(When(done, then=Value(Status.DONE.value)))
    whens.append(When(~owes_condition(period, config), then=Value(Status.NOT_OWED.value)))
    soon_from = today + (config.due_soon_days - 1) * DAY
    if today < period.start:
        default = Status.UPCOMING
    elif today > period.end:
        default = Status.OVERDUE
    else:
        whens.append(When(ended_on__lt=today, then=Value(Status.OVERDUE.value)))
        if period.end <= soon_from:
            default = Status.DUE_SOON
        else:
            whens.append(When(ended_on__lte=soon_from, then=Value(Status.DUE_SOON.value)))
            default = Status.DUE
    return Case(*whens, default=Value(default.value), output_field=CharField())


def annotate_status(
    queryset, period: Period, today: datetime.date, config: ComplianceConfig, *, counts=False
):
    """The pairings of `queryset` active in the period, each with `status` (and, with `counts`,
    `done_count` and `deadline`)."""
    queryset = touching(queryset, period).annotate(span=DaysBetween(F("ended_on"), F("started_on")))
    counted = counts or rules.required_count(period, config) > 1
    if counted:
        queryset = queryset.annotate(done_count=done_count_expression(period, today))
    if counts:
        queryset = queryset.annotate(deadline=deadline_expression(period))
    return queryset.annotate(status=status_expression(period, today, config, counted=counted))


def holder_expression(period: Period, column: str = "member_id", output_field=None):
    """The member holding the pairing at its deadline (`rules.duty_holder`): the term covering
    that day that started last; NULL for a whole-unit term. `column` picks what of it to read."""
    day = OuterRef("deadline")
    terms = (
        PairingTerm.objects.filter(pairing_id=OuterRef("pk"), starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-starts_on")
        .values(column)[:1]
    )
    return Subquery(terms, output_field=output_field or IntegerField())


def status_counts(queryset, period, today, config, *group_by: str) -> list[tuple]:
    """[(*group_by values, status, n)] for the pairings of `queryset` active in the period: one
    query, built by the ORM and its rows read straight from the cursor — a city board can have
    one for every unit, district and status (half a million at a province's scale), and the
    ORM's per-row conversions would cost more than the database's counting."""
    annotated = annotate_status(queryset.order_by(), period, today, config)
    counted = annotated.values(*group_by, "status").annotate(n=Count("pk"))
    query = counted.values_list(*group_by, "status", "n").query
    with connections[counted.db].cursor() as cursor:
        cursor.execute(*query.sql_with_params())
        return cursor.fetchall()


UNIT_ROW_KEYS = ("pk", "household", "status", "deadline", "done_count", "holder_id", "holder")
# Compiled unit-board queries by (database, scope's SQL and parameters, period, today, settings).
_compiled: dict[tuple, tuple[str, tuple]] = {}
COMPILED_KEPT = 256


def _unit_rows_sql(queryset, period, today, config) -> tuple[str, tuple]:
    annotated = annotate_status(queryset, period, today, config, counts=True).annotate(
        holder_id=holder_expression(period),
        holder=holder_expression(period, "member__name", CharField()),
    )
    columns = ("pk", "household__head_name", "status", "deadline", "done_count")
    return annotated.values_list(*columns, "holder_id", "holder").query.sql_with_params()


def unit_rows(queryset, period, today, config) -> list[dict]:
    """One row per pairing of `queryset` active in the period — {pk, household, status,
    deadline, done_count, holder_id, holder} — in one query.

    A unit's board is a small question (a few hundred pairings), where building the query in
    Python would cost more than answering it; so the compiled SQL is kept, keyed by everything it
    depends on: the scope's own SQL and parameters, the period, the business date and the
    committee's settings. A change to any of them compiles afresh.
    """
    scope = queryset.order_by()
    try:
        scope_sql = scope.query.sql_with_params()
    except EmptyResultSet:
        return []
    key = (scope.db, scope_sql[0], tuple(scope_sql[1]), period, today, config)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _unit_rows_sql(scope, period, today, config)
        if len(_compiled) >= COMPILED_KEPT:
            _compiled.clear()
        _compiled[key] = compiled
    with connections[scope.db].cursor() as cursor:
        cursor.execute(*compiled)
        rows = cursor.fetchall()
    return [
        {
            "pk": pk,
            "household": household,
            "status": status,
            "deadline": _as_date(deadline),
            "done_count": done_count,
            "holder_id": holder_id,
            "holder": holder,
        }
        for pk, household, status, deadline, done_count, holder_id, holder in rows
    ]


def _as_date(value) -> datetime.date:
    # SQLite hands the result of a CASE over dates back as ISO text.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value
