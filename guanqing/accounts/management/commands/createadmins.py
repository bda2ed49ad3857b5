"""`guanqing createadmins`: create the three separated administrators (等保 三员) at installation.

This is the only way these accounts come into being; none of them can create or change another.
"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from guanqing.accounts.models import User
from guanqing.accounts.services import separated_admin_create
from guanqing.core.roles import Role

# (role, option prefix, default username, display name)
ADMINS = [
    (Role.SYSTEM_ADMIN, "system", "sysadmin", "系统管理员"),
    (Role.SECURITY_ADMIN, "security", "secadmin", "安全管理员"),
    (Role.AUDIT_ADMIN, "audit", "auditadmin", "审计管理员"),
]


class Command(BaseCommand):
    help = (
        "创建三员账号（系统管理员、安全管理员、审计管理员）。Creates the system, security and "
        "audit administrators; refuses if they exist unless --skip-existing."
    )

    def add_arguments(self, parser):
        for _role, prefix, default, label in ADMINS:
            parser.add_argument(
                f"--{prefix}-username",
                default=default,
                help=f"{label}的用户名 (default: {default})",
            )
            parser.add_argument(
                f"--{prefix}-password",
                help=f"{label}的密码；不给出时交互输入 (prompted when omitted)",
            )
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help=_("已有账号的角色跳过，只创建缺少的"),
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=_("不交互：缺少密码时报错"),
        )

    def handle(self, *args, **options):
        existing = {
            u.role: u.username
            for u in User.objects.filter(role__in=[role for role, *_ in ADMINS]).order_by("pk")
        }
        if existing and not options["skip_existing"]:
            names = "、".join(f"{Role(r).label} {n}" for r, n in existing.items())
            raise CommandError(
                _("三员账号已存在：%(names)s。如只需补建缺少的账号，请加 --skip-existing")
                % {"names": names}
            )
        todo = []
        for role, prefix, _default, label in ADMINS:
            if role in existing:
                self.stdout.write(
                    _("跳过%(label)s：已有账号 %(value)s")
                    % {"label": label, "value": existing[role]}
                )
                continue
            username = (options[f"{prefix}_username"] or "").strip()
            if not username:
                raise CommandError(_("--%(prefix)s-username：请填写用户名") % {"prefix": prefix})
            if User.objects.filter(username__iexact=username).exists():
                raise CommandError(
                    _("--%(prefix)s-username：用户名“%(username)s”已被使用")
                    % {"prefix": prefix, "username": username}
                )
            password = options[f"{prefix}_password"]
            if password is None:
                password = self._prompt_password(
                    label, username, role, options["interactive"], prefix
                )
            else:
                self._check_password(password, username, role, prefix)
            todo.append((role, username, password, label))
        if not todo:
            self.stdout.write(_("三员账号均已存在，无需创建"))
            return
        try:
            with transaction.atomic():
                for role, username, password, label in todo:
                    separated_admin_create(
                        username=username, password=password, role=role, display_name=label
                    )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for _role, username, _password, label in todo:
            self.stdout.write(
                self.style.SUCCESS(
                    _("已创建%(label)s %(username)s") % {"label": label, "username": username}
                )
            )

    def _check_password(self, password: str, username: str, role: str, prefix: str) -> None:
        try:
            validate_password(password, User(username=username, role=role))
        except ValidationError as exc:
            raise CommandError(f"--{prefix}-password：" + " ".join(exc.messages)) from None

    def _prompt_password(self, label, username, role, interactive, prefix) -> str:
        if not interactive or not sys.stdin.isatty():
            raise CommandError(
                _("--%(prefix)s-password：请给出%(label)s的密码")
                % {"prefix": prefix, "label": label}
            )
        while True:
            first = getpass.getpass(
                _("%(label)s %(username)s 的密码") % {"label": label, "username": username}
            )
            second = getpass.getpass(_("再输入一次"))
            if first != second:
                self.stderr.write(_("两次输入的密码不一致"))
                continue
            try:
                validate_password(first, User(username=username, role=role))
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return first
