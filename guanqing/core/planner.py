"""PostgreSQL planner settings for a few statements of the current transaction.

A statement that reads rows the same transaction wrote (an import checking its next thousand ID
numbers against the households it has just inserted) is planned with statistics taken before
those rows existed: PostgreSQL then reads every such row for each thousand, and a 100,000-row
import spent most of its time there. Inside `without(...)` the named plans are switched off for
the statements within, with `SET LOCAL`, and restored after. Elsewhere (SQLite) it does nothing.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction

# The settings a caller may switch off (a fixed list: the names go into SQL).
SETTINGS = frozenset({"enable_seqscan", "enable_bitmapscan", "enable_sort"})


@contextmanager
def without(*names: str, using: str = "default"):
    """Plan the statements inside without `names` (e.g. "enable_seqscan"), inside a transaction."""
    unknown = set(names) - SETTINGS
    if unknown:
        raise ValueError(f"not a planner setting this module switches: {sorted(unknown)}")
    connection = transaction.get_connection(using)
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("; ".join(f"SET LOCAL {name} = off" for name in names))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("; ".join(f"RESET {name}" for name in names))
