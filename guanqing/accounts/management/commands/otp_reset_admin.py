"""`guanqing otp_reset_admin <username>`: remove the second factor of the security administrator (or
another of the three administrators) who lost it, from the server's command line.

In the platform only the security administrator resets a second factor, and never its own; this is
the way out when the security administrator's own phone is lost. It needs shell access to the server
(the operator's, at installation level like `guanqing createadmins`), is audited as done by
"installer" and tells the account's owner. The owner enrols again at the next sign-in.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.accounts.tokens import tokens_revoke
from guanqing.accounts.twofactor import factor_delete
from guanqing.core import audit
from guanqing.core.notifications.services import notification_send
from guanqing.core.roles import SEPARATED_ADMIN_ROLES


class Command(BaseCommand):
    help = (
        "重置三员账号的两步验证（遗失身份验证器时）。Removes the second factor of one of the three "
        "separated administrators; the account enrols again at its next sign-in. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="三员账号的用户名 (e.g. secadmin)")
        parser.add_argument("--reason", required=True, help="原因，记入审计日志 (required)")

    def handle(self, *args, username, reason, **options):
        reason = reason.strip()
        if not reason:
            raise CommandError("--reason: 请说明原因 (a reason is required)")
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            if user is None:
                raise CommandError(f"username: 账号“{username}”不存在 (no such account)")
            if user.role not in SEPARATED_ADMIN_ROLES:
                raise CommandError(
                    f"username: “{username}”不是三员账号；其他账号由安全管理员在系统中重置 "
                    "(only the three administrators; the security administrator resets others)"
                )
            if not factor_delete(user):
                raise CommandError(
                    f"username: “{username}”尚未绑定两步验证 (no second factor to reset)"
                )
            tokens_revoke(user=user)
            audit.record(
                actor=None,
                actor_username="installer",
                action="delete",
                obj=user,
                changes={"second_factor": [True, False]},
                message=f"otp_reset_admin: {reason}"[:300],
            )
            notification_send(
                recipients=[user],
                kind="otp_reset",
                text="服务器管理员已在命令行重置您的两步验证，下次登录时请重新绑定身份验证器。",
                dedupe_key=f"otp_reset:{user.pk}:{timezone.now().isoformat()}",
            )
        self.stdout.write(f"已重置 {username} 的两步验证；下次登录时重新绑定。")
