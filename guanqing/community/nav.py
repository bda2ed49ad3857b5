"""The 进社区 group of the menu (registered from `CommunityConfig.ready()`): the member's two pages,
the community worker's three, the roster for units and the committee, the figures."""

from django.utils.translation import gettext_lazy as _

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
    nav.register_group("community", _("进社区"), order=40)
    nav.register(
        NavEntry(
            group="community",
            label=_("我的社区"),
            url_name="community:mine",
            rule="community.member",
            order=10,
            active=("community:mine",),  # this page only, not the rest of /community/
        ),
        NavEntry(
            group="community",
            label=_("活动签到"),
            url_name="community:checkin",
            rule="community.member",
            order=20,
            active=("community:checkin",),
        ),
        NavEntry(
            group="community",
            label=_("报到确认"),
            url_name="community:registration_list",
            rule="community.worker",
            order=30,
            active=(
                "community:registration_list",
                "community:registration_confirm",
                "community:registration_reject",
            ),
        ),
        NavEntry(
            group="community",
            label=_("社区活动"),
            url_name="community:activity_list",
            rule="community.worker",
            order=40,
            active=(
                "community:activity_list",
                "community:activity_create",
                "community:activity_detail",
                "community:activity_hours",
                "community:activity_cancel",
                "community:activity_code",
                "community:activity_signup",
                "community:activity_withdraw",
            ),
        ),
        NavEntry(
            group="community",
            label=_("党员评价"),
            url_name="community:rating_list",
            rule="community.worker",
            order=50,
            active=(
                "community:rating_list",
                "community:rating_save_all",
                "community:rating_save",
            ),
        ),
        NavEntry(
            group="community",
            label=_("党员进社区情况"),
            url_name="community:roster",
            rule="community.roster",
            order=60,
            active=("community:roster",),
        ),
        NavEntry(
            group="community",
            label=_("进社区统计"),
            url_name="community:figures",
            rule="community.figures",
            order=70,
            active=("community:figures",),
        ),
    )
