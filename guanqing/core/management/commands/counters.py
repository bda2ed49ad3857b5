"""`guanqing counters`: recount every pre-aggregated day count (core/counters.py) from the
records it counts and report each day whose stored count differs; exit status 1 when one does.
`--fix` rewrites the counters that differ from their recount."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanqing.core import counters


class Command(BaseCommand):
    help = "核对预汇总计数：按原始记录重新统计并报告差异"

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="rewrite the counters that differ")

    def handle(self, *args, fix=False, **options):
        wrong = 0
        for counter in counters.counters():
            found = counters.differences(counter)
            if not found:
                self.stdout.write(_("%(key)s：一致") % {"key": counter.key})
                continue
            wrong += 1
            for d in found[:20]:
                self.stdout.write(
                    _("%(key)s %(day)s：存储 %(stored)s，重新统计 %(counted)s")
                    % {"key": d.key, "day": d.day, "stored": d.stored, "counted": d.counted}
                )
            if len(found) > 20:
                self.stdout.write(_("……另有 %(n)s 天不一致") % {"n": len(found) - 20})
            if fix:
                counters.rewrite(counter)
                self.stdout.write(_("%(key)s：已按重新统计改写") % {"key": counter.key})
        if wrong and not fix:
            raise CommandError(_("%(n)s 个计数与原始记录不一致") % {"n": wrong})
