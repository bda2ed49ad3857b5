"""`load_demo()`: every registered builder in its order, in one transaction, then the one audit
event that summarises the load and the daily jobs (the platform as it stands after tonight's
`guanqing tick`).

This is seed data, not a user's write: the builders bulk-create their rows (the services would
audit every row and take minutes), and the audit event carries their counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from guanqing.core import audit, daily
from guanqing.core.demo.context import SEED, DemoContext
from guanqing.core.demo.registry import builders, demo_accounts

DEMO_ACTOR = "demo"


class DemoDatabaseNotEmpty(Exception):
    """The database holds data that is not the demo's: the demo never mixes with real records.
    A builder raises it when it finds its app's data already there."""


@dataclass
class DemoSummary:
    scale: float
    parts: dict[str, Any] = field(default_factory=dict)  # builder name -> what it built
    seconds: float = 0.0
    daily: list[tuple[str, str]] = field(default_factory=list)  # (job, what it did)

    def as_changes(self) -> dict:
        changes: dict = {}
        for part in self.parts.values():
            changes.update(part.as_changes())
        return changes

    def lines(self) -> list[str]:
        """One line per builder, in the language of the process."""
        return [str(part.describe()) for part in self.parts.values()]

    def message(self) -> str:
        """The audit event's message (in the site language: the builders' notes are)."""
        notes = [part.note() for part in self.parts.values() if hasattr(part, "note")]
        return f"演示数据（规模 {self.scale:g}）：" + "；".join(note for note in notes if note)


def demo_loaded() -> bool:
    """The demo has been loaded into this database (its first demo account exists)."""
    accounts = demo_accounts()
    if not accounts:
        return False
    return get_user_model().objects.filter(username=accounts[0].username).exists()


def _analyze(seen: dict[str, int]) -> None:
    """On PostgreSQL, the planner's statistics of the platform's tables written since the last
    call brought up to date (`seen`: each table's rows written so far in this transaction).

    Each builder reads what the ones before it wrote, and the daily jobs read it all, within this
    one transaction, long before autovacuum looks (ANALYZE counts the transaction's own rows). A
    table's row count from an earlier ANALYZE survives that transaction's rollback, so without
    this a table can be planned as empty while it holds tens of thousands of rows — the window's
    overdue follow-ups then took minutes. Only the platform's own tables: a database-wide ANALYZE
    also takes the cluster's shared catalogues, and holds them to the end of the transaction. Only
    those the transaction wrote to since (pg_stat_xact_user_tables): analysing every table after
    every builder took a tenth of the full demo's time.
    """
    if connection.vendor != "postgresql":
        return
    ours = set(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE schemaname = current_schema()"
        )
        written = {name: count for name, count in cursor.fetchall() if name in ours}
        changed = sorted(name for name, count in written.items() if count != seen.get(name, 0))
        seen.update(written)
        if changed:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in changed))


def load_demo(
    *, scale: float = 1.0, seed: int = SEED, progress: Callable[[str], None] | None = None
) -> DemoSummary | None:
    """Load the demo data unless it is already there; returns None when nothing was done."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if demo_loaded():
        return None
    if get_user_model().objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    started = timezone.now()
    summary = DemoSummary(scale=scale)
    with transaction.atomic():
        ctx = DemoContext(scale=scale, seed=seed)
        analysed: dict[str, int] = {}
        if progress is not None:
            ctx.progress = progress
        for builder in builders():
            ctx.progress(str(builder.label))
            summary.parts[builder.name] = builder.build(ctx)
            _analyze(analysed)
        audit.record(
            actor=None,
            actor_username=DEMO_ACTOR,
            action="import",
            object_type="demo",
            object_repr="演示数据",
            changes=summary.as_changes(),
            message=summary.message(),
        )
        # The platform as it stands after tonight's `guanqing tick`: the reminders of duties due
        # soon and overdue, the claims that ran out yesterday lapsed, each with its notification.
        ctx.progress(gettext("每日任务"))
        summary.daily = [(job.name, line) for job, line in daily.run_all(ctx.today)]
        summary.seconds = (timezone.now() - started).total_seconds()
    return summary
