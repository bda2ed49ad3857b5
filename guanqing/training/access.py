"""Who may do what with the training rotations (轮训).

The committee makes plans, solves and moves cadres; a unit administrator reads its people's
sessions and enters their unavailable dates and leader roles; a member reads its own session and
enters its own unavailable dates and preferred months.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "training",
    {
        "read": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和参训干部本人查看轮训安排"),
        ),
        "plan": allow(Role.COMMITTEE, denied=_("只有机关工委制定轮训计划")),
        "solve": allow(Role.COMMITTEE, denied=_("只有机关工委排期")),
        "move": allow(Role.COMMITTEE, denied=_("只有机关工委调整参训安排")),
        "roles": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员设置单位职务"),
        ),
        "unavailability": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和干部本人录入无法参训日期"),
        ),
        "preference": allow(Role.MEMBER, denied=_("只有干部本人填写参训意向")),
        "unit": allow(Role.UNIT_ADMIN, denied=_("只有单位党务管理员查看本单位参训")),
        "mine": allow(Role.MEMBER, denied=_("只有参训干部本人查看我的轮训")),
        # attendance: the committee organises (the list, the code, make-ups, roster and
        # sign-in sheets); a member checks in only itself; completion for the committee and a unit
        "attendance": allow(Role.COMMITTEE, denied=_("只有机关工委登记出勤、安排补训")),
        "checkin": allow(Role.MEMBER, denied=_("只有参训干部本人签到")),
        "completion": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员查看轮训完成情况"),
        ),
    },
)
