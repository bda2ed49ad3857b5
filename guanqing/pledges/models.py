"""十件实事 The committee's ten annual pledges to the city's party members and residents.

- `Pledge`: one of the year's ten (number 1..10), its promise, lead units, target (a number the
  lead units report each month, or a live metric read from another work method), its state
  draft → published → closed, and at year end the lead unit's self-assessment and the committee's
  rating (shown publicly once `rating_published`).
- `Milestone`: a step with its due date; done on a day, with a note of the evidence.
- `ProgressReport`: what one lead unit did in one month (one per unit and month, editable until
  the month ends), with its evidence files (`ReportAttachment`: photos or PDF, typed from bytes).

The committee sees and edits everything; a unit administrator the published pledges its unit
leads (and writes their reports and self-assessment); a member the published pledges; every other
role nothing. The public page shows published pledges' titles and progress only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.pledges.choices import PledgeState, Rating, TargetKind

NUMBER_MIN = 1
NUMBER_MAX = 10
YEAR_MIN = 2020
YEAR_MAX = 2100
TITLE_MAX = 80
UNIT_MAX = 10
TARGET_MAX = 10_000_000
NOTE_MAX = 500

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
OUT_OF_DRAFT = (PledgeState.PUBLISHED, PledgeState.CLOSED)


class PledgeQuerySet(ScopedQuerySet):
    no_rows_for = OUTSIDE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        if not user.unit_id:
            return self.none()
        led = Pledge.lead_units.through.objects.filter(unit_id=user.unit_id)
        return self.filter(state__in=OUT_OF_DRAFT, pk__in=led.values("pledge_id"))

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(state__in=OUT_OF_DRAFT)

    def out_of_draft(self):
        return self.filter(state__in=OUT_OF_DRAFT)


class Pledge(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("实事名称"), max_length=TITLE_MAX)
    promise = models.TextField(_("承诺内容"), max_length=LONG_TEXT_MAX)
    lead_units = models.ManyToManyField(
        "registry.Unit", verbose_name=_("牵头单位"), related_name="pledges"
    )
    target_kind = models.CharField(
        _("目标类型"), max_length=10, choices=TargetKind.choices, default=TargetKind.MANUAL
    )
    metric = models.CharField(_("实时指标"), max_length=64, blank=True)
    target_value = models.PositiveIntegerField(_("目标值"))
    target_unit = models.CharField(_("计量单位"), max_length=UNIT_MAX, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=PledgeState.choices, default=PledgeState.DRAFT
    )
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    closed_on = models.DateField(_("结项日期"), null=True, blank=True)
    self_assessment = models.TextField(_("牵头单位自评"), max_length=LONG_TEXT_MAX, blank=True)
    assessed_on = models.DateField(_("自评日期"), null=True, blank=True)
    rating = models.CharField(_("机关工委评定"), max_length=10, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("评定意见"), max_length=NOTE_MAX, blank=True)
    rating_published = models.BooleanField(_("评定已公开"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "number"]
        verbose_name = _("实事")
        verbose_name_plural = _("实事")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="pledge_year_number_once"),
            models.CheckConstraint(
                condition=Q(number__gte=NUMBER_MIN) & Q(number__lte=NUMBER_MAX),
                name="pledge_number_range",
            ),
            models.CheckConstraint(condition=Q(target_value__gte=1), name="pledge_target_positive"),
            models.CheckConstraint(
                condition=~Q(target_kind=TargetKind.LIVE) | ~Q(metric=""),
                name="pledge_live_has_metric",
            ),
        ]

    def __str__(self):
        return f"{self.year}·{self.number} {self.title}"

    @property
    def is_live(self) -> bool:
        return self.target_kind == TargetKind.LIVE


class MilestoneQuerySet(ChildScopedQuerySet):
    """Seen with the pledge; marked done by whoever may change the pledge (the committee, a lead
    unit's administrator); added by the committee only (the access table)."""

    scope_parent = "pledge"

    def open(self):
        return self.filter(done_on__isnull=True)


class Milestone(models.Model):
    pledge = models.ForeignKey(
        Pledge, verbose_name=_("实事"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=TITLE_MAX)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence_note = models.CharField(_("完成情况"), max_length=NOTE_MAX, blank=True)
    reminded_on = models.DateField(_("提醒日期"), null=True, blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self):
        return f"{self.title} {self.due_on}"


class ReportQuerySet(ChildScopedQuerySet):
    scope_parent = "pledge"

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_unit_admin(self, user):
        if not user.unit_id:
            return self.none()
        return self.filter(unit_id=user.unit_id, pledge__in=Pledge.objects.editable_by(user))


class ProgressReport(models.Model):
    """What one lead unit did for a pledge in one month."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("实事"), on_delete=models.CASCADE, related_name="reports"
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        related_name="pledge_reports",
    )
    month = models.DateField(_("月份"))  # the first day of the month
    value = models.PositiveIntegerField(_("本月完成量"), null=True, blank=True)
    text = models.TextField(_("进展情况"), max_length=LONG_TEXT_MAX)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("报送时间"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "unit_id", "id"]
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "unit", "month"], name="pledge_report_once_a_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="pledge_report_month_first"),
        ]

    def __str__(self):
        return f"{self.pledge_id} {self.unit_id} {self.month:%Y-%m}"


class AttachmentQuerySet(ChildScopedQuerySet):
    scope_parent = "report"


class ReportAttachment(models.Model):
    """A photo or a PDF of evidence, stored under MEDIA_ROOT/pledges/<year>/<month>/."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="pledges/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.original_name or self.file.name
