"""Who may do what with the ten annual pledges (十件实事). What a role sees once in is the data
scope (`guanqing.pledges.models`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "pledges",
    {
        # The list with progress and status, a pledge's page (each role in its scope).
        "read": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和党员查看十件实事"),
        ),
        # The committee's editor: pledges, milestones, publishing, closing, the rating.
        "manage": allow(Role.COMMITTEE, denied=_("只有机关工委编辑十件实事")),
        # A lead unit's page, its monthly reports and its self-assessment.
        "lead": allow(Role.UNIT_ADMIN, denied=_("只有牵头单位的党务管理员报送实事进展")),
        # The year report (Excel, PDF).
        "export": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, denied=_("只有机关工委和单位党务管理员导出年度报告")
        ),
    },
)
