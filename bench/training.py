"""The training rotation solver on a city and on a province, each schedule checked by the checker.

Builds two seeded instances of plain data (no database): a city — 3,000 division-level cadres in
~100 units, 13 sessions of two classes of 120, two days each — and a province — 30,000 cadres in
~1,000 units, 26 sessions of ten classes of 120. Unit sizes vary (5 to ~3× the mean); every unit of
four or more has a principal and one to three deputies; 8 % of the cadres have one stretch of 3–15
days they cannot attend (a trip, leave), 15 % prefer a month or two. Sessions run weekly from
mid-February on Tuesdays and Wednesdays. Each instance is solved `--repeat` times (default 3; one
with `--quick`) by `guanqing.training.solver.solve` with its time limit (10 s for the city, 60 s
for the province) and every schedule is checked by `guanqing.training.checker.check` (a broken rule
stops the run). Medians of the solve seconds are printed with the status and gap.

Targets (printed, never asserted): the city OPTIMAL within 10 s; the province FEASIBLE (or
OPTIMAL) with gap ≤ 1 % within 60 s. The last line is `ratio=<median solve seconds of the
province / 60>` (target ≤ 1).

Usage: python bench/training.py [--quick] [--repeat N] [--workers N]
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import start_django  # noqa: E402 - the bench's own helpers

UNAVAILABLE_SHARE = 0.08
PREFERENCE_SHARE = 0.15
FIRST_DAY = datetime.date(2027, 2, 16)  # a Tuesday after the Spring Festival


def instance(n_people: int, n_units: int, n_sessions: int, classes: int, capacity: int, seed: int):
    from guanqing.training.solver import DEPUTY, OTHER, PRINCIPAL, Person, Problem, SessionSpec

    rng = random.Random(seed)
    sessions = tuple(
        SessionSpec(
            i + 1,
            (
                FIRST_DAY + datetime.timedelta(weeks=i),
                FIRST_DAY + datetime.timedelta(weeks=i, days=1),
            ),
        )
        for i in range(n_sessions)
    )
    last_day = sessions[-1].days[-1]
    span = (last_day - FIRST_DAY).days
    mean = n_people / n_units
    weights = [rng.uniform(5, 3 * mean) for _ in range(n_units)]
    scale = n_people / sum(weights)
    sizes = [max(1, round(w * scale)) for w in weights]
    while sum(sizes) > n_people:
        sizes[rng.randrange(n_units)] -= 1
        sizes = [max(1, s) for s in sizes]
    while sum(sizes) < n_people:
        sizes[rng.randrange(n_units)] += 1
    people = []
    pid = 0
    for unit, size in enumerate(sizes, start=1):
        deputies = rng.randint(1, 3) if size >= 4 else 0
        for j in range(size):
            pid += 1
            role = PRINCIPAL if deputies and j == 0 else DEPUTY if 1 <= j <= deputies else OTHER
            unavailable = ()
            if rng.random() < UNAVAILABLE_SHARE:
                start = FIRST_DAY + datetime.timedelta(days=rng.randrange(span))
                unavailable = ((start, start + datetime.timedelta(days=rng.randint(3, 15))),)
            months = frozenset()
            if rng.random() < PREFERENCE_SHARE:
                months = frozenset(
                    rng.sample(sorted({s.month for s in sessions}), rng.choice((1, 2)))
                )
            people.append(Person(pid, unit, role, unavailable, months))
    return Problem(
        sessions=sessions,
        classes_per_session=classes,
        class_capacity=capacity,
        people=tuple(people),
        unit_share=0.30,
    )


def run(label, problem, time_limit, repeat, workers, target_status):
    from guanqing.training.checker import check
    from guanqing.training.solver import solve

    seconds, results = [], []
    for r in range(repeat):
        result = solve(problem, time_limit=time_limit, workers=workers, seed=r)
        broken = check(problem, result.assignments) if result.solved else ["no schedule"]
        if broken:
            sys.exit(f"{label}: {result.status}, broken rules: {[str(b) for b in broken[:5]]}")
        seconds.append(result.seconds)
        results.append(result)
    median = statistics.median(seconds)
    worst_gap = max(r.gap for r in results)
    statuses = ",".join(sorted({r.status for r in results}))
    print(
        f"{label}: {len(problem.people)} cadres, {len(problem.required_by_unit())} units, "
        f"{len(problem.sessions)} sessions × {problem.classes_per_session} classes — "
        f"status {statuses}, gap ≤ {worst_gap:.3f} %, median {median:.2f} s "
        f"(runs {', '.join(f'{s:.2f}' for s in seconds)}); checker: no broken rule"
    )
    print(f"  target: {target_status} within {time_limit} s")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    start_django(keep=None, database_url=None)

    city = instance(3000, 100, 13, 2, 120, seed=2027)
    run("city", city, 10, repeat, args.workers, "OPTIMAL")
    province = instance(30000, 1000, 26, 10, 120, seed=2027)
    median = run("province", province, 60, repeat, args.workers, "FEASIBLE, gap ≤ 1 %")
    print(f"ratio={median / 60:.3f}")


if __name__ == "__main__":
    main()
