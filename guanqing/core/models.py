"""Shared models: the append-only audit log and the security policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ScopedQuerySet, scope_rule


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit record."""


class AuditEventQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(set(Role) - {Role.AUDIT_ADMIN})

    def update(self, **kwargs):
        raise AppendOnlyError("the audit log is append-only")

    def delete(self):
        raise AppendOnlyError("the audit log is append-only")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.stamp()
        created = super().bulk_create(objs, *args, **kwargs)
        from guanqing.core.audit import chain

        chain.seal_after_commit(self.db)
        return created

    @scope_rule(Role.AUDIT_ADMIN)
    def _for_audit_admin(self, user):
        """Only the audit administrator reads the audit log."""
        return self


class AuditAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("audit action", "新增")
    UPDATE = "update", pgettext_lazy("audit action", "修改")
    DELETE = "delete", pgettext_lazy("audit action", "删除")
    IMPORT = "import", pgettext_lazy("audit action", "导入")
    EXPORT = "export", pgettext_lazy("audit action", "导出")
    LOGIN = "login", pgettext_lazy("audit action", "登录")
    LOGOUT = "logout", pgettext_lazy("audit action", "退出")
    LOGIN_FAILED = "login_failed", pgettext_lazy("audit action", "登录失败")
    LOCKED_OUT = "locked_out", pgettext_lazy("audit action", "账号锁定")
    ROLE_CHANGE = "role_change", pgettext_lazy("audit action", "角色变更")
    PASSWORD_CHANGE = "password_change", pgettext_lazy("audit action", "密码修改")
    REVEAL = "reveal", pgettext_lazy("audit action", "查看敏感信息")
    POLICY_CHANGE = "policy_change", pgettext_lazy("audit action", "策略变更")
    TOKEN = "token", pgettext_lazy("audit action", "签发令牌")


def audit_now():
    """The time of an audit record (looked up at each call, so tests can pin it)."""
    return timezone.now()


class AuditEvent(models.Model):
    """One write or security event: who did what to which object, when and from where."""

    # Set before the insert (not auto_now_add) so that the content hash covers the stored time.
    at = models.DateTimeField(_("时间"), default=audit_now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        # DO_NOTHING: deleting a user must not rewrite history (SET_NULL would update audit rows)
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        # no query looks records up by the account's id (the log is filtered by the name kept
        # with each record): an index here would only cost every insert
        db_index=False,
    )
    actor_username = models.CharField(_("操作账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # The aggregate the change belongs to (a person's change belongs to its household's timeline).
    root_type = models.CharField(max_length=60, blank=True)
    root_id = models.CharField(max_length=40, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # Tamper evidence (guanqing/core/audit/chain.py): a keyed hash of the content, written with the
    # record. Its place in the chain and the chain hash are an AuditSeal, written just after the
    # commit: an insert into a narrow table rather than an update of this wide, indexed row.
    content_hmac = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        # Every record is written once and updated once (its place in the chain), in each index:
        # no index that another one's leading column serves, and no pattern (LIKE) index, since
        # the log is filtered by exact action and type.
        indexes = [
            models.Index(fields=["action"]),
            models.Index(fields=["root_type", "root_id", "at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_username", "at"]),
        ]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the audit log is append-only")
        self.stamp()
        super().save(*args, **kwargs)
        from guanqing.core.audit import chain

        chain.seal_after_commit(self._state.db or "default")

    def stamp(self) -> None:
        """Fix the time and sign the content, just before the insert."""
        from guanqing.core.audit import chain

        if self.at is None:
            self.at = audit_now()
        self.content_hmac = chain.content_hmac(chain.content_of(self))

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit log is append-only")

    def _sealed(self):
        try:
            return self.seal
        except AuditSeal.DoesNotExist:
            return None

    @property
    def seq(self) -> int | None:
        """The record's place in the chain; None until it is sealed."""
        sealed = self._sealed()
        return sealed.seq if sealed else None

    @property
    def chain_hmac(self) -> str:
        sealed = self._sealed()
        return sealed.chain_hmac if sealed else ""


class AuditSeal(models.Model):
    """A record's place in the audit chain (guanqing/core/audit/chain.py): its sequence number and
    the chain hash linking it to the record before. Written once, by the seal."""

    event = models.OneToOneField(
        AuditEvent,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # only archiving deletes records, and their seals with them
        db_constraint=False,
        related_name="seal",
    )
    seq = models.PositiveBigIntegerField(unique=True)
    chain_hmac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计链位置")
        verbose_name_plural = _("审计链位置")

    def __str__(self):
        return f"{self.seq}: {self.event_id}"


class AuditUnsealed(models.Model):
    """An audit record written and not yet sealed: the seal's queue, read in id order. A trigger
    adds every inserted record (migration core/0011), however it was written; the seal removes
    it in the transaction that seals it."""

    event = models.OneToOneField(
        AuditEvent,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("待入链的审计记录")
        verbose_name_plural = _("待入链的审计记录")

    def __str__(self):
        return str(self.event_id)


class AuditChainHead(models.Model):
    """The one row that ends the audit chain: the last sealed record, and the anchor where the
    chain continues after records were archived (guanqing/core/audit/chain.py)."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hmac = models.CharField(max_length=64, blank=True)
    anchor_seq = models.PositiveBigIntegerField(default=0)
    anchor_hmac = models.CharField(max_length=64, blank=True)
    anchor_file = models.CharField(max_length=255, blank=True)
    anchor_at = models.DateTimeField(null=True, blank=True)
    mac = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self):
        return f"#{self.last_seq}"


class SecurityPolicy(models.Model):
    """The security administrator's policy: lockout, idle time-out, how ID numbers are masked."""

    failure_limit = models.PositiveSmallIntegerField(_("锁定前允许的失败次数"), default=5)
    lockout_minutes = models.PositiveSmallIntegerField(_("锁定时长（分钟）"), default=15)
    idle_minutes = models.PositiveSmallIntegerField(_("空闲退出（分钟）"), default=15)
    mask_head = models.PositiveSmallIntegerField(_("证件号显示前几位"), default=6)
    mask_tail = models.PositiveSmallIntegerField(_("证件号显示后几位"), default=4)
    password_max_age_days = models.PositiveSmallIntegerField(_("密码有效期（天）"), default=90)
    password_history = models.PositiveSmallIntegerField(_("不得重复使用的历史密码个数"), default=5)
    token_days = models.PositiveSmallIntegerField(_("接口令牌有效期（天）"), default=7)
    # The three administrators and the committee always need a second factor; these roles too.
    otp_roles = models.JSONField(_("另须动态口令的角色"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(failure_limit__gte=1, failure_limit__lte=20),
                name="policy_failure_limit_range",
            ),
            models.CheckConstraint(
                condition=models.Q(idle_minutes__gte=1, idle_minutes__lte=480),
                name="policy_idle_minutes_range",
            ),
            models.CheckConstraint(
                condition=models.Q(mask_head__lte=10, mask_tail__lte=8),
                name="policy_mask_range",
            ),
        ]

    def __str__(self):
        return "安全策略"


class CalendarDayQuerySet(ScopedQuerySet):
    @scope_rule(*Role)
    def _for_everyone(self, user):
        """The official calendar is the same for everyone signed in; only some may change it."""
        return self


class CalendarDay(models.Model):
    """One date of the official calendar: a workday or not, and the holiday it belongs to.

    Whole years are stored (seeded from chinesecalendar for 2004–2026; later years entered from the
    State Council's notice). A make-up Saturday (调休) is a workday that carries its holiday's name.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    holiday = models.CharField(_("节假日"), max_length=60, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    objects = CalendarDayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历日")
        verbose_name_plural = _("工作日历")

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"

    @property
    def kind(self) -> str:
        """workday, weekend, holiday, or makeup (a weekend day worked in lieu of a holiday)."""
        weekend = self.date.weekday() >= 5
        if self.is_workday:
            return "makeup" if weekend else "workday"
        return "holiday" if self.holiday else "weekend"


class NotificationQuerySet(ScopedQuerySet):
    @scope_rule(*Role)
    def _for_everyone(self, user):
        """A user reads its own notifications, and nobody else's."""
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user (e.g. a visit duty due soon or overdue).

    `dedupe_key` names what the message is about (for a reminder: pairing, period and status), so
    a job that runs twice writes it once.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=30)
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=120)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text[:40]


# The day counts behind dashboard headlines live with their registry (core/counters.py).
from guanqing.core.counters import DayCount, GroupCount  # noqa: E402,F401
