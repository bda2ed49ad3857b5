"""The compliance boards against hand-written SQL, side by side in one run, at a province's scale.

Builds a data set of `--pairings` pairings (default 1,000,000) with about ten visits each (ten
million), across 5,000 units of 20–380 pairings each, 9,000 communities in 90 districts, with
ended pairings and relays, in a throwaway SQLite database or in the (empty, throwaway) PostgreSQL
database named by `--database-url`. Then, as of today, measures:

- the city-wide board of this quarter (statuses — overdue, due soon, done… — counted by unit and by
  district: "who is overdue this quarter"), as `compliance.city_board` computes it for the page
  and the API;
- one unit's board (each pairing with its status, deadline, visits and the member answering for
  it), `compliance.unit_board`, for the largest unit and for a middle-sized one;

each against one hand-written SQL query answering the same question on the same database, timed
alternately, medians printed, and their answers compared (a mismatch stops the run). The last
line is `ratio=<worst ratio>`. Targets: ratio ≤ 1.2; a unit's board under 100 ms.

Usage: python bench/compliance.py [--quick] [--pairings N] [--database-url postgres://…]
       [--keep DIR]  (keep the SQLite database in DIR and reuse it on the next run)
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Writer, side_by_side, start_django  # noqa: E402 - the bench's own helpers

UNIT_SIZES = (20, 380)
DISTRICTS, STREETS_PER_DISTRICT, COMMUNITIES_PER_STREET = 90, 10, 10
VISITS_PER_PAIRING = 10


# --- building the data set -----------------------------------------------------------------------


def build(n_pairings: int, today: datetime.date, seed: int = 2014) -> dict:
    from django.db import connection, transaction

    from guanqing.accounts.models import User

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
    recorder = User.objects.create(username="bench_recorder", role="committee")

    with transaction.atomic():
        # divisions: 90 districts, 900 streets, 9,000 communities
        divisions, communities = [], []
        next_id = 1
        for d in range(DISTRICTS):
            district_id = next_id
            district_code = f"33{d + 1:02d}00000000"[:6] + "000000"
            district_code = f"3{d // 10 + 1}{d % 10 + 1:02d}{d:02d}000000"
            divisions.append(
                (district_id, district_code, f"区县{d + 1}", "district", "district", None, None)
            )
            next_id += 1
            for s in range(STREETS_PER_DISTRICT):
                street_id = next_id
                street_code = district_code[:6] + f"{s + 1:03d}000"
                divisions.append(
                    (
                        street_id,
                        street_code,
                        f"街道{d + 1}-{s + 1}",
                        "street",
                        "street",
                        district_id,
                        district_id,
                    )
                )
                next_id += 1
                for c in range(COMMUNITIES_PER_STREET):
                    code = street_code[:9] + f"{c + 1:03d}"
                    divisions.append(
                        (
                            next_id,
                            code,
                            f"社区{d + 1}-{s + 1}-{c + 1}",
                            "community",
                            "community",
                            street_id,
                            district_id,
                        )
                    )
                    communities.append(next_id)
                    next_id += 1
        n = writer.write(
            "registry_division",
            ["id", "code", "name", "level", "kind", "parent_id", "district_id", "note"],
            ((*row, "") for row in divisions),
        )
        done("divisions", n)

        # units of 20–380 pairings until the total is reached
        sizes = []
        while sum(sizes) < n_pairings:
            sizes.append(rng.randint(*UNIT_SIZES))
        sizes[-1] -= sum(sizes) - n_pairings
        if sizes[-1] <= 0:
            sizes.pop()
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
            ((i + 1, f"单位{i + 1:05d}", "", "", "", 0, True, now, now) for i in range(len(sizes))),
        )
        done("units", n)

        # members: one for every two pairings of a unit, plus one
        unit_members: list[range] = []
        member_rows = []
        member_id = 1
        for unit_index, size in enumerate(sizes):
            count = size // 2 + 1
            unit_members.append(range(member_id, member_id + count))
            for m in range(member_id, member_id + count):
                member_rows.append(
                    (
                        m,
                        None,
                        "",
                        f"党员{m}",
                        "male",
                        f"13{m % 1_000_000_000:09d}",
                        "other",
                        unit_index + 1,
                        "active",
                        now,
                        now,
                    )
                )
            member_id += count
        n = writer.write(
            "registry_member",
            [
                "id",
                "id_number_hash",
                "id_number_encrypted",
                "name",
                "gender",
                "mobile",
                "rank",
                "unit_id",
                "status",
                "created_at",
                "updated_at",
            ],
            member_rows,
        )
        del member_rows
        done("members", n)

        n = writer.write(
            "registry_household",
            [
                "id",
                "id_number_hash",
                "id_number_encrypted",
                "head_name",
                "head_gender",
                "phone",
                "community_id",
                "address",
                "category",
                "status",
                "situation",
                "hardship_cause",
                "outlook",
                "skills",
                "needs",
                "created_at",
                "updated_at",
            ],
            (
                (
                    h,
                    None,
                    "",
                    f"户主{h}",
                    "male",
                    "",
                    rng.choice(communities),
                    "",
                    "other",
                    "active",
                    "",
                    "",
                    "",
                    "",
                    "",
                    now,
                    now,
                )
                for h in range(1, n_pairings + 1)
            ),
        )
        done("households", n)

        # pairings: started over the last three years; 8% ended; 3% relayed
        first_day = today - datetime.timedelta(days=3 * 365)
        span_days = (today - first_day).days - 10
        pairings, terms = [], []
        term_id = 1
        pairing_id = 1
        for unit_index, size in enumerate(sizes):
            members = unit_members[unit_index]
            for _ in range(size):
                started = first_day + datetime.timedelta(days=rng.randrange(span_days))
                ended = None
                if rng.random() < 0.08:
                    ended = started + datetime.timedelta(
                        days=rng.randrange((today - started).days + 1)
                    )
                pairings.append((pairing_id, pairing_id, unit_index + 1, started, ended))
                holder = rng.choice(members)
                if rng.random() < 0.03 and (ended or today) > started + datetime.timedelta(days=2):
                    handover = started + datetime.timedelta(
                        days=rng.randrange(1, ((ended or today) - started).days)
                    )
                    terms.append(
                        (
                            term_id,
                            pairing_id,
                            holder,
                            started,
                            handover - datetime.timedelta(days=1),
                            "调离",
                        )
                    )
                    terms.append(
                        (term_id + 1, pairing_id, rng.choice(members), handover, ended, "接力")
                    )
                    term_id += 2
                else:
                    terms.append((term_id, pairing_id, holder, started, ended, ""))
                    term_id += 1
                pairing_id += 1
        n = writer.write(
            "pairing_pairing",
            [
                "id",
                "household_id",
                "unit_id",
                "started_on",
                "ended_on",
                "end_reason",
                "end_note",
                "created_at",
            ],
            ((p, h, u, s, e, "lifted" if e else "", "", now) for p, h, u, s, e in pairings),
        )
        done("pairings", n)
        n = writer.write(
            "pairing_pairingterm",
            ["id", "pairing_id", "member_id", "starts_on", "ends_on", "reason"],
            terms,
        )
        del terms
        done("terms", n)

        def visits():
            visit_id = 1
            for p, _h, _u, started, ended in pairings:
                last = ended or today
                days = (last - started).days + 1
                k = rng.randint(VISITS_PER_PAIRING - 5, VISITS_PER_PAIRING + 5)
                for offset in sorted(rng.randrange(days) for _ in range(k)):
                    day = started + datetime.timedelta(days=offset)
                    festive = day.month in (1, 2, 6)
                    talk = rng.random() < 0.8
                    festival = festive and rng.random() < 0.7
                    brief = not (talk or festival)
                    cash = 500 if festival else 0
                    yield (
                        visit_id,
                        p,
                        day,
                        talk,
                        brief,
                        festival,
                        False,
                        False,
                        "",
                        cash,
                        "",
                        0,
                        "none",
                        "",
                        recorder.pk,
                        now,
                    )
                    visit_id += 1

        n = writer.write(
            "pairing_visit",
            [
                "id",
                "pairing_id",
                "date",
                "talk",
                "brief",
                "festival",
                "help",
                "support",
                "notes",
                "cash_amount",
                "in_kind_items",
                "in_kind_value",
                "support_kind",
                "support_note",
                "recorded_by_id",
                "recorded_at",
            ],
            visits(),
        )
        done("visits", n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    done("analyze", 0)
    largest = max(range(len(sizes)), key=lambda i: sizes[i]) + 1
    middle = sorted(range(len(sizes)), key=lambda i: sizes[i])[len(sizes) // 2] + 1
    return {"largest": largest, "middle": middle}


# --- the hand-written queries --------------------------------------------------------------------


def _owes_sql(vendor: str) -> str:
    """Active on the whole period, or on more than `grace` days of it."""
    if vendor == "postgresql":
        active = (
            "(LEAST(COALESCE(p.ended_on, %(end)s::date), %(end)s::date)"
            " - GREATEST(p.started_on, %(start)s::date) + 1)"
        )
    else:
        active = (
            "(julianday(MIN(COALESCE(p.ended_on, %(end)s), %(end)s))"
            " - julianday(MAX(p.started_on, %(start)s)) + 1)"
        )
    return (
        "((p.started_on <= %(start)s AND (p.ended_on IS NULL OR p.ended_on >= %(end)s))"
        f" OR {active} > %(grace)s)"
    )


def city_sql(vendor: str) -> str:
    return f"""
        SELECT p.unit_id, c.district_id,
          CASE
            WHEN EXISTS (SELECT 1 FROM pairing_visit v WHERE v.pairing_id = p.id AND v.talk
                         AND v.date >= %(start)s AND v.date <= %(last)s) THEN 'done'
            WHEN NOT {_owes_sql(vendor)} THEN 'not_owed'
            WHEN p.ended_on < %(today)s THEN 'overdue'
            WHEN p.ended_on <= %(soon)s THEN 'due_soon'
            ELSE 'due'
          END AS status,
          COUNT(*)
        FROM pairing_pairing p
        JOIN registry_household h ON h.id = p.household_id
        JOIN registry_division c ON c.id = h.community_id
        WHERE p.started_on <= %(end)s AND (p.ended_on IS NULL OR p.ended_on >= %(start)s)
        GROUP BY 1, 2, 3
    """


def unit_sql(vendor: str) -> str:
    deadline = "(CASE WHEN p.ended_on < %(end)s THEN p.ended_on ELSE %(end)s END)"
    if vendor == "postgresql":
        deadline = "(CASE WHEN p.ended_on < %(end)s THEN p.ended_on ELSE %(end)s::date END)"
    return f"""
        SELECT b.id, b.head_name, b.done_count,
          CASE
            WHEN b.done_count >= 1 THEN 'done'
            WHEN NOT b.owes THEN 'not_owed'
            WHEN b.deadline < %(today)s THEN 'overdue'
            WHEN b.deadline <= %(soon)s THEN 'due_soon'
            ELSE 'due'
          END AS status,
          b.deadline, m.id, m.name
        FROM (
          SELECT p.id, h.head_name, {deadline} AS deadline, {_owes_sql(vendor)} AS owes,
            (SELECT COUNT(*) FROM pairing_visit v WHERE v.pairing_id = p.id AND v.talk
              AND v.date >= %(start)s AND v.date <= %(last)s) AS done_count,
            (SELECT t.member_id FROM pairing_pairingterm t WHERE t.pairing_id = p.id
              AND t.starts_on <= {deadline} AND (t.ends_on IS NULL OR t.ends_on >= {deadline})
              ORDER BY t.starts_on DESC LIMIT 1) AS holder_id
          FROM pairing_pairing p
          JOIN registry_household h ON h.id = p.household_id
          WHERE p.unit_id = %(unit)s
            AND p.started_on <= %(end)s AND (p.ended_on IS NULL OR p.ended_on >= %(start)s)
        ) b
        LEFT JOIN registry_member m ON m.id = b.holder_id
    """


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 pairings, fewer repetitions")
    parser.add_argument("--pairings", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", default=None, help="keep (and reuse) the SQLite data here")
    args = parser.parse_args()
    n_pairings = 20_000 if args.quick else args.pairings
    repeat = 5 if args.quick else args.repeat

    start_django(keep=args.keep, database_url=args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from guanqing.accounts.models import User
    from guanqing.pairing import compliance, rules
    from guanqing.pairing.models import Pairing, Visit
    from guanqing.registry.models import Unit

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    existing = Pairing.objects.count()
    if existing and existing != n_pairings:
        sys.exit(
            f"the database already holds {existing:,} pairings, not {n_pairings:,}: "
            "give an empty database (or the --keep folder of a run of the same size)"
        )
    start = time.perf_counter()
    if not existing:
        print(f"building {n_pairings:,} pairings on {connection.vendor}:")
        from guanqing.core import counters

        with counters.bulk_load():  # the day counts once at the end, not row by row
            build(n_pairings, today)
        print(f"built in {time.perf_counter() - start:.0f} s")
    sizes = dict(
        Pairing.objects.values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    )
    by_size = sorted(sizes, key=lambda u: (sizes[u], u))
    largest, middle = by_size[-1], by_size[len(by_size) // 2]
    print(
        f"database: {connection.vendor}; pairings {n_pairings:,}, visits "
        f"{Visit.objects.count():,}, units {len(sizes):,}; today {today}"
    )

    committee, _ = User.objects.get_or_create(username="bench_committee", role="committee")
    config = compliance.current_config()
    period = rules.quarter_of(today)
    params = {
        "start": period.start,
        "end": period.end,
        "last": min(period.end, today),
        "today": today,
        "soon": today + datetime.timedelta(days=config.due_soon_days - 1),
        "grace": config.grace_days,
    }
    assert config.quarterly_talk_minimum == 1, "the hand-written queries assume one talk"

    def sql_rows(sql, extra=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, **(extra or {})})
            return cursor.fetchall()

    # --- the city board: statuses by unit and district -------------------------------------------
    def city_orm():
        return compliance.city_board(Pairing.objects.visible_to(committee), period, today, config)

    city_query = city_sql(connection.vendor)

    def city_hand():
        return sql_rows(city_query)

    board = city_orm()
    by_unit: dict = {}
    for unit_id, _district, status, n in city_hand():
        by_unit.setdefault(unit_id, {}).setdefault(status, 0)
        by_unit[unit_id][status] += n
    for row in board["by_unit"]:
        expected = by_unit.get(row["unit"]["id"], {})
        got = {k: row[k] for k in compliance.STATUS_KEYS if row[k]}
        if got != expected:
            sys.exit(f"city board differs from SQL for unit {row['unit']}: {got} != {expected}")
    totals = board["totals"]
    print(
        f"{period.label} as of {today}: {totals['pairings']:,} pairings, overdue "
        f"{totals['overdue']:,}, due soon {totals['due_soon']:,}, done {totals['done']:,}"
    )

    cases = [("city board, this quarter (by unit and district)", city_orm, city_hand)]

    # --- one unit's board ------------------------------------------------------------------------
    unit_query = unit_sql(connection.vendor)
    for label, unit_id in (("largest", largest), ("middle-sized", middle)):
        unit = Unit.objects.get(pk=unit_id)
        admin, _ = User.objects.get_or_create(
            username=f"bench_unit_{unit_id}", role="unit_admin", unit=unit
        )

        def unit_orm(unit=unit, admin=admin):
            return compliance.unit_board(
                Pairing.objects.visible_to(admin), unit, period, today, config
            )

        def unit_hand(unit_id=unit_id):
            return sql_rows(unit_query, {"unit": unit_id})

        got = {
            (r["pairing"], r["status"], r["deadline"], r["done_count"], r["holder"]["id"])
            for r in unit_orm()["pairings"]
        }
        expected = {
            (pk, status, _date(deadline), done, holder)
            for pk, _name, done, status, deadline, holder, _hname in unit_hand()
        }
        if got != expected:
            sys.exit(f"unit board differs from SQL for unit {unit_id}: {got ^ expected}")
        cases.append((f"unit board, {label} unit ({sizes[unit_id]} pairings)", unit_orm, unit_hand))

    print(f"\n{'case':52} {'board ms':>9} {'SQL ms':>8} {'ratio':>6}")
    ratios, unit_ms = [], []
    for name, orm, sql in cases:
        orm_ms, sql_ms = side_by_side(orm, sql, repeat)
        ratio = orm_ms / sql_ms
        ratios.append(ratio)
        if name.startswith("unit"):
            unit_ms.append(orm_ms)
        print(f"{name:52} {orm_ms:9.1f} {sql_ms:8.1f} {ratio:6.2f}", flush=True)
    print(f"slowest unit board: {max(unit_ms):.1f} ms (target < 100 ms); target ratio ≤ 1.2")
    print(f"ratio={max(ratios):.2f}")


def _date(value):
    if isinstance(value, str):  # SQLite hands a CASE over dates back as text
        return datetime.date.fromisoformat(value)
    return value


if __name__ == "__main__":
    main()
