from django.apps import AppConfig


class InstructorsConfig(AppConfig):
    name = "guanqing.instructors"
    label = "instructors"
    verbose_name = "农村工作指导员 Rural work instructors"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import demo

        demo.register(
            "instructors",
            "guanqing.instructors.demo:build",
            order=65,
            label=gettext_lazy("农村工作指导员"),
        )

        from guanqing.instructors import (
            access,  # noqa: F401 - registers the "instructors" table
            nav,
        )

        nav.register()

        from guanqing.instructors.figures import register_snapshots

        register_snapshots()

        from guanqing.core.ui import home as home_page
        from guanqing.instructors import home

        home_page.register(*home.SECTIONS)
        home.register_snapshots()

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="instructors",
                title=gettext_lazy("农村工作指导员"),
                order=45,
                build="guanqing.instructors.report.build",
            )
        )
