"""`guanqing audit_verify`: recompute the audit chain from the anchor to the head.

Exit status 0 and one line ("审计链完整：N 条") when every record matches; 1 and the first record
that does not (its id and sequence number, and what is wrong). Read-only unless `--seal`, which first
links records a crash left out of the chain. Output follows the language of the process, or
`--language`.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from guanqing.core.audit import chain


class Command(BaseCommand):
    help = "校验审计链：每条审计记录的签名与链接"  # argparse needs a str; commands speak the site language

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal",
            action="store_true",
            help="Seal unsealed records first (otherwise nothing is written).",
        )
        parser.add_argument(
            "--all", action="store_true", help="List every problem, not only the first."
        )
        parser.add_argument("--language", choices=["zh-hans", "en"], help="Output language.")

    def handle(self, *args, seal=False, all=False, language=None, **options):
        with translation.override(language) if language else nullcontext():
            code = self._run(seal=seal, every=all)
        if code:
            sys.exit(code)

    def _run(self, *, seal: bool, every: bool) -> int:
        if seal:
            result = chain.seal()
            if result.sealed:
                self.stdout.write(_("已封存 %(count)s 条未入链的记录") % {"count": result.sealed})
        report = chain.verify(first_only=not every)
        if report.ok:
            self.stdout.write(_("审计链完整：%(count)s 条") % {"count": report.count})
            return 0
        self.stdout.write(
            _("审计链发现问题，第一条：%(problem)s")
            % {"problem": chain.describe_problem(report.problems[0])}
        )
        for item in report.problems[1:]:
            self.stdout.write(chain.describe_problem(item))
        return 1
