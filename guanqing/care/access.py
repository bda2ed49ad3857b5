"""Who may do what with the care rules (关怀帮扶): read by the pages, API, menu, home sections and
services.

What a role sees once in is the data scope (`guanqing.care.models`): the committee everything, a
unit administrator its unit's events and obligations, a member its own; every other role nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "care",
    {
        # Reading events and obligations (each role in its scope) and the catalogue.
        "read": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和党员本人查看关怀事项"),
        ),
        # The unit's open obligations, recording an event, meeting and waiving an obligation.
        "work": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员落实关怀事项"),
        ),
        "record": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员录入关怀事件"),
        ),
        "meet": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员登记落实情况"),
        ),
        "waive": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员免除关怀任务"),
        ),
        # A member's own page and reporting its own event.
        "mine": allow(Role.MEMBER, denied=_("只有党员本人使用“我的关怀”")),
        "report": allow(Role.MEMBER, denied=_("只有党员本人报告自己的事项")),
        # The committee's catalogue and board; the figures for the committee and a unit.
        "catalogue": allow(Role.COMMITTEE, denied=_("只有机关工委修改关怀事项目录")),
        "board": allow(Role.COMMITTEE, denied=_("只有机关工委查看全市关怀落实情况")),
        "figures": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员查看关怀统计"),
        ),
    },
)
