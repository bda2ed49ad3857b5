"""The 满意窗口 group of the menu (registered from `WindowConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("window", _("满意窗口"), order=45)
    nav.register(
        NavEntry(
            group="window",
            label=_("办件"),
            url_name="window:cases",
            rule="window.cases",
            order=5,
            active=("window:cases", "window:case_new", "window:case_detail", "window:case_step"),
        ),
    )
    nav.register(
        NavEntry(
            group="window",
            label=_("事项目录"),
            url_name="window:catalogue",
            rule="window.catalogue",
            order=10,
            active=(
                "window:catalogue",
                "window:catalogue_import",
                "window:item_create",
                "window:item_edit",
                "window:matter",
                "window:matter_create",
                "window:matter_edit",
            ),
        ),
    )
    nav.register(
        NavEntry(
            group="window",
            label=_("窗口统计"),
            url_name="window:figures",
            rule="window.figures",
            order=80,
            active=("window:figures", "window:board"),
        ),
    )
    nav.register(
        NavEntry(
            group="window",
            label=_("评价"),
            url_name="window:ratings",
            rule="window.ratings",
            order=60,
            active=(
                "window:ratings",
                "window:follow_ups",
                "window:follow_up",
                "window:follow_up_step",
                "window:questions",
            ),
        ),
    )
    nav.register(
        NavEntry(
            group="window",
            label=_("六零自查"),
            url_name="window:zero_board",
            rule="window.zero_view",
            order=70,
            active=(
                "window:zero_board",
                "window:zero_sheet",
                "window:zero_items",
                "window:zero_item_edit",
            ),
        ),
    )
