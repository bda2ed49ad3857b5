"""`guanqing restore ARCHIVE [--yes]`: an archive of `guanqing backup` into an empty database and
the upload folder. The whole archive is checked before anything is written; the row counts are
compared with its manifest afterwards (guanqing/core/backup.py)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from guanqing.core import backup


class Command(BaseCommand):
    help = (
        "Restore an archive of `guanqing backup` into an empty database and the upload folder; "
        "a damaged archive or a database that is not empty is refused and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by `guanqing backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, yes=False, **options):
        conn = connections[DEFAULT_DB_ALIAS]
        if conn.vendor == "sqlite":
            connections.close_all()  # the file is replaced: no connection may hold the old one
        try:
            result = backup.restore_backup(
                archive,
                connection=conn,
                confirm=None if yes else self._confirm,
                progress=self.stdout.write,
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "恢复完成：%(tables)s 张表、%(rows)s 行与清单一致；上传文件写入 %(written)s 个"
                    "（已存在且相同 %(present)s 个）"
                )
                % {
                    "tables": len(manifest["tables"]),
                    "rows": sum(manifest["tables"].values()),
                    "written": result.media_written,
                    "present": result.media_present,
                }
            )
        )
        if result.keys_readable is False:
            self.stderr.write(
                self.style.ERROR(
                    _(
                        "警告：用当前的密钥无法解密备份中的证件号。请配置备份时使用的 "
                        "GUANQING_FIELD_KEY（未设置时为 GUANQING_SECRET_KEY）后再启动服务，"
                        "否则证件号无法查看、查重"
                    )
                )
            )
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _("备份来自较早的版本：请执行 guanqing migrate（%(count)s 个迁移未执行）")
                    % {"count": len(result.pending_migrations)}
                )
            )

    def _confirm(self, manifest: dict) -> bool:
        conn = connections[DEFAULT_DB_ALIAS]
        question = _(
            "将把 %(created)s 的备份（关情 %(version)s）恢复到数据库 %(database)s 和上传文件目录 "
            "%(media)s。继续吗？[y/N] "
        ) % {
            "created": manifest["created_at"],
            "version": manifest["guanqing_version"],
            "database": conn.settings_dict["NAME"],
            "media": settings.MEDIA_ROOT,
        }
        if not sys.stdin.isatty():
            raise CommandError(_("没有终端可以确认：确认无误后加 --yes 再执行"))
        return input(question).strip().lower() in {"y", "yes", "是"}
