"""The committee's headline figures cost the same whatever the history: the day counts
(core/counters.py) against the raw aggregate, at two sizes of history, side by side.

For each size (`--small`, default 10,000 pairings ≈ 100,000 visits; `--large`, default 1,000,000
≈ 10,000,000) it builds the data set of `bench/compliance.py` in a throwaway database (SQLite, or
the empty PostgreSQL database of `--database-url`; a second database for the large size is made
by dropping the first's rows), then times, alternately, this quarter's visits and this year's
人次 as the home page reads them (`counters.total`) and as a raw count over the visits
(`selectors.visits_between` / `person_times_between` for the committee), checks both give the
same number, and prints the medians. It prints the two ratios the targets are about:

- growth = headline ms at the large size ÷ at the small size (target ≤ 1.5);
- speed-up = raw ms ÷ headline ms at the large size (target ≥ 10).

The last line is `ratio=<speed-up at the large size>`.
Usage: python bench/counters.py [--quick] [--small N] [--large N] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import side_by_side, start_django  # noqa: E402 - the bench's own helpers


def empty_tables() -> None:
    """Remove the bench's rows (every table the compliance build writes), keeping the schema."""
    from django.db import connection

    tables = [
        "pairing_visit_participants",
        "pairing_visit",
        "pairing_pairingterm",
        "pairing_pairing",
        "registry_member",
        "registry_household",
        "registry_partyorg",
        "registry_unit",
        "registry_division",
        "core_daycount",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    from guanqing.accounts.models import User

    User.objects.filter(username__startswith="bench_").delete()


def measure(n_pairings: int, today: datetime.date, repeat: int) -> dict:
    import compliance as compliance_bench
    from django.db import connection

    from guanqing.accounts.models import User
    from guanqing.core import counters
    from guanqing.pairing import counts, selectors
    from guanqing.pairing.models import Visit

    empty_tables()
    start = time.perf_counter()
    with counters.bulk_load():
        compliance_bench.build(n_pairings, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    built = time.perf_counter() - start
    committee, _ = User.objects.get_or_create(username="bench_committee", role="committee")
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    year = today.replace(month=1, day=1)

    def headline():
        return (
            counters.total(counts.VISITS, quarter, today),
            counters.total(counts.PERSON_TIMES, year, today),
        )

    def raw():
        return (
            selectors.visits_between(committee, quarter, today),
            selectors.person_times_between(committee, year, today),
        )

    if headline() != raw():
        sys.exit(f"the day counts differ from the visits: {headline()} != {raw()}")
    head_ms, raw_ms = side_by_side(headline, raw, repeat)
    visits = Visit.objects.count()
    print(
        f"{visits:>11,} visits (built in {built:.0f} s): headline {head_ms:8.2f} ms, "
        f"raw {raw_ms:9.2f} ms, {raw_ms / head_ms:6.1f}× — this quarter {headline()[0]:,} "
        f"visits, this year {headline()[1]:,} 人次",
        flush=True,
    )
    return {"visits": visits, "headline": head_ms, "raw": raw_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 100,000 pairings")
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    small, large = (2_000, 100_000) if args.quick else (args.small, args.large)

    start_django(keep=None, database_url=args.database_url)
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    first = measure(small, today, args.repeat)
    second = measure(large, today, args.repeat)
    growth = second["headline"] / first["headline"]
    speedup = second["raw"] / second["headline"]
    print(f"growth={growth:.2f} (target ≤ 1.5), speed-up={speedup:.1f} (target ≥ 10)")
    print(f"ratio={speedup:.1f}")


if __name__ == "__main__":
    main()
