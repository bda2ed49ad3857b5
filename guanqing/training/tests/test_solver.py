"""The solver's schedules checked by the independent checker; the checker catching each broken
rule; an impossible plan explained in words naming the unit."""

from __future__ import annotations

import dataclasses
import datetime
import random

import pytest
from django.utils import translation

from guanqing.training import solver as sat
from guanqing.training.checker import check
from guanqing.training.explain import explain

MONDAY = datetime.date(2027, 3, 1)


def sessions(n: int, days: int = 2) -> tuple[sat.SessionSpec, ...]:
    return tuple(
        sat.SessionSpec(
            i + 1,
            tuple(MONDAY + datetime.timedelta(weeks=i, days=d) for d in range(days)),
        )
        for i in range(n)
    )


def random_problem(seed: int) -> sat.Problem:
    rng = random.Random(seed)
    n_sessions = rng.randint(3, 8)
    specs = sessions(n_sessions)
    people = []
    pid = 0
    for unit in range(1, rng.randint(2, 8) + 1):
        size = rng.randint(1, 15)
        deputies = rng.randint(1, 2) if size >= 3 else 0
        for j in range(size):
            pid += 1
            role = (
                sat.PRINCIPAL
                if deputies and j == 0
                else sat.DEPUTY
                if 1 <= j <= deputies
                else sat.OTHER
            )
            unavailable = ()
            if rng.random() < 0.3:
                start = MONDAY + datetime.timedelta(days=rng.randrange(7 * n_sessions))
                unavailable = ((start, start + datetime.timedelta(days=rng.randint(0, 9))),)
            months = frozenset({rng.choice((3, 4))}) if rng.random() < 0.3 else frozenset()
            people.append(sat.Person(pid, unit, role, unavailable, months))
    seats_needed = -(-len(people) // n_sessions)
    classes = rng.randint(1, 3)
    return sat.Problem(
        sessions=specs,
        classes_per_session=classes,
        class_capacity=-(-seats_needed // classes) + rng.randint(0, 3),
        people=tuple(people),
        unit_share=rng.choice((0.3, 0.5)),
    )


@pytest.mark.parametrize("seed", range(25))
def test_every_schedule_keeps_every_hard_rule(seed):
    problem = random_problem(seed)
    result = sat.solve(problem, time_limit=5, workers=2)
    if result.solved:
        assert check(problem, result.assignments) == []
        assert set(result.assignments) == {p.id for p in problem.people}
    else:
        assert result.status == sat.INFEASIBLE
        assert explain(problem, time_limit=2)


def test_a_small_city_is_solved_to_optimality_and_classes_are_balanced():
    specs = sessions(4)
    people = tuple(sat.Person(i, unit=1 + i % 5) for i in range(1, 81))
    problem = sat.Problem(specs, classes_per_session=2, class_capacity=12, people=people)
    result = sat.solve(problem, time_limit=5, workers=2)
    assert result.status == sat.OPTIMAL and result.gap == 0
    sizes = {}
    for session, klass in result.assignments.values():
        sizes[session, klass] = sizes.get((session, klass), 0) + 1
    assert sorted(set(sizes.values())) == [10]


@pytest.mark.parametrize(
    "n_sessions, weights",
    [
        (1, None),
        (3, {"balance": 0, "preference": 5, "spread": 3}),
        (3, {"balance": 0, "preference": 0, "spread": 0}),
    ],
)
def test_one_session_or_soft_rules_switched_off_still_give_a_schedule(n_sessions, weights):
    people = tuple(sat.Person(i, unit=1 + i % 4) for i in range(1, 25))
    problem = sat.Problem(
        sessions(n_sessions),
        classes_per_session=2,
        class_capacity=12,
        people=people,
        unit_share=1.0,
    )
    if weights is not None:
        problem = dataclasses.replace(problem, weights=weights)
    result = sat.solve(problem, time_limit=5, workers=2)
    assert result.solved
    assert check(problem, result.assignments) == []


def test_fixed_assignments_are_kept():
    specs = sessions(3)
    people = [sat.Person(i, unit=i % 3) for i in range(1, 31)]
    people[0] = dataclasses.replace(people[0], fixed=(3, 2))
    people[1] = dataclasses.replace(people[1], fixed=(1, 1))
    problem = sat.Problem(specs, 2, 10, tuple(people), unit_share=0.5)
    result = sat.solve(problem, time_limit=5, workers=2)
    assert result.assignments[1] == (3, 2)
    assert result.assignments[2] == (1, 1)
    assert check(problem, result.assignments) == []


def _problem_for_checker():
    specs = sessions(3)
    people = (
        sat.Person(1, 1, sat.PRINCIPAL),
        sat.Person(2, 1, sat.DEPUTY),
        sat.Person(3, 1, sat.OTHER, unavailable=((MONDAY, MONDAY),)),
        sat.Person(4, 1, sat.OTHER, fixed=(3, 1)),
    )
    return sat.Problem(specs, 1, 2, people, unit_share=0.5, unit_names={1: "市发改委"})


def test_a_good_assignment_passes():
    problem = _problem_for_checker()
    assert check(problem, {1: (1, 1), 2: (2, 1), 3: (2, 1), 4: (3, 1)}) == []


@pytest.mark.parametrize(
    "assignments,family",
    [
        ({1: (1, 1), 2: (2, 1), 3: (2, 1)}, "once"),  # 4 missing
        ({1: (1, 1), 2: (2, 1), 3: (2, 1), 4: (3, 2)}, "once"),  # no class 2
        ({1: (1, 1), 2: (1, 1), 3: (2, 1), 4: (3, 1)}, "leaders"),
        ({1: (1, 1), 2: (2, 1), 3: (1, 1), 4: (3, 1)}, "unavailability"),
        ({1: (1, 1), 2: (2, 1), 3: (2, 1), 4: (1, 1)}, "fixed"),
    ],
)
def test_the_checker_names_each_broken_rule(assignments, family):
    found = check(_problem_for_checker(), assignments)
    assert family in {v.family for v in found}


def test_the_checker_counts_share_and_capacity():
    problem = _problem_for_checker()
    # 50 % of 4 → 2 a session; three in session 2, in a class of 2
    found = check(problem, {1: (1, 1), 2: (2, 1), 3: (2, 1), 4: (2, 1)})
    families = {v.family for v in found}
    assert {"share", "capacity", "fixed"} <= families
    share = next(v for v in found if v.family == "share")
    with translation.override("zh-hans"):
        assert "市发改委" in share.message


def test_an_impossible_unit_is_explained_by_name_and_numbers():
    specs = sessions(13)
    blocked_until = specs[5].days[-1]  # the first 6 sessions
    people = [
        sat.Person(i, 7, unavailable=((MONDAY, blocked_until),) if i <= 8 else ())
        for i in range(1, 15)
    ]
    others = [sat.Person(100 + i, 8) for i in range(10)]
    problem = sat.Problem(
        specs, 2, 100, tuple(people + others), unit_names={7: "市发改委", 8: "市财政局"}
    )
    # 14 cadres, at most 4 a session; 8 of them fit only in 7 sessions — feasible
    assert sat.solve(problem, time_limit=5, workers=2).solved
    tight = dataclasses.replace(problem, unit_share=0.08)  # at most 1 a session
    assert sat.solve(tight, time_limit=5, workers=2).status == sat.INFEASIBLE
    with translation.override("zh-hans"):
        reasons = explain(tight, time_limit=2)
    assert len(reasons) == 1
    assert "市发改委" in reasons[0] and "14" in reasons[0] and "6" in reasons[0]
    assert "市财政局" not in reasons[0]


def test_leaders_forced_together_are_explained():
    specs = sessions(2)
    only_first = ((specs[1].days[0], specs[1].days[-1]),)
    people = (
        sat.Person(1, 1, sat.PRINCIPAL, unavailable=only_first),
        sat.Person(2, 1, sat.DEPUTY, unavailable=only_first),
    )
    problem = sat.Problem(specs, 1, 10, people, unit_share=1.0, unit_names={1: "市教育局"})
    assert sat.solve(problem, time_limit=5, workers=2).status == sat.INFEASIBLE
    with translation.override("zh-hans"):
        reasons = explain(problem, time_limit=2)
    assert any("市教育局" in r and "正职" in r for r in reasons)


def test_too_few_seats_is_said_in_numbers():
    problem = sat.Problem(sessions(2), 1, 3, tuple(sat.Person(i, i) for i in range(7)))
    with translation.override("zh-hans"):
        reasons = explain(problem)
    assert reasons == ["须参训 7 人，而 2 期 × 每期 1 个班 × 每班 3 人只能容纳 6 人"]
