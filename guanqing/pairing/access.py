"""Who may do what in 结对帮困: read by the pages, the API, the menu, the home page and the services.

What a role may *see* once in (its unit's pairings, the households it holds, its community's) is
the data scope of the models, not this table; what a service checks about the record itself (the
member held the pairing that day, the project belongs to the administrator's unit) stays in the
service.
"""

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import BUSINESS_ROLES, Role

access = AccessTable(
    "pairing",
    {
        # the pairings themselves (list, detail, compliance, the API's records): the committee,
        # the units, their members and the communities, each in its scope
        "pairings": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            denied=_("您的角色不使用结对帮困"),
        ),
        # the visit list and its Excel export
        "visits": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            denied=_("您的角色不查看结对走访记录"),
        ),
        # a member's own pairings (我的结对); a member records its own visits, never on behalf
        "mine": allow(Role.MEMBER, denied=_("只有结对党员使用此页面")),
        # recording a visit: a member its own, the committee and a unit administrator on behalf
        "record": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER, denied=_("您的角色只能查看走访记录")
        ),
        # handing over and ending a pairing, the partnerships (结对共建) pages, the menu's
        # 结对管理 entry
        "manage": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, denied=_("只有单位党务管理员和机关工委管理结对")
        ),
        # the committee decides which unit serves which household
        "create": allow(
            Role.COMMITTEE,
            denied=_("新建结对由机关工委统一安排；单位可在结对详情页交接或结束结对"),
        ),
        # creating and ending partnerships
        "partnership_admin": allow(Role.COMMITTEE, denied=_("只有机关工委可以执行此操作")),
        # registering a project of a partnership (a unit administrator for its own unit's side)
        "project_create": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和本单位党务管理员可以登记共建项目"),
        ),
        # the compliance board (结对走访情况)
        "board": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有单位管理员和市直机关工委查看走访情况"),
        ),
        # the figures (结对统计)
        "figures": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有单位管理员和市直机关工委查看结对统计"),
        ),
        # the board and the figures of any unit (the others see their own unit)
        "any_unit": allow(Role.COMMITTEE),
        # the list filters offer a choice of unit to the roles whose scope spans several units,
        # and a choice of district and community to those whose scope spans several communities
        "filter_by_unit": allow(Role.COMMITTEE, Role.COMMUNITY_WORKER),
        "filter_by_place": allow(Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER),
        # the home page: a unit administrator answers for its own unit's duties, a community
        # worker follows the visits to its community's households (the committee's headline is
        # "any_unit", a member's to-do "mine")
        "unit_duties": allow(Role.UNIT_ADMIN),
        "community_visits": allow(Role.COMMUNITY_WORKER),
        # the visit duties the compliance rules apply: read by every business role
        "settings": allow(BUSINESS_ROLES),
        "settings_change": allow(Role.COMMITTEE, denied=_("只有机关工委可以修改走访考核设置")),
    },
)
