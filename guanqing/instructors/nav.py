"""The 农村工作指导员 group of the menu (registered from `InstructorsConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("instructors", _("农村工作指导员"), order=55)
    nav.register(
        NavEntry(
            group="instructors",
            label=_("驻村日志"),
            url_name="instructors:my_log",
            rule="instructors.my_log",
            order=5,
            active=("instructors:my_log",),
        ),
    )
    nav.register(
        NavEntry(
            group="instructors",
            label=_("指导员"),
            url_name="instructors:terms",
            rule="instructors.terms",
            order=10,
            active=(
                "instructors:terms",
                "instructors:term",
                "instructors:term_new",
                "instructors:term_end",
                "instructors:term_raise",
            ),
        ),
    )
    nav.register(
        NavEntry(
            group="instructors",
            label=_("全市指导员"),
            url_name="instructors:city",
            rule="instructors.city",
            order=20,
            active=("instructors:city",),
        ),
    )
    nav.register(
        NavEntry(
            group="instructors",
            label=_("指导员统计"),
            url_name="instructors:figures",
            rule="instructors.figures",
            order=30,
            active=("instructors:figures",),
        ),
    )
    nav.register(
        NavEntry(
            group="instructors",
            label=_("指导员设置"),
            url_name="instructors:settings",
            rule="instructors.settings",
            order=40,
            active=("instructors:settings",),
        ),
    )
