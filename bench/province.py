"""The demo at a province's scale, built for the other benchmarks (`guanqing.core.demo.province`).

Builds the demo data set (scale 1) in a kept SQLite data folder or in the (empty, throwaway)
PostgreSQL database named by `--database-url`, then multiplies its records in the database to
`--fraction` of a Zhejiang-sized platform (1.0: a million households and pairings, ten million
visits, half a million members and wishes, two million window cases, a million problems), printing
each model's rows and the time taken. Run again on the same database, it adds nothing.
`bench/pages.py --province F` does the same before timing the pages.

Usage: python bench/province.py [--fraction F] (--keep DIR | --database-url postgres://…)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import start_django  # noqa: E402 - the bench's own helpers


def build(fraction: float) -> None:
    """The demo at scale 1 if the database has none, then grown to `fraction` of a province."""
    from django.core.management import call_command

    from guanqing.core.demo import demo_loaded, load_demo
    from guanqing.core.demo.province import grow

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if demo_loaded():
        print("demo data already in the database")
    else:
        start = time.perf_counter()
        load_demo(scale=1)
        print(f"demo data at scale 1: {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    written = grow(fraction, progress=lambda line: print(f"  {line}", flush=True))
    total = sum(written.values())
    print(
        f"province × {fraction:g}: {total:,} rows in the grown tables, "
        f"{time.perf_counter() - start:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", default=None, help="the SQLite data folder to build in")
    args = parser.parse_args()
    if not (args.keep or args.database_url):
        parser.error("name where to build it: --keep DIR or --database-url")
    if not 0 < args.fraction <= 1:
        parser.error("--fraction: more than 0, at most 1")
    start_django(keep=args.keep, database_url=args.database_url)
    build(args.fraction)


if __name__ == "__main__":
    main()
