"""The 走亲连心 group of the menu (registered from `FrontlineConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("frontline", _("走亲连心"), order=48)
    nav.register(
        NavEntry(
            group="frontline",
            label=pgettext_lazy("outreach", "走访"),
            url_name="frontline:outreach",
            rule="frontline.outreach",
            order=10,
            active=("frontline:outreach", "frontline:outreach_new", "frontline:outreach_detail"),
        ),
    )
    nav.register(
        NavEntry(
            group="frontline",
            label=_("走访对象"),
            url_name="frontline:places",
            rule="frontline.places",
            order=20,
            active=("frontline:places",),
        ),
    )
    nav.register(
        NavEntry(
            group="frontline",
            label=_("走访统计"),
            url_name="frontline:figures",
            rule="frontline.figures",
            order=80,
            active=("frontline:figures",),
        ),
    )
