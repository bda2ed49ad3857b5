"""Who may do what in 党员进社区: read by the pages, the API, the menu, the home page and the
services (`access.check(user, "rule")`). What a role may *see* once in is the data scope of the
models (`visible_to`), and a service still checks what depends on the record (its own community).
"""

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "community",
    {
        # the API's lists and details: each role sees its scope of every record
        "use": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            denied=_("您的角色不能使用党员进社区"),
        ),
        # a member's own community: registering, signing up, checking in
        "member": allow(Role.MEMBER, denied=_("只有党员本人使用此页面")),
        # a community worker's desk: registrations, activities, hours, the code, ratings
        "worker": allow(Role.COMMUNITY_WORKER, denied=_("只有社区工作者使用此页面")),
        # the unit's roster (双评价 back to the unit)
        "roster": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有单位管理员和市直机关工委查看党员进社区情况"),
        ),
        "figures": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.COMMUNITY_WORKER,
            denied=_("您的角色不查看党员进社区统计"),
        ),
        # the roster and the figures of any unit, or of the whole city
        "all_units": allow(Role.COMMITTEE, denied=_("只有市直机关工委查看各单位情况")),
        # the roster and the figures of one's own unit (the unit administrator's home section)
        "own_unit": allow(Role.UNIT_ADMIN, denied=_("只有单位党务管理员查看本单位情况")),
    },
)
