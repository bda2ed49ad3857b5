"""Background work of the platform, run by `guanqing worker`."""

from __future__ import annotations

from django_tasks import task

from guanqing.core import snapshots


@task()
def recount_snapshot(name: str, args: dict, language: str) -> None:
    """Count a figures snapshot afresh and keep it (see guanqing.core.snapshots.read)."""
    snapshots.recount(name, args, language)
