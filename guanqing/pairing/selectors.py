"""Reads of the pairing module: scope extensions for households, the holder of a pairing on a
date (relay credit, derived, never stored), the compliance settings in force, and the reads the
pages, the API and the home page share (a member's pairings now, who may record on a household,
the totals of a set of visits, the home page's counts)."""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from guanqing.core import counters
from guanqing.core.scope.querysets import register_scope_extension
from guanqing.pairing import counts
from guanqing.pairing.access import access
from guanqing.pairing.models import ComplianceSettings, Pairing, PairingTerm, Visit
from guanqing.registry.models import Member


def _households_of_my_unit(user) -> Q:
    """A unit administrator sees every household its unit is or was paired with."""
    return Q(pk__in=Pairing.objects.filter(unit_id=user.unit_id).values("household_id"))


def _households_i_hold(user) -> Q:
    """A member sees the households it holds a pairing with today."""
    held = PairingTerm.objects.filter(member_id=user.member_id, ends_on__isnull=True)
    return Q(pk__in=held.values("pairing__household_id"))


def register_household_scope() -> None:
    register_scope_extension("registry.household", "unit_admin", _households_of_my_unit)
    register_scope_extension("registry.household", "member", _households_i_hold)


def term_on(pairing: Pairing, day: datetime.date) -> PairingTerm | None:
    """The term covering `day`: whose duty and credit that day is."""
    return pairing.terms.on(day).select_related("member").first()


def current_term(pairing: Pairing) -> PairingTerm | None:
    return pairing.terms.filter(ends_on__isnull=True).select_related("member").first()


def _holder_on_visit_date(field: str):
    terms = (
        PairingTerm.objects.filter(
            pairing_id=OuterRef("pairing_id"), starts_on__lte=OuterRef("date")
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("date")))
        .order_by("-starts_on")
    )
    return Subquery(terms.values(field)[:1])


def with_holder(visits):
    """Annotate each visit with the member who held its pairing on its date (`holder_id`,
    `holder_name`): visits before a handover count for the predecessor, after it for the successor.
    A whole-unit term gives None."""
    return visits.annotate(
        holder_id=_holder_on_visit_date("member_id"),
        holder_name=_holder_on_visit_date("member__name"),
    )


def visits_credited_to(member_id: int, queryset=None):
    """The visits that count for `member_id`: those dated within its terms."""
    queryset = Visit.objects.all() if queryset is None else queryset
    return with_holder(queryset).filter(holder_id=member_id)


def compliance_settings() -> ComplianceSettings:
    """The settings in force: the committee's row, or the defaults until it saves one."""
    return ComplianceSettings.objects.order_by("pk").first() or ComplianceSettings()


COMPLIANCE_FIELDS = [
    "quarterly_talk_minimum",
    "new_year_window_start_month",
    "new_year_window_start_day",
    "new_year_window_ends_at_lantern",
    "new_year_window_end_month",
    "new_year_window_end_day",
    "july_window_start_month",
    "july_window_start_day",
    "july_window_end_month",
    "july_window_end_day",
    "grace_days",
    "due_soon_days",
]


def compliance_settings_values() -> dict:
    """The settings as plain data, for the pure rules in `guanqing.pairing.rules`."""
    current = compliance_settings()
    return {name: getattr(current, name) for name in COMPLIANCE_FIELDS}


# ---------------------------------------------------------------------------------------------
# What the pages show
# ---------------------------------------------------------------------------------------------


def current_rows(rows: list[dict], today: datetime.date) -> tuple[dict | None, dict | None]:
    """Of a pairing's year (`compliance.pairing_year`), this quarter's row and the festival
    window's: the one running today, else the last begun."""
    from guanqing.pairing.rules import PeriodKind

    quarter = next(
        (r for r in rows if r["kind"] == PeriodKind.QUARTER and r["start"] <= today <= r["end"]),
        None,
    )
    festivals = [r for r in rows if r["kind"] != PeriodKind.QUARTER and r["start"] <= today]
    festival = festivals[-1] if festivals else None
    return quarter, festival


def my_pairings_now(user, today: datetime.date) -> list[tuple[Pairing, dict | None, dict | None]]:
    """The user's active pairings (in its scope), each with this quarter's and the festival
    window's duty (`current_rows`)."""
    from guanqing.pairing import compliance

    pairings = (
        Pairing.objects.visible_to(user)
        .active()
        .select_related("household", "household__community", "unit")
        .order_by("household__head_name", "pk")
    )
    result = []
    for pairing in pairings:
        quarter, festival = current_rows(compliance.pairing_year(pairing, today.year, today), today)
        result.append((pairing, quarter, festival))
    return result


def unit_colleagues(pairing: Pairing):
    """The members of the pairing's unit, who may be named as its visit's participants.

    The pairing was read through `visible_to`, so its unit is one the user works with; for the
    committee and the unit administrator this is exactly the part of their member scope in that
    unit, and a member may name the colleagues who went with it (names only, nothing else)."""
    return (
        Member.objects.filter(unit_id=pairing.unit_id)
        .select_related("branch")
        .order_by("name", "pk")
    )


def recordable_pairings(user, household) -> list[Pairing]:
    """The household's active pairings the user may record a visit on: a member those it holds
    today, the committee and a unit administrator those in their scope."""
    if not access.allows(user, "record"):
        return []
    pairings = Pairing.objects.visible_to(user).active().filter(household=household)
    if access.allows(user, "mine"):
        pairings = pairings.filter(terms__member_id=user.member_id, terms__ends_on__isnull=True)
    return list(pairings.select_related("unit").order_by("unit__name", "pk"))


def visit_sums(visits) -> dict:
    """{count, cash, in_kind} of a set of visits (amounts in 元, 0 when there is none)."""
    sums = visits.order_by().aggregate(
        count=Count("pk"), cash=Sum("cash_amount"), in_kind=Sum("in_kind_value")
    )
    return {"count": sums["count"], "cash": sums["cash"] or 0, "in_kind": sums["in_kind"] or 0}


def visit_totals(visits, *, counted_span: tuple | None = None) -> dict:
    """人次, cash and in-kind of the whole filtered set: two queries, whatever its size. With
    `counted_span` (first, last day: the set is every visit of those days) they are read from
    the day counters instead (`pairing/counts.py`), a row a day rather than every visit."""
    from guanqing.pairing.figures import wan_yuan, yuan

    if counted_span is not None:
        first, last = counted_span
        count = counters.total(counts.VISITS, first, last)
        person_times = counters.total(counts.PERSON_TIMES, first, last)
        cash = counters.yuan_total(counts.CASH_FEN, first, last)
        in_kind = counters.yuan_total(counts.IN_KIND_FEN, first, last)
    else:
        sums = visit_sums(visits)
        through = Visit.participants.through.objects.filter(
            visit_id__in=visits.order_by().values("pk")
        )
        count, person_times = sums["count"], through.count()
        cash, in_kind = sums["cash"], sums["in_kind"]
    return {
        "visits": count,
        "person_times": person_times,
        "cash_yuan": yuan(cash),
        "cash_wan_yuan": wan_yuan(cash),
        "in_kind_yuan": yuan(in_kind),
        "in_kind_wan_yuan": wan_yuan(in_kind),
    }


# ---------------------------------------------------------------------------------------------
# The board's periods, and the home page's counts (each the number its link's page shows)
# ---------------------------------------------------------------------------------------------


def board_period_choices(today: datetime.date, config) -> list[tuple[str, str]]:
    """Quarters and festival windows of this year and last year that have begun, newest first."""
    from guanqing.pairing import compliance, rules

    periods = [
        period
        for year in (today.year - 1, today.year)
        for period in rules.periods_of_year(year, config)
        if period.start <= today
    ]
    periods.sort(key=lambda p: (p.start, p.kind != rules.PeriodKind.QUARTER), reverse=True)
    return [(compliance.period_key(p), compliance.period_label(p)) for p in periods]


def default_board_period(keys: list[str], today: datetime.date, config) -> str:
    """The board's period when none is asked for: the newest that has ended, the one whose misses
    are already overdue."""
    from guanqing.pairing import compliance

    ended = [key for key in keys if compliance.parse_period(key, config).end < today]
    return ended[0] if ended else keys[0]


def unit_open_duties(user, today: datetime.date, config) -> list[dict]:
    """The overdue and due-soon duties of the user's unit, by open period (`compliance.
    open_periods`, newest first): [{period, label, status, count}], one query a period."""
    from guanqing.pairing import boards, compliance
    from guanqing.pairing.rules import Status

    pairings = Pairing.objects.visible_to(user).filter(unit_id=user.unit_id)
    found = []
    for period in reversed(compliance.open_periods(today, config)):
        counts = dict(boards.status_counts(pairings, period, today, config))
        for status in (Status.OVERDUE, Status.DUE_SOON):
            if counts.get(status.value):
                found.append(
                    {
                        "period": compliance.period_key(period),
                        "label": compliance.period_label(period),
                        "status": status.value,
                        "count": counts[status.value],
                    }
                )
    return found


def units_with(user, status: str, period, today: datetime.date, config) -> int:
    """How many units have a pairing of `status` in the period (the city board's unit rows); the
    committee's count is kept as a snapshot where counting is slow (core/snapshots.py)."""
    from guanqing.core import snapshots
    from guanqing.pairing import compliance

    pairings = Pairing.objects.visible_to(user)
    args = {"status": status, **compliance.city_board_args(period, today, config)}
    return snapshots.for_reader(
        pairings, UNITS_WITH, args, lambda: _units_with(pairings, status, period, today, config)
    ).value


UNITS_WITH = "pairing.units_with"


def _units_with(pairings, status: str, period, today: datetime.date, config) -> int:
    from guanqing.pairing import boards

    rows = boards.status_counts(pairings, period, today, config, "unit_id")
    return len({unit_id for unit_id, found, n in rows if found == status and n})


def units_with_of_every_pairing(*, status: str, period: str, today: str, config: str) -> int:
    """`units_with` over every pairing (the committee's home page), with today's settings."""
    from guanqing.pairing import compliance

    settings_now = compliance.current_config()
    period_now = compliance.parse_period(period, settings_now)
    day = datetime.date.fromisoformat(today)
    return _units_with(Pairing.objects.all(), status, period_now, day, settings_now)


def units_with_defaults(today: datetime.date) -> list[dict]:
    """The home page's count: units with an overdue duty in the board's default period."""
    from guanqing.pairing import compliance

    return [{"status": "overdue", **args} for args in compliance.city_board_defaults(today)]


def visits_between(user, first: datetime.date, last: datetime.date) -> int:
    """The user's visits (in its scope) dated `first` … `last`, as the visit list counts them."""
    return Visit.objects.visible_to(user).filter(date__gte=first, date__lte=last).count()


def person_times_between(user, first: datetime.date, last: datetime.date) -> int:
    """人次 of the user's visits dated `first` … `last` (one row per participant)."""
    visits = Visit.objects.visible_to(user).filter(date__gte=first, date__lte=last)
    through = Visit.participants.through.objects
    return through.filter(visit_id__in=visits.order_by().values("pk")).count()


ACTIVE = "pairing.active"


def active_pairings(user) -> int:
    """The pairings in the reader's scope not ended; the committee's count (a province's million
    pairings) is kept as a snapshot where counting is slow (core/snapshots.py)."""
    from guanqing.core import snapshots
    from guanqing.core.calendar.workdays import business_date

    pairings = Pairing.objects.visible_to(user)
    return snapshots.for_reader(
        pairings,
        ACTIVE,
        {"today": business_date().isoformat()},
        lambda: pairings.active().count(),
    ).value


def active_of_every_pairing(*, today: str) -> int:
    return Pairing.objects.active().count()


def active_defaults(today: datetime.date) -> list[dict]:
    return [{"today": today.isoformat()}]
