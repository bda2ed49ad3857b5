"""走亲连心: the figures and the dispatch desk against hand-written SQL, side by side.

Builds `--person-times` outreach person-times (default 5,000,000: visits of one to four cadres
each, about two million visits) and `--problems` problems (default 1,000,000) over the last four
years, in a throwaway SQLite database or in the (empty, throwaway) PostgreSQL database named by
`--database-url`: 100 units of 30 members (one in ten 局级), thirteen districts of ten streets of
ten communities or villages (one district abolished two years ago and merged into another, so its
places roll up), a place (grassroots unit, village or enterprise) for every 170 person-times,
each visit to a random place with money or goods donated now and then. Four in ten problems were
collected on a visit (half of them without a division of their own: the visit's place gives the
district), the others reported in a division; each has a category (and its urgency's working-day
limit, approximated as calendar days), a 受理 step, and is merged into an earlier one (one in
twenty-five) or closed within its limit (most), late (some) or not yet — then received, assigned,
handling or returned, 2‰ left open for good. A problem still open a week past its deadline (or
closed that late) has its 催办 and 通报 steps; six in ten closed ones are rated. Then, as of
today, measures:

- the figures (`figures.frontline_figures` for the committee, then for the administrator of the
  unit with the most visits, over the year up to today: totals, by unit and by district —
  visits, person-times and 局级 person-times, places visited of each kind, money and goods
  donated, problems collected, solved, solved on time, overdue, 通报, rated and satisfied), against
  hand-written SQL (six GROUP BY queries; districts rolled up with the same map in Python): every
  number of every row must be equal;
- the dispatch desk (the first 51 rows of each of `selectors.dispatch_desk`'s four lists, as the
  page reads them — unassigned, returned, overdue, 通报 — with their category and unit) and the
  first page (50) of the busiest unit's administrator's `selectors.problem_queue` with its count,
  against hand-written SQL giving the same rows in the same order;

each timed alternately, medians printed, answers compared (a mismatch stops the run). The last
line is `ratio=<worst ratio>`. Targets (printed, never asserted): ratio ≤ 1.5; the desk under
100 ms.

Usage: python bench/frontline.py [--quick] [--problems N] [--person-times N]
       [--database-url postgres://…] [--keep DIR]
"""

from __future__ import annotations

import argparse
import array
import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Writer, side_by_side, start_django, table_columns  # noqa: E402 - the bench's own helpers

UNITS = 100
MEMBERS_PER_UNIT = 30
BUREAU_SHARE = 0.1
DISTRICTS, STREETS, COMMUNITIES = (
    13,
    10,
    10,
)  # the last district is abolished, merged into the first
PERSON_TIMES_PER_PLACE = 170
YEARS = 4
DESK_LIMIT = 50  # the desk page's (views_problems.DESK_LIMIT): it reads one more row
QUEUE_PAGE = 50
CATEGORIES = (  # code, name, urgency, limit in working days (FrontlineSettings' defaults)
    ("road", "道路交通", "problem", 13),
    ("water", "供水排水", "emergency", 0),
    ("env", "环境卫生", "complaint", 13),
    ("policy", "政策咨询", "enquiry", 3),
    ("enterprise", "企业服务", "problem", 13),
    ("housing", "住房物业", "complaint", 13),
    ("jobs", "就业社保", "enquiry", 3),
    ("safety", "安全隐患", "emergency", 0),
)


def build(n_problems: int, n_person_times: int, today: datetime.date, seed: int = 2026) -> None:
    from django.db import connection, transaction

    from guanqing.frontline.choices import ProblemEventKind, ProblemState
    from guanqing.frontline.models import Outreach, Place, Problem, ProblemCategory
    from guanqing.registry.models import Division, Member

    rng = random.Random(seed)
    writer = Writer(connection)
    now = datetime.datetime.now(datetime.UTC)
    stamp = time.perf_counter()

    def done(what, n):
        nonlocal stamp
        print(f"  {what:12} {n:>11,} rows {time.perf_counter() - stamp:7.1f} s", flush=True)
        stamp = time.perf_counter()

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")

    first_day = today.replace(year=today.year - YEARS)
    first, last = first_day.toordinal(), today.toordinal()
    day = datetime.date.fromordinal

    def table(model, rows, **fixed):
        columns, names, defaults = table_columns(model)
        defaults.update(fixed)

        def full():
            for row in rows:
                values = dict(defaults)
                values.update(row)
                yield tuple(values[n] for n in names)

        return writer.write(model._meta.db_table, columns, full())

    with transaction.atomic():
        # divisions: districts → streets → communities (villages in the odd streets)
        abolished_on = today.replace(year=today.year - 2)
        divisions, communities = [], []
        next_id = 1
        for d in range(1, DISTRICTS + 1):
            district_id, code = next_id, f"3302{d:02d}"
            gone = d == DISTRICTS
            divisions.append(
                {
                    "id": district_id,
                    "code": code + "000000",
                    "name": f"旧区{d}" if gone else f"区县{d}",
                    "level": "district",
                    "kind": "district",
                    "valid_until": abolished_on if gone else None,
                    "successor_id": 1 if gone else None,
                }
            )
            next_id += 1
            for s in range(1, STREETS + 1):
                street_id = next_id
                divisions.append(
                    {
                        "id": street_id,
                        "code": f"{code}{s:03d}000",
                        "name": f"街道{d}-{s}",
                        "level": "street",
                        "kind": "street" if s % 2 == 0 else "town",
                        "parent_id": district_id,
                        "district_id": district_id,
                    }
                )
                next_id += 1
                for c in range(1, COMMUNITIES + 1):
                    divisions.append(
                        {
                            "id": next_id,
                            "code": f"{code}{s:03d}{c:03d}",
                            "name": f"社区{d}-{s}-{c}",
                            "level": "community",
                            "kind": "community" if s % 2 == 0 else "village",
                            "parent_id": street_id,
                            "district_id": district_id,
                        }
                    )
                    communities.append(next_id)
                    next_id += 1
        done("divisions", table(Division, divisions))

        n = writer.write(
            "registry_unit",
            [
                "id",
                "name",
                "short_name",
                "credit_code",
                "address",
                "sort_order",
                "is_active",
                "created_at",
                "updated_at",
            ],
            ((i, f"单位{i:03d}", "", "", "", i, True, now, now) for i in range(1, UNITS + 1)),
        )
        done("units", n)
        unit_members = {}
        members = []
        for u in range(1, UNITS + 1):
            unit_members[u] = list(range(len(members) + 1, len(members) + MEMBERS_PER_UNIT + 1))
            for m in unit_members[u]:
                rank = "bureau" if rng.random() < BUREAU_SHARE else "other"
                members.append(
                    {"id": m, "name": f"干部{m}", "gender": "male", "rank": rank, "unit_id": u}
                )
        done("members", table(Member, members, created_at=now, updated_at=now))

        n_places = max(n_person_times // PERSON_TIMES_PER_PLACE, 300)
        kinds = ("grassroots", "village", "enterprise")
        place_division = array.array("i", [0]) * (n_places + 1)

        def places():
            for p in range(1, n_places + 1):
                kind = rng.choices(kinds, (2, 5, 3))[0]
                division = rng.choice(communities)
                place_division[p] = division
                yield {
                    "id": p,
                    "kind": kind,
                    "name": f"走访对象{p}",
                    "division_id": division,
                    "credit_code": f"913302{p:012d}" if kind == "enterprise" else "",
                    "created_at": now,
                }

        done("places", table(Place, places()))

        # visits of 1–4 cadres of the unit over four years, until the person-times are reached
        visit_day = array.array("i")
        visit_unit = array.array("i")
        visit_place = array.array("i")
        cadres = []

        def visits():
            total = 0
            visit_id = 0
            while total < n_person_times:
                visit_id += 1
                unit = rng.randint(1, UNITS)
                on = rng.randint(first, last)
                place = rng.randint(1, n_places)
                k = min(rng.randint(1, 4), n_person_times - total)
                total += k
                for member in rng.sample(unit_members[unit], k):
                    cadres.append((visit_id, member))
                visit_day.append(on)
                visit_unit.append(unit)
                visit_place.append(place)
                money = goods = 0
                if rng.random() < 0.1:
                    money = rng.randint(1, 400) * 50
                if rng.random() < 0.15:
                    goods = rng.randint(1, 2000) * 2.5
                yield {
                    "id": visit_id,
                    "unit_id": unit,
                    "visited_on": day(on),
                    "place_id": place,
                    "donated_money": money,
                    "donated_goods": goods,
                    "created_at": now,
                }

        done("visits", table(Outreach, visits()))
        n = writer.write(
            "frontline_outreach_cadres",
            ["id", "outreach_id", "member_id"],
            ((i + 1, v, m) for i, (v, m) in enumerate(cadres)),
        )
        cadres.clear()
        done("person-times", n)

        categories = ProblemCategory.objects.bulk_create(
            ProblemCategory(code=code, name=name, urgency=urgency, sort_order=i)
            for i, (code, name, urgency, _limit) in enumerate(CATEGORIES)
        )
        # (category, urgency, its limit in calendar days: five working days a week)
        limits = [
            (c.pk, urgency, limit * 7 // 5)
            for c, (_code, _name, urgency, limit) in zip(categories, CATEGORIES, strict=True)
        ]
        n_visits = len(visit_day)
        steps = []  # (problem, kind, on, to state, unit): 催办 and 通报

        def problems():
            for pid in range(1, n_problems + 1):
                category, urgency, limit = rng.choice(limits)
                row = {"id": pid, "public_id": f"WT{pid:010d}", "category_id": category}
                if rng.random() < 0.4:
                    v = rng.randrange(n_visits)
                    received = min(visit_day[v] + rng.randint(0, 2), last)
                    row.update(source="outreach", outreach_id=v + 1)
                    if rng.random() < 0.5:
                        row["division_id"] = place_division[visit_place[v]]
                else:
                    received = rng.randint(first, last)
                    row["source"] = rng.choice(("public", "hotline", "open311", "window"))
                    if rng.random() < 0.97:
                        row["division_id"] = rng.choice(communities)
                deadline = received + limit
                unit = rng.randint(1, UNITS)
                row.update(
                    urgency=urgency,
                    title=f"难题{pid}",
                    description="群众反映的问题",
                    received_on=day(received),
                    deadline=day(deadline),
                    unit_id=unit,
                    assigned_on=day(received),
                    created_at=now,
                    updated_at=now,
                )
                late_by = None  # days past the deadline when closed (or still open today)
                if pid > 1 and rng.random() < 0.04:
                    row.update(
                        state=ProblemState.MERGED,
                        master_id=rng.randint(max(1, pid - 5000), pid - 1),
                    )
                    closed = None
                else:
                    if rng.random() < 0.88:
                        taken = rng.randint(0, limit)
                    else:
                        taken = limit + rng.randint(1, 40)
                    closed = received + taken
                    if rng.random() < 0.002:  # left open for good
                        closed = last + 1
                    if closed <= last:
                        row.update(state=ProblemState.CLOSED, closed_on=day(closed))
                        late_by = closed - deadline
                    else:
                        closed = None
                        late_by = last - deadline
                        age = last - received
                        pick = rng.random()
                        if age <= 2 and pick < 0.6:
                            row.update(state=ProblemState.RECEIVED, unit_id=None, assigned_on=None)
                            if rng.random() < 0.02:
                                row["deadline"] = None
                        elif pick < 0.1:
                            row["state"] = ProblemState.RETURNED
                        elif pick < 0.4:
                            row["state"] = ProblemState.ASSIGNED
                        else:
                            row["state"] = ProblemState.HANDLING
                if late_by is not None and late_by >= 7:
                    urged, noticed = deadline + 1, deadline + 7
                    row.update(urged_on=day(urged), noticed_on=day(noticed))
                    if closed is not None and rng.random() < 0.2:
                        row["noticed_on"] = None  # reopened since: the list date was cleared
                    steps.append((pid, ProblemEventKind.URGE, day(urged), row["state"], unit))
                    steps.append((pid, ProblemEventKind.NOTICE, day(noticed), row["state"], unit))
                rate_from = closed if closed is not None else received
                if (
                    closed is not None or row["state"] == ProblemState.MERGED
                ) and rng.random() < 0.6:
                    rated = min(rate_from + rng.randint(0, 7), last)
                    satisfaction = rng.choices(("satisfied", "basic", "dissatisfied"), (70, 20, 10))
                    row.update(rated_on=day(rated), satisfaction=satisfaction[0])
                yield row

        done("problems", table(Problem, problems(), attributes="{}"))
        columns = ["problem_id", "kind", "on", "unit_id", "from_state", "to_state", "note"]
        columns += ["public", "at"]
        n = writer.write(
            "frontline_problemevent",
            [f'"{c}"' if c == "on" else c for c in columns],
            ((p, k, on, u, "", s, "", False, now) for p, k, on, s, u in steps),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO frontline_problemevent (problem_id, kind, "on", from_state, to_state,'
                " note, public, at) SELECT id, %s, received_on, '', 'received', '', %s, %s"
                " FROM frontline_problem",
                [ProblemEventKind.REPORT, True, now],
            )
            n += cursor.rowcount
        done("steps", n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    done("analyze", 0)


# --- the hand-written queries --------------------------------------------------------------------

# `{scope}` is empty for the committee (the whole city), or UNIT_VISITS / UNIT_PROBLEMS for a unit's
# administrator: its own visits; the problems assigned to it or collected on its visits (each side
# of the OR an index look-up on the problem table, not a join for every problem).
UNIT_VISITS = "AND o.unit_id = %(unit)s"
UNIT_PROBLEMS = """AND (p.unit_id = %(unit)s
      OR p.outreach_id IN (SELECT id FROM frontline_outreach WHERE unit_id = %(unit)s))"""
PLACES_BY = ("", "o.unit_id, ", "d.district_id, ")

# visits and donations by unit and the district of the place visited
VISITS_SQL = """
    SELECT o.unit_id, u.name, d.district_id, COUNT(*), SUM(o.donated_money), SUM(o.donated_goods)
    FROM frontline_outreach o JOIN registry_unit u ON u.id = o.unit_id
    JOIN frontline_place pl ON pl.id = o.place_id JOIN registry_division d ON d.id = pl.division_id
    WHERE o.visited_on >= %(first)s AND o.visited_on <= %(last)s {scope}
    GROUP BY o.unit_id, u.name, d.district_id
"""

# person-times (a cadre on a visit) and those of 局级 cadres, by unit and district
PERSON_TIMES_SQL = """
    SELECT o.unit_id, d.district_id, COUNT(*),
      SUM(CASE WHEN m.rank = 'bureau' THEN 1 ELSE 0 END)
    FROM frontline_outreach_cadres oc JOIN frontline_outreach o ON o.id = oc.outreach_id
    JOIN registry_member m ON m.id = oc.member_id
    JOIN frontline_place pl ON pl.id = o.place_id JOIN registry_division d ON d.id = pl.division_id
    WHERE o.visited_on >= %(first)s AND o.visited_on <= %(last)s {scope}
    GROUP BY o.unit_id, d.district_id
"""

# distinct places visited of each kind, `{by}` nothing (in total), unit or district
PLACES_SQL = """
    SELECT {by}pl.kind, COUNT(DISTINCT o.place_id)
    FROM frontline_outreach o JOIN frontline_place pl ON pl.id = o.place_id
    JOIN registry_division d ON d.id = pl.division_id
    WHERE o.visited_on >= %(first)s AND o.visited_on <= %(last)s {scope}
    GROUP BY {by}pl.kind
"""

# the problems one of the figures counts, by the unit handling them and their district (their
# division's, else that of the place of the visit that collected them); merged ones count only in
# rated / satisfied; 通报 from the timeline's 通报 steps in the range (NOTICED)
NOTICED = """EXISTS (SELECT 1 FROM frontline_problemevent e
      WHERE e.problem_id = p.id AND e.kind = 'notice' AND e."on" >= %(first)s
        AND e."on" <= %(last)s)"""
PROBLEMS_SQL = """
    SELECT p.unit_id, u.name, COALESCE(d.district_id, pd.district_id),
      SUM(CASE WHEN p.master_id IS NULL AND p.received_on >= %(first)s
               AND p.received_on <= %(last)s THEN 1 ELSE 0 END),
      SUM(CASE WHEN p.master_id IS NULL AND p.state = 'closed' AND p.closed_on >= %(first)s
               AND p.closed_on <= %(last)s THEN 1 ELSE 0 END),
      SUM(CASE WHEN p.master_id IS NULL AND p.state = 'closed' AND p.closed_on >= %(first)s
               AND p.closed_on <= %(last)s AND p.closed_on <= p.deadline THEN 1 ELSE 0 END),
      SUM(CASE WHEN p.master_id IS NULL AND p.received_on >= %(first)s
               AND p.received_on <= %(last)s AND p.deadline < %(today)s
               AND p.state IN ('received', 'assigned', 'returned', 'handling') THEN 1 ELSE 0 END),
      SUM(CASE WHEN {noticed} THEN 1 ELSE 0 END),
      SUM(CASE WHEN p.rated_on >= %(first)s AND p.rated_on <= %(last)s
               AND p.satisfaction <> '' THEN 1 ELSE 0 END),
      SUM(CASE WHEN p.rated_on >= %(first)s AND p.rated_on <= %(last)s
               AND p.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END)
    FROM frontline_problem p
    LEFT JOIN registry_unit u ON u.id = p.unit_id
    LEFT JOIN registry_division d ON d.id = p.division_id
    LEFT JOIN frontline_outreach o ON o.id = p.outreach_id
    LEFT JOIN frontline_place pl ON pl.id = o.place_id
    LEFT JOIN registry_division pd ON pd.id = pl.division_id
    WHERE (p.received_on >= %(first)s AND p.received_on <= %(last)s
        OR p.closed_on >= %(first)s AND p.closed_on <= %(last)s
        OR p.rated_on >= %(first)s AND p.rated_on <= %(last)s
        OR {noticed}) {scope}
    GROUP BY p.unit_id, u.name, COALESCE(d.district_id, pd.district_id)
"""


# One list of the desk: its first rows, due first (no deadline last) or, for 通报, by list date.
DESK_SQL = """
    SELECT p.id, p.public_id, p.title, p.state, c.name, u.name, p.deadline
    FROM frontline_problem p JOIN frontline_problemcategory c ON c.id = p.category_id
    LEFT JOIN registry_unit u ON u.id = p.unit_id
    WHERE {where}
    ORDER BY {order}
    LIMIT %(limit)s
"""
DUE_FIRST = "p.deadline ASC NULLS LAST, p.received_on, p.id"
DESK_LISTS = (
    ("p.state = 'received'", DUE_FIRST),
    ("p.state = 'returned'", DUE_FIRST),
    ("p.state IN ('assigned', 'returned', 'handling') AND p.deadline < %(today)s", DUE_FIRST),
    (
        "p.state IN ('received', 'assigned', 'returned', 'handling') AND p.noticed_on IS NOT NULL",
        "p.noticed_on, p.deadline, p.id",
    ),
)

# A unit's queue: what it must handle now, due first, with the number of problems in it.
QUEUE_COUNT_SQL = """
    SELECT COUNT(*) FROM frontline_problem p
    WHERE p.unit_id = %(unit)s AND p.state IN ('assigned', 'handling')
"""
QUEUE_SQL = DESK_SQL.format(
    where="p.unit_id = %(unit)s AND p.state IN ('assigned', 'handling')", order=DUE_FIRST
)


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="20,000 problems, 100,000 person-times"
    )
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--person-times", type=int, default=5_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", default=None, help="keep (and reuse) the SQLite data here")
    args = parser.parse_args()
    n_problems = 20_000 if args.quick else args.problems
    n_person_times = 100_000 if args.quick else args.person_times
    repeat = 5 if args.quick else args.repeat

    start_django(keep=args.keep, database_url=args.database_url)
    from decimal import Decimal

    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count

    from guanqing.accounts.models import User
    from guanqing.core.calendar.workdays import business_date
    from guanqing.core.daterange import DateRange
    from guanqing.frontline import figures, selectors
    from guanqing.frontline.models import Outreach, Problem, ProblemEvent
    from guanqing.registry.models import Division
    from guanqing.registry.selectors import current_district_map

    call_command("migrate", verbosity=0)
    today = business_date()
    existing = Problem.objects.count()
    if existing and existing != n_problems:
        sys.exit(
            f"the database already holds {existing:,} problems, not {n_problems:,}: "
            "give an empty database (or the --keep folder of a run of the same size)"
        )
    start = time.perf_counter()
    if not existing:
        print(
            f"building {n_problems:,} problems, {n_person_times:,} person-times on {connection.vendor}:"
        )
        build(n_problems, n_person_times, today)
        print(f"built in {time.perf_counter() - start:.0f} s")
    span = DateRange(today.replace(year=today.year - 1) + datetime.timedelta(days=1), today)
    params = {"first": span.first, "last": span.last, "today": today}
    through = Outreach.cadres.through.objects
    print(
        f"database: {connection.vendor}; visits {Outreach.objects.count():,}, person-times "
        f"{through.count():,}, problems {Problem.objects.count():,}, open "
        f"{Problem.objects.open().count():,}, steps {ProblemEvent.objects.count():,}; "
        f"figures from {span.first} to {span.last}"
    )

    def sql_rows(sql, extra=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, **(extra or {})})
            return cursor.fetchall()

    committee, _ = User.objects.get_or_create(username="bench_committee", role="committee")
    busiest = (
        Outreach.objects.values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_id")
        .values_list("unit_id", flat=True)
        .first()
    )
    admin, _ = User.objects.get_or_create(
        username=f"bench_admin_{busiest}", role="unit_admin", unit_id=busiest
    )
    cases = []

    # --- the figures -----------------------------------------------------------------------------
    def figures_hand(unit=None):
        visits_scope = UNIT_VISITS if unit else ""
        problems_scope = UNIT_PROBLEMS if unit else ""
        extra = {"unit": unit}
        places = {
            by: sql_rows(PLACES_SQL.format(by=by, scope=visits_scope), extra) for by in PLACES_BY
        }
        return (
            sql_rows(VISITS_SQL.format(scope=visits_scope), extra),
            sql_rows(PERSON_TIMES_SQL.format(scope=visits_scope), extra),
            places,
            sql_rows(PROBLEMS_SQL.format(noticed=NOTICED, scope=problems_scope), extra),
            current_district_map(),
        )

    def money(value):
        """A sum as SQLite answers it (a float: the amounts built are exact in binary) or as
        PostgreSQL does (a Decimal)."""
        return Decimal(value) if value is not None else Decimal(0)

    def figures_expected(visits, person_times, places, problems, rolled):
        """The figures from the hand-written queries' numbers, put together as `frontline_figures`
        puts them (`figures.Tally`: shares and 万元 rounded half up)."""
        totals = figures.Tally()
        units: dict = {}
        districts: dict = {}
        names: dict = {}

        def tallies(unit_id, district_id):
            district_id = rolled.get(district_id, district_id)
            return (
                totals,
                units.setdefault(unit_id, figures.Tally()),
                districts.setdefault(district_id, figures.Tally()),
            )

        for unit_id, name, district_id, n, given, goods in visits:
            names[unit_id] = name
            for tally in tallies(unit_id, district_id):
                tally.numbers["visits"] += n
                tally.money += money(given)
                tally.goods += money(goods)
        for unit_id, district_id, n, bureau in person_times:
            for tally in tallies(unit_id, district_id):
                tally.numbers["person_times"] += n
                tally.numbers["bureau_person_times"] += bureau
        key = {"grassroots": "grassroots_units", "village": "villages", "enterprise": "enterprises"}
        in_total, by_unit, by_district = (places[by] for by in PLACES_BY)
        for kind, n in in_total:
            totals.numbers[key[kind]] = n
        for unit_id, kind, n in by_unit:
            units.setdefault(unit_id, figures.Tally()).numbers[key[kind]] = n
        for district_id, kind, n in by_district:
            district_id = rolled.get(district_id, district_id)
            districts.setdefault(district_id, figures.Tally()).numbers[key[kind]] += n
        for unit_id, name, district_id, *numbers in problems:
            if unit_id is not None:
                names.setdefault(unit_id, name)
            for tally in tallies(unit_id, district_id):
                for k, n in zip(figures.PROBLEM_KEYS, numbers, strict=True):
                    tally.numbers[k] += n
        district_names = dict(
            Division.objects.filter(pk__in=[pk for pk in districts if pk]).values_list("pk", "name")
        )
        by_unit = [
            {"unit": {"id": pk, "name": names.get(pk)}, **tally.as_dict()}
            for pk, tally in units.items()
        ]
        by_district = [
            {"district": {"id": pk, "name": district_names.get(pk)}, **tally.as_dict()}
            for pk, tally in districts.items()
        ]
        by_unit.sort(
            key=lambda r: (r["unit"]["id"] is None, -r["person_times"], r["unit"]["name"] or "")
        )
        by_district.sort(
            key=lambda r: (
                r["district"]["id"] is None,
                -r["person_times"],
                r["district"]["name"] or "",
            )
        )
        result = totals.as_dict()
        return {
            "from": span.first,
            "to": span.last,
            "today": today,
            **result,
            "article": {k: result[k] for k in figures.ARTICLE_KEYS},
            "by_unit": by_unit,
            "by_district": by_district,
        }

    def check_figures(whose, user, unit):
        def orm():
            return figures.frontline_figures(user, span, today=today)

        def hand():
            return figures_hand(unit)

        got, expected = orm(), figures_expected(*hand())
        if got != expected:
            for key in expected:
                if key in ("by_unit", "by_district"):
                    for mine, theirs in zip(got[key], expected[key], strict=False):
                        if mine != theirs:
                            diff = {
                                k: (mine.get(k), v) for k, v in theirs.items() if mine.get(k) != v
                            }
                            print(f"  {key} row: figures, SQL: {diff}")
                            break
                    if len(got[key]) != len(expected[key]):
                        print(f"  {key}: {len(got[key])} rows, SQL {len(expected[key])}")
                elif got.get(key) != expected[key]:
                    print(f"  {key}: figures {got.get(key)!r}, SQL {expected[key]!r}")
            sys.exit(f"{whose} figures differ from SQL")
        print(
            f"{whose} figures: {got['visits']:,} visits, {got['person_times']:,} person-times "
            f"({got['bureau_person_times']:,} 局级), {got['villages_enterprises']:,} villages and "
            f"enterprises, {got['donated_wan_yuan']} 万元; problems {got['problems_collected']:,} "
            f"collected, {got['problems_solved']:,} solved ({got['on_time_rate']}% on time), "
            f"{got['problems_overdue']:,} overdue, {got['problems_noticed']:,} 通报, satisfaction "
            f"{got['satisfaction']}%; {len(got['by_unit'])} units, {len(got['by_district'])} districts"
        )
        cases.append((f"{whose} figures, one year", orm, hand))

    check_figures("committee's", committee, None)
    check_figures(f"unit {busiest}'s", admin, busiest)

    # --- the dispatch desk and a unit's queue ----------------------------------------------------
    def shown(problem):
        """What the desk's table shows of a problem (the deadline as text: SQLite answers it so)."""
        unit = problem.unit.name if problem.unit_id else None
        deadline = str(problem.deadline) if problem.deadline else None
        return (
            problem.pk,
            problem.public_id,
            problem.title,
            problem.state,
            problem.category.name,
            unit,
            deadline,
        )

    def as_text(rows):
        return [(*row[:6], str(row[6]) if row[6] else None) for row in rows]

    def desk_orm():
        desk = selectors.dispatch_desk(today)
        lists = (desk.unassigned, desk.returned, desk.overdue, desk.noticed)
        return [list(rows[: DESK_LIMIT + 1]) for rows in lists]

    def desk_hand():
        extra = {"limit": DESK_LIMIT + 1}
        return [sql_rows(DESK_SQL.format(where=w, order=o), extra) for w, o in DESK_LISTS]

    names = ("unassigned", "returned", "overdue", "noticed")
    for name, got, expected in zip(names, desk_orm(), desk_hand(), strict=True):
        got, expected = [shown(p) for p in got], as_text(expected)
        if got != expected:
            for mine, theirs in zip(got, expected, strict=False):
                if mine != theirs:
                    print(f"  desk: {mine}\n  SQL:  {theirs}")
                    break
            sys.exit(f"the desk's {name} list ({len(got)} rows) differs from SQL ({len(expected)})")
    desk = selectors.dispatch_desk(today)
    sizes = ", ".join(f"{n} {getattr(desk, n).count():,}" for n in names)
    print(f"dispatch desk: {sizes}")
    cases.append((f"dispatch desk, {DESK_LIMIT + 1} rows of four lists", desk_orm, desk_hand))

    def queue_orm():
        page = Paginator(selectors.problem_queue(admin), QUEUE_PAGE).get_page(None)
        return page.paginator.count, list(page.object_list)

    def queue_hand():
        extra = {"unit": busiest, "limit": QUEUE_PAGE}
        return sql_rows(QUEUE_COUNT_SQL, extra)[0][0], sql_rows(QUEUE_SQL, extra)

    (total, page), (hand_total, hand_page) = queue_orm(), queue_hand()
    if total != hand_total or [shown(p) for p in page] != as_text(hand_page):
        sys.exit(f"unit {busiest}'s queue ({total} problems) differs from SQL ({hand_total})")
    print(f"unit {busiest}'s queue: {total:,} problems, first page {len(page)}")
    cases.append((f"unit's queue, first page ({total:,} problems)", queue_orm, queue_hand))

    print(f"\n{'case':52} {'ORM ms':>9} {'SQL ms':>8} {'ratio':>6}")
    ratios, desk_ms = [], 0.0
    for name, orm, sql in cases:
        orm_ms, sql_ms = side_by_side(orm, sql, repeat)
        ratio = orm_ms / sql_ms
        ratios.append(ratio)
        if name.startswith("dispatch desk"):
            desk_ms = orm_ms
        print(f"{name:52} {orm_ms:9.1f} {sql_ms:8.1f} {ratio:6.2f}", flush=True)
    print(f"dispatch desk: {desk_ms:.1f} ms (target < 100 ms); target ratio ≤ 1.5")
    print(f"ratio={max(ratios):.2f}")


if __name__ == "__main__":
    main()
