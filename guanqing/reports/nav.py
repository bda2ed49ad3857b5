"""The 工作情况统计 entries of the menu (registered from `ReportsConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("reports", _("工作情况统计"), order=70)
    nav.register(
        NavEntry(
            group="reports",
            label=_("期间报告"),
            url_name="reports:report",
            rule="reports.read",
            order=10,
            active=("reports:report",),
        ),
        NavEntry(
            group="reports",
            label=_("已发布报告"),
            url_name="reports:published_list",
            rule="reports.read",
            order=20,
            active=("reports:published_list", "reports:published"),
        ),
    )
