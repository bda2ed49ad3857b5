"""What the benchmarks share: Django on a throwaway data folder, bulk writing, a model's columns,
and timing two answers to one question side by side (alternately, medians)."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

BATCH = 20_000


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def side_by_side(orm, sql, repeat: int) -> tuple[float, float]:
    """Median ms of each, run alternately so that the machine's noise falls on both."""
    orm(), sql()  # warm caches and connections
    orm_ms, sql_ms = [], []
    for _ in range(repeat):
        orm_ms.append(timed(orm))
        sql_ms.append(timed(sql))
    return statistics.median(orm_ms), statistics.median(sql_ms)


class Writer:
    """Bulk rows into a table: COPY on PostgreSQL, executemany in big batches on SQLite."""

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor

    def write(self, table: str, columns: list[str], rows) -> int:
        count = 0
        if self.vendor == "postgresql":
            raw = self.connection.connection
            copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        batch = []
        with self.connection.cursor() as cursor:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def table_columns(model) -> tuple[list[str], list[str], dict]:
    """A model's columns and attribute names, with each field's default (None when nullable)."""
    fields = list(model._meta.concrete_fields)
    defaults = {}
    for f in fields:
        if f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None if f.null else ""
    return [f.column for f in fields], [f.attname for f in fields], defaults


def start_django(*, keep: str | None, database_url: str | None) -> None:
    """Django on a data folder of its own (`keep` to keep and reuse it; SQLite unless
    `database_url`), with the project's settings and a generated secret key."""
    data_dir = keep or tempfile.mkdtemp(prefix="guanqing-bench-")
    if not keep:
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    Path(data_dir, "static").mkdir(parents=True, exist_ok=True)
    os.environ["GUANQING_DATA_DIR"] = data_dir
    os.environ["GUANQING_DEMO"] = "1"  # a generated secret key in the data folder
    os.environ.setdefault("GUANQING_LOG_LEVEL", "WARNING")
    if database_url:
        os.environ["GUANQING_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

    import django

    django.setup()
