"""The daily jobs that `guanqing tick` runs: each app registers its own from `AppConfig.ready`.

A job takes the business date (Asia/Shanghai) and returns a result; `describe(result)` turns it
into the one line tick prints. Every job must be idempotent: running tick twice on a day changes
nothing the second time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DailyJob:
    name: str
    run: Callable[[datetime.date], Any]
    describe: Callable[[Any], str]
    order: int = 0  # jobs run by order, then in the order the apps registered them


_jobs: dict[str, DailyJob] = {}


def register(
    name: str,
    run: Callable[[datetime.date], Any],
    *,
    describe: Callable[[Any], str] = str,
    order: int = 0,
) -> None:
    """Register (or replace, when an app is loaded again) the job called `name`."""
    _jobs[name] = DailyJob(name=name, run=run, describe=describe, order=order)


def jobs() -> list[DailyJob]:
    """The registered jobs by their order, then in the order the apps registered them."""
    return sorted(_jobs.values(), key=lambda job: job.order)


def run_all(today: datetime.date) -> list[tuple[DailyJob, str]]:
    """Run every job for `today`; (job, its line) for each."""
    return [(job, job.describe(job.run(today))) for job in jobs()]
