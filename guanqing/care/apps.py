from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "guanqing.care"
    label = "care"
    verbose_name = "关怀帮扶 Care rules"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import daily, demo

        demo.register("care", "guanqing.care.demo:build", order=70, label=gettext_lazy("关怀帮扶"))

        from guanqing.care import access  # noqa: F401 - registers the "care" table
        from guanqing.care.services import care_daily, describe_care_daily

        daily.register("care.obligations_daily", care_daily, describe=describe_care_daily)

        from guanqing.care import nav

        nav.register()

        from guanqing.care import home
        from guanqing.core.ui import home as home_page

        home_page.register(*home.SECTIONS)

        from guanqing.care.figures import register_snapshots

        register_snapshots()

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="care",
                title=gettext_lazy("六激励·六必谈·六必访·六必帮"),
                order=70,
                build="guanqing.care.report.build",
            )
        )
