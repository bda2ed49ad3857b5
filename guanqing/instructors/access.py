"""Who may do what with the rural work instructors (农村工作指导员): read by the pages, API, menu,
home sections and services.

What a role sees once in is the data scope (`guanqing.instructors.models`): the committee every
term, a unit administrator its unit's, a member its own terms; every other role none.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "instructors",
    {
        # Terms and their logs: the committee and the unit follow them, the instructor its own.
        "terms": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和农村工作指导员查看驻村任期"),
        ),
        # Appointing and ending a term: the unit for its cadres, the committee for any unit.
        "appoint": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员选派和结束农村工作指导员任期"),
        ),
        # The work log: the instructor writes its own; the unit may enter it for its cadre.
        "log": allow(
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有农村工作指导员本人和所在单位党务管理员填写驻村日志"),
        ),
        # The instructor's own phone page.
        "my_log": allow(Role.MEMBER, denied=_("只有党员干部使用驻村日志")),
        # Raising a village's problem into the frontline loop.
        "raise": allow(
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有农村工作指导员本人和所在单位党务管理员反映村里的难题"),
        ),
        # The committee's city view per unit and term; the figures for the committee and a unit.
        "city": allow(Role.COMMITTEE, denied=_("只有机关工委查看全市农村工作指导员情况")),
        "figures": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员查看农村工作指导员统计"),
        ),
        "settings": allow(Role.COMMITTEE, denied=_("只有机关工委修改农村工作指导员设置")),
    },
)
