from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "guanqing.window"
    label = "window"
    verbose_name = "满意窗口 Service window"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import counters, demo
        from guanqing.window.counts import COUNTERS

        for counter, triggers in COUNTERS:
            counters.register(counter, *triggers)

        from guanqing.window.figures import register_snapshots

        register_snapshots()

        demo.register(
            "window", "guanqing.window.demo:build", order=50, label=gettext_lazy("满意窗口")
        )

        from guanqing.core import daily
        from guanqing.window import access  # noqa: F401 - registers the "window" table
        from guanqing.window.services import cases_daily, describe_daily

        daily.register("window.cases_daily", cases_daily, describe=describe_daily)

        from guanqing.window.rating_services import describe_ratings_daily, ratings_daily

        daily.register("window.ratings_daily", ratings_daily, describe=describe_ratings_daily)

        from guanqing.window import nav

        nav.register()

        from guanqing.core.ui import home as home_page
        from guanqing.window import home

        home_page.register(*home.SECTIONS)

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="window",
                title=gettext_lazy("满意窗口"),
                order=50,
                build="guanqing.window.report.build",
            )
        )
