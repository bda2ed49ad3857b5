"""The home page (工作台) of the three separated administrators: each its own tools, nothing of the
business data."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanqing.accounts.selectors import pending_count
from guanqing.core import access
from guanqing.core.ui.home import HomeSection


def admin_tools(request) -> dict | None:
    user = request.user
    tools = []
    if access.allows(user, "accounts.users"):
        tools.append(
            {
                "title": _("账号管理"),
                "text": _(
                    "新建账号、申请角色和数据范围（经安全管理员批准后生效）、重置密码、停用账号。"
                ),
                "url": reverse("accounts:user_list"),
            }
        )
        tools.append(
            {
                "title": _("基础台账"),
                "text": _("查阅单位、党员和行政区划，以便为账号绑定数据范围。"),
                "url": reverse("registry:unit_list"),
            }
        )
    if access.allows(user, "accounts.security"):
        waiting = pending_count()
        tool = {
            "title": _("安全策略"),
            "text": _("登录失败锁定、空闲退出、证件号脱敏规则，以及查看完整证件号的授权。"),
            "url": reverse("accounts:security_policy"),
        }
        if waiting:
            # What waits for approval comes first: the card opens the list of requests.
            tool["title"] = ngettext(
                "安全策略 · 待审批 %(n)s 项", "安全策略 · 待审批 %(n)s 项", waiting
            ) % {"n": waiting}
            tool["text"] = _(
                "系统管理员新建的账号、角色和数据范围的变更、重设的密码，经您批准后才生效。"
            )
            tool["url"] = reverse("accounts:security_requests")
        tools.append(tool)
    if access.allows(user, "audit.read"):
        tools.append(
            {
                "title": _("审计日志"),
                "text": _("查询登录、修改、导入导出、查看敏感信息等全部操作记录。"),
                "url": reverse("audit:event_list"),
            }
        )
    if not tools:
        return None
    return {
        "template": "core/home/tools.html",
        "note": _(
            "三员分立：系统管理员、安全管理员、审计管理员各管一项，互不兼任，也不处理业务数据。"
        ),
        "tools": tools,
    }


SECTIONS = [HomeSection("accounts.admin_tools", admin_tools, order=10, rule="accounts.admin_home")]
