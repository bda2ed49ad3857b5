from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "guanqing.reports"
    label = "reports"
    verbose_name = "工作情况统计 Period reports"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import demo
        from guanqing.reports import access, nav

        demo.register(
            "reports", "guanqing.reports.demo:build", order=95, label=gettext_lazy("工作情况统计")
        )

        assert access  # imported for its side effect: registers the "reports" table
        nav.register()

        from guanqing.core import snapshots
        from guanqing.reports import selectors

        snapshots.register(
            selectors.LIVE_REPORT, selectors.committee_sections, warm=selectors.committee_defaults
        )
