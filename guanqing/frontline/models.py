"""三服务 走亲连心: front-line outreach and the problems it collects.

- A `Place` is where cadres go: a grassroots unit, a village or an enterprise (by its 统一社会信用
  代码), in a division; the places are one small registry, deduplicated by credit code, or by name
  within a division.
- An `Outreach` is one visit by a unit's cadres (members, so their rank counts) to a place: what
  was discussed, money and goods donated, and the problems collected there.
- A `Problem` (难题) runs the loop 受理 → 派单 → 办理 → 答复 → 督办 → 办结 → 回访 → 评价 on a
  working-day limit set by its urgency (`FrontlineSettings`). Its sources: an outreach visit, the
  public (a page without an account, or Open311 GeoReport v2), the window, 12345/81890 hand-overs
  and the rural work instructors. The committee dispatches it to a unit (`DispatchRule`: category
  → default unit, per district where it differs); the unit may send it back; one extension
  (`Extension`) on approval; duplicates merge into a master. 催办 and 通报 are written once by the
  daily job. Every step is a `ProblemEvent`; the public ones are the Open311 `status_notes`.
- The reporter is optional, kept encrypted and never published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core import sensitive
from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.frontline.choices import (
    OPEN_STATES,
    ExtensionDecision,
    PlaceKind,
    ProblemEventKind,
    ProblemSource,
    ProblemState,
    Satisfaction,
    Urgency,
)
from guanqing.registry.models import Division, Member, Unit

MONEY = {"max_digits": 14, "decimal_places": 2}

NOT_FRONTLINE = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.FUND_OFFICER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)


class FrontlineSettings(models.Model):
    """The committee's settings (one row): working-day limits by urgency, when an overdue problem
    goes onto the 通报 list, the longest extension."""

    emergency_workdays = models.PositiveSmallIntegerField(_("紧急类时限（工作日）"), default=0)
    enquiry_workdays = models.PositiveSmallIntegerField(_("咨询类时限（工作日）"), default=3)
    complaint_workdays = models.PositiveSmallIntegerField(_("投诉类时限（工作日）"), default=13)
    problem_workdays = models.PositiveSmallIntegerField(_("求助类时限（工作日）"), default=13)
    notice_after_workdays = models.PositiveSmallIntegerField(_("超期多少个工作日通报"), default=5)
    max_extension_workdays = models.PositiveSmallIntegerField(_("延期最长（工作日）"), default=10)
    instructor_days_per_month = models.PositiveSmallIntegerField(
        _("农村工作指导员每月驻村天数"), default=10
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("一线工作设置")
        verbose_name_plural = _("一线工作设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_after_workdays__gte=1), name="frontline_notice_min"
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> FrontlineSettings:
        return cls.objects.order_by("pk").first() or cls()

    def limit_workdays(self, urgency: str) -> int:
        return {
            Urgency.EMERGENCY: self.emergency_workdays,
            Urgency.ENQUIRY: self.enquiry_workdays,
            Urgency.COMPLAINT: self.complaint_workdays,
            Urgency.PROBLEM: self.problem_workdays,
        }[urgency]


# --- places and outreach ------------------------------------------------------------------------


class PlaceQuerySet(ScopedQuerySet):
    """One registry for the city: every unit sees the places (so that it finds, not re-enters, a
    village another unit visited); the committee and units add them."""

    no_rows_for = NOT_FRONTLINE | {Role.WINDOW_CLERK}

    @scope_rule(Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER)
    @edit_rule(Role.COMMITTEE, Role.UNIT_ADMIN)
    def _for_everyone(self, user):
        return self


class Place(models.Model):
    kind = models.CharField(_("类型"), max_length=12, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    division = models.ForeignKey(
        Division,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["division_id", "name", "id"]
        verbose_name = _("走访对象")
        verbose_name_plural = _("走访对象")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="place_credit_code_unique",
            ),
            models.UniqueConstraint(fields=["division", "name"], name="place_name_in_division"),
            models.CheckConstraint(
                condition=Q(kind=PlaceKind.ENTERPRISE) | Q(credit_code=""),
                name="place_credit_code_enterprise_only",
            ),
        ]

    def __str__(self):
        return self.name


class OutreachQuerySet(ScopedQuerySet):
    no_rows_for = NOT_FRONTLINE | {Role.WINDOW_CLERK}

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
        """The visits the member went on."""
        return self.of_own_member(user, "cadres")


class Outreach(models.Model):
    """One outreach visit (走访) by a unit's cadres to a place."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="outreach"
    )
    visited_on = models.DateField(_("走访日期"))
    place = models.ForeignKey(
        Place, verbose_name=_("走访对象"), on_delete=models.PROTECT, related_name="outreach"
    )
    cadres = models.ManyToManyField(Member, verbose_name=_("参加干部"), related_name="outreach")
    discussed = models.TextField(_("走访内容"), max_length=LONG_TEXT_MAX, blank=True)
    donated_money = models.DecimalField(_("捐赠资金（元）"), default=0, **MONEY)
    donated_goods = models.DecimalField(_("捐赠物资折价（元）"), default=0, **MONEY)
    goods_note = models.CharField(_("物资说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OutreachQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        indexes = [
            models.Index(fields=["unit", "visited_on"], name="outreach_unit_day"),
            # the list's order, newest first: a page read off the index, not a sort of them all
            models.Index(fields=["visited_on", "id"], name="outreach_day_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(donated_money__gte=0) & Q(donated_goods__gte=0),
                name="outreach_donations_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.place}"


# --- the problem catalogue --------------------------------------------------------------------


class CategoryQuerySet(ScopedQuerySet):
    """The catalogue is public (Open311 lists it); the committee edits it."""

    @scope_rule(*Role)
    def _for_everyone(self, user):
        return self

    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self


class ProblemCategory(models.Model):
    """A kind of problem; its `code` is the Open311 service_code, `attributes` its GeoReport
    service definition's attributes (code, datatype, required, description, order, values)."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    group = models.CharField(_("分组"), max_length=40, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=12, choices=Urgency.choices, default=Urgency.PROBLEM
    )
    attributes = models.JSONField(_("附加信息"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("难题类别")
        verbose_name_plural = _("难题类别")

    def __str__(self):
        return self.name


class DispatchRuleQuerySet(CategoryQuerySet):
    pass


class DispatchRule(models.Model):
    """派单目录: the unit a category's problems go to by default — in one district, or anywhere
    (no district) where no district rule applies."""

    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("难题类别"),
        on_delete=models.CASCADE,
        related_name="dispatch_rules",
    )
    district = models.ForeignKey(
        Division,
        verbose_name=_("区县（市）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )

    objects = DispatchRuleQuerySet.as_manager()

    class Meta:
        ordering = ["category_id", "district_id"]
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        constraints = [
            models.UniqueConstraint(fields=["category", "district"], name="dispatch_rule_unique"),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(district__isnull=True),
                name="dispatch_rule_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.category} → {self.unit}"


# --- problems -----------------------------------------------------------------------------------


class ProblemQuerySet(ScopedQuerySet):
    no_rows_for = NOT_FRONTLINE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        """Those assigned to the unit, and those its own outreach collected."""
        # the ids of each part, by its own index, in one union: `unit = X OR outreach IN (…)`
        # read every problem (100 ms at three tenths of a province, against 12), and a join
        # walks every problem to its visit on SQLite
        own_visits = Outreach.objects.filter(unit_id=user.unit_id).values("pk")
        assigned = Problem.objects.filter(unit_id=user.unit_id).order_by().values("pk")
        collected = Problem.objects.filter(outreach__in=own_visits).order_by().values("pk")
        return self.filter(pk__in=assigned.union(collected))

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        """Those collected on the outreach visits the member went on, and those it raised (a rural
        work instructor raises its village's)."""
        raised = Problem.objects.filter(reported_by=user).order_by().values("pk")
        if not user.member_id:
            return self.filter(pk__in=raised)
        # one union of the parts' ids, each by its own index (see the unit administrator's)
        went = Outreach.objects.filter(cadres=user.member_id).values("pk")
        collected = Problem.objects.filter(outreach__in=went).order_by().values("pk")
        return self.filter(pk__in=raised.union(collected))

    @scope_rule(Role.WINDOW_CLERK)
    def _for_window_clerk(self, user):
        """Those the clerk handed over from the window."""
        return self.filter(reported_by=user)

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Problem(models.Model):
    """A problem (难题) in the loop; `public_id` is its Open311 service_request_id."""

    public_id = models.CharField(_("编号"), max_length=20, unique=True)
    source = models.CharField(_("来源"), max_length=12, choices=ProblemSource.choices)
    outreach = models.ForeignKey(
        Outreach,
        verbose_name=_("走访"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="problems"
    )
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=Urgency.choices)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("问题描述"), max_length=LONG_TEXT_MAX)
    division = models.ForeignKey(
        Division,
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    attributes = models.JSONField(_("附加信息"), default=dict, blank=True)
    # The reporter: optional, kept encrypted, shown masked to the committee, never published.
    reporter_name_encrypted = models.TextField(blank=True, editable=False)
    reporter_phone_encrypted = models.TextField(blank=True, editable=False)
    reporter_email_encrypted = models.TextField(blank=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    open311_key = models.ForeignKey(
        "Open311Key",
        verbose_name=_("接入应用"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    state = models.CharField(_("状态"), max_length=10, choices=ProblemState.choices)
    received_on = models.DateField(_("受理日期"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    assigned_on = models.DateField(_("派单日期"), null=True, blank=True)
    # received_on + the urgency's working days (+ an approved extension); kept for the queues
    deadline = models.DateField(_("办结时限"), null=True, blank=True)
    master = models.ForeignKey(
        "self",
        verbose_name=_("主单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    answer = models.TextField(_("答复意见"), max_length=LONG_TEXT_MAX, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    callback_on = models.DateField(_("回访日期"), null=True, blank=True)
    callback_note = models.TextField(_("回访情况"), max_length=LONG_TEXT_MAX, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_on = models.DateField(_("评价日期"), null=True, blank=True)
    rating_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    reopened_on = models.DateField(_("重新办理日期"), null=True, blank=True)
    urged_on = models.DateField(_("催办日期"), null=True, blank=True)
    noticed_on = models.DateField(_("通报日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("难题")
        verbose_name_plural = _("难题")
        indexes = [
            models.Index(fields=["state", "deadline"], name="problem_state_deadline"),
            models.Index(fields=["unit", "state", "deadline"], name="problem_unit_queue"),
            models.Index(fields=["received_on"], name="problem_received"),
            # the desk's 通报 list and the home count: the problems on the list and still open.
            # The condition is theirs exactly: PostgreSQL, taking being on the list and being
            # open for independent, expected 150 such problems of a province's 8,600 and sorted
            # them all for the first fifty (12 ms); from this index, in its order: 1.4 ms
            models.Index(
                fields=["noticed_on", "deadline"],
                condition=Q(noticed_on__isnull=False, state__in=OPEN_STATES),
                name="problem_noticed_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=ProblemState.MERGED) | Q(master__isnull=False),
                name="problem_merged_has_master",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, long__isnull=True)
                | Q(lat__gte=-90, lat__lte=90, long__gte=-180, long__lte=180),
                name="problem_coordinates_range",
            ),
        ]

    def __str__(self):
        return f"{self.public_id} {self.title}"

    def set_reporter(self, *, name: str = "", phone: str = "", email: str = "") -> None:
        self.reporter_name_encrypted = sensitive.encrypt(name) if name else ""
        self.reporter_phone_encrypted = sensitive.encrypt(phone) if phone else ""
        self.reporter_email_encrypted = sensitive.encrypt(email) if email else ""

    @property
    def reporter_name(self) -> str:
        return (
            sensitive.decrypt(self.reporter_name_encrypted) if self.reporter_name_encrypted else ""
        )

    @property
    def reporter_phone(self) -> str:
        return (
            sensitive.decrypt(self.reporter_phone_encrypted)
            if self.reporter_phone_encrypted
            else ""
        )


class ProblemEventQuerySet(ChildScopedQuerySet):
    scope_parent = "problem"


class ProblemEvent(models.Model):
    """One step of a problem's timeline; `public` ones are shown to the reporter (Open311
    status_notes) — never a name or a phone."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("难题"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=12, choices=ProblemEventKind.choices)
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField(
        _("原状态"), max_length=10, choices=ProblemState.choices, blank=True
    )
    to_state = models.CharField(_("新状态"), max_length=10, choices=ProblemState.choices)
    note = models.TextField(_("说明"), max_length=LONG_TEXT_MAX, blank=True)
    public = models.BooleanField(_("向反映人公开"), default=False)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ProblemEventQuerySet.as_manager()

    class Meta:
        ordering = ["problem_id", "at", "id"]
        verbose_name = _("难题记录")
        verbose_name_plural = _("难题记录")
        indexes = [
            # the figures' steps of one kind in a date range (通报 in the range)
            models.Index(fields=["kind", "on", "problem"], name="problem_event_kind_on"),
        ]

    def __str__(self):
        return f"{self.problem} {self.get_kind_display()}"


class ExtensionQuerySet(ChildScopedQuerySet):
    scope_parent = "problem"


class Extension(models.Model):
    """The one extension (延期) a problem may have: the unit asks, the committee decides."""

    problem = models.OneToOneField(
        Problem, verbose_name=_("难题"), on_delete=models.PROTECT, related_name="extension"
    )
    workdays = models.PositiveSmallIntegerField(_("延期（工作日）"))
    reason = models.TextField(_("延期理由"), max_length=LONG_TEXT_MAX)
    requested_on = models.DateField(_("申请日期"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(
        _("审批结果"), max_length=10, choices=ExtensionDecision.choices, blank=True
    )
    decision_note = models.TextField(_("审批意见"), max_length=LONG_TEXT_MAX, blank=True)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.CheckConstraint(condition=Q(workdays__gte=1), name="extension_workdays_min"),
        ]

    def __str__(self):
        return f"{self.problem} +{self.workdays}"


class Open311KeyQuerySet(ScopedQuerySet):
    """Application keys: the system administrator issues and revokes them."""

    no_rows_for = frozenset(set(Role) - {Role.SYSTEM_ADMIN, Role.COMMITTEE})

    @scope_rule(Role.SYSTEM_ADMIN, Role.COMMITTEE)
    def _for_admins(self, user):
        return self

    @edit_rule(Role.SYSTEM_ADMIN)
    def _edit_for_system_admin(self, user):
        return self


class Open311Key(models.Model):
    """An Open311 application's api_key: only its SHA-256 and its first characters are kept."""

    application = models.CharField(_("应用名称"), max_length=100)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = Open311KeyQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("Open311 接入密钥")
        verbose_name_plural = _("Open311 接入密钥")

    def __str__(self):
        return f"{self.application} ({self.key_prefix}…)"


# --- 金点子, service brands and the pocket books ----------------------------------------------


class BrandQuerySet(ScopedQuerySet):
    """Service brands: the committee all; a unit administrator and a member read every unit's
    (the books name them); a unit administrator edits its own unit's."""

    no_rows_for = NOT_FRONTLINE | {Role.WINDOW_CLERK}

    @scope_rule(Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER)
    def _for_readers(self, user):
        return self

    @edit_rule(Role.COMMITTEE)
    def _edit_for_committee(self, user):
        return self

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)


class ServiceBrand(models.Model):
    """A unit's 党建服务品牌 (e.g. the 市外经贸局's "千方百计"); the committee's list of recognised
    brands are those with `recognised_on` set."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="service_brands"
    )
    name = models.CharField(_("品牌名称"), max_length=60)
    slogan = models.CharField(_("口号"), max_length=120, blank=True)
    aims = models.TextField(_("品牌宗旨"), max_length=LONG_TEXT_MAX, blank=True)
    core_ideas = models.TextField(_("核心理念"), max_length=LONG_TEXT_MAX, blank=True)
    measures = models.TextField(_("主要举措"), max_length=LONG_TEXT_MAX, blank=True)
    results = models.TextField(_("工作成效"), max_length=LONG_TEXT_MAX, blank=True)
    logo = models.FileField(_("标识"), upload_to="brands/%Y/", max_length=200, blank=True)
    logo_content_type = models.CharField(max_length=40, blank=True, editable=False)
    recognised_on = models.DateField(_("命名日期"), null=True, blank=True)
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("命名人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BrandQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "name", "id"]
        verbose_name = _("服务品牌")
        verbose_name_plural = _("服务品牌")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="brand_name_in_unit"),
        ]

    def __str__(self):
        return self.name


class PracticeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已采用")
    REJECTED = "rejected", _("退回")


class PracticeQuerySet(ScopedQuerySet):
    """金点子: the committee all; a unit administrator its unit's and the approved ones of every
    unit; a member the approved ones."""

    no_rows_for = NOT_FRONTLINE | {Role.WINDOW_CLERK}

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(Q(unit_id=user.unit_id) | Q(state=PracticeState.APPROVED))

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.filter(state=PracticeState.APPROVED)

    def approved(self):
        return self.filter(state=PracticeState.APPROVED)


class GoodPractice(models.Model):
    """A 金点子: a good practice, or a solved enterprise problem written up, reviewed by the
    committee before it goes into a pocket book."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="good_practices"
    )
    brand = models.ForeignKey(
        ServiceBrand,
        verbose_name=_("服务品牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practices",
    )
    title = models.CharField(_("标题"), max_length=120)
    problem = models.TextField(_("遇到的问题"), max_length=LONG_TEXT_MAX)
    action = models.TextField(_("主要做法"), max_length=LONG_TEXT_MAX)
    result = models.TextField(_("取得成效"), max_length=LONG_TEXT_MAX, blank=True)
    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("难题类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category_label = models.CharField(_("分类"), max_length=40, blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True)
    source_problem = models.ForeignKey(
        Problem,
        verbose_name=_("来源难题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=PracticeState.choices, default=PracticeState.DRAFT
    )
    review_note = models.TextField(_("审核意见"), max_length=LONG_TEXT_MAX, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("审核日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰写人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("金点子")
        verbose_name_plural = _("金点子")
        indexes = [models.Index(fields=["state", "unit"], name="practice_state_unit")]

    def __str__(self):
        return self.title

    @property
    def category_name(self) -> str:
        """The heading it goes under in a book: the free label, else the problem category."""
        return self.category_label or (self.category.name if self.category_id else "")

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]


class BookQuerySet(ScopedQuerySet):
    """Pocket books: read by the committee, unit administrators and members; built by the
    committee, and by a unit administrator for its unit's brand."""

    no_rows_for = NOT_FRONTLINE | {Role.WINDOW_CLERK}

    @scope_rule(Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER)
    def _for_readers(self, user):
        return self

    @edit_rule(Role.COMMITTEE)
    def _edit_for_committee(self, user):
        return self

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_for_unit_admin(self, user):
        return self.filter(brand__unit_id=user.unit_id)


class PocketBook(models.Model):
    """A 口袋书: an A6 (105×148 mm) PDF of approved 金点子 — the entries chosen in order, or, when
    none are chosen, those the filter finds. Any book can be rebuilt from the current entries."""

    title = models.CharField(_("书名"), max_length=120)
    subtitle = models.CharField(_("副标题"), max_length=120, blank=True)
    brand = models.ForeignKey(
        ServiceBrand,
        verbose_name=_("服务品牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="books",
    )
    entries = models.ManyToManyField(
        GoodPractice,
        through="PocketBookEntry",
        verbose_name=_("收录金点子"),
        related_name="books",
        blank=True,
    )
    filter_brand = models.ForeignKey(
        ServiceBrand,
        verbose_name=_("按品牌收录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filter_category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("按类别收录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filter_tags = models.CharField(_("按标签收录"), max_length=200, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="books/%Y/", max_length=200, blank=True)
    page_count = models.PositiveIntegerField(_("页数"), default=0)
    entry_count = models.PositiveIntegerField(_("篇数"), default=0)
    built_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("口袋书")
        verbose_name_plural = _("口袋书")

    def __str__(self):
        return self.title


class PocketBookEntryQuerySet(ChildScopedQuerySet):
    scope_parent = "book"


class PocketBookEntry(models.Model):
    book = models.ForeignKey(
        PocketBook, verbose_name=_("口袋书"), on_delete=models.CASCADE, related_name="book_entries"
    )
    practice = models.ForeignKey(
        GoodPractice, verbose_name=_("金点子"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)

    objects = PocketBookEntryQuerySet.as_manager()

    class Meta:
        ordering = ["book_id", "position", "id"]
        verbose_name = _("口袋书篇目")
        verbose_name_plural = _("口袋书篇目")
        constraints = [
            models.UniqueConstraint(fields=["book", "practice"], name="book_entry_unique"),
        ]

    def __str__(self):
        return f"{self.book} #{self.position}"
