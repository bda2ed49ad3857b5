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
    to those units (a unit administrator's own). Six queries, whatever the size."""
    days = set(range(1, plan.days_per_session + 1))
    people = Participant.objects.filter(plan=plan)
    chosen = _unit_ids(units)
    if chosen is not None:
        people = people.filter(unit_id__in=chosen)
    rows = list(
        people.values_list("pk", "unit_id", "unit__name", "member__rank", "exempt").order_by(
            "unit__name", "unit_id"
        )
    )
    ids = [row[0] for row in rows]
    sessions = dict(
        Assignment.objects.filter(participant__plan=plan, participant_id__in=ids).values_list(
            "participant_id", "session_id"
        )
    )
    present = collections.defaultdict(set)
    missed_in = collections.defaultdict(set)
    records = Attendance.objects.filter(participant__plan=plan, participant_id__in=ids)
    for pid, session_id, number, status in records.values_list(
        "participant_id", "session_id", "day_number", "status"
    ):
        if status == AttendanceStatus.PRESENT:
            present[pid].add(number)
        else:
            missed_in[pid].add(session_id)
    made_up = set(
        MakeUp.objects.filter(participant__plan=plan, participant_id__in=ids).values_list(
            "participant_id", flat=True
        )
    )
    ranks = dict(Rank.choices)
    by_unit: dict[int, CompletionRow] = {}
    by_rank: dict[str, CompletionRow] = {}
    totals = CompletionRow("total", _("合计"))
    for pid, unit_id, unit_name, rank, exempt in rows:
        one = CompletionRow("", "")
        if exempt:
            one.exempt = 1
        else:
            one.required = 1
            session = sessions.get(pid)
            if session is not None:
                one.scheduled = 1
                if days <= present[pid]:
                    one.completed = 1
                elif session in missed_in[pid]:
                    one.absent = 1
            one.made_up = int(pid in made_up)
        unit_row = by_unit.setdefault(unit_id, CompletionRow(str(unit_id), unit_name))
        rank_row = by_rank.setdefault(rank, CompletionRow(rank, str(ranks.get(rank, rank))))
        for row in (unit_row, rank_row, totals):
            row.add(one)
    order = {value: index for index, value in enumerate(Rank.values)}
    return Completion(
        plan=plan,
        by_unit=list(by_unit.values()),
        by_rank=sorted(by_rank.values(), key=lambda r: order.get(r.key, len(order))),
        totals=totals,
    )
