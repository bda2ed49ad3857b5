from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "guanqing.pairing"
    label = "pairing"
    verbose_name = "结对帮困 Pairing"

    def ready(self):
        from django.utils.translation import gettext, gettext_lazy

        from guanqing.core import demo

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

        _register_menu()
        _register_home()

        from guanqing.core import daily
        from guanqing.pairing.compliance import compliance_remind

        daily.register(
            "pairing.compliance_remind",
            compliance_remind,
            describe=lambda n: gettext("新提醒 %(count)s 条") % {"count": n},
        )


def _register_menu() -> None:
    from django.utils.translation import gettext_lazy, pgettext_lazy

    from guanqing.core.ui import nav
    from guanqing.core.ui.nav import NavEntry

    nav.register_group("pairing", gettext_lazy("结对帮困"), order=20)
    nav.register(
        NavEntry(
            group="pairing",
            label=gettext_lazy("我的结对"),
            url_name="pairing:mine",
            rule="pairing.mine",
            order=10,
        ),
        NavEntry(
            group="pairing",
            label=gettext_lazy("结对管理"),
            url_name="pairing:pairing_list",
            rule="pairing.manage",
            order=20,
            active=(
                "pairing:pairing_list",
                "pairing:pairing_create",
                "pairing:pairing_detail",
                "pairing:pairing_handover",
                "pairing:pairing_end",
            ),
        ),
        NavEntry(
            group="pairing",
            label=gettext_lazy("结对共建"),
            url_name="pairing:partnership_list",
            rule="pairing.manage",
            order=30,
            active=("pairing:partnership_list", "pairing:partnership_detail"),
        ),
        NavEntry(
            group="pairing",
            label=pgettext_lazy("visits", "走访记录"),
            url_name="pairing:visit_list",
            rule="pairing.visits",
            order=40,
            active=("pairing:visit_list", "pairing:visit_export"),
        ),
        NavEntry(
            group="pairing",
            label=gettext_lazy("结对走访情况"),
            url_name="pairing:board",
            rule="pairing.board",
            order=50,
        ),
        NavEntry(
            group="pairing",
            label=gettext_lazy("结对统计"),
            url_name="pairing:figures",
            rule="pairing.figures",
            order=60,
        ),
    )


def _register_home() -> None:
    from guanqing.core.ui import home
    from guanqing.core.ui.home import HomeSection
    from guanqing.pairing import home as sections

    home.register(
        HomeSection("pairing.member_duties", sections.member_duties, order=20, rule="pairing.mine"),
        HomeSection(
            "pairing.unit_duties", sections.unit_duties, order=20, rule="pairing.unit_duties"
        ),
        HomeSection(
            "pairing.city_headline", sections.city_headline, order=20, rule="pairing.any_unit"
        ),
        HomeSection(
            "pairing.community_visits",
            sections.community_visits,
            order=20,
            rule="pairing.community_visits",
        ),
    )
