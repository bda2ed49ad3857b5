"""`guanqing tick`: the daily job. Writes the visit-duty reminders (see
`guanqing.pairing.compliance.compliance_remind`); running it twice writes nothing twice.

Run it once a day from cron (the line is in docs/pairing.md).
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guanqing.pairing.compliance import compliance_remind


class Command(BaseCommand):
    help = "每日提醒：临期与逾期的走访任务 / Write the day's visit-duty reminders."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="Business date to run as (YYYY-MM-DD); default: today in Asia/Shanghai.",
        )

    def handle(self, *args, today=None, **options):
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"--today 应为 YYYY-MM-DD / use YYYY-MM-DD, got {today!r}"
                ) from None
        else:
            day = timezone.localdate()
        written = compliance_remind(day)
        self.stdout.write(f"{day}: 新提醒 {written} 条 / {written} new reminder(s)")
