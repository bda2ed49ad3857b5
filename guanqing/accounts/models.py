"""Accounts: one role per user and the scope that role works in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import SEPARATED_ADMIN_ROLES, Role
from guanqing.core.scope.querysets import ScopedQuerySet, scope_rule


class UserQuerySet(ScopedQuerySet):
    @scope_rule(Role.SYSTEM_ADMIN)
    def _for_system_admin(self, user):
        return self

    @scope_rule(Role.SECURITY_ADMIN)
    def _for_security_admin(self, user):
        return self

    @scope_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self.filter(pk=user.pk)

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(pk=user.pk)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(pk=user.pk)

    @scope_rule(Role.COMMUNITY_WORKER)
    def _for_community_worker(self, user):
        return self.filter(pk=user.pk)

    @scope_rule(Role.WINDOW_CLERK)
    def _for_window_clerk(self, user):
        return self.filter(pk=user.pk)

    @scope_rule(Role.FUND_OFFICER)
    def _for_fund_officer(self, user):
        return self.filter(pk=user.pk)

    @scope_rule(Role.AUDIT_ADMIN)
    def _for_audit_admin(self, user):
        return self.filter(pk=user.pk)


class GuanqingUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in; what they may do and see follows from `role` and its scope."""

    # Empty until the security administrator approves the role the system administrator asked for
    # (see AccountRequest): an account without a role signs in to nothing and sees no row.
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    community = models.ForeignKey(
        "registry.Division",
        verbose_name=_("社区/村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    member = models.OneToOneField(
        "registry.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    can_reveal_sensitive = models.BooleanField(
        _("可查看完整证件号"),
        default=False,
        help_text=_("由安全管理员授予；每次查看都记入审计日志"),
    )

    must_change_password = models.BooleanField(
        _("下次登录须修改密码"),
        default=False,
        help_text=_("管理员新建或重设密码后为真，本人修改密码后清除"),
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = GuanqingUserManager()

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="unit_admin") | Q(unit__isnull=False),
                name="unit_admin_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role="community_worker") | Q(community__isnull=False),
                name="community_worker_has_community",
            ),
            models.CheckConstraint(
                condition=~Q(role="member") | Q(member__isnull=False),
                name="member_has_member",
            ),
            models.CheckConstraint(
                condition=Q(is_superuser=False) & Q(is_staff=False),
                name="no_all_powerful_user",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_committee(self) -> bool:
        return self.role == Role.COMMITTEE

    @property
    def is_system_admin(self) -> bool:
        return self.role == Role.SYSTEM_ADMIN

    @property
    def is_security_admin(self) -> bool:
        return self.role == Role.SECURITY_ADMIN

    @property
    def is_audit_admin(self) -> bool:
        return self.role == Role.AUDIT_ADMIN

    @property
    def is_separated_admin(self) -> bool:
        return self.role in SEPARATED_ADMIN_ROLES


class RequestKind(models.TextChoices):
    CREATE = "create", _("新建账号")
    ROLE = "role", _("变更角色或范围")
    PASSWORD_RESET = "password_reset", _("重设密码")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class AccountRequest(models.Model):
    """What the system administrator asks for and only the security administrator grants: a new
    account's role and scope, a change of them, a password reset that lets the account sign in."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=RequestKind.choices)
    role = models.CharField(_("申请角色"), max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "registry.Division",
        verbose_name=_("社区/村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("账号授权申请")
        verbose_name_plural = _("账号授权申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status="pending"),
                name="one_pending_request_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.user}"


class PasswordHistory(models.Model):
    """The hashes of an account's earlier passwords, so that the last few are not used again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """An API token. Only a digest of the key is stored; the key is shown once, when issued.
    It ends a fixed number of days after issue (policy `token_days`), sooner when unused for the
    idle minutes, and at once on lock-out, password change or deactivation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()
    # last use + the policy's idle minutes, as of that use (so a request reads no policy)
    idle_until = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        indexes = [models.Index(fields=["user"], name="apitoken_user")]

    def __str__(self):
        return f"{self.user} {self.expires_at:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """One single-use recovery code of an account's second factor, stored as a digest."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def __str__(self):
        return f"{self.user} {'used' if self.used_at else 'unused'}"
