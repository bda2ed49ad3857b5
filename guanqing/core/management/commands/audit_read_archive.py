"""`guanqing audit_read_archive FILE…`: check an audit archive's signature and the chain inside it,
then print its records (JSON lines) or write them to a workbook (`--format xlsx --output FILE`).

Several files given in order must continue one another. A file that was changed, cut short or
signed with another key is refused (exit status 1) and nothing is printed.
"""

from __future__ import annotations

import json
import zoneinfo
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from guanqing.core.audit import archive
from guanqing.core.models import AuditAction

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Command(BaseCommand):
    help = "读取并校验审计归档文件"  # argparse needs a str; commands speak the site language

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Archive files (.jsonl.gz), oldest first.")
        parser.add_argument("--format", choices=["jsonl", "xlsx"], default="jsonl")
        parser.add_argument(
            "--output", help="Write here instead of standard output (xlsx: required)."
        )
        parser.add_argument("--language", choices=["zh-hans", "en"], help="Output language.")

    def handle(self, *args, files, format="jsonl", output=None, language=None, **options):
        with translation.override(language) if language else nullcontext():
            if format == "xlsx" and not output:
                raise CommandError(_("--format xlsx 需要 --output 文件名"))
            try:
                archives = [archive.read_archive(name) for name in files]
                archive.check_continuity(archives)
            except archive.ArchiveError as exc:
                raise CommandError(str(exc)) from None
            records = [record for contents in archives for record in contents.records]
            if format == "xlsx":
                _write_xlsx(records, output)
            elif output:
                with open(output, "w", encoding="utf-8") as stream:
                    _write_jsonl(records, stream)
            else:
                _write_jsonl(records, self.stdout)
            first, last = archives[0].header, archives[-1].header
            self.stderr.write(
                _("归档完整：%(count)s 条（序号 %(first)s–%(last)s）")
                % {"count": len(records), "first": first["first_seq"], "last": last["last_seq"]}
            )


def _write_jsonl(records, stream) -> None:
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


def _write_xlsx(records, output) -> None:
    import datetime

    from openpyxl import Workbook

    from guanqing.core.excel import literal_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("审计日志"))
    sheet.append(
        [
            _("序号"),
            "id",
            _("时间"),
            _("操作账号"),
            _("操作"),
            _("对象类型"),
            _("对象编号"),
            _("对象"),
            _("变更内容"),
            _("说明"),
            _("IP 地址"),
            _("链哈希"),
        ]
    )
    labels = dict(AuditAction.choices)
    for record in records:
        at = datetime.datetime.fromisoformat(record["at"]).astimezone(SHANGHAI)
        sheet.append(
            literal_row(
                sheet,
                [
                    record["seq"],
                    record["id"],
                    at.strftime("%Y-%m-%d %H:%M:%S"),
                    record["actor_username"],
                    str(labels.get(record["action"], record["action"])),
                    record["object_type"],
                    record["object_id"],
                    record["object_repr"],
                    json.dumps(record["changes"], ensure_ascii=False) if record["changes"] else "",
                    record["message"],
                    record["ip_address"] or "",
                    record["chain_hmac"],
                ],
            )
        )
    workbook.save(output)
