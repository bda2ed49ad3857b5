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

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
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
