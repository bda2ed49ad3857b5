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
        # 好差评. The clerk turns the rating screen toward the applicant and issues rating codes.
        "rate": allow(Role.WINDOW_CLERK, denied=_("只有窗口受理员使用评价屏和发放评价码")),
        # Ratings: the clerk sees its own without who gave them (reviewer privacy); the unit
        # administrator and the committee see the applicant.
        "ratings": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.WINDOW_CLERK,
            denied=_("只有窗口受理员、单位党务管理员和机关工委查看评价"),
        ),
        "ratings_identified": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有单位党务管理员和机关工委查看评价人"),
        ),
        # A 差评's follow-up (核实 → 整改 → 反馈, or an appeal) is the unit's; the committee decides
        # appeals and edits the rating choices.
        "follow_up": allow(Role.UNIT_ADMIN, denied=_("只有单位党务管理员核实整改差评")),
        "appeal_decide": allow(Role.COMMITTEE, denied=_("只有机关工委裁定差评申诉")),
        "questions": allow(Role.COMMITTEE, denied=_("只有机关工委修改评价选项")),
        # The "六零" checklist: the committee sets the items; a window's clerks and its unit's
        # administrator tick them each month; the committee and the unit read them.
        "zero_items": allow(Role.COMMITTEE, denied=_("只有机关工委修改“六零”承诺项")),
        "zero_view": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.WINDOW_CLERK,
            denied=_("只有窗口受理员、单位党务管理员和机关工委查看“六零”自查"),
        ),
        "zero_check": allow(
            Role.UNIT_ADMIN,
            Role.WINDOW_CLERK,
            denied=_("只有窗口受理员和单位党务管理员填写“六零”自查"),
        ),
    },
)
