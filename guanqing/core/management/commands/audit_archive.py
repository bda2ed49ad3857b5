"""`guanqing audit_archive`: move the audit records older than GUANQING_AUDIT_RETENTION_DAYS (at least
183 days) into a signed archive file, then remove them from the database.

The file is written, read back and verified before anything is deleted; the chain in the database
continues from the last archived record. Run it from cron (docs/security.md); running it again when
nothing is due writes nothing.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from guanqing.core.audit import archive


class Command(BaseCommand):
    help = "归档超过留存期的审计记录"  # argparse needs a str; commands speak the site language

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            dest="directory",
            help="Folder for the archive files; default: <GUANQING_DATA_DIR>/audit-archive.",
        )
        parser.add_argument("--language", choices=["zh-hans", "en"], help="Output language.")

    def handle(self, *args, directory=None, language=None, **options):
        with translation.override(language) if language else nullcontext():
            try:
                result = archive.archive(directory=Path(directory) if directory else None)
            except archive.ArchiveError as exc:
                raise CommandError(
                    _("未归档，没有删除任何记录：%(reason)s") % {"reason": exc}
                ) from None
            if result is None:
                self.stdout.write(
                    _("没有超过留存期（%(days)s 天）的审计记录")
                    % {"days": settings.AUDIT_RETENTION_DAYS}
                )
                return
            self.stdout.write(
                _("已归档 %(count)s 条审计记录（序号 %(first)s–%(last)s）到 %(path)s")
                % {
                    "count": result.count,
                    "first": result.first_seq,
                    "last": result.last_seq,
                    "path": result.path,
                }
            )
