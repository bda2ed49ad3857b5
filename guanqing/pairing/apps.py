from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "guanqing.pairing"
    label = "pairing"
    verbose_name = "结对帮困 Pairing"

    def ready(self):
        from django.utils.translation import gettext, gettext_lazy

        from guanqing.core import counters, demo
        from guanqing.pairing.counts import COUNTERS

        for counter, triggers in COUNTERS:
            counters.register(counter, *triggers)

        demo.register(
            "pairing",
            "guanqing.pairing.demo:build",
            order=20,
            label=gettext_lazy("结对帮困：结对、走访与结对共建"),
        )

        from guanqing.pairing import selectors

        selectors.register_household_scope()

        from guanqing.core.ui.sections import register_section
        from guanqing.pairing.views_visits import household_visits_section

        register_section("household_detail", household_visits_section)

        from guanqing.core.ui import home as home_page
        from guanqing.pairing import access, home, nav  # noqa: F401 - access registers its table

        nav.register()
        home_page.register(*home.SECTIONS)

        from guanqing.core import daily
        from guanqing.pairing.compliance import compliance_remind

        daily.register(
            "pairing.compliance_remind",
            compliance_remind,
            describe=lambda n: gettext("新提醒 %(count)s 条") % {"count": n},
        )

        from guanqing.core import snapshots
        from guanqing.pairing import compliance, figures

        snapshots.register(
            figures.CITY_FIGURES,
            figures.city_figures,
            warm=figures.city_figures_defaults,
            scoped=True,
        )
        snapshots.register(
            selectors.UNITS_WITH,
            selectors.units_with_of_every_pairing,
            warm=selectors.units_with_defaults,
        )
        snapshots.register(
            selectors.ACTIVE, selectors.active_of_every_pairing, warm=selectors.active_defaults
        )
        snapshots.register(
            compliance.CITY_BOARD,
            compliance.city_board_of_every_pairing,
            warm=compliance.city_board_defaults,
        )

        from guanqing.core import reports

        reports.register(
            reports.ReportSection(
                key="pairing",
                title=gettext_lazy("结对帮困"),
                order=10,
                build="guanqing.pairing.report.build",
            )
        )
