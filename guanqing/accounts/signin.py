"""Whether an account whose password was right may sign in now (login page and token endpoint
ask the same question): an account waiting for the security administrator's approval may not."""

from __future__ import annotations

from django.utils.translation import gettext as _


def sign_in_refusal(user) -> str | None:
    """The message that refuses `user`, or None when it may sign in."""
    from guanqing.accounts.models import AccountRequest, RequestKind, RequestStatus

    pending = set(
        AccountRequest.objects.filter(
            user=user,
            status=RequestStatus.PENDING,
            kind__in=[RequestKind.CREATE, RequestKind.PASSWORD_RESET],
        ).values_list("kind", flat=True)
    )
    if RequestKind.CREATE in pending:
        return _("账号尚待安全管理员授权，授权后方可登录")
    if RequestKind.PASSWORD_RESET in pending:
        return _("密码已由系统管理员重设，待安全管理员确认后方可登录")
    if not user.role:
        return _("账号未获授权，请联系安全管理员")
    return None
