"""`guanqing serve`: run the platform with gunicorn and the background task worker beside it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def worker_command() -> list[str]:
    """`guanqing worker` when the project has it, otherwise django-tasks-db's `db_worker`."""
    if "worker" in get_commands():
        return [sys.executable, "-m", "guanqing.cli", "worker"]
    return [sys.executable, "-m", "guanqing.cli", "db_worker", "--no-reload"]


def gunicorn_command(bind: str, *, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        # gunicorn's control socket lives in the home folder and clashes between instances.
        "--no-control-socket",
    ]


def child_environment() -> dict[str, str]:
    """The same settings for the children, with the data folder made absolute."""
    env = os.environ.copy()
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env["GUANQING_DATA_DIR"] = str(settings.DATA_DIR)
    return env


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(
                _("%(host)s 的端口 %(port)s 已被占用或不可用（%(exc)s）；请用 --port 换一个端口")
                % {"host": host, "port": port, "exc": exc}
            ) from None


def run_server(bind: str, *, workers: int = 2, threads: int = 4, with_worker: bool = True) -> int:
    """Start gunicorn (and the worker); return gunicorn's exit status once it stops.

    Ctrl-C reaches every process in the terminal's group; a SIGTERM sent to this process is passed
    on. The worker is stopped when gunicorn exits, whatever the reason.
    """
    env = child_environment()
    worker = subprocess.Popen(worker_command(), env=env) if with_worker else None
    server = subprocess.Popen(gunicorn_command(bind, workers=workers, threads=threads), env=env)
    children = [p for p in (server, worker) if p is not None]

    def forward(signum, _frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        try:
            return server.wait()
        except KeyboardInterrupt:
            if server.poll() is None:
                server.send_signal(signal.SIGINT)
            return server.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


class Command(BaseCommand):
    help = "Serve Guanqing with gunicorn, with the background task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background task worker (run `guanqing worker` elsewhere)",
        )

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port}: use a port between 1 and 65535")
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        check_port_free(host, port)
        # The shared cache's table (GUANQING_CACHE=database), should `migrate` have run without it.
        call_command("createcachetable", verbosity=0)
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        status = run_server(
            bind,
            workers=options["workers"],
            threads=options["threads"],
            with_worker=not options["no_worker"],
        )
        if status > 0:  # a negative status means it was stopped by a signal
            raise CommandError(f"gunicorn exited with status {status}", returncode=status)
