"""Completion of a training plan, by unit and by rank (`completion(plan, units=None)`), for the
figures page, the API and reports.

For each participant on the plan's list:
- **exempt**: exempted by the committee (not required);
- **required**: everyone else; **scheduled**: required with a session and class;
- **completed**: present on every training day — day 1, day 2, … each present in its own session
  or in a make-up session (补训);
- **absent without make-up**: not completed, absent or excused on a day of the session it is in now
  (a make-up moves it to a later session, so a participant made up is no longer counted here);
- **made up**: moved to a make-up at least once (some of them completed since).
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Iterable

from django.utils.translation import gettext as _

from guanqing.registry.choices import Rank
from guanqing.training.choices import AttendanceStatus
from guanqing.training.models import Assignment, Attendance, MakeUp, Participant, Plan

COUNTS = ("required", "scheduled", "completed", "absent", "made_up", "exempt")


@dataclasses.dataclass
class CompletionRow:
    key: str
    label: str
    required: int = 0
    scheduled: int = 0
    completed: int = 0
    absent: int = 0
    made_up: int = 0
    exempt: int = 0

    @property
    def rate(self) -> int | None:
        """Completed as a whole percent of required (None when nobody is required)."""
        return round(100 * self.completed / self.required) if self.required else None

    def add(self, other: CompletionRow) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            **{name: getattr(self, name) for name in COUNTS},
            "rate": self.rate,
        }


@dataclasses.dataclass
class Completion:
    plan: Plan
    by_unit: list[CompletionRow]
    by_rank: list[CompletionRow]
    totals: CompletionRow


def _unit_ids(units) -> list[int] | None:
    if units is None:
        return None
    return [getattr(u, "pk", u) for u in units]


def completion(plan: Plan, units: Iterable | None = None) -> Completion:
    """The plan's completion counts by unit and by rank; `units` (ids or Unit rows) limits them
    to those units (a unit administrator's own). Four queries, whatever the size: the plan's
    people are chosen by a join on the plan (and the units), not by a list of their ids."""
    days = set(range(1, plan.days_per_session + 1))
    people = Participant.objects.filter(plan=plan)
    of_people = {"participant__plan": plan}
    chosen = _unit_ids(units)
    if chosen is not None:
        people = people.filter(unit_id__in=chosen)
        of_people["participant__unit_id__in"] = chosen
    rows = list(
        people.values_list("pk", "unit_id", "unit__name", "member__rank", "exempt").order_by(
            "unit__name", "unit_id"
        )
    )
    sessions = dict(
        Assignment.objects.filter(**of_people)
        .order_by()  # one per participant; the models' order would join and sort for nothing
        .values_list("participant_id", "session_id")
    )
    present = collections.defaultdict(set)
    missed_in = collections.defaultdict(set)
    records = Attendance.objects.filter(**of_people).order_by()
    for pid, session_id, number, status in records.values_list(
        "participant_id", "session_id", "day_number", "status"
    ):
        if status == AttendanceStatus.PRESENT:
            present[pid].add(number)
        else:
            missed_in[pid].add(session_id)
    made_up = set(
        MakeUp.objects.filter(**of_people).order_by().values_list("participant_id", flat=True)
    )
    # each participant's counts (in the order of COUNTS), tallied by unit and rank
    exempt_one = (0, 0, 0, 0, 0, 1)
    nothing: set = set()
    tally: collections.Counter = collections.Counter()
    unit_names: dict[int, str] = {}
    for pid, unit_id, unit_name, rank, exempt in rows:
        unit_names.setdefault(unit_id, unit_name)
        if exempt:
            tally[unit_id, rank, exempt_one] += 1
            continue
        session = sessions.get(pid)
        scheduled = completed = absent = 0
        if session is not None:
            scheduled = 1
            if days <= present.get(pid, nothing):
                completed = 1
            elif session in missed_in.get(pid, nothing):
                absent = 1
        one = (1, scheduled, completed, absent, int(pid in made_up), 0)
        tally[unit_id, rank, one] += 1
    ranks = dict(Rank.choices)
    by_unit: dict[int, CompletionRow] = {}
    by_rank: dict[str, CompletionRow] = {}
    totals = CompletionRow("total", _("合计"))
    sums = {"unit": {}, "rank": {}, "total": [0] * len(COUNTS)}
    for (unit_id, rank, one), n in tally.items():
        if unit_id not in by_unit:
            by_unit[unit_id] = CompletionRow(str(unit_id), unit_names[unit_id])
            sums["unit"][unit_id] = [0] * len(COUNTS)
        if rank not in by_rank:
            by_rank[rank] = CompletionRow(rank, str(ranks.get(rank, rank)))
            sums["rank"][rank] = [0] * len(COUNTS)
        for counts in (sums["unit"][unit_id], sums["rank"][rank], sums["total"]):
            for index, value in enumerate(one):
                counts[index] += value * n
    for rows_of, found in ((by_unit, sums["unit"]), (by_rank, sums["rank"])):
        for key, counts in found.items():
            for name, value in zip(COUNTS, counts, strict=True):
                setattr(rows_of[key], name, value)
    for name, value in zip(COUNTS, sums["total"], strict=True):
        setattr(totals, name, value)
    order = {value: index for index, value in enumerate(Rank.values)}
    return Completion(
        plan=plan,
        by_unit=list(by_unit.values()),
        by_rank=sorted(by_rank.values(), key=lambda r: order.get(r.key, len(order))),
        totals=totals,
    )


# The committee's completion of a plan (every unit), kept as a figures snapshot: at a province's
# scale a plan lists a hundred thousand cadres, counted in Python participant by participant.
CITY_COMPLETION = "training.completion"


def completion_of(user, plan: Plan, units: Iterable | None = None):
    """`completion(plan, units)` as a `snapshots.Snapshot`: the committee's kept one when it
    reads every unit, anyone else's (a unit administrator's own unit) counted now."""
    from guanqing.core import snapshots
    from guanqing.core.calendar.workdays import business_date

    readable = Participant.objects.visible_to(user)
    if units is not None:
        readable = readable.none()  # a chosen set of units is counted live
    return snapshots.for_reader(
        readable,
        CITY_COMPLETION,
        {"plan": plan.pk, "today": business_date().isoformat()},
        lambda: completion(plan, units=units),
    )


def register_snapshots() -> None:
    from guanqing.core import snapshots
    from guanqing.training.choices import PlanState

    def count(*, plan: int, today: str) -> Completion:
        return completion(Plan.objects.get(pk=plan))

    def defaults(today) -> list[dict]:
        newest = Plan.objects.exclude(state=PlanState.DRAFT).order_by("-year", "-id").first()
        return [{"plan": newest.pk, "today": today.isoformat()}] if newest else []

    snapshots.register(CITY_COMPLETION, count, warm=defaults)
