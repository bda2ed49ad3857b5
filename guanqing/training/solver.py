"""The rotation schedule by OR-Tools CP-SAT, on plain data (no database).

Hard: every participant exactly once; class capacity; per unit and session at most
`unit_cap(share, required)` = max(1, ⌊share × required⌋); a unit's principal and its deputies never
in the same session; a session any of whose days falls in a participant's unavailable dates is not
theirs; fixed assignments kept. Soft (weighted): session (and so class) sizes balanced, preferred
months, a unit's cadres spread across sessions, units mixed within a class.

Two stages keep a province (30,000 cadres, ~1,000 units, 26 sessions) small:

1. *Counts.* Participants of one unit who are interchangeable — the same role, the same sessions
   open to them and the same preferred sessions — form one type; the model has one integer
   variable per (type, session open to it): how many of the type go to the session. Most of a
   unit's cadres share one type, so the model has a few variables per unit and session instead
   of a boolean per person and session. Unit caps, leaders apart and session capacity are linear
   in these counts; so are the soft terms: the spread between the fullest and emptiest session,
   the participants outside their preferred months, and each unit's fullest session above its
   even share.
2. *Classes.* Each session's people are placed into its classes greedily: a fixed participant in
   its class, then unit by unit into the class with the fewest people (ties: the fewest of that
   unit), which fills every class within one of the others and spreads each unit across the
   classes. Session capacity (classes × class capacity) with balanced classes is exactly the
   class capacity, so stage 2 never fails when stage 1 succeeded.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import math
import time
from collections.abc import Iterable, Mapping

PRINCIPAL = "principal"
DEPUTY = "deputy"
OTHER = "other"

# The constraint families, by name, that the explanation relaxes one at a time.
SHARE = "share"
LEADERS = "leaders"
UNAVAILABILITY = "unavailability"
CAPACITY = "capacity"
FIXED = "fixed"
FAMILIES = (CAPACITY, SHARE, LEADERS, UNAVAILABILITY, FIXED)

OPTIMAL = "OPTIMAL"
FEASIBLE = "FEASIBLE"
INFEASIBLE = "INFEASIBLE"
UNKNOWN = "UNKNOWN"

DEFAULT_WEIGHTS = {"balance": 10, "preference": 5, "spread": 3}


@dataclasses.dataclass(frozen=True)
class SessionSpec:
    number: int
    days: tuple[datetime.date, ...]

    @property
    def month(self) -> int:
        return self.days[0].month


@dataclasses.dataclass(frozen=True)
class Person:
    id: int
    unit: int
    role: str = OTHER
    # inclusive date ranges the person cannot attend
    unavailable: tuple[tuple[datetime.date, datetime.date], ...] = ()
    preferred_months: frozenset[int] = frozenset()
    # (session number, class number) kept as it is
    fixed: tuple[int, int] | None = None


@dataclasses.dataclass(frozen=True)
class Problem:
    sessions: tuple[SessionSpec, ...]
    classes_per_session: int
    class_capacity: int
    people: tuple[Person, ...]
    unit_share: float = 0.30
    weights: Mapping[str, int] = dataclasses.field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    unit_names: Mapping[int, str] = dataclasses.field(default_factory=dict)
    person_names: Mapping[int, str] = dataclasses.field(default_factory=dict)

    def unit_name(self, unit: int) -> str:
        return self.unit_names.get(unit, str(unit))

    def person_name(self, person: int) -> str:
        return self.person_names.get(person, str(person))

    def required_by_unit(self) -> dict[int, int]:
        return dict(collections.Counter(p.unit for p in self.people))


@dataclasses.dataclass
class Result:
    status: str
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None  # percent
    seconds: float = 0.0
    # person id → (session number, class number)
    assignments: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)

    @property
    def solved(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)


def unit_cap(share: float, required: int) -> int:
    """How many of a unit's `required` cadres may be in one session: max(1, ⌊share × required⌋)."""
    return max(1, math.floor(share * required + 1e-9))


def conflicts(session: SessionSpec, unavailable: Iterable[tuple[datetime.date, datetime.date]]):
    """Whether any day of the session falls in one of the ranges."""
    return any(start <= day <= end for day in session.days for start, end in unavailable)


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    relax: frozenset[str] = frozenset(),
    workers: int = 8,
    seed: int = 0,
) -> Result:
    """Solve the problem within `time_limit` seconds; `relax` names families left out."""
    from ortools.sat.python import cp_model

    started = time.monotonic()
    sessions = problem.sessions
    numbers = [s.number for s in sessions]
    index = {s.number: i for i, s in enumerate(sessions)}
    n_sessions = len(sessions)
    k = problem.classes_per_session
    session_cap = k * problem.class_capacity if CAPACITY not in relax else len(problem.people)
    required = problem.required_by_unit()
    weights = {**DEFAULT_WEIGHTS, **(problem.weights or {})}

    def infeasible():
        return Result(INFEASIBLE, seconds=time.monotonic() - started)

    if not sessions:
        return infeasible() if problem.people else Result(OPTIMAL, 0, 0, 0.0)

    # Fixed participants: constants in every count.
    fixed_unit = collections.Counter()  # (unit, session index) → n
    fixed_role = collections.Counter()  # (unit, role, session index) → n
    fixed_load = [0] * n_sessions
    fixed_class = collections.Counter()  # (session index, class) → n
    groups: dict[tuple, list[int]] = collections.defaultdict(list)
    for person in problem.people:
        if person.fixed is not None and FIXED not in relax:
            s_no, c_no = person.fixed
            if s_no not in index or not 1 <= c_no <= k:
                return infeasible()
            i = index[s_no]
            fixed_unit[person.unit, i] += 1
            fixed_role[person.unit, person.role, i] += 1
            fixed_load[i] += 1
            fixed_class[i, c_no] += 1
            continue
        if UNAVAILABILITY in relax or not person.unavailable:
            open_to = tuple(range(n_sessions))
        else:
            open_to = tuple(
                i for i, s in enumerate(sessions) if not conflicts(s, person.unavailable)
            )
        preferred = (
            tuple(i for i in open_to if sessions[i].month in person.preferred_months)
            if person.preferred_months
            else ()
        )
        groups[person.unit, person.role, open_to, preferred].append(person.id)
    if CAPACITY not in relax and any(n > problem.class_capacity for n in fixed_class.values()):
        return infeasible()

    model = cp_model.CpModel()
    x: dict[tuple[tuple, int], object] = {}
    per_session = [[] for _ in range(n_sessions)]
    per_unit_session = collections.defaultdict(list)
    per_role_session: dict[tuple, list] = collections.defaultdict(list)
    preference_misses = []
    caps = {
        unit: (unit_cap(problem.unit_share, n) if SHARE not in relax else n)
        for unit, n in required.items()
    }
    for key, ids in groups.items():
        unit, role, open_to, preferred = key
        count = len(ids)
        if not open_to:
            return infeasible()
        terms = []
        for i in open_to:
            upper = min(count, max(0, caps[unit] - fixed_unit[unit, i]))
            if upper <= 0:
                continue
            var = model.new_int_var(0, upper, "")
            x[key, i] = var
            terms.append(var)
            per_session[i].append(var)
            per_unit_session[unit, i].append(var)
            per_role_session[unit, role, i].append(var)
            if preferred and i not in preferred:
                preference_misses.append(var)
        if not terms:
            return infeasible()
        model.add(cp_model.LinearExpr.sum(terms) == count)

    # Unit share per session.
    for (unit, i), terms in per_unit_session.items():
        if len(terms) > 1:
            model.add(cp_model.LinearExpr.sum(terms) <= caps[unit] - fixed_unit[unit, i])

    # Session capacity (classes are balanced in stage 2, so this is the class capacity).
    loads = []
    for i in range(n_sessions):
        load = cp_model.LinearExpr.sum(per_session[i]) + fixed_load[i]
        if CAPACITY not in relax:
            model.add(load <= session_cap)
        loads.append(load)

    # A unit's principal and deputies never in the same session.
    aux_leaders, aux_balance, aux_spread = [], [], []
    if LEADERS not in relax:
        role_counts = collections.Counter((p.unit, p.role) for p in problem.people)
        for unit in required:
            n_principals = role_counts[unit, PRINCIPAL]
            n_deputies = role_counts[unit, DEPUTY]
            if not n_principals or not n_deputies:
                continue
            for i in range(n_sessions):
                p_vars = per_role_session.get((unit, PRINCIPAL, i), [])
                d_vars = per_role_session.get((unit, DEPUTY, i), [])
                p_fixed = fixed_role[unit, PRINCIPAL, i]
                d_fixed = fixed_role[unit, DEPUTY, i]
                if (not p_vars and not p_fixed) or (not d_vars and not d_fixed):
                    continue
                principals = cp_model.LinearExpr.sum(p_vars) + p_fixed
                deputies = cp_model.LinearExpr.sum(d_vars) + d_fixed
                principal_here = model.new_bool_var("")
                aux_leaders.append((principal_here, unit, i))
                model.add(principals <= n_principals * principal_here)
                model.add(deputies <= n_deputies * (1 - principal_here))

    # Soft terms.
    objective = []
    n_people = len(problem.people)
    if weights["balance"] and n_sessions > 1:
        # every session within one of the others: penalise each above ⌈N/S⌉ or below ⌊N/S⌋
        floor, ceil = n_people // n_sessions, -(-n_people // n_sessions)
        for load in loads:
            over = model.new_int_var(0, n_people, "")
            under = model.new_int_var(0, n_people, "")
            aux_balance.append((over, under, floor, ceil))
            model.add(over >= load - ceil)
            model.add(under >= floor - load)
            objective.append(weights["balance"] * (over + under))
    if weights["preference"] and preference_misses:
        objective.append(weights["preference"] * cp_model.LinearExpr.sum(preference_misses))
    if weights["spread"]:
        for unit, n in required.items():
            even = math.ceil(n / n_sessions)
            cap = caps[unit]
            if cap <= even:
                continue  # the cap already forces the even spread
            fullest = model.new_int_var(even, cap, "")
            aux_spread.append((fullest, unit, even))
            for i in range(n_sessions):
                terms = per_unit_session.get((unit, i))
                if terms:
                    model.add(fullest >= cp_model.LinearExpr.sum(terms) + fixed_unit[unit, i])
            objective.append(weights["spread"] * (fullest - even))
    if objective:
        model.minimize(cp_model.LinearExpr.sum(objective))

    start = _greedy(problem, groups, caps, fixed_unit, fixed_role, fixed_load, session_cap, relax)
    # A complete hint: the counts, and what each helper variable is worth with them.
    unit_at = collections.Counter(fixed_unit)
    role_at = collections.Counter(fixed_role)
    load_at = list(fixed_load)
    for (key, i), var in x.items():
        n = start.get((key, i), 0)
        model.add_hint(var, n)
        unit_at[key[0], i] += n
        role_at[key[0], key[1], i] += n
        load_at[i] += n
    for var, unit, i in aux_leaders:
        model.add_hint(var, 1 if role_at[unit, PRINCIPAL, i] else 0)
    # one balance pair per session, or none (one session, or the weight 0)
    for (over, under, floor, ceil), n in zip(aux_balance, load_at, strict=False):
        model.add_hint(over, max(0, n - ceil))
        model.add_hint(under, max(0, floor - n))
    for var, unit, even in aux_spread:
        model.add_hint(var, max([even] + [unit_at[unit, i] for i in range(n_sessions)]))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit - (time.monotonic() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # The model is already aggregated; presolving a province's took half the time limit.
    solver.parameters.cp_model_presolve = False
    code = solver.solve(model)
    seconds = time.monotonic() - started
    if code == cp_model.INFEASIBLE or code == cp_model.MODEL_INVALID:
        return Result(INFEASIBLE, seconds=seconds)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Result(UNKNOWN, seconds=seconds)

    value = solver.objective_value if objective else 0.0
    bound = solver.best_objective_bound if objective else 0.0
    gap = abs(value - bound) / max(1.0, abs(value)) * 100
    status = OPTIMAL if code == cp_model.OPTIMAL and gap < 1e-9 else FEASIBLE
    counts = {key: solver.value(var) for key, var in x.items()}
    assignments = _place(problem, groups, counts, numbers, relax)
    return Result(
        status,
        objective=value,
        best_bound=bound,
        gap=round(gap, 4),
        seconds=time.monotonic() - started,
        assignments=assignments,
    )


def _greedy(problem, groups, caps, fixed_unit, fixed_role, fixed_load, session_cap, relax):
    """A first schedule by hand rules, as counts per (type, session): each person of a unit to an
    open session with room, leaders apart, preferred months first, then the session where the unit
    has the fewest, then the emptiest. Hinted to the solver; it may be incomplete."""
    n_sessions = len(problem.sessions)
    load = list(fixed_load)
    unit_count = collections.Counter(fixed_unit)
    role_count = collections.Counter(fixed_role)
    counts = collections.Counter()
    rank = {PRINCIPAL: 0, DEPUTY: 1, OTHER: 2}
    order = sorted(
        groups,
        key=lambda key: (
            key[0],
            min(len(key[3]) or n_sessions, len(key[2])),
            rank.get(key[1], 2),
        ),
    )
    for key in order:
        unit, role, open_to, preferred = key
        other_role = {PRINCIPAL: DEPUTY, DEPUTY: PRINCIPAL}.get(role)
        for _ in groups[key]:
            best, best_score = None, None
            for i in open_to:
                if unit_count[unit, i] >= caps[unit] or (
                    CAPACITY not in relax and load[i] >= session_cap
                ):
                    continue
                if other_role and LEADERS not in relax and role_count[unit, other_role, i]:
                    continue
                score = (
                    0 if not preferred or i in preferred else 1,
                    unit_count[unit, i],
                    load[i],
                )
                if best_score is None or score < best_score:
                    best, best_score = i, score
            if best is None:
                continue
            counts[key, best] += 1
            unit_count[unit, best] += 1
            role_count[unit, role, best] += 1
            load[best] += 1
    _rebalance(counts, load, unit_count, groups)
    return counts


def _rebalance(counts, load, unit_count, groups) -> None:
    """Move a cadre without leader role or preference from the fullest session to the emptiest
    open to it, when the unit has fewer there (its spread kept), until sessions differ by one."""
    movable = collections.defaultdict(list)  # session → keys with people there that may move
    for (key, i), n in counts.items():
        if n and key[1] == OTHER and not key[3]:
            movable[i].append(key)
    for _ in range(10 * sum(len(ids) for ids in groups.values())):
        order = sorted(range(len(load)), key=load.__getitem__)
        moved = False
        for i in reversed(order):
            for j in order:
                if load[i] - load[j] <= 1:
                    break
                for key in movable[i]:
                    unit = key[0]
                    if (
                        counts[key, i]
                        and j in key[2]
                        and unit_count[unit, j] + 1 < unit_count[unit, i] + 1
                        and unit_count[unit, j] < unit_count[unit, i]
                    ):
                        counts[key, i] -= 1
                        counts[key, j] += 1
                        unit_count[unit, i] -= 1
                        unit_count[unit, j] += 1
                        load[i] -= 1
                        load[j] += 1
                        movable[j].append(key)
                        moved = True
                        break
                if moved:
                    break
            if moved:
                break
        if not moved:
            return


def _place(problem, groups, counts, numbers, relax) -> dict[int, tuple[int, int]]:
    """Stage 2: people into sessions by the counts, then into classes, balanced and mixed."""
    k = problem.classes_per_session
    placed: dict[int, tuple[int, int]] = {}
    in_session: dict[int, list[tuple[int, int]]] = collections.defaultdict(list)  # i → (unit, id)
    sizes = collections.defaultdict(lambda: [0] * (k + 1))
    unit_in_class = collections.Counter()  # (i, class, unit)
    index = {n: i for i, n in enumerate(numbers)}
    for person in problem.people:
        if person.fixed is not None and FIXED not in relax:
            s_no, c_no = person.fixed
            i = index[s_no]
            placed[person.id] = (s_no, c_no)
            sizes[i][c_no] += 1
            unit_in_class[i, c_no, person.unit] += 1
    for key, ids in groups.items():
        pool = list(ids)
        for i in key[2]:
            for _ in range(counts.get((key, i), 0)):
                in_session[i].append((key[0], pool.pop()))
    for i, people in in_session.items():
        people.sort()
        size = sizes[i]
        for unit, person_id in people:
            best = min(range(1, k + 1), key=lambda c: (size[c], unit_in_class[i, c, unit], c))
            size[best] += 1
            unit_in_class[i, best, unit] += 1
            placed[person_id] = (numbers[i], best)
    return placed
