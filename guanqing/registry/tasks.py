"""Background work of the registry, run by `guanqing worker`."""

from __future__ import annotations

from django_tasks import task

from guanqing.registry import imports


@task()
def run_import_job(job_id: int) -> dict:
    """Check and write a large Excel import (see guanqing.registry.imports.import_job_run)."""
    return imports.import_job_run(job_id=job_id)
