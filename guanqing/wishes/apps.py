from django.apps import AppConfig


class WishesConfig(AppConfig):
    name = "guanqing.wishes"
    label = "wishes"
    verbose_name = "微心愿 Micro-wishes"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from guanqing.core import demo

        demo.register(
            "wishes", "guanqing.wishes.demo:build", order=30, label=gettext_lazy("微心愿")
        )

        from guanqing.core import daily
        from guanqing.wishes.services import claims_lapse, describe_lapse

        daily.register("wishes.claims_lapse", claims_lapse, describe=describe_lapse)

        from django.utils.translation import gettext_lazy as _

        from guanqing.core.ui import home, nav
        from guanqing.core.ui.nav import NavEntry
        from guanqing.wishes import access  # noqa: F401  (registers the access table)
        from guanqing.wishes.home import SECTIONS

        nav.register_group("wishes", _("微心愿"), order=30)
        nav.register(
            NavEntry(
                group="wishes",
                label=_("心愿墙"),
                url_name="wishes:wall",
                rule="wishes.wall",
                order=10,
                active=("wishes:wall", "wishes:detail"),
            ),
            NavEntry(
                group="wishes",
                label=_("我的认领"),
                url_name="wishes:mine",
                rule="wishes.claim",
                order=20,
            ),
            NavEntry(
                group="wishes",
                label=_("心愿管理"),
                url_name="wishes:manage",
                rule="wishes.manage",
                order=30,
                active=("wishes:manage", "wishes:create"),
            ),
            NavEntry(
                group="wishes",
                label=_("心愿统计"),
                url_name="wishes:figures",
                rule="wishes.figures",
                order=40,
            ),
        )
        home.register(*SECTIONS)
