"""The 十件实事 group of the menu (registered from `PledgesConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("pledges", _("十件实事"), order=62)
    nav.register(
        NavEntry(
            group="pledges",
            label=_("年度实事"),
            url_name="pledges:list",
            rule="pledges.read",
            order=10,
            active=("pledges:list", "pledges:detail"),
        ),
        NavEntry(
            group="pledges",
            label=_("本单位牵头实事"),
            url_name="pledges:unit",
            rule="pledges.lead",
            order=20,
            active=("pledges:unit", "pledges:report"),
        ),
        NavEntry(
            group="pledges",
            label=_("实事编排"),
            url_name="pledges:manage",
            rule="pledges.manage",
            order=30,
            active=("pledges:manage", "pledges:new", "pledges:edit"),
        ),
    )
