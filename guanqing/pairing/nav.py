"""The 结对帮困 group of the menu (registered from `PairingConfig.ready()`): the member's pairings,
management and partnerships for units and the committee, the visits for every pairing role, the
board and the figures."""

from django.utils.translation import gettext_lazy, pgettext_lazy

from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry


def register() -> None:
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
