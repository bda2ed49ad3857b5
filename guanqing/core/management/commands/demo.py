"""`guanqing demo`: data folder, database, demo data, static files — then serve with gunicorn.

The demo data are built by the builders the apps register in `guanqing.core.demo`; the output
follows the language of the process (Chinese unless another is active).
"""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from guanqing.core.demo import (
    DEMO_PASSWORD,
    DemoDatabaseNotEmpty,
    demo_accounts,
    demo_loaded,
    load_demo,
)
from guanqing.core.management.commands.serve import check_port_free, run_server
from guanqing.core.roles import Role

HOST = "127.0.0.1"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def accounts_table() -> str:
    rows = [(_("账号"), _("角色"), _("范围"))]
    for account in demo_accounts():
        role = f"{Role(account.role).label} {account.role}"
        scope = str(account.scope)
        if account.can_reveal:
            scope = _("%(scope)s（可查看完整证件号）") % {"scope": scope}
        rows.append((account.username, role, scope))
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def otp_secrets_table() -> str:
    """The authenticator secrets of the demo accounts that sign in with a second factor."""
    lines = [
        _(
            "以下账号登录时还须输入动态口令（TOTP，6 位，30 秒），密钥（Base32）可加入任一身份验证器："
        )
    ]
    accounts = [a for a in demo_accounts() if a.otp_secret]
    width = max((_width(a.username) for a in accounts), default=0)
    lines += [f"  {_pad(a.username, width)}  {a.otp_secret}" for a in accounts]
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
            raise CommandError(_("--port %(port)s：端口应在 1 到 65535 之间") % {"port": port})
        if not 0 < scale <= 1000:
            raise CommandError(
                _("--scale %(scale)g：应为大于 0、不超过 1000 的数") % {"scale": scale}
            )
        serve = not options["no_serve"]
        if serve:
            check_port_free(HOST, port)

        started = time.monotonic()
        data_dir = Path(settings.DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.stdout.write(_("数据目录：%(path)s") % {"path": data_dir})
        if options["reset"]:
            self._reset()

        self.stdout.write(_("数据库迁移……"))
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # when the cache is a database table

        if demo_loaded():
            self.stdout.write(_("演示数据已存在，直接使用"))
            if scale != 1:
                self.stdout.write(
                    self.style.WARNING(
                        _("--scale %(scale)g 未生效：数据已存在，请加 --reset") % {"scale": scale}
                    )
                )
        else:
            self.stdout.write(_("生成演示数据（规模 %(scale)g）……") % {"scale": scale})
            try:
                summary = load_demo(
                    scale=scale, progress=lambda step: self.stdout.write(f"  · {step}")
                )
            except DemoDatabaseNotEmpty as exc:
                raise CommandError(str(exc)) from None
            if summary is not None:
                for line in summary.lines():  # one per builder: registry, pairing, wishes…
                    self.stdout.write(f"  {line}")
                for name, line in summary.daily:  # as `guanqing tick` prints them
                    self.stdout.write(f"  {name}: {line}")
                self.stdout.write("  " + _("用时 %(seconds).1f 秒") % {"seconds": summary.seconds})

        self.stdout.write(_("收集静态文件……"))
        call_command("collectstatic", interactive=False, verbosity=0)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(_("准备完成，用时 %(seconds).1f 秒") % {"seconds": elapsed})
        )

        url = f"http://{HOST}:{port}/"
        self.stdout.write("")
        self.stdout.write(accounts_table())
        self.stdout.write("")
        self.stdout.write(_("所有演示账号的密码：%(password)s") % {"password": DEMO_PASSWORD})
        self.stdout.write(otp_secrets_table())
        if not serve:
            self.stdout.write(
                _("启动服务：%(command)s") % {"command": f"guanqing demo --port {port}"}
            )
            return
        self.stdout.write(self.style.SUCCESS(_("访问 %(url)s（按 Ctrl-C 停止）") % {"url": url}))
        self.stdout.flush()
        status = run_server(f"{HOST}:{port}", workers=2, threads=4, with_worker=True)
        if status > 0:
            raise CommandError(
                _("gunicorn 已退出，状态码 %(status)s") % {"status": status}, returncode=status
            )

    def _reset(self) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                _("--reset 只删除演示用的 SQLite 数据库；PostgreSQL 数据库请自行删除并重建")
            )
        connections.close_all()
        path = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = path.with_name(path.name + suffix)
            if candidate.exists():
                candidate.unlink()
        self.stdout.write(_("已删除演示数据库 %(path)s") % {"path": path})
