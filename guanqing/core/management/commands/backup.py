"""`guanqing backup [--output PATH]`: the database, every uploaded file and a manifest in one
compressed archive (guanqing/core/backup.py; docs/deployment.md, "备份与恢复 Backup and restore").
The keys are never in it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanqing.core import backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database, every uploaded file and a manifest; "
        "the secret, field and audit keys are not in it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the archive to write (default: <data folder>/backups/guanqing-<time>.tar.gz)",
        )

    def handle(self, *args, output=None, **options):
        path = Path(output).expanduser() if output else backup.default_archive_path()
        try:
            manifest = backup.create_backup(path, progress=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                _("备份完成：%(path)s（%(size)s 字节）")
                % {"path": path, "size": path.stat().st_size}
            )
        )
        self.stdout.write(
            _("数据库 %(vendor)s：%(tables)s 张表，%(rows)s 行；上传文件 %(files)s 个")
            % {
                "vendor": manifest["database"]["vendor"],
                "tables": len(manifest["tables"]),
                "rows": rows,
                "files": manifest["media"]["files"],
            }
        )
        self.stdout.write(
            self.style.WARNING(
                _(
                    "密钥不在备份中：请另行保管 GUANQING_SECRET_KEY、GUANQING_FIELD_KEY 和 "
                    "GUANQING_AUDIT_KEY，没有相同的密钥无法读取证件号"
                )
            )
        )
