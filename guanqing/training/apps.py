from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "guanqing.training"
    label = "training"
    verbose_name = "轮训 Training rotations"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import demo

        demo.register(
            "training", "guanqing.training.demo:build", order=78, label=gettext_lazy("轮训")
        )

        from guanqing.training import access, nav  # noqa: F401 - access registers the table

        nav.register()

        from guanqing.core.ui import home as home_page
        from guanqing.training import home

        home_page.register(*home.SECTIONS)

        from guanqing.training import figures

        figures.register_snapshots()
        home.register_snapshots()

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="training",
                title=gettext_lazy("轮训"),
                order=80,
                build="guanqing.training.report.build",
            )
        )
