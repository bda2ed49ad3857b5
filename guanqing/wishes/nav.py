"""The 微心愿 group of the menu (registered from `WishesConfig.ready()`): the wall, a member's
claims, the community's management list, the figures."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
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
