"""关怀帮扶 Care rules: 六激励 · 六必谈 · 六必访 · 六必帮.

- `CareRule`: the catalogue the committee edits (system, what happens, who acts, what they do,
  within how many working days). An edit applies to events recorded afterwards: an obligation keeps
  the action, actor and deadline it was given.
- `CareEvent`: an event in a member's life (a promotion, a stay in hospital, a bereavement),
  recorded by the unit or reported by the member. One event per (member, rule, day): recording it
  again returns the one recorded before.
- `Obligation`: what the rule makes due — the action, who acts and the deadline on the official
  calendar; open, then met (what was done) or waived (with a reason). The daily job marks an
  overdue one escalated once. One per event in this design (the rule's action); the model holds more.

Sensitive events (illness, discipline: `CareRule.sensitive`, copied on the event) are read only by
the committee, the unit's administrators and the member themself; see `selectors.may_read`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.care.choices import ActorKind, CareAction, CareSystem, EventSource, ObligationState
from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX

LIMIT_MIN = 1
LIMIT_MAX = 60
EARLIEST = datetime.date(2000, 1, 1)
NAME_MAX = 60
DESCRIPTION_MAX = 500

# The roles that take no part in the care rules: they see no rule, event or obligation.
OUTSIDE = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.WINDOW_CLERK,
        Role.FUND_OFFICER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)


class RuleQuerySet(ScopedQuerySet):
    no_rows_for = OUTSIDE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN, Role.MEMBER)
    def _for_readers(self, user):
        return self

    def active(self):
        return self.filter(is_active=True)


class CareRule(models.Model):
    """One item of the catalogue: 住院或患重病 → 走访慰问 by 单位党组织 within 5 working days."""

    system = models.CharField(_("制度"), max_length=10, choices=CareSystem.choices)
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("事项"), max_length=NAME_MAX)
    description = models.TextField(_("说明"), max_length=DESCRIPTION_MAX, blank=True)
    actor_kind = models.CharField(_("责任人"), max_length=20, choices=ActorKind.choices)
    action = models.CharField(_("落实方式"), max_length=10, choices=CareAction.choices)
    limit_workdays = models.PositiveSmallIntegerField(_("时限（工作日）"))
    sensitive = models.BooleanField(_("敏感事项"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["system", "sort_order", "id"]
        verbose_name = _("关怀事项")
        verbose_name_plural = _("关怀事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(limit_workdays__gte=LIMIT_MIN) & Q(limit_workdays__lte=LIMIT_MAX),
                name="care_rule_limit_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_system_display()}·{self.name}"


class EventQuerySet(ScopedQuerySet):
    no_rows_for = OUTSIDE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.of_own_member(user)


class CareEvent(models.Model):
    """An event in a member's life that a rule of the catalogue answers."""

    member = models.ForeignKey(
        "registry.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="care_events",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="care_events",
    )
    rule = models.ForeignKey(
        CareRule, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="events"
    )
    occurred_on = models.DateField(_("发生日期"))
    note = models.TextField(_("情况说明"), max_length=LONG_TEXT_MAX, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=EventSource.choices, default=EventSource.UNIT
    )
    sensitive = models.BooleanField(_("敏感事项"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("关怀事件")
        verbose_name_plural = _("关怀事件")
        constraints = [
            # the same event recorded twice is one event
            models.UniqueConstraint(
                fields=["member", "rule", "occurred_on"], name="care_event_once"
            ),
            models.CheckConstraint(
                condition=Q(occurred_on__gte=EARLIEST), name="care_event_since_2000"
            ),
        ]
        indexes = [models.Index(fields=["unit", "occurred_on"])]

    def __str__(self):
        return f"{self.member_id} {self.occurred_on}"


class ObligationQuerySet(ScopedQuerySet):
    no_rows_for = OUTSIDE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.of_own_member(user, "event__member_id")

    def open(self):
        return self.filter(state=ObligationState.OPEN)

    def overdue(self, today: datetime.date):
        """Open past their deadline (derived, never stored)."""
        return self.open().filter(due_on__lt=today)


class Obligation(models.Model):
    """What a rule makes due after an event: an action by someone within a deadline."""

    event = models.ForeignKey(
        CareEvent, verbose_name=_("关怀事件"), on_delete=models.CASCADE, related_name="obligations"
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="care_obligations",
    )
    action = models.CharField(_("落实方式"), max_length=10, choices=CareAction.choices)
    actor_kind = models.CharField(_("责任人"), max_length=20, choices=ActorKind.choices)
    limit_workdays = models.PositiveSmallIntegerField(_("时限（工作日）"))
    due_on = models.DateField(_("落实期限"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ObligationState.choices, default=ObligationState.OPEN
    )
    met_on = models.DateField(_("落实日期"), null=True, blank=True)
    done_note = models.TextField(_("落实情况"), max_length=LONG_TEXT_MAX, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("落实登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    waived_on = models.DateField(_("免除日期"), null=True, blank=True)
    waived_reason = models.CharField(_("免除理由"), max_length=200, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("免除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_on = models.DateField(_("报单位党委日期"), null=True, blank=True)
    # FUND SEAM: an obligation of action help (六必帮) is where a fund application for the member
    # will be opened and linked, both ways. Nothing of the fund is stored or read here yet; the
    # link is the fund's to add, and this app never imports guanqing.fund.

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("关怀任务")
        verbose_name_plural = _("关怀任务")
        constraints = [
            models.UniqueConstraint(fields=["event", "action"], name="care_obligation_once"),
            models.CheckConstraint(
                condition=~Q(state=ObligationState.MET) | Q(met_on__isnull=False),
                name="care_obligation_met_has_date",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state", "due_on"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.due_on}"

    @property
    def late(self) -> bool:
        return self.met_on is not None and self.met_on > self.due_on
