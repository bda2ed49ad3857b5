"""Who may do what in the registry: read by its pages, API, services, menu and home sections."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import BUSINESS_ROLES, Role

access = AccessTable(
    "registry",
    {
        # Units, members and divisions: the business roles, and the system administrator who
        # binds accounts to them. The security and audit administrators do not read the registry.
        "read": allow(BUSINESS_ROLES, Role.SYSTEM_ADMIN, denied=_("您的角色不使用基础台账")),
        # Households and party organisations are business data the system administrator has no
        # use for (pages and menu; the API answers it with an empty scope).
        "business": allow(BUSINESS_ROLES, denied=_("系统管理员只管理账号，不查看困难家庭和党组织")),
        # Adding records of each kind (the service functions check the same rules); the Excel
        # import of units, members and households follows the same rules.
        "create_division": allow(Role.COMMITTEE, denied=_("只有机关工委可以维护行政区划")),
        "create_unit": allow(Role.COMMITTEE, denied=_("只有机关工委可以新增单位")),
        "create_partyorg": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员可以维护党组织"),
        ),
        "create_member": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员可以登记党员"),
        ),
        "create_household": allow(
            Role.COMMITTEE,
            Role.COMMUNITY_WORKER,
            denied=_("只有机关工委和社区工作者可以登记困难家庭"),
        ),
        # The Excel page (数据交换): whoever may import at least one kind.
        "excel": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, Role.COMMUNITY_WORKER, denied=_("您的角色不能导入数据")
        ),
        # Home page (工作台) sections.
        "home_city": allow(Role.COMMITTEE),
        "home_unit": allow(Role.UNIT_ADMIN),
        "home_community": allow(Role.COMMUNITY_WORKER),
        "home_coming": allow(Role.WINDOW_CLERK, Role.FUND_OFFICER),
    },
)
