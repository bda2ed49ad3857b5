"""Why no schedule exists, in the users' words.

First the obvious counts: a cadre whom every session conflicts with, more cadres than seats. Then
each unit alone (its cadres, the share, leaders apart, their unavailable dates, capacity left out):
a unit with no schedule of its own is named with its numbers. Last, the constraint families are
relaxed one at a time on the whole plan; a family whose relaxation gives a schedule is named. A
bare "infeasible" is never the answer: when nothing single explains it, the message says so and
names the families that together make it impossible.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext_lazy as _

from guanqing.training import solver as sat

FAMILY_LABELS = {
    sat.SHARE: _("单位每期参训比例"),
    sat.LEADERS: _("正职与副职不同期"),
    sat.UNAVAILABILITY: _("无法参训日期"),
    sat.CAPACITY: _("每班人数上限"),
    sat.FIXED: _("人工固定的安排"),
}

# A reason is kept as its kind and its numbers and names, and put into words when it is read, in
# the reader's language (a plan's reasons are stored; an English reader reads them in English).
MESSAGES = {
    "person_blocked": _("%(person)s（%(unit)s）在全部 %(n)s 期都无法参加"),
    "too_few_seats": _(
        "须参训 %(n)s 人，而 %(sessions)s 期 × 每期 %(classes)s 个班 × 每班 %(cap)s 人只能容纳 %(seats)s 人"
    ),
    "unit_leaders": _(
        "%(unit)s 的正职和副职不能同期参训，而按他们无法参加的日期和 %(pct)s%% 的比例，只能排在同一期"
    ),
    "unit_fixed": _("%(unit)s 人工固定的安排已占满该单位的名额，其余干部排不进去"),
    "unit_share": _(
        "%(unit)s 有 %(n)s 名干部须参训，按 %(pct)s%% 的规定每期最多 %(cap)s 人，而他们在 %(sessions)s 期中有 %(blocked)s 期无法参加"
    ),
    "family_frees": _("放宽“%(family)s”后可以排出：请检查这一规则涉及的干部和单位"),
    "families_together": _(
        "没有一条规则单独造成无解：%(families)s 共同作用，请增加期次或班额，或放宽比例"
    ),
    "time_limit": _("在 %(n)s 秒内没有找到排期，请延长求解时限"),
}


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why there is no schedule: `kind` (a key of MESSAGES) and its values; a value under
    `family` is a family's code, under `families` a list of them (their labels are words too)."""

    kind: str
    values: dict[str, Any]

    def text(self) -> str:
        values = dict(self.values)
        if "family" in values:
            values["family"] = FAMILY_LABELS[values["family"]]
        if "families" in values:
            values["families"] = "、".join(str(FAMILY_LABELS[f]) for f in values["families"])
        return str(MESSAGES[self.kind]) % values

    def as_json(self) -> dict:
        return {"kind": self.kind, "values": self.values}

    @classmethod
    def from_json(cls, data: dict) -> Reason:
        return cls(data["kind"], dict(data["values"]))


def explain(problem: sat.Problem, *, time_limit: float = 5.0) -> list[str]:
    """Messages naming what makes the plan impossible (empty when it has a schedule), in the
    active language."""
    return [reason.text() for reason in reasons_for(problem, time_limit=time_limit)]


def reasons_for(problem: sat.Problem, *, time_limit: float = 5.0) -> list[Reason]:
    """What makes the plan impossible, as reasons to be put into words when read."""
    reasons: list[Reason] = []
    n_sessions = len(problem.sessions)

    # A cadre every session conflicts with.
    for person in problem.people:
        if (
            person.fixed is None
            and person.unavailable
            and all(sat.conflicts(s, person.unavailable) for s in problem.sessions)
        ):
            reasons.append(
                Reason(
                    "person_blocked",
                    {
                        "person": problem.person_name(person.id),
                        "unit": problem.unit_name(person.unit),
                        "n": n_sessions,
                    },
                )
            )

    seats = n_sessions * problem.classes_per_session * problem.class_capacity
    if len(problem.people) > seats:
        reasons.append(
            Reason(
                "too_few_seats",
                {
                    "n": len(problem.people),
                    "sessions": n_sessions,
                    "classes": problem.classes_per_session,
                    "cap": problem.class_capacity,
                    "seats": seats,
                },
            )
        )
    if reasons:
        return reasons

    # Each unit alone.
    by_unit: dict[int, list[sat.Person]] = {}
    for person in problem.people:
        by_unit.setdefault(person.unit, []).append(person)
    for unit, people in sorted(by_unit.items()):
        alone = dataclasses.replace(problem, people=tuple(people))
        if sat.solve(alone, time_limit=time_limit, relax=frozenset({sat.CAPACITY})).solved:
            continue
        reasons.append(_unit_reason(problem, alone, unit, people, time_limit))
    if reasons:
        return reasons

    # The families, one at a time, on the whole plan.
    freeing = [
        family
        for family in sat.FAMILIES
        if sat.solve(problem, time_limit=time_limit, relax=frozenset({family})).solved
    ]
    if freeing:
        return [Reason("family_frees", {"family": family}) for family in freeing]
    return [Reason("families_together", {"families": list(sat.FAMILIES)})]


def _unit_reason(problem, alone, unit, people, time_limit) -> Reason:
    name = problem.unit_name(unit)
    n = len(people)
    cap = sat.unit_cap(problem.unit_share, n)
    n_sessions = len(problem.sessions)
    blocked = sum(
        1 for s in problem.sessions if any(sat.conflicts(s, p.unavailable) for p in people)
    )
    relaxed_ok = {
        family: sat.solve(
            alone, time_limit=time_limit, relax=frozenset({sat.CAPACITY, family})
        ).solved
        for family in (sat.SHARE, sat.LEADERS, sat.UNAVAILABILITY, sat.FIXED)
    }
    if relaxed_ok[sat.LEADERS] and not relaxed_ok[sat.SHARE]:
        return Reason("unit_leaders", {"unit": name, "pct": round(problem.unit_share * 100)})
    if relaxed_ok[sat.FIXED] and not relaxed_ok[sat.SHARE]:
        return Reason("unit_fixed", {"unit": name})
    return Reason(
        "unit_share",
        {
            "unit": name,
            "n": n,
            "pct": round(problem.unit_share * 100),
            "cap": cap,
            "sessions": n_sessions,
            "blocked": blocked,
        },
    )
