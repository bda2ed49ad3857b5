"""A published period report (工作情况统计): the figures of every section as they stood when the
committee published them, frozen. Later data never changes a publication; a correction is a new
version of the same period and area, with the reason and what changed.

A unit's administrators see the versions published for their unit; the committee sees all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanqing.core.reports import Period, PeriodKind, Where, WhereKind
from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ScopedQuerySet, edit_rule, scope_rule

PERIOD_KINDS = [(kind, PeriodKind.LABELS[kind]) for kind in PeriodKind.ALL]
WHERE_KINDS = [
    (WhereKind.CITY, _("全市")),
    (WhereKind.DISTRICT, _("区县（市）")),
    (WhereKind.UNIT, _("单位")),
]


class PublicationQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(
        {
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            Role.WINDOW_CLERK,
            Role.FUND_OFFICER,
            Role.SYSTEM_ADMIN,
            Role.SECURITY_ADMIN,
            Role.AUDIT_ADMIN,
        }
    )

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        if not user.unit_id:
            return self.none()
        return self.filter(where_kind=WhereKind.UNIT, where_pk=user.unit_id)

    def of(self, period: Period, where: Where):
        return self.filter(period_key=period.key, where_kind=where.kind, where_pk=where.pk or 0)


class Publication(models.Model):
    period_key = models.CharField(_("报告期"), max_length=7)  # 2026, 2026-H1, 2026-Q3, 2026-07
    period_kind = models.CharField(_("报告类型"), max_length=8, choices=PERIOD_KINDS)
    period_first = models.DateField(_("起始日期"))
    period_last = models.DateField(_("截止日期"))
    where_kind = models.CharField(_("范围"), max_length=8, choices=WHERE_KINDS)
    # The unit's or the district's id; 0 for the city.
    where_pk = models.PositiveBigIntegerField(_("单位或区县"), default=0)
    where_name = models.CharField(_("范围名称"), max_length=200, blank=True)
    version = models.PositiveSmallIntegerField(_("版本"))
    sections = models.JSONField(_("各部分数据"), default=list)
    counted_on = models.DateField(_("统计截至"))
    as_of = models.DateTimeField(_("数据时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"))
    reason = models.TextField(_("更正原因"), blank=True, max_length=1000)
    # What a correction changed from the version before: [{section, key, label, old, new}].
    changes = models.JSONField(_("更正内容"), default=list, blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("已发布的工作情况统计")
        verbose_name_plural = _("已发布的工作情况统计")
        ordering = ["-period_first", "where_kind", "where_pk", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_key", "where_kind", "where_pk", "version"],
                name="reports_publication_one_version",
            ),
        ]
        indexes = [models.Index(fields=["where_kind", "where_pk", "period_key"])]

    def __str__(self):
        return f"{self.period_key} {self.where_name or self.where_kind} v{self.version}"

    @property
    def period(self) -> Period:
        return Period.parse(self.period_key)

    @property
    def where(self) -> Where:
        return Where(self.where_kind, self.where_pk or None, self.where_name)
