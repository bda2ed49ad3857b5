"""Who keeps the official calendar: read by its pages, services and templates. Everyone signed in
reads it (its pages are `@signed_in`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "calendar",
    {
        "edit": allow(
            Role.COMMITTEE,
            Role.SYSTEM_ADMIN,
            denied=_("只有机关工委和系统管理员可以维护工作日历"),
        ),
    },
)
