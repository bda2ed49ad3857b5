"""Excel import at scale: 100,000 households through the platform's import, against a raw parse
and bulk insert of the same file, on the same database.

Builds a small division tree (one district, one street, twenty communities) and a committee
account, writes an .xlsx of N households (`--rows`, default 100,000; `--quick` 5,000) with
checksum-valid, distinct ID numbers and real community codes (openpyxl write-only), then, with the
household, person and audit tables emptied before each run:

(a) the platform's import as the background worker runs it: an ImportJob holding the file, run by
    `import_job_run` (read, check every row, write everything in one transaction with an audit
    record per household and per head, seal the audit chain after the commit);
(b) a raw parse of the same file (openpyxl read-only) and a bulk insert of the same households
    and head persons, with the look-up hash and the encrypted ID number the models need, and
    nothing else (no checks, no audit).

Prints the rows/s of each, with the process (CPU) time per row beside the wall time (on a machine
shared with other work the CPU time is the steadier measure); with `--repeat N` the two run in
turn N times and the best time of each is compared. Then the worker's peak resident memory
during (a) (`peak_rss_mb=`), `cpu_ratio=` (CPU time of (b) ÷ CPU time of (a)), and as the last line
`ratio=<rate of (a) ÷ rate of (b)>` (target ≥ 0.5, peak under 1 GB).
Usage: python bench/imports.py [--quick] [--rows N] [--repeat N] [--profile]
       [--database-url postgres://…]
(the PostgreSQL database must be empty: the bench migrates it and adds its own rows).
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Writer, start_django, table_columns  # noqa: E402 - the bench's own helpers

COMMUNITIES = 20
CATEGORIES = ["低保户", "低保边缘户", "特困供养", "因病致困", "因残致困", "其他"]


# --- data ------------------------------------------------------------------------------------


def seed():
    """A district, a street, COMMUNITIES communities and a committee account."""
    from guanqing.accounts.models import User
    from guanqing.registry.choices import DivisionKind, DivisionLevel
    from guanqing.registry.models import Division

    district = Division.objects.create(
        code="330203000000",
        name="海曙区",
        kind=DivisionKind.DISTRICT,
        level=DivisionLevel.DISTRICT,
    )
    district.district = district
    district.save(update_fields=["district"])
    street = Division.objects.create(
        code="330203001000",
        name="测试街道",
        kind=DivisionKind.STREET,
        level=DivisionLevel.STREET,
        parent=district,
        district=district,
    )
    communities = [
        Division.objects.create(
            code=f"330203001{n:03d}",
            name=f"测试{n}社区",
            kind=DivisionKind.COMMUNITY,
            level=DivisionLevel.COMMUNITY,
            parent=street,
            district=district,
        )
        for n in range(1, COMMUNITIES + 1)
    ]
    committee = User.objects.create(username="bench_committee", role="committee")
    return committee, communities


def id_number(n: int) -> str:
    """The n-th of a run of distinct, checksum-valid ID numbers (born 1940–1994)."""
    from guanqing.testing.idnumbers import make_id_number

    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=n % 20_000)
    return make_id_number("330203", birth, n // 20_000)


def write_file(path: Path, rows: int, communities) -> None:
    from openpyxl import Workbook

    from guanqing.registry.resources import RESOURCES

    headers = [c.column_name for c in RESOURCES["households"]().columns()]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("困难家庭")
    ws.append(headers)
    for n in range(rows):
        community = communities[n % len(communities)]
        values = {
            "户主姓名": f"户主{n}",
            "身份证号码": id_number(n),
            "性别": "",
            "联系电话": f"139{n:08d}",
            "社区/村代码": community.code,
            "社区/村": community.name,
            "住址": f"测试路 {n} 号",
            "困难类别": CATEGORIES[n % len(CATEGORIES)],
            "家庭情况": f"家庭情况说明 {n}",
            "致贫原因": "因病",
            "思想状况": "积极",
            "个人专长": "",
            "帮扶需求": f"帮扶需求 {n}",
        }
        ws.append([values.get(h, "") for h in headers])
    wb.save(path)


def empty_tables() -> None:
    """Remove what an import writes (households, people, audit records), keeping the rest."""
    from django.db import connection

    tables = [
        "registry_person",
        "registry_household",
        "core_auditevent",
        "core_auditseal",
        "core_auditunsealed",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    from guanqing.core.audit import chain
    from guanqing.core.models import AuditChainHead

    AuditChainHead.objects.filter(pk=chain.HEAD_PK).delete()


# --- (a) the platform's import, as the worker runs it ---------------------------------------


class PeakRss:
    """The highest resident set size seen while it runs (sampled, plus the kernel's own peak)."""

    def __init__(self, every: float = 0.02):
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * self._page

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(self.every)

    def __enter__(self):
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def platform_import(path: Path, committee, profile: bool) -> tuple[float, float, dict, int]:
    from django.core.files import File

    from guanqing.registry.imports import import_job_run
    from guanqing.registry.models_imports import ImportJob, ImportJobStatus

    job = ImportJob(kind="households", file_name=path.name, created_by=committee, total_rows=0)
    with open(path, "rb") as handle:
        job.file.save(path.name, File(handle), save=False)
    job.save()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    with PeakRss() as rss:
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        outcome = import_job_run(job_id=job.pk)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    job.refresh_from_db()
    if job.status != ImportJobStatus.DONE:
        sys.exit(f"the import failed: {job.errors[:5]}")
    if profiler:
        import pstats

        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return seconds, cpu, outcome, rss.peak


# --- (b) a raw parse and bulk insert of the same file ---------------------------------------


def raw_import(path: Path) -> tuple[float, float]:
    from django.db import connection, transaction
    from django.utils import timezone
    from openpyxl import load_workbook

    from guanqing.core import sensitive
    from guanqing.registry.choices import HardshipCategory, Relation
    from guanqing.registry.models import Division, Household, Person

    start, cpu_start = time.perf_counter(), time.process_time()
    codes = dict(Division.objects.values_list("code", "pk"))
    categories = {str(label): value for value, label in HardshipCategory.choices}
    h_columns, h_names, h_defaults = table_columns(Household)
    p_columns, p_names, p_defaults = table_columns(Person)
    now = timezone.now()
    households, people = [], []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM registry_household")
            next_id = cursor.fetchone()[0] + 1
        wb = load_workbook(path, read_only=True, data_only=True)
        rows = wb.worksheets[0].iter_rows(values_only=True)
        headers = list(next(rows))
        where = {h: i for i, h in enumerate(headers)}
        for row in rows:
            number = row[where["身份证号码"]]
            lookup = sensitive.lookup_hash(number)
            encrypted = sensitive.encrypt(number)
            gender = sensitive.gender_of(number)
            head = row[where["户主姓名"]]
            values = dict(
                h_defaults,
                id=next_id,
                head_name=head,
                head_gender=gender,
                phone=row[where["联系电话"]] or "",
                community_id=codes[row[where["社区/村代码"]]],
                address=row[where["住址"]] or "",
                category=categories[row[where["困难类别"]]],
                status="active",
                situation=row[where["家庭情况"]] or "",
                hardship_cause=row[where["致贫原因"]] or "",
                outlook=row[where["思想状况"]] or "",
                skills=row[where["个人专长"]] or "",
                needs=row[where["帮扶需求"]] or "",
                id_number_hash=lookup,
                id_number_encrypted=encrypted,
                created_at=now,
                updated_at=now,
            )
            households.append([values[n] for n in h_names])
            person = dict(
                p_defaults,
                id=None,
                household_id=next_id,
                name=head,
                relation=Relation.HEAD,
                gender=gender,
                birth_date=sensitive.birth_date_of(number),
                id_number_hash=lookup,
                id_number_encrypted=encrypted,
            )
            people.append([person[n] for n in p_names])
            next_id += 1
        wb.close()
        writer = Writer(connection)
        writer.write("registry_household", h_columns, households)
        p_keep = [i for i, n in enumerate(p_names) if n != "id"]
        writer.write(
            "registry_person",
            [p_columns[i] for i in p_keep],
            ([row[i] for i in p_keep] for row in people),
        )
    return time.perf_counter() - start, time.process_time() - cpu_start


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 households")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the platform's import")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run (a) then (b) N times and compare the best of each",
    )
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    rows = 5_000 if args.quick else args.rows

    start_django(keep=None, database_url=args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from guanqing.registry.models import Household, Person

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the job's progress, on PostgreSQL
    committee, communities = seed()
    folder = Path(tempfile.mkdtemp(dir=os.environ["GUANQING_DATA_DIR"]))
    path = folder / f"households-{rows}.xlsx"
    started = time.perf_counter()
    write_file(path, rows, communities)
    print(
        f"{connection.vendor}: {rows:,} households, file {path.stat().st_size / 1e6:.1f} MB "
        f"(written in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )

    a_runs, b_runs, peak = [], [], 0
    for _repetition in range(args.repeat):
        empty_tables()
        a_seconds, a_cpu, outcome, a_peak = platform_import(path, committee, args.profile)
        peak = max(peak, a_peak)
        if (Household.objects.count(), Person.objects.count()) != (rows, rows):
            sys.exit(f"the import wrote {Household.objects.count()} households, not {rows}")
        a_runs.append((a_seconds, a_cpu))
        print(
            f"(a) platform import (worker):  {a_seconds:7.1f} s, {rows / a_seconds:8,.0f} rows/s, "
            f"CPU {a_cpu / rows * 1e6:5,.0f} µs/row — {outcome}",
            flush=True,
        )

        empty_tables()
        b_seconds, b_cpu = raw_import(path)
        if (Household.objects.count(), Person.objects.count()) != (rows, rows):
            sys.exit(f"the raw insert wrote {Household.objects.count()} households, not {rows}")
        b_runs.append((b_seconds, b_cpu))
        print(
            f"(b) raw parse + bulk insert:   {b_seconds:7.1f} s, {rows / b_seconds:8,.0f} rows/s, "
            f"CPU {b_cpu / rows * 1e6:5,.0f} µs/row",
            flush=True,
        )

    # the best of each: what the code costs, with less of what else the machine was doing
    a_seconds, a_cpu = min(a_runs)[0], min(cpu for _s, cpu in a_runs)
    b_seconds, b_cpu = min(b_runs)[0], min(cpu for _s, cpu in b_runs)
    a_rate, b_rate = rows / a_seconds, rows / b_seconds
    if args.repeat > 1:
        print(f"best of {args.repeat}: (a) {a_seconds:.1f} s, (b) {b_seconds:.1f} s")

    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak_rss_mb={peak / 2**20:.0f} (process peak so far {max_rss:.0f} MB; target < 1024)")
    print(f"cpu_ratio={b_cpu / a_cpu:.2f}")
    print(f"ratio={a_rate / b_rate:.2f}")


if __name__ == "__main__":
    main()
