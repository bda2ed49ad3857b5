from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "guanqing.pledges"
    label = "pledges"
    verbose_name = "十件实事 Annual pledges"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import daily, demo

        demo.register(
            "pledges", "guanqing.pledges.demo:build", order=80, label=gettext_lazy("十件实事")
        )

        from guanqing.pledges import access  # noqa: F401 - registers the "pledges" table
        from guanqing.pledges.services import describe_pledges_daily, pledges_daily

        daily.register("pledges.milestones_daily", pledges_daily, describe=describe_pledges_daily)

        from guanqing.pledges import metrics, nav

        nav.register()
        metrics.register_snapshots()

        from guanqing.core.ui import home as home_page
        from guanqing.pledges import home

        home_page.register(*home.SECTIONS)

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="pledges",
                title=gettext_lazy("十件实事"),
                order=90,
                build="guanqing.pledges.report.build",
            )
        )
