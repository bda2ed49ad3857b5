"""Every broken hard rule of a schedule, in words — written apart from the solver's model.

`check(problem, assignments)` takes the solver's plain input and an assignment (person id →
(session number, class number)) and counts afresh, person by person: each participant exactly
once in a session and class that exist, no class above its capacity, no unit above its share in a
session, no principal with a deputy of the same unit, nobody on a day they cannot attend, every
fixed assignment where it was fixed.
"""

from __future__ import annotations

import collections
import dataclasses
import math

from django.utils.translation import gettext as _


@dataclasses.dataclass(frozen=True)
class Violation:
    family: str  # "once", "capacity", "share", "leaders", "unavailability", "fixed"
    message: str

    def __str__(self):
        return self.message


def _share_cap(share: float, required: int) -> int:
    # the rule in the plan's words: 30 % of the unit's required cadres, rounded down, at least 1
    cap = math.floor(share * required + 1e-9)
    return cap if cap >= 1 else 1


def check(problem, assignments) -> list[Violation]:
    found: list[Violation] = []
    sessions = {s.number: s for s in problem.sessions}
    classes = problem.classes_per_session
    by_id = {p.id: p for p in problem.people}

    for person in problem.people:
        if person.id not in assignments:
            found.append(
                Violation(
                    "once",
                    _("%(person)s 没有安排期次") % {"person": problem.person_name(person.id)},
                )
            )
    for person_id, (session, klass) in assignments.items():
        if person_id not in by_id:
            found.append(
                Violation(
                    "once",
                    _("%(person)s 不在参训名单中") % {"person": problem.person_name(person_id)},
                )
            )
        elif session not in sessions or not 1 <= klass <= classes:
            found.append(
                Violation(
                    "once",
                    _("%(person)s 被安排到不存在的第 %(session)s 期第 %(klass)s 班")
                    % {
                        "person": problem.person_name(person_id),
                        "session": session,
                        "klass": klass,
                    },
                )
            )

    placed = [
        (by_id[pid], s, c)
        for pid, (s, c) in assignments.items()
        if pid in by_id and s in sessions and 1 <= c <= classes
    ]

    class_sizes = collections.Counter((s, c) for _p, s, c in placed)
    for (session, klass), n in sorted(class_sizes.items()):
        if n > problem.class_capacity:
            found.append(
                Violation(
                    "capacity",
                    _("第 %(session)s 期第 %(klass)s 班有 %(n)s 人，超过每班 %(cap)s 人的上限")
                    % {"session": session, "klass": klass, "n": n, "cap": problem.class_capacity},
                )
            )

    required = collections.Counter(p.unit for p in problem.people)
    unit_sessions = collections.Counter((p.unit, s) for p, s, _c in placed)
    for (unit, session), n in sorted(unit_sessions.items()):
        cap = _share_cap(problem.unit_share, required[unit])
        if n > cap:
            found.append(
                Violation(
                    "share",
                    _(
                        "%(unit)s 在第 %(session)s 期有 %(n)s 人参训，按 %(pct)s%% 的规定每期最多 %(cap)s 人"
                    )
                    % {
                        "unit": problem.unit_name(unit),
                        "session": session,
                        "n": n,
                        "pct": round(problem.unit_share * 100),
                        "cap": cap,
                    },
                )
            )

    leaders = collections.defaultdict(set)  # (unit, session) → roles present
    for person, session, _c in placed:
        if person.role in ("principal", "deputy"):
            leaders[person.unit, session].add(person.role)
    for (unit, session), roles in sorted(leaders.items()):
        if roles == {"principal", "deputy"}:
            found.append(
                Violation(
                    "leaders",
                    _("%(unit)s 的正职和副职同在第 %(session)s 期参训")
                    % {"unit": problem.unit_name(unit), "session": session},
                )
            )

    for person, session, _c in placed:
        days = sessions[session].days
        for start, end in person.unavailable:
            clash = [day for day in days if start <= day <= end]
            if clash:
                found.append(
                    Violation(
                        "unavailability",
                        _("%(person)s（%(unit)s）%(day)s 无法参训，却被安排在第 %(session)s 期")
                        % {
                            "person": problem.person_name(person.id),
                            "unit": problem.unit_name(person.unit),
                            "day": clash[0].isoformat(),
                            "session": session,
                        },
                    )
                )
                break

    for person in problem.people:
        placed_at = assignments.get(person.id)
        if (
            person.fixed is not None
            and placed_at is not None
            and tuple(placed_at) != tuple(person.fixed)
        ):
            found.append(
                Violation(
                    "fixed",
                    _("%(person)s 已固定在第 %(session)s 期第 %(klass)s 班，不能改动")
                    % {
                        "person": problem.person_name(person.id),
                        "session": person.fixed[0],
                        "klass": person.fixed[1],
                    },
                )
            )
    return found
