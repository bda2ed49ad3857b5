"""One demo per test process, shared by the test modules that only read it.

Loading the demo is the dearest set-up in the suite (the full demo takes over a minute), and a
dozen modules check the same one. A module marked ``pytest.mark.shared_demo(scale=…)`` runs
with that demo loaded, once, inside a transaction that stays open while such modules follow one
another; each test runs in a savepoint inside it (``django_db`` as usual), so whatever a test
writes is rolled back and the next test meets the demo exactly as loaded. The first module
without the mark rolls the demo back, leaving the empty database every other test expects.

The root conftest names the marked modules' tests ``<test>@demo-<scale>``, which
``--dist loadgroup`` sends to one process together, so a demo is loaded once per run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

import time_machine
from django.db import connection, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from guanqing.core.demo.load import DemoSummary


@dataclass(frozen=True)
class DemoKey:
    scale: float
    seed: int | None = None

    @property
    def group(self) -> str:
        return f"demo-{self.scale:g}" + ("" if self.seed is None else f"-seed{self.seed}")


def settle_deferred_checks() -> None:
    """Check the foreign keys of the rows written so far in the open transaction, once.

    Every test ends by checking the deferred constraints (Django's test case does, before rolling
    back its savepoint). On PostgreSQL that check also covers the rows written before the savepoint
    and, since the rollback un-does the check with the rest, it came back for every test: 10 s a
    test over the full demo. Checked here, in the outer transaction, those rows are done with."""
    connection.check_constraints()


class DemoShelf:
    """Holds at most one loaded demo, in an open transaction on the default database."""

    def __init__(self, blocker, today: datetime.datetime) -> None:
        self._blocker = blocker
        self._today = today
        self._atomic = None
        self.key: DemoKey | None = None
        self.summary: DemoSummary | None = None
        # where the load left the clock (it ticks from the pinned day while the demo is built)
        self.loaded_until: datetime.datetime | None = None

    def ensure(self, key: DemoKey) -> DemoSummary:
        if self.key == key:
            return self.summary
        from guanqing.core.demo import load_demo

        self.drop()
        with self._blocker.unblock():
            if connection.in_atomic_block:
                raise RuntimeError("a shared demo is loaded before a test's transaction, not in it")
            atomic = transaction.atomic()
            # Like a test case's own block: a durable block inside it stays allowed.
            atomic._from_testcase = True
            atomic.__enter__()
            self._atomic = atomic
            try:
                with time_machine.travel(self._today, tick=True):
                    kwargs = {} if key.seed is None else {"seed": key.seed}
                    summary = load_demo(scale=key.scale, **kwargs)
                    loaded_until = timezone.now()
                if summary is None:
                    raise RuntimeError("the test database already held a demo")
                settle_deferred_checks()
            except BaseException:
                self.drop()
                raise
        self.key, self.summary, self.loaded_until = key, summary, loaded_until
        return summary

    def drop(self) -> None:
        """Roll the demo back (nothing to do when none is loaded)."""
        if self._atomic is None:
            return
        atomic, self._atomic = self._atomic, None
        self.key = self.summary = self.loaded_until = None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
