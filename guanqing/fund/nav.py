"""The 汇爱帮扶金 group of the menu (registered from `FundConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("fund", _("汇爱帮扶金"), order=58)
    nav.register(
        NavEntry(
            group="fund",
            label=_("帮扶金申请"),
            url_name="fund:aid_applications",
            rule="fund.applications",
            order=10,
            active=("fund:aid_applications", "fund:aid_new", "fund:aid_detail", "fund:aid_edit"),
        ),
        NavEntry(
            group="fund",
            label=_("捐款"),
            url_name="fund:donations",
            rule="fund.donations",
            order=20,
            active=(
                "fund:donations",
                "fund:donation_detail",
                "fund:donation_new",
                "fund:donation_import",
            ),
        ),
        NavEntry(
            group="fund",
            label=_("捐款统计"),
            url_name="fund:donation_totals",
            rule="fund.books",
            order=25,
            active=("fund:donation_totals",),
        ),
        NavEntry(
            group="fund",
            label=_("账目"),
            url_name="fund:books",
            rule="fund.books",
            order=30,
            active=(
                "fund:books",
                "fund:books_vouchers",
                "fund:books_voucher",
                "fund:books_post",
                "fund:books_periods",
            ),
        ),
        NavEntry(
            group="fund",
            label=_("年度报告"),
            url_name="fund:books_report",
            rule="fund.books",
            order=35,
            active=("fund:books_report",),
        ),
        NavEntry(
            group="fund",
            label=_("帮扶标准"),
            url_name="fund:aid_rules",
            rule="fund.settings",
            order=40,
            active=("fund:aid_rules",),
        ),
        NavEntry(
            group="fund",
            label=_("帮扶金公示"),
            url_name="fund:aid_publicity",
            rule="fund.publicity",
            order=50,
            active=("fund:aid_publicity",),
        ),
    )
