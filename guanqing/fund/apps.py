from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "guanqing.fund"
    label = "fund"
    verbose_name = "汇爱帮扶金 Mutual-aid fund"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import demo

        demo.register(
            "fund", "guanqing.fund.demo:build", order=75, label=gettext_lazy("汇爱帮扶金")
        )

        from guanqing.fund import (
            access,  # noqa: F401 - registers the "fund" table
            nav,
        )

        nav.register()

        from guanqing.core.ui import home as home_page
        from guanqing.fund import home

        home_page.register(*home.SECTIONS)

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="fund",
                title=gettext_lazy("汇爱帮扶金"),
                order=60,
                build="guanqing.fund.report.build",
            )
        )
