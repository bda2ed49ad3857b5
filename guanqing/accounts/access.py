"""Who may use the administrators' pages and API: read by pages, API, services, menu and home."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import SEPARATED_ADMIN_ROLES, Role


def _only_for(role_name: str) -> str:
    return gettext("此页面仅限%(role)s使用") % {"role": gettext(role_name)}


_only_for_lazy = lazy(_only_for, str)

access = AccessTable(
    "accounts",
    {
        # Accounts: the system administrator creates, changes and disables them.
        "users": allow(Role.SYSTEM_ADMIN, denied=_only_for_lazy("系统管理员")),
        # The security policy, the grants to read full ID numbers, lockouts.
        "security": allow(Role.SECURITY_ADMIN, denied=_only_for_lazy("安全管理员")),
        # Account requests (new accounts' roles, role changes, password resets): the system
        # administrator asks and follows them, the security administrator decides.
        "requests": allow(
            Role.SYSTEM_ADMIN,
            Role.SECURITY_ADMIN,
            denied=_only_for_lazy("系统管理员或安全管理员"),
        ),
        # The home page's tool cards of the three separated administrators.
        "admin_home": allow(SEPARATED_ADMIN_ROLES),
    },
)

# The role names of the messages above, translated when a message is shown (listed here so that
# the message catalogue keeps them).
ROLE_NAMES = (
    gettext_lazy("系统管理员"),
    gettext_lazy("安全管理员"),
    gettext_lazy("系统管理员或安全管理员"),
)
