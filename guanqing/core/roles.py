"""The roles of the platform: every access table, scope rule and navigation entry is keyed by them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    COMMITTEE = "committee", _("机关工委")
    UNIT_ADMIN = "unit_admin", _("单位党务管理员")
    MEMBER = "member", pgettext_lazy("role", "党员干部")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    WINDOW_CLERK = "window_clerk", _("窗口受理员")
    FUND_OFFICER = "fund_officer", _("帮扶金经办人")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# The three separated administrators of 等保 level 3 are created at installation
# (`guanqing createadmins`), never by one another.
SEPARATED_ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
BUSINESS_ROLES = [r for r in Role if r not in SEPARATED_ADMIN_ROLES]
