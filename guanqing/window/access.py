"""Who may do what at the service window: read by its pages, API, menu, home sections and services.

What a role sees once in is the data scope (`guanqing.window.models`): a clerk its windows' cases,
a unit administrator its unit's windows, the committee every window.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import BUSINESS_ROLES, Role

access = AccessTable(
    "window",
    {
        # The catalogue and its 一次告知单 are public information: every business role reads them.
        "catalogue": allow(BUSINESS_ROLES, denied=_("您的角色不使用事项目录")),
        # The committee edits every unit's catalogue, a unit administrator its own unit's.
        "catalogue_edit": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员可以维护事项目录"),
        ),
        # Cases: the clerk works them; the unit and the committee follow them.
        "cases": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.WINDOW_CLERK,
            denied=_("只有窗口受理员、单位党务管理员和机关工委查看办件"),
        ),
        "handle": allow(Role.WINDOW_CLERK, denied=_("只有窗口受理员受理和办理办件")),
        # Windows and their clerks: the committee sets them up, a unit administrator its own.
        "windows": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员管理服务窗口"),
        ),
        "settings": allow(Role.COMMITTEE, denied=_("只有机关工委修改窗口设置")),
        # The figures and boards: the committee across every window, a unit its own windows.
        "figures": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员查看窗口统计"),
        ),
    },
)
