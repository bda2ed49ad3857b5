"""`guanqing demo`: data folder, database, demo data, static files — then serve with gunicorn."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from guanqing.core.management.commands.serve import check_port_free, run_server
from guanqing.registry.demo.generate import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoDatabaseNotEmpty,
    demo_loaded,
    load_demo,
)

HOST = "127.0.0.1"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def accounts_table() -> str:
    from guanqing.core.roles import Role

    rows = [("账号 username", "角色 role", "范围 scope")]
    for account in DEMO_ACCOUNTS:
        role = f"{Role(account.role).label} {account.role}"
        scope = account.scope + ("（可查看完整证件号）" if account.can_reveal else "")
        rows.append((account.username, role, scope))
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Prepare the demo (data folder, SQLite database, demo data at the article's scale, static "
        "files), print the demo accounts, then serve it on http://127.0.0.1:8000 with gunicorn."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="only prepare the data; do not start a server"
        )
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply members and households (and communities) by N, e.g. 10 for benchmarks",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo database (SQLite only) and build it again",
        )

    def handle(self, *args, **options):
        port, scale = options["port"], options["scale"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port}: use a port between 1 and 65535")
        if not 0 < scale <= 1000:
            raise CommandError(f"--scale {scale:g}: use a number above 0 and at most 1000")
        serve = not options["no_serve"]
        if serve:
            check_port_free(HOST, port)

        started = time.monotonic()
        data_dir = Path(settings.DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"数据目录 data folder: {data_dir}")
        if options["reset"]:
            self._reset()

        self.stdout.write("数据库迁移 migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)

        if demo_loaded():
            self.stdout.write(_("演示数据已存在，直接使用"))
            if scale != 1:
                self.stdout.write(
                    self.style.WARNING(
                        _("--scale %(scale)g 未生效：数据已存在，请加 --reset") % {"scale": scale}
                    )
                )
        else:
            self.stdout.write(f"生成演示数据 loading demo data (scale {scale:g}) …")
            try:
                summary = load_demo(
                    scale=scale, progress=lambda step: self.stdout.write(f"  · {step}")
                )
            except DemoDatabaseNotEmpty as exc:
                raise CommandError(str(exc)) from None
            if summary is not None:
                self.stdout.write(
                    f"  {summary.divisions} 个区划（{summary.communities} 个社区、"
                    f"{summary.villages} 个村），{summary.units} 个单位，"
                    f"{summary.party_orgs} 个党组织，{summary.members} 名党员，"
                    f"{summary.households} 户困难家庭（{summary.people} 人），"
                    f"{summary.accounts} 个演示账号；用时 {summary.seconds:.1f} 秒"
                )
                for part in summary.extra.values():  # pairing, wishes, community
                    self.stdout.write(f"  {part.describe()}")
                for name, line in summary.daily:  # as `guanqing tick` prints them
                    self.stdout.write(f"  {name}: {line}")

        self.stdout.write("收集静态文件 collecting static files …")
        call_command("collectstatic", interactive=False, verbosity=0)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"准备完成 ready in {elapsed:.1f} s"))

        url = f"http://{HOST}:{port}/"
        self.stdout.write("")
        self.stdout.write(accounts_table())
        self.stdout.write("")
        self.stdout.write(f"所有演示账号的密码 password of every demo account: {DEMO_PASSWORD}")
        if not serve:
            self.stdout.write(f"启动服务 to serve it: guanqing demo --port {port}")
            return
        self.stdout.write(self.style.SUCCESS(_("访问 %(url)s（按 Ctrl-C 停止）") % {"url": url}))
        self.stdout.flush()
        status = run_server(f"{HOST}:{port}", workers=2, threads=4, with_worker=True)
        if status > 0:
            raise CommandError(f"gunicorn exited with status {status}", returncode=status)

    def _reset(self) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                "--reset deletes only the demo's SQLite database; "
                "drop and create a PostgreSQL database yourself"
            )
        connections.close_all()
        path = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = path.with_name(path.name + suffix)
            if candidate.exists():
                candidate.unlink()
        self.stdout.write(f"已删除演示数据库 deleted {path}")
