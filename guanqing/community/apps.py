from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "guanqing.community"
    label = "community"
    verbose_name = "党员进社区 Members at their home community"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.community.counts import COUNTERS
        from guanqing.core import counters, demo

        for counter, triggers in COUNTERS:
            counters.register(counter, *triggers)

        demo.register(
            "community",
            "guanqing.community.demo:build",
            order=40,
            label=gettext_lazy("进社区报到：报到、活动与评价"),
        )

        from guanqing.community import access, home, nav  # noqa: F401 - access registers its table
        from guanqing.core.ui import home as home_page

        nav.register()
        home_page.register(*home.SECTIONS)

        from guanqing.community.selectors import register_snapshots

        register_snapshots()
        home.register_snapshots()

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="community",
                title=gettext_lazy("党员进社区"),
                order=30,
                build="guanqing.community.report.build",
            )
        )
