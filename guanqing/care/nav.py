"""The 关怀帮扶 group of the menu (registered from `CareConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("care", _("关怀帮扶"), order=57)
    nav.register(
        NavEntry(
            group="care",
            label=_("我的关怀"),
            url_name="care:mine",
            rule="care.mine",
            order=5,
            active=("care:mine",),
        ),
        NavEntry(
            group="care",
            label=_("待落实"),
            url_name="care:obligations",
            rule="care.work",
            order=10,
            active=("care:obligations",),
        ),
        NavEntry(
            group="care",
            label=_("关怀事件"),
            url_name="care:events",
            rule="care.work",
            order=15,
            active=("care:events", "care:event", "care:record"),
        ),
        NavEntry(
            group="care",
            label=_("全市关怀落实"),
            url_name="care:board",
            rule="care.board",
            order=20,
            active=("care:board",),
        ),
        NavEntry(
            group="care",
            label=_("关怀统计"),
            url_name="care:figures",
            rule="care.figures",
            order=30,
            active=("care:figures",),
        ),
        NavEntry(
            group="care",
            label=_("关怀事项目录"),
            url_name="care:rules",
            rule="care.catalogue",
            order=40,
            active=("care:rules", "care:rule_new", "care:rule_edit"),
        ),
    )
