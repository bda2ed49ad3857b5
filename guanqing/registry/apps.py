from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "guanqing.registry"
    label = "registry"
    verbose_name = "基础信息 Registry"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from guanqing.core import counters
        from guanqing.core.ui import home, nav
        from guanqing.registry.counts import COUNTERS

        for counter, triggers in COUNTERS:
            counters.register(counter, *triggers)
        from guanqing.core.ui.nav import NavEntry
        from guanqing.registry import access  # noqa: F401 - registers the "registry" table
        from guanqing.registry.home import SECTIONS, register_snapshots

        register_snapshots()

        nav.register_group("registry", _("基础台账"), order=10)
        nav.register_group("exchange", _("数据交换"), order=60)
        nav.register(
            NavEntry(
                group="registry",
                label=_("困难家庭"),
                url_name="registry:household_list",
                rule="registry.business",
                order=10,
                active=_pages(
                    "household_list",
                    "household_create",
                    "household_detail",
                    "household_edit",
                    "person_add",
                ),
            ),
            NavEntry(
                group="registry",
                label=_("党员干部"),
                url_name="registry:member_list",
                rule="registry.read",
                order=20,
                active=_pages("member_list", "member_create", "member_detail", "member_edit"),
            ),
            NavEntry(
                group="registry",
                label=_("机关单位"),
                url_name="registry:unit_list",
                rule="registry.read",
                order=30,
                active=_pages("unit_list", "unit_create", "unit_detail", "unit_edit"),
            ),
            NavEntry(
                group="registry",
                label=_("党组织"),
                url_name="registry:partyorg_list",
                rule="registry.business",
                order=40,
                active=_pages(
                    "partyorg_list", "partyorg_create", "partyorg_detail", "partyorg_edit"
                ),
            ),
            NavEntry(
                group="registry",
                label=_("行政区划"),
                url_name="registry:division_list",
                rule="registry.read",
                order=50,
            ),
            NavEntry(
                group="exchange",
                label=_("Excel 导入"),
                url_name="excel:index",
                rule="registry.excel",
                order=10,
                active=("excel:*",),
            ),
        )
        home.register(*SECTIONS)

        from guanqing.core import demo

        demo.register(
            "registry",
            "guanqing.registry.demo.generate:build",
            order=10,
            label=_("基础台账：区划、单位、党员、困难家庭与账号"),
            accounts="guanqing.registry.demo.generate:DEMO_ACCOUNTS",
        )


def _pages(*names: str) -> tuple[str, ...]:
    return tuple(f"registry:{name}" for name in names)
