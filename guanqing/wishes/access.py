"""Who may do what with micro-wishes: read by the pages, the API, the menu, the home page and the
services (for the checks that are only a matter of role; the checks that depend on the record —
the wish's community, the claimant, the poster — stay in the services)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import BUSINESS_ROLES, Role

access = AccessTable(
    "wishes",
    {
        # the wall, a wish's page and its actions (the service decides each action)
        "wall": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            denied=_("您的角色不使用微心愿"),
        ),
        # claiming, a member's claims (我的认领), fulfilling a claim
        "claim": allow(Role.MEMBER, denied=_("只有党员认领心愿")),
        "withdraw": allow(Role.MEMBER, denied=_("只有认领的党员本人可以退出认领")),
        # the community's management list; reviewing and taking back a wish
        "manage": allow(
            Role.COMMITTEE, Role.COMMUNITY_WORKER, denied=_("只有社区工作者和机关工委管理心愿")
        ),
        "post": allow(Role.COMMUNITY_WORKER, denied=_("只有社区工作者可以发布心愿")),
        # confirming with the resident, and the resident's one-time code
        "confirm": allow(Role.COMMUNITY_WORKER, denied=_("只有本社区的社区工作者可以确认")),
        # they keep the household register: they see which household a wish is for
        "register": allow(Role.COMMITTEE, Role.COMMUNITY_WORKER),
        "figures": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.COMMUNITY_WORKER,
            denied=_("只有机关工委、单位管理员和社区工作者查看微心愿数据"),
        ),
        # the claim rules (how many claims at once, how long a claim lasts)
        "settings_read": allow(BUSINESS_ROLES),
        "settings": allow(Role.COMMITTEE, denied=_("只有机关工委可以修改微心愿设置")),
        # home page: what the committee watches city-wide, what a unit watches of its members
        "watch": allow(Role.COMMITTEE),
        "unit": allow(Role.UNIT_ADMIN),
    },
)
