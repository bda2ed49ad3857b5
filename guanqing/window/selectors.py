"""Reads of the cases that pages, the API and the services agree on: a case's clock (derived, never
stored), a clerk's queue (due soon first), the case's timeline, and who is barred from 容缺.

The clock of a case is derived from its acceptance date, its version's limits, its pauses and today:
`case_clock(case)`. For a list, `with_clocks(cases)` computes it for each row from the pauses
prefetched with the rows (`clerk_queue` prefetches them), so a page of any length costs the same
few queries.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from guanqing.core import sensitive
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date, workdays_between
from guanqing.core.roles import Role
from guanqing.window import rules
from guanqing.window.choices import DONE_STATES, OPEN_STATES, CaseState
from guanqing.window.models import Case, CaseEvent, CaseMissingMaterial, CasePause, WindowSettings

# ---------------------------------------------------------------------------------------------
# The clock
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseClock:
    """Where a case stands on its clock. `timing` and `remaining_workdays` are None where they do
    not apply (no clock yet, refused, terminated; remaining once completed)."""

    deadline: datetime.date | None
    statutory_deadline: datetime.date | None
    workdays_used: int | None
    paused_workdays: int
    remaining_workdays: int | None
    timing: rules.Timing | None
    # A year the official calendar does not hold yet (e.g. next year's, in December, before the
    # State Council's notice is entered): the deadlines shown are the ones stored when the case
    # was last moved, and the working days left are unknown (None) rather than guessed.
    missing_year: int | None = None

    @property
    def early(self) -> bool:
        """提前办结: completed before the promised deadline."""
        return self.timing == rules.Timing.EARLY

    @property
    def due_soon(self) -> bool:
        return self.timing == rules.Timing.DUE_SOON

    @property
    def overdue(self) -> bool:
        return self.timing == rules.Timing.OVERDUE


NO_CLOCK = CaseClock(None, None, None, 0, None, None)


def _pauses_of(case: Case) -> list[rules.Pause]:
    """The case's pauses, from the prefetched rows when there are some."""
    cached = getattr(case, "_prefetched_objects_cache", {}).get("pauses")
    rows = cached if cached is not None else case.pauses.all()
    return sorted((p.started_on, p.ended_on) for p in rows)


def case_clock(
    case: Case,
    *,
    today: datetime.date | None = None,
    due_soon_workdays: int | None = None,
    pauses: Iterable[rules.Pause] | None = None,
) -> CaseClock:
    """The case's clock as of `today`: the deadline moved by its pauses (a running one counts up to
    today), the working days used (pauses excluded) and how it stands against the deadline."""
    if case.accepted_on is None or case.state == CaseState.REFUSED:
        return NO_CLOCK
    today = today or business_date()
    if due_soon_workdays is None:
        due_soon_workdays = WindowSettings.current().due_soon_workdays
    pauses = list(_pauses_of(case) if pauses is None else pauses)
    version = case.version
    if case.state in OPEN_STATES:
        return _open_clock(case, version, pauses, today, due_soon_workdays)
    end = case.completed_on if case.state in DONE_STATES else case.terminated_on
    end = max(end or today, case.accepted_on)
    deadline = case.deadline
    timing = None
    if case.state in DONE_STATES and case.completed_on is not None and deadline is not None:
        timing = rules.timing(deadline=deadline, completed_on=case.completed_on, today=today)
    return CaseClock(
        deadline=deadline,
        statutory_deadline=case.statutory_deadline,
        workdays_used=rules.workdays_used(case.accepted_on, end, pauses),
        paused_workdays=rules.paused_workdays(pauses, until=end),
        remaining_workdays=None,
        timing=timing,
    )


def _open_clock(case, version, pauses, today, due_soon_workdays) -> CaseClock:
    """The clock of an accepted or paused case. A deadline in a year the calendar does not hold
    yet leaves the stored deadlines in place and the working days left unknown; the case still
    counts as on track when the working days left in the years the calendar holds already exceed
    the due-soon limit, and as due soon otherwise (never quietly on track)."""
    end = max(today, case.accepted_on)
    used = rules.workdays_used(case.accepted_on, end, pauses)
    paused = rules.paused_workdays(pauses, until=end)
    try:
        deadline = rules.deadline(case.accepted_on, version.promised_workdays, pauses, today=end)
    except CalendarYearMissing as exc:
        return _clock_past_the_calendar(
            case, used, paused, today, due_soon_workdays, exc.year, case.deadline
        )
    try:
        statutory = rules.deadline(case.accepted_on, version.statutory_workdays, pauses, today=end)
        missing = None
    except CalendarYearMissing as exc:
        statutory, missing = case.statutory_deadline, exc.year
    return CaseClock(
        deadline=deadline,
        statutory_deadline=statutory,
        workdays_used=used,
        paused_workdays=paused,
        remaining_workdays=rules.remaining_workdays(deadline, today),
        timing=rules.timing(deadline=deadline, today=today, due_soon_workdays=due_soon_workdays),
        missing_year=missing,
    )


def _clock_past_the_calendar(case, used, paused, today, due_soon_workdays, year, deadline):
    known_end = datetime.date(year - 1, 12, 31)
    left_at_least = workdays_between(today, known_end) if today <= known_end else 0
    timing = rules.Timing.OPEN if left_at_least > due_soon_workdays else rules.Timing.DUE_SOON
    return CaseClock(
        deadline=deadline,
        statutory_deadline=case.statutory_deadline,
        workdays_used=used,
        paused_workdays=paused,
        remaining_workdays=None,
        timing=timing,
        missing_year=year,
    )


def missing_calendar_year(cases: Iterable[Case]) -> int | None:
    """The first year the listed cases' clocks needed and the calendar lacks (for one notice)."""
    return min((c.clock.missing_year for c in cases if c.clock.missing_year), default=None)


def with_clocks(cases: Iterable[Case], *, today: datetime.date | None = None) -> list[Case]:
    """The cases, each with `.clock` (its `CaseClock`): the settings are read once, the pauses
    come from each row's prefetched ones (see `clerk_queue`)."""
    today = today or business_date()
    due_soon = WindowSettings.current().due_soon_workdays
    rows = list(cases)
    for case in rows:
        case.clock = case_clock(case, today=today, due_soon_workdays=due_soon)
    return rows


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------


def cases_for_list(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """What a list of cases shows with each row: the window, the matter, the clerk, the pauses
    (for the clock) and the 容缺 materials still missing. Constant queries for any page."""
    return queryset.select_related("window", "version__matter", "handled_by").prefetch_related(
        Prefetch("pauses", queryset=CasePause.objects.order_by("started_on", "id")),
        _outstanding_materials(),
    )


def _outstanding_materials() -> Prefetch:
    return Prefetch(
        "missing_materials",
        queryset=CaseMissingMaterial.objects.filter(supplied_on__isnull=True)
        .select_related("material")
        .order_by("material__sort_order", "id"),
        to_attr="outstanding_materials",
    )


# What the queue page shows of a case and its clock needs (`case_clock`), and the clerk's name:
# the other columns of the case, its window and its matter are left in the table.
QUEUE_COLUMNS = (
    "receipt_no",
    "state",
    "applicant_name",
    "accepted_on",
    "deadline",
    "statutory_deadline",
    "completed_on",
    "terminated_on",
    "window__name",
    "version__promised_workdays",
    "version__statutory_workdays",
    "version__matter__name",
    "handled_by__username",
    "handled_by__display_name",
)


def cases_for_queue(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """The rows of the queue page: as `cases_for_list`, reading only the columns the page and the
    clock use (`QUEUE_COLUMNS`), and of the pauses only their dates."""
    return (
        queryset.select_related("window", "version__matter", "handled_by")
        .only(*QUEUE_COLUMNS)
        .prefetch_related(
            Prefetch(
                "pauses",
                queryset=CasePause.objects.only("case_id", "started_on", "ended_on").order_by(
                    "started_on", "id"
                ),
            ),
            _outstanding_materials(),
        )
    )


def clerk_queue(user) -> QuerySet[Case]:
    """The open cases `user` may see (a clerk: its windows'), the running ones first and among
    them the earliest deadline (overdue, then due soon) first; paused ones after, by deadline."""
    # "accepted" (running) sorts before "paused": ordered by the state column itself, with no
    # expression to sort by, a city-wide queue's first page is read off the (state, deadline,
    # accepted_on, id) index instead of sorting every open case
    return cases_for_queue(
        Case.objects.visible_to(user)
        .filter(state__in=OPEN_STATES)
        .order_by("state", "deadline", "accepted_on", "id")
    )


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    """The case's steps, oldest first, with who took them (None: the daily job)."""
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")


# ---------------------------------------------------------------------------------------------
# 容缺: who is barred
# ---------------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deferral_barred_until(
    *,
    id_number: str = "",
    credit_code: str = "",
    today: datetime.date | None = None,
    bar_months: int | None = None,
) -> datetime.date | None:
    """The day an applicant may again be accepted under 容缺, or None when it is not barred: a
    case of theirs terminated for a broken 容缺 promise bars them `deferral_bar_months` months."""
    if id_number:
        applicant = Q(id_number_hash=sensitive.lookup_hash(id_number))
    elif credit_code:
        applicant = Q(credit_code=credit_code)
    else:
        return None
    today = today or business_date()
    if bar_months is None:
        bar_months = WindowSettings.current().deferral_bar_months
    if not bar_months:
        return None
    last = (
        Case.objects.filter(applicant, state=CaseState.TERMINATED, terminated_on__isnull=False)
        .order_by("-terminated_on")
        .values_list("terminated_on", flat=True)
        .first()
    )
    if last is None:
        return None
    until = add_months(last, bar_months)
    return until if today < until else None


# ---------------------------------------------------------------------------------------------
# Who is told
# ---------------------------------------------------------------------------------------------


def window_clerk_ids_map(window_ids: Iterable[int]) -> dict[int, list[int]]:
    """{window id: the ids of its active clerks}, in one query."""
    from guanqing.window.models import Window

    result: dict[int, list[int]] = defaultdict(list)
    window_ids = set(window_ids)
    if not window_ids:
        return result
    rows = Window.clerks.through.objects.filter(
        window_id__in=window_ids, user__is_active=True, user__role=Role.WINDOW_CLERK
    ).values_list("window_id", "user_id")
    for window_id, user_id in rows:
        result[window_id].append(user_id)
    return result


def window_clerk_ids(window_id: int) -> list[int]:
    return window_clerk_ids_map([window_id]).get(window_id, [])


def unit_admin_ids_map(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """{unit id: the ids of its active unit administrators}, in one query."""
    from django.contrib.auth import get_user_model

    result: dict[int, list[int]] = defaultdict(list)
    unit_ids = set(unit_ids)
    if not unit_ids:
        return result
    rows = (
        get_user_model()
        .objects.filter(unit_id__in=unit_ids, role=Role.UNIT_ADMIN, is_active=True)
        .values_list("unit_id", "pk")
    )
    for unit_id, user_id in rows:
        result[unit_id].append(user_id)
    return result
