"""Who reads the audit log: its pages, API, menu entry and home card read this table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "audit",
    {
        # Read and export only: nobody changes or deletes an event.
        "read": allow(Role.AUDIT_ADMIN, denied=_("审计日志仅限审计管理员查看")),
    },
)
