"""Scoped list pages against hand-written SQL, side by side in one run.

Builds the demo data set (`--scale N` times the article's size) in a throwaway SQLite database, or
in the PostgreSQL database named by `--database-url`, then measures for several roles:

- the scoped ORM query behind a list page (count + one page of 50, as the API and UI run it),
- one hand-written SQL query answering the same question on the same database,
- the whole API request (`/api/v1/households/`, `/api/v1/members/`) for information.

Prints each case's median times and their ratio; the last line is `ratio=<worst ratio>` over the
cases where the SQL itself takes at least 1 ms (below that, the ORM's fixed ~0.3 ms of query
building is all a ratio would show; those cases print the extra milliseconds instead).
Usage: python bench/lists.py [--quick] [--scale N] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn, repeat: int) -> float:
    fn()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale 1, fewer repetitions")
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    scale = 1 if args.quick else args.scale
    repeat = 7 if args.quick else args.repeat

    data_dir = tempfile.mkdtemp(prefix="guanqing-bench-")
    os.environ["GUANQING_DATA_DIR"] = data_dir
    os.environ["GUANQING_DEMO"] = "1"
    os.environ.setdefault("GUANQING_LOG_LEVEL", "WARNING")
    if args.database_url:
        os.environ["GUANQING_DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    Path(data_dir, "static").mkdir()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from guanqing.accounts.models import User
    from guanqing.core.demo import demo_loaded, load_demo
    from guanqing.registry.models import Household, Member

    call_command("migrate", verbosity=0)
    if demo_loaded():
        print("using the data already in the database")
    else:
        start = time.perf_counter()
        load_demo(scale=scale)
        print(f"demo data at scale {scale}: {time.perf_counter() - start:.1f} s")
    print(
        f"database: {connection.vendor}; households {Household.objects.count()}, "
        f"members {Member.objects.count()}"
    )

    committee = User.objects.get(username="committee")
    worker = User.objects.get(username="community_xujiacao")
    unit_admin = User.objects.get(username="unit_jiwei")

    def orm_page(qs, columns):
        def run():
            offset = 100 if qs.count() > 150 else 0
            list(qs.values_list(*columns)[offset : offset + 50])

        return run

    def sql_page(sql_count, sql_page_query, params):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql_count, params)
                total = cursor.fetchone()[0]
                offset = 100 if total > 150 else 0
                cursor.execute(sql_page_query, [*params, offset])
                cursor.fetchall()

        return run

    q = connection.ops.quote_name
    hh, div, mem = q("registry_household"), q("registry_division"), q("registry_member")
    cases = [
        (
            "households, committee (all)",
            orm_page(
                Household.objects.visible_to(committee), ["id", "head_name", "community__code"]
            ),
            sql_page(
                f"SELECT COUNT(*) FROM {hh}",
                f"SELECT h.id, h.head_name, d.code FROM {hh} h JOIN {div} d ON d.id = h.community_id "
                f"ORDER BY d.code, h.id LIMIT 50 OFFSET %s",
                [],
            ),
        ),
        (
            "households, community worker (own community)",
            orm_page(Household.objects.visible_to(worker), ["id", "head_name", "community__code"]),
            sql_page(
                f"SELECT COUNT(*) FROM {hh} WHERE community_id = %s",
                f"SELECT h.id, h.head_name, d.code FROM {hh} h JOIN {div} d ON d.id = h.community_id "
                f"WHERE h.community_id = %s ORDER BY d.code, h.id LIMIT 50 OFFSET %s",
                [worker.community_id],
            ),
        ),
        (
            "members, unit admin (own unit)",
            orm_page(Member.objects.visible_to(unit_admin), ["id", "name", "unit_id"]),
            sql_page(
                f"SELECT COUNT(*) FROM {mem} WHERE unit_id = %s",
                f"SELECT m.id, m.name, m.unit_id FROM {mem} m WHERE m.unit_id = %s "
                f"ORDER BY m.id LIMIT 50 OFFSET %s",
                [unit_admin.unit_id],
            ),
        ),
    ]

    # A ratio means something only where the database does real work: below 1 ms of SQL the
    # ORM's fixed cost of building the query (~0.3 ms) dominates, so those cases report it instead.
    ratios, all_ratios = [], []
    print(f"\n{'case':46} {'ORM ms':>8} {'SQL ms':>8} {'ratio':>7} {'ORM extra ms':>13}")
    for name, orm, sql in cases:
        orm_ms, sql_ms = median_ms(orm, repeat), median_ms(sql, repeat)
        ratio = orm_ms / sql_ms if sql_ms else float("inf")
        all_ratios.append(ratio)
        if sql_ms >= 1.0:
            ratios.append(ratio)
        print(f"{name:46} {orm_ms:8.2f} {sql_ms:8.2f} {ratio:7.2f} {orm_ms - sql_ms:13.2f}")

    print("\nwhole API requests (serialisation and ID masking included), median ms:")
    for user, url in [
        (committee, "/api/v1/households/?page=3"),
        (worker, "/api/v1/households/"),
        (unit_admin, "/api/v1/members/?page=2"),
    ]:
        client = Client()
        client.force_login(user)

        def request(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        print(f"  {user.username:20} {url:34} {median_ms(request, repeat):8.1f}")

    if not ratios:
        print("(no case spent 1 ms in SQL at this scale: the ratio is the city-wide case's)")
        ratios = all_ratios[:1]
    print(f"ratio={max(ratios):.2f}")


if __name__ == "__main__":
    main()
