"""`guanqing worker`: run the background tasks (large imports, reports) from the database queue."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务（大文件导入等）"  # argparse needs a str; commands speak the site language

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Queues to process, comma-separated; '*' for all (default).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between polls when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Process what is queued, then exit (for cron or a one-off run).",
        )
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=None,
            help="Exit after this many tasks (a supervisor restarts the worker).",
        )

    def handle(self, *args, **options):
        # No code reloading: a reload could stop a task half-way; the import would roll back,
        # but the job would stay "in progress" until run again.
        worker_options = {
            "queue_name": options["queue_name"],
            "interval": options["interval"],
            "batch": options["batch"],
            "reload": False,
            "verbosity": options["verbosity"],
        }
        if options["max_tasks"] is not None:
            worker_options["max_tasks"] = options["max_tasks"]
        call_command("db_worker", **worker_options)
