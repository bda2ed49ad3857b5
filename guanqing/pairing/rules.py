"""Compliance of 结对帮困 pairings (谈 each quarter, 访 in two festival windows), derived in one place.

Pure functions over plain frozen dataclasses: the database layer feeds them from one query, the
boards, the to-do list, the compliance endpoint and `guanqing tick` all call them, and nothing they
compute is ever stored — a stored "overdue" flag drifts the day after it is written.

All dates are Asia/Shanghai business dates and every range is inclusive at both ends.

Decisions taken where the issue is silent (each one is tested in tests/test_rules.py):

- One grace rule for every period, quarters and festival windows alike: a pairing owes a period
  when it is active on all of it, or on more than `grace_days` days of it. For a quarter this is
  the issue's "starts in the last 30 days owes nothing"; it applies the same way to a pairing that
  starts inside a festival window and, symmetrically, to one that ends within the first
  `grace_days` days of a period (a family that moved away on the fifth day of a quarter leaves
  nothing to be late for). "Covers all of it" keeps a window shorter than `grace_days` owed by
  the pairings that were there throughout.
- A pairing that ends inside a period it owes must be done by its last day: after that no visit
  can be logged, so it is overdue from the next day, not at the end of the period.
- `done` wins over every other status: a duty met is shown as met, even where it was not owed.
- Visits dated after `today` are ignored, so a board can be replayed as of any past date.
- On a handover day where the stored terms overlap, the term that started last (the successor)
  holds the pairing, so either convention for the predecessor's last day gives the same answer.
"""

from __future__ import annotations

import datetime
import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.utils.translation import gettext_lazy as _

from guanqing.core.calendar.workdays import lantern_festival
from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.pairing.access import access

K = TypeVar("K")

VISIT_KINDS = frozenset({"talk", "brief", "festival", "help", "support"})
MonthDay = tuple[int, int]


class PeriodKind(enum.StrEnum):
    QUARTER = "quarter"
    NEW_YEAR = "new_year"
    JULY = "july"


class Status(enum.StrEnum):
    DONE = "done"
    NOT_OWED = "not_owed"
    UPCOMING = "upcoming"
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


# The statuses that still ask something of the member; the to-do list and the reminders use them.
OPEN_STATUSES = frozenset({Status.DUE, Status.DUE_SOON, Status.OVERDUE})

# Which kind of visit meets which period's duty.
REQUIRED_KIND = {
    PeriodKind.QUARTER: "talk",
    PeriodKind.NEW_YEAR: "festival",
    PeriodKind.JULY: "festival",
}


def _check_month_day(name: str, value: MonthDay) -> None:
    # A non-leap year, so 29 February — a window that would vanish three years in four — is refused.
    try:
        month, day = value
        datetime.date(2001, month, day)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a (month, day) that exists every year, got {value!r}"
        ) from exc


@dataclass(frozen=True)
class ComplianceConfig:
    """What the committee may change; the defaults are the issue's."""

    quarterly_talk_minimum: int = 1
    new_year_start: MonthDay = (1, 1)
    # None: the window ends on 正月十五 of the same year, which moves every year.
    new_year_end: MonthDay | None = None
    july_start: MonthDay = (6, 1)
    july_end: MonthDay = (7, 1)
    grace_days: int = 30
    due_soon_days: int = 14

    def __post_init__(self) -> None:
        if self.quarterly_talk_minimum < 1:
            raise ValueError("quarterly_talk_minimum must be at least 1")
        if self.grace_days < 0 or self.due_soon_days < 0:
            raise ValueError("grace_days and due_soon_days cannot be negative")
        _check_month_day("new_year_start", self.new_year_start)
        _check_month_day("july_start", self.july_start)
        _check_month_day("july_end", self.july_end)
        if tuple(self.july_end) < tuple(self.july_start):
            raise ValueError("the July window cannot end before it starts")
        if self.new_year_end is not None:
            _check_month_day("new_year_end", self.new_year_end)
            if tuple(self.new_year_end) < tuple(self.new_year_start):
                raise ValueError("the New Year window cannot end before it starts")


DEFAULT_CONFIG = ComplianceConfig()


@dataclass(frozen=True)
class Period:
    """A stretch of days that carries one duty; hashable, so a board can be keyed by it."""

    kind: PeriodKind
    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PeriodKind(self.kind))
        if self.end < self.start:
            raise ValueError(f"a period cannot end ({self.end}) before it starts ({self.start})")

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == PeriodKind.QUARTER:
            return f"{year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.NEW_YEAR:
            return f"{year} 元旦春节"
        return f"{year} 七一"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Term:
    """One holder's stretch of a pairing; a relay (接力棒) adds a term, it never rewrites one.

    `member_id` is None for a pairing held by a whole unit; `ends_on` is the last day held, None
    while it runs.
    """

    member_id: int | None
    starts_on: datetime.date
    ends_on: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError(
                f"a term cannot end ({self.ends_on}) before it starts ({self.starts_on})"
            )

    def holds_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class VisitFact:
    """What compliance needs to know of a visit: its business date, its kinds, who went."""

    date: datetime.date
    kinds: frozenset[str]
    member_ids: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        # Callers hand in lists and sets; freezing them here keeps the facts hashable.
        object.__setattr__(self, "kinds", frozenset(self.kinds))
        object.__setattr__(self, "member_ids", frozenset(self.member_ids))
        unknown = self.kinds - VISIT_KINDS
        if unknown:
            raise ValueError(f"unknown visit kinds {sorted(unknown)}; known: {sorted(VISIT_KINDS)}")


@dataclass(frozen=True)
class PairingFacts:
    """One pairing's whole story as plain data; `ended_on` is its last active day."""

    started_on: datetime.date
    ended_on: datetime.date | None = None
    terms: tuple[Term, ...] = ()
    visits: tuple[VisitFact, ...] = ()

    def __post_init__(self) -> None:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError(
                f"a pairing cannot end ({self.ended_on}) before it starts ({self.started_on})"
            )
        object.__setattr__(self, "terms", tuple(sorted(self.terms, key=lambda t: t.starts_on)))
        object.__setattr__(self, "visits", tuple(self.visits))

    def is_active_on(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


# --- periods ------------------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = datetime.date(day.year, first_month, 1)
    if first_month == 10:
        end = datetime.date(day.year, 12, 31)
    else:
        end = datetime.date(day.year, first_month + 3, 1) - datetime.timedelta(days=1)
    return Period(start=start, end=end, kind=PeriodKind.QUARTER)


def quarters(year: int) -> tuple[Period, Period, Period, Period]:
    q1, q2, q3, q4 = (quarter_of(datetime.date(year, month, 1)) for month in (1, 4, 7, 10))
    return q1, q2, q3, q4


@functools.lru_cache(maxsize=256)
def _lantern_festival(year: int) -> datetime.date:
    # lunar-python is slow enough to matter when a board computes thousands of statuses.
    return lantern_festival(year)


def festival_windows(year: int, config: ComplianceConfig = DEFAULT_CONFIG) -> tuple[Period, Period]:
    """(New Year / Spring Festival window, pre-1 July window) of `year`."""
    new_year_start = datetime.date(year, *config.new_year_start)
    if config.new_year_end is None:
        new_year_end = _lantern_festival(year)
    else:
        new_year_end = datetime.date(year, *config.new_year_end)
    if new_year_end < new_year_start:
        raise ValueError(
            f"the New Year window of {year} would start on {new_year_start}, after 正月十五 "
            f"({new_year_end}); move its start earlier or give it a fixed end"
        )
    return (
        Period(start=new_year_start, end=new_year_end, kind=PeriodKind.NEW_YEAR),
        Period(
            start=datetime.date(year, *config.july_start),
            end=datetime.date(year, *config.july_end),
            kind=PeriodKind.JULY,
        ),
    )


def periods_of_year(year: int, config: ComplianceConfig = DEFAULT_CONFIG) -> tuple[Period, ...]:
    """Every period of a year that carries a duty: the compliance endpoint's rows, in order."""
    periods = (*quarters(year), *festival_windows(year, config))
    # A quarter before the window that opens on the same day: the table reads Q1, 元旦春节, Q2, 七一, ...
    return tuple(sorted(periods, key=lambda p: (p.start, p.kind != PeriodKind.QUARTER)))


# --- who holds the pairing, and who gets the credit ---------------------------------------------


def holder_on(facts: PairingFacts, day: datetime.date) -> int | None:
    """The member holding the pairing on `day`; on an overlapping handover day, the successor.

    Nobody holds a pairing outside its active days, even if its last term was left open.
    """
    if not facts.is_active_on(day):
        return None
    holding = [term for term in facts.terms if term.holds_on(day)]
    if not holding:
        return None
    return max(holding, key=lambda term: term.starts_on).member_id


def credited_member(facts: PairingFacts, visit: VisitFact) -> int | None:
    """Credit follows the term, not the participants, so a relay never moves past credit.

    A visit before the handover's effective date counts for the predecessor, one on or after it for
    the successor; a colleague who came along does not take it.
    """
    return holder_on(facts, visit.date)


def deadline(facts: PairingFacts, period: Period) -> datetime.date:
    """The period's end, or the pairing's if earlier: after it no visit can be logged to meet it."""
    if facts.ended_on is not None and facts.ended_on < period.end:
        return max(facts.ended_on, period.start)
    return period.end


def duty_holder(facts: PairingFacts, period: Period) -> int | None:
    """Whoever holds the pairing when the duty falls due answers for it (the issue's relay rule).

    So a successor who takes over in the last week of a quarter answers for that quarter: the
    handover is the moment to check the duty, not after it. A period the pairing never touched
    has no holder.
    """
    if _active_days(facts, period) == 0:
        return None
    return holder_on(facts, deadline(facts, period))


# --- what is owed, and how it stands ------------------------------------------------------------


def _active_days(facts: PairingFacts, period: Period) -> int:
    first = max(facts.started_on, period.start)
    last = period.end if facts.ended_on is None else min(facts.ended_on, period.end)
    return max(0, (last - first).days + 1)


def owes(facts: PairingFacts, period: Period, config: ComplianceConfig = DEFAULT_CONFIG) -> bool:
    """A pairing owes a period it was active on all of, or on more than `grace_days` days of.

    Too short a stretch cannot fairly carry a visit: the issue says so for a pairing that starts in
    the last 30 days of a quarter, and the same reasoning holds for one that starts late in a
    festival window or ends early in a period (see the module docstring).
    """
    active = _active_days(facts, period)
    return active > 0 and (active == period.days or active > config.grace_days)


def eligible_visits(
    facts: PairingFacts, period: Period, today: datetime.date | None = None
) -> tuple[VisitFact, ...]:
    """The visits that meet the period's duty; `today` hides those not yet made as of that date."""
    kind = REQUIRED_KIND[period.kind]
    last = period.end if today is None else min(period.end, today)
    return tuple(v for v in facts.visits if period.start <= v.date <= last and kind in v.kinds)


def required_count(period: Period, config: ComplianceConfig = DEFAULT_CONFIG) -> int:
    # The issue lets the committee change the quarterly minimum only; a festival window wants one.
    return config.quarterly_talk_minimum if period.kind == PeriodKind.QUARTER else 1


def is_done(
    facts: PairingFacts,
    period: Period,
    today: datetime.date | None = None,
    config: ComplianceConfig = DEFAULT_CONFIG,
) -> bool:
    return len(eligible_visits(facts, period, today)) >= required_count(period, config)


def days_left(facts: PairingFacts, period: Period, today: datetime.date) -> int:
    """Days left to meet the duty, counting today: 1 on the last day, 0 once it is past."""
    return max(0, (deadline(facts, period) - today).days + 1)


def status(
    facts: PairingFacts,
    period: Period,
    today: datetime.date,
    config: ComplianceConfig = DEFAULT_CONFIG,
) -> Status:
    """How the pairing stands for the period as of `today`; computed every time, never stored."""
    if is_done(facts, period, today, config):
        return Status.DONE
    if not owes(facts, period, config):
        return Status.NOT_OWED
    if today < period.start:
        return Status.UPCOMING
    if today > deadline(facts, period):
        return Status.OVERDUE
    if days_left(facts, period, today) <= config.due_soon_days:
        return Status.DUE_SOON
    return Status.DUE


def year_statuses(
    facts: PairingFacts,
    year: int,
    today: datetime.date,
    config: ComplianceConfig = DEFAULT_CONFIG,
) -> dict[Period, Status]:
    return {
        period: status(facts, period, today, config) for period in periods_of_year(year, config)
    }


# --- a member's view ------------------------------------------------------------------------------


def member_done_count(
    facts: PairingFacts,
    member_id: int,
    period: Period,
    today: datetime.date | None = None,
) -> int:
    """The member's own eligible visits in the period, as credited across a relay."""
    return sum(
        1
        for visit in eligible_visits(facts, period, today)
        if credited_member(facts, visit) == member_id
    )


@dataclass(frozen=True)
class Duty(Generic[K]):
    """One row of a member's to-do list; `pairing` is the caller's key (usually the pairing id)."""

    pairing: K
    period: Period
    status: Status
    deadline: datetime.date


def member_todo(
    pairings: Mapping[K, PairingFacts],
    member_id: int,
    periods: Iterable[Period],
    today: datetime.date,
    config: ComplianceConfig = DEFAULT_CONFIG,
) -> list[Duty[K]]:
    """The open duties the member answers for, most pressing first.

    A duty is the member's when they hold the pairing at its deadline (see `duty_holder`), so a
    predecessor's list drops a pairing on handover and the successor's gains it.
    """
    periods = tuple(periods)
    duties = []
    for key, facts in pairings.items():
        for period in periods:
            if duty_holder(facts, period) != member_id:
                continue
            current = status(facts, period, today, config)
            if current in OPEN_STATUSES:
                duties.append(Duty(key, period, current, deadline(facts, period)))
    duties.sort(key=lambda duty: (duty.deadline, duty.period.kind, str(duty.pairing)))
    return duties


# --- rates ---------------------------------------------------------------------------------------


def compliance_rate(statuses: Iterable[Status | str]) -> float | None:
    """done / (done + overdue), or None when there is nothing to rate.

    Only settled duties count: `done` (met, even inside a running period) and `overdue` (missed).
    `due` and `due_soon` are left out so that a quarter is not scored as failing on its first day;
    `not_owed` and `upcoming` owe nothing. None rather than 0 or 1 keeps "no data" from reading as a
    perfect or a failed score on a board.
    """
    done = overdue = 0
    for value in statuses:
        value = Status(value)
        if value == Status.DONE:
            done += 1
        elif value == Status.OVERDUE:
            overdue += 1
    return rate_of(done, overdue)


def rate_of(done: int, overdue: int) -> float | None:
    """`compliance_rate` from the two counts it depends on (a board counts in the database)."""
    if done + overdue == 0:
        return None
    return done / (done + overdue)


# --- lifecycles ----------------------------------------------------------------------------------
#
# A pairing is active until it ends; a handover (接力) passes it to another member of the unit and
# leaves it active. A partnership (结对共建) is active until the committee ends it. Neither keeps
# its state in a column: it is whether `ended_on` is set (`pairing_state`, `partnership_state`).
# A partnership project's status (planned, underway, done) is the unit's own account and may be
# corrected either way, so it has no lifecycle table.

ACTIVE = "active"
ENDED = "ended"

PAIRING_STATES = ((ACTIVE, _("在结对")), (ENDED, _("已结束")))
PARTNERSHIP_STATES = ((ACTIVE, _("共建中")), (ENDED, _("已结束")))


def pairing_state(pairing) -> str:
    return ACTIVE if pairing.ended_on is None else ENDED


def partnership_state(partnership) -> str:
    return ACTIVE if partnership.ended_on is None else ENDED


PAIRING = Lifecycle(
    "pairing",
    [
        Step("handover", {ACTIVE}, ACTIVE, roles=access.roles("manage"), label=_("交接")),
        Step("end", {ACTIVE}, ENDED, roles=access.roles("manage"), label=_("结束结对")),
    ],
    states=PAIRING_STATES,
)

PARTNERSHIP = Lifecycle(
    "partnership",
    [
        Step(
            "end",
            {ACTIVE},
            ENDED,
            roles=access.roles("partnership_admin"),
            label=_("结束结对共建"),
        ),
    ],
    states=PARTNERSHIP_STATES,
)
