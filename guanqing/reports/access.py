"""Who may read and publish the committee's period reports (工作情况统计). Which areas a reader may
ask for (city-wide, a district, a unit) is `selectors.where_for`; which published versions a
reader sees is the data scope (`guanqing.reports.models`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "reports",
    {
        # The live report and the published versions: the committee for any area, a unit's
        # administrators for their own unit.
        "read": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员查看工作情况统计"),
        ),
        # Publishing a period (and publishing a correction as a new version).
        "publish": allow(Role.COMMITTEE, denied=_("只有机关工委发布工作情况统计")),
    },
)
