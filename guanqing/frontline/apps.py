from django.apps import AppConfig


class FrontlineConfig(AppConfig):
    name = "guanqing.frontline"
    label = "frontline"
    verbose_name = "三服务 走亲连心 Frontline"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import counters, demo
        from guanqing.frontline.counts import COUNTERS

        for counter, triggers in COUNTERS:
            counters.register(counter, *triggers)
        from guanqing.frontline.figures import register_snapshots

        register_snapshots()

        demo.register(
            "frontline", "guanqing.frontline.demo:build", order=60, label=gettext_lazy("走亲连心")
        )

        from guanqing.core import daily
        from guanqing.frontline import access  # noqa: F401 - registers the "frontline" table
        from guanqing.frontline.services import describe_problems_daily, problems_daily

        daily.register("frontline.problems_daily", problems_daily, describe=describe_problems_daily)

        from guanqing.frontline import nav

        nav.register()

        from guanqing.core.ui import home as home_page
        from guanqing.frontline import home

        home_page.register(*home.SECTIONS)

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="frontline",
                title=gettext_lazy("三服务·走亲连心"),
                order=40,
                build="guanqing.frontline.report.build",
            )
        )
