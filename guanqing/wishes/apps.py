from django.apps import AppConfig


class WishesConfig(AppConfig):
    name = "guanqing.wishes"
    label = "wishes"
    verbose_name = "微心愿 Micro-wishes"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import counters, demo
        from guanqing.wishes.counts import COUNTERS

        for counter, triggers in COUNTERS:
            counters.register(counter, *triggers)

        from guanqing.registry import pickers
        from guanqing.registry.models import Division
        from guanqing.wishes import selectors

        # the wall's community filter: the communities with wishes on the reader's wall
        pickers.register(
            "wall-communities",
            model=Division,
            queryset=selectors.wall_communities_of,
            rule="wishes.wall",
        )

        demo.register(
            "wishes", "guanqing.wishes.demo:build", order=30, label=gettext_lazy("微心愿")
        )

        from guanqing.core import daily
        from guanqing.wishes.services import claims_lapse, describe_lapse

        daily.register("wishes.claims_lapse", claims_lapse, describe=describe_lapse)

        from guanqing.wishes.figures import register_snapshots

        register_snapshots()

        from guanqing.core.ui import home as home_page
        from guanqing.wishes import access, home, nav  # noqa: F401 - access registers its table

        nav.register()
        home_page.register(*home.SECTIONS)

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="wishes",
                title=gettext_lazy("微心愿"),
                order=20,
                build="guanqing.wishes.report.build",
            )
        )
