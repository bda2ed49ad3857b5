"""`guanqing tick`: the daily jobs every app registered in `guanqing.core.daily` (the visit-duty
reminders, the lapse of micro-wish claims…), one line each in the language of the process; running
it twice writes nothing twice.

Run it once a day from cron (the line is in docs/pairing.md).
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanqing.core import daily
from guanqing.core.calendar.workdays import business_date


class Command(BaseCommand):
    help = "每日任务：走访提醒、心愿认领到期…"  # argparse needs a str; commands speak the site language

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
                    _("--today 应为 YYYY-MM-DD，收到的是 %(today)r") % {"today": today}
                ) from None
        else:
            day = business_date()
        for job, line in daily.run_all(day):
            self.stdout.write(f"{day} {job.name}: {line}")
