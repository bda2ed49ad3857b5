"""满意窗口 The service window: the catalogue of approval items and matters (versioned), and the
cases (办件) a window clerk accepts and completes on a working-day clock.

- A `Window` belongs to a unit (吴鹏's window belongs to 市食品药品监管局); its clerks are accounts
  with the role window_clerk.
- The catalogue: a unit's `ApprovalItem`s (审批事项) hold `Matter`s (办理项). What a matter asks for —
  kind, time limits, fee, materials — is a `MatterVersion`: a change makes a new version, and a case
  keeps the version it was accepted under.
- A `Case` is accepted on a business date; its deadline is that date plus the promised working days
  on the official calendar, moved by its pauses (`CasePause`). `deadline` and `statutory_deadline`
  are kept on the row for the queues and boards (recomputed by the services from the rules in
  `guanqing.window.rules` whenever a pause begins or ends); everything else about the clock (working
  days used, early / on time / late, due soon, overdue) is derived, never stored.
- 容缺受理: the materials accepted missing are `CaseMissingMaterial` rows until supplied.
- Every step is a `CaseEvent` (the case's timeline) and an audit record, in one transaction.
- 好差评 (GB/T 39734-2020): a completed case invites one `Rating` (一次一评), at the window's rating
  screen or later through a one-time `RatingInvite` code (only its hash is kept). The follow-up
  choices come from a versioned `QuestionSet`. A 差评 opens a `FollowUp` (核实 → 整改 → 反馈 → the
  applicant rates the fix); the unit may `Appeal` a malicious one, and an upheld appeal keeps the
  rating but leaves it out of the figures.
- The "六零" checklist: the committee's `ZeroItem`s, and each window's monthly `ZeroCheck`s.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import BUSINESS_ROLES, Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.registry.models import SensitiveIdMixin
from guanqing.window.choices import (
    AppealDecision,
    ApplicantKind,
    CaseEventKind,
    CaseState,
    FeedbackMethod,
    FollowUpState,
    MaterialForm,
    MatterKind,
    Outcome,
    PauseKind,
    RatingChannel,
    RatingLevel,
    RatingRound,
    ZeroMeasure,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
# Time limits a matter may promise, in working days (a statutory limit is at most a few months).
WORKDAYS_MAX = 250


class WindowQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(
        {
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
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
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.WINDOW_CLERK)
    def _for_window_clerk(self, user):
        return self.filter(clerks=user)


class Window(models.Model):
    """A unit's service window (服务窗口) at the administrative service centre."""

    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="windows"
    )
    name = models.CharField(_("窗口名称"), max_length=80)
    location = models.CharField(_("位置"), max_length=120, blank=True)
    clerks = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口受理员"),
        blank=True,
        related_name="windows",
        limit_choices_to={"role": Role.WINDOW_CLERK},
    )
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WindowQuerySet.as_manager()

    class Meta:
        ordering = ["unit__sort_order", "name", "id"]
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="window_unique_name_per_unit"),
        ]

    def __str__(self):
        return self.name


class CatalogueQuerySet(ScopedQuerySet):
    """The catalogue is public information (the 一次告知单 is handed to anyone): every business role
    reads all of it; the committee edits every unit's, a unit administrator its own unit's."""

    no_rows_for = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
    unit_path = "unit"

    @scope_rule(*BUSINESS_ROLES)
    @edit_rule(Role.COMMITTEE)
    def _for_business(self, user):
        return self

    @edit_rule(Role.UNIT_ADMIN)
    def _edit_unit_admin(self, user):
        return self.filter(**{f"{self.unit_path}_id": user.unit_id})


class ApprovalItem(models.Model):
    """An approval item (审批事项) of a unit's catalogue, e.g. 食品经营许可."""

    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="approval_items",
    )
    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=120)
    legal_basis = models.TextField(_("设定依据"), max_length=LONG_TEXT_MAX, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["unit__sort_order", "sort_order", "code"]
        verbose_name = _("审批事项")
        verbose_name_plural = _("审批事项")

    def __str__(self):
        return self.name


class MatterQuerySet(CatalogueQuerySet):
    unit_path = "item__unit"


class Matter(models.Model):
    """A matter (办理项) of an approval item, e.g. 食品经营许可（新办）. What it asks for is its
    current `MatterVersion`; `current` points at it (None until the first version is published)."""

    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("审批事项"), on_delete=models.PROTECT, related_name="matters"
    )
    code = models.CharField(_("办理项编码"), max_length=40, unique=True)
    name = models.CharField(_("办理项名称"), max_length=120)
    current = models.OneToOneField(
        "MatterVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        ordering = ["item__sort_order", "item__code", "sort_order", "code"]
        verbose_name = _("办理项")
        verbose_name_plural = _("办理项")

    def __str__(self):
        return self.name


class MatterVersionQuerySet(CatalogueQuerySet):
    unit_path = "matter__item__unit"


class MatterVersion(models.Model):
    """What a matter asks for from a given day: kind, time limits, fee, materials. Never changed
    once a case was accepted under it: an edit publishes a new version."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("办理项"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    kind = models.CharField(_("办件类型"), max_length=10, choices=MatterKind.choices)
    statutory_workdays = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_workdays = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    fee = models.DecimalField(_("收费（元）"), default=0, **MONEY)
    fee_note = models.CharField(_("收费说明"), max_length=200, blank=True)
    legal_basis = models.TextField(_("办理依据"), max_length=LONG_TEXT_MAX, blank=True)
    valid_from = models.DateField(_("生效日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MatterVersionQuerySet.as_manager()

    class Meta:
        ordering = ["matter_id", "-number"]
        verbose_name = _("办理项版本")
        verbose_name_plural = _("办理项版本")
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="matter_version_unique"),
            models.CheckConstraint(
                condition=Q(promised_workdays__lte=models.F("statutory_workdays")),
                name="matter_version_promised_within_statutory",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="matter_version_fee_not_negative"),
        ]

    def __str__(self):
        return f"{self.matter} v{self.number}"


class MaterialQuerySet(CatalogueQuerySet):
    unit_path = "version__matter__item__unit"


class Material(models.Model):
    """One material a matter's version asks for (申请材料)."""

    version = models.ForeignKey(
        MatterVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(
        _("材料形式"), max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    deferrable = models.BooleanField(_("可容缺"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "sort_order", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self):
        return self.name


class CaseQuerySet(ScopedQuerySet):
    no_rows_for = frozenset(
        {
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            Role.FUND_OFFICER,
            Role.SYSTEM_ADMIN,
            Role.SECURITY_ADMIN,
            Role.AUDIT_ADMIN,
        }
    )

    @scope_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(window__unit_id=user.unit_id)

    @scope_rule(Role.WINDOW_CLERK)
    @edit_rule(Role.WINDOW_CLERK)
    def _for_window_clerk(self, user):
        return self.filter(window__clerks=user)

    def open(self):
        from guanqing.window.choices import OPEN_STATES

        return self.filter(state__in=OPEN_STATES)


class Case(SensitiveIdMixin, models.Model):
    """A case (办件): one application for one matter at one window."""

    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="cases"
    )
    version = models.ForeignKey(
        MatterVersion, verbose_name=_("办理项版本"), on_delete=models.PROTECT, related_name="cases"
    )
    receipt_no = models.CharField(_("受理编号"), max_length=32, unique=True)
    state = models.CharField(_("状态"), max_length=12, choices=CaseState.choices)
    applicant_kind = models.CharField(_("申请人类型"), max_length=12, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人"), max_length=100)
    # A person's ID number is kept like every other (encrypted, with a look-up hash: see
    # SensitiveIdMixin); an enterprise's 统一社会信用代码 is public and kept in clear.
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=20)
    # The applicant's status page asks for the receipt number and the phone's last four digits.
    phone_tail = models.CharField(max_length=4, editable=False)
    received_on = models.DateField(_("收件日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    deadline = models.DateField(_("承诺办结日期"), null=True, blank=True)
    statutory_deadline = models.DateField(_("法定办结日期"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        on_delete=models.PROTECT,
        related_name="window_cases",
    )
    # 一次性告知 (补正) or 不予受理: every missing item listed at once, or the reason.
    correction_note = models.TextField(_("补正告知"), max_length=LONG_TEXT_MAX, blank=True)
    refusal_reason = models.TextField(_("不予受理理由"), max_length=LONG_TEXT_MAX, blank=True)
    # 容缺受理: the applicant's written promise and the date by which the missing materials come.
    deferral_promise = models.TextField(_("容缺承诺"), max_length=LONG_TEXT_MAX, blank=True)
    supply_by = models.DateField(_("容缺材料补齐期限"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("结果说明"), max_length=LONG_TEXT_MAX, blank=True)
    completed_on = models.DateField(_("办结日期"), null=True, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["window", "state", "deadline"]),
            # the queue's order (`selectors.clerk_queue`): a city-wide queue's first page is read
            # off the index, not sorted out of every case
            models.Index(fields=["state", "deadline", "accepted_on", "id"]),
            models.Index(fields=["window", "accepted_on"]),
            models.Index(fields=["id_number_hash"]),
            # the lists' default order (newest first): the committee's first page is read off the
            # index backwards instead of sorting every case; per window for a clerk or a unit
            models.Index(fields=["received_on", "id"], name="case_received"),
            models.Index(fields=["window", "received_on", "id"], name="case_window_received"),
            # the figures (`figures.window_figures`, `figures.rating_figures`): a range's cases by
            # acceptance or completion date, with every column their GROUP BY reads, off the index
            # alone rather than from each case's row
            models.Index(
                fields=[
                    "accepted_on",
                    "window",
                    "version",
                    "handled_by",
                    "completed_on",
                    "deadline",
                ],
                name="case_accepted_figures",
            ),
            models.Index(
                fields=["completed_on", "window", "version", "handled_by"],
                name="case_completed_figures",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(deadline__isnull=False),
                name="case_accepted_has_deadline",
            ),
        ]

    def __str__(self):
        return self.receipt_no


class CasePauseQuerySet(ChildScopedQuerySet):
    scope_parent = "case"


class CasePause(models.Model):
    """A pause of the clock (行政许可法 §45): begun on `started_on`, ended on `ended_on` (None while
    it lasts); the working days after `started_on` up to and including `ended_on` do not count."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="pauses"
    )
    kind = models.CharField(_("中止事由"), max_length=16, choices=PauseKind.choices)
    reason = models.TextField(_("说明"), max_length=LONG_TEXT_MAX)
    started_on = models.DateField(_("中止日期"))
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CasePauseQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "started_on", "id"]
        verbose_name = _("办件中止")
        verbose_name_plural = _("办件中止")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="case_pause_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_on__isnull=True),
                name="case_pause_one_running",
            ),
        ]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"


class CaseMissingMaterialQuerySet(ChildScopedQuerySet):
    scope_parent = "case"


class CaseMissingMaterial(models.Model):
    """A deferrable material a case was accepted without (容缺), until it is supplied."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="missing_materials"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="+"
    )
    supplied_on = models.DateField(_("补齐日期"), null=True, blank=True)

    objects = CaseMissingMaterialQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "material__sort_order", "id"]
        verbose_name = _("容缺材料")
        verbose_name_plural = _("容缺材料")
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="case_missing_unique"),
        ]

    def __str__(self):
        return f"{self.case} {self.material}"


class CaseEventQuerySet(ChildScopedQuerySet):
    scope_parent = "case"


class CaseEvent(models.Model):
    """One step of a case's timeline: what happened on which business date, who did it (none: the
    daily job), the state before and after, and a note."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=12, choices=CaseEventKind.choices)
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField(_("原状态"), max_length=12, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=CaseState.choices)
    note = models.TextField(_("说明"), max_length=LONG_TEXT_MAX, blank=True)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "at", "id"]
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"


class WindowSettings(models.Model):
    """The committee's settings for every window (one row)."""

    due_soon_workdays = models.PositiveSmallIntegerField(_("临期提醒（剩余工作日）"), default=1)
    deferral_bar_months = models.PositiveSmallIntegerField(
        _("容缺失信后暂停容缺受理（月）"), default=12
    )
    rating_window_days = models.PositiveSmallIntegerField(_("评价有效期（天）"), default=30)
    rectify_workdays = models.PositiveSmallIntegerField(_("差评整改时限（工作日）"), default=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("窗口设置")
        verbose_name_plural = _("窗口设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_window_days__gte=1), name="window_settings_rating_days_min"
            ),
            models.CheckConstraint(
                condition=Q(rectify_workdays__gte=1), name="window_settings_rectify_min"
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> WindowSettings:
        return cls.objects.order_by("pk").first() or cls()


# --- 好差评 -----------------------------------------------------------------------------------------


class QuestionSet(models.Model):
    """A version of the follow-up choices offered for each rating level; the committee publishes a
    new one to change them, and a rating keeps the version it was given under."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("评价选项版本")
        verbose_name_plural = _("评价选项版本")

    def __str__(self):
        return f"v{self.number}"

    @classmethod
    def current(cls) -> QuestionSet | None:
        return cls.objects.order_by("-number").first()


class RatingOption(models.Model):
    """One follow-up choice for one level, e.g. 非常满意 → 一次办成; 不满意 → 多次跑腿."""

    question_set = models.ForeignKey(
        QuestionSet,
        verbose_name=_("评价选项版本"),
        on_delete=models.PROTECT,
        related_name="options",
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    text = models.CharField(_("选项"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["question_set_id", "-level", "sort_order", "id"]
        verbose_name = _("评价选项")
        verbose_name_plural = _("评价选项")
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "level", "text"], name="rating_option_unique"
            ),
        ]

    def __str__(self):
        return self.text


class RatingQuerySet(ChildScopedQuerySet):
    scope_parent = "case"

    def counted(self):
        """The ratings the figures count: every case rating but those an upheld appeal excluded."""
        return self.filter(round=RatingRound.CASE).exclude(follow_up__state=FollowUpState.EXCLUDED)


class Rating(models.Model):
    """One rating of a case (round 1, 一次一评) or of a 差评's rectification (round 2)."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="ratings"
    )
    round = models.PositiveSmallIntegerField(_("评价类型"), choices=RatingRound.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    question_set = models.ForeignKey(
        QuestionSet, verbose_name=_("评价选项版本"), on_delete=models.PROTECT, related_name="+"
    )
    options = models.ManyToManyField(
        RatingOption, verbose_name=_("评价选项"), blank=True, related_name="+"
    )
    comment = models.TextField(_("意见建议"), max_length=500, blank=True)
    rated_on = models.DateField(_("评价日期"))
    rated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-rated_on", "-id"]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="rating_one_per_round"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="rating_level_range"
            ),
        ]
        indexes = [models.Index(fields=["rated_on"], name="rating_rated_on")]

    def __str__(self):
        return f"{self.case} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level <= RatingLevel.DISSATISFIED


class RatingInviteQuerySet(ChildScopedQuerySet):
    scope_parent = "case"


class RatingInvite(models.Model):
    """A one-time code that lets the applicant rate later (link or QR code). Only the code's
    SHA-256 is kept; the code itself is shown once, when it is issued. Issuing a new one for the
    same case and round revokes the one before."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="rating_invites"
    )
    round = models.PositiveSmallIntegerField(_("评价类型"), choices=RatingRound.choices)
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_on = models.DateField(_("发出日期"))
    expires_on = models.DateField(_("有效期至"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    objects = RatingInviteQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("issued_on")), name="rating_invite_expiry"
            ),
        ]

    def __str__(self):
        return f"{self.case} {self.get_round_display()}"


class FollowUpQuerySet(ScopedQuerySet):
    """差评 follow-ups name the applicant: the unit's administrator and the committee see them; a
    clerk never does (reviewer privacy), nor any other role."""

    no_rows_for = frozenset(
        {
            Role.WINDOW_CLERK,
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
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
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit_admin(self, user):
        return self.filter(rating__case__window__unit_id=user.unit_id)

    def open(self):
        return self.exclude(state__in=(FollowUpState.CLOSED, FollowUpState.EXCLUDED))


class FollowUp(models.Model):
    """What a 差评 sets going: 核实 (verify) → 整改 (rectify, within the committee's working days
    from the rating) → 反馈 (tell the applicant: the 回访) → the applicant rates the fix."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="follow_up"
    )
    state = models.CharField(_("状态"), max_length=10, choices=FollowUpState.choices)
    opened_on = models.DateField(_("差评日期"))
    # None while the official calendar lacks the year the limit runs into: it is never guessed;
    # the daily job counts it once the year is entered.
    rectify_due = models.DateField(_("整改期限"), null=True, blank=True)
    finding = models.TextField(_("核实情况"), max_length=LONG_TEXT_MAX, blank=True)
    verified_on = models.DateField(_("核实日期"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measures = models.TextField(_("整改措施"), max_length=LONG_TEXT_MAX, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("整改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feedback_method = models.CharField(
        _("回访方式"), max_length=10, choices=FeedbackMethod.choices, blank=True
    )
    feedback_note = models.TextField(_("回访情况"), max_length=LONG_TEXT_MAX, blank=True)
    fed_back_on = models.DateField(_("回访日期"), null=True, blank=True)
    fed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = [models.F("rectify_due").asc(nulls_last=True), "id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        constraints = [
            models.CheckConstraint(
                condition=Q(rectify_due__isnull=True) | Q(rectify_due__gte=models.F("opened_on")),
                name="follow_up_due_after",
            ),
        ]

    def __str__(self):
        return f"{self.rating} {self.get_state_display()}"


class AppealQuerySet(ChildScopedQuerySet):
    scope_parent = "follow_up"


class Appeal(models.Model):
    """The unit's appeal (申诉) that a 差评 is malicious; the committee decides. An upheld appeal
    excludes the rating from the figures; nothing is deleted. One appeal per rating."""

    follow_up = models.OneToOneField(
        FollowUp, verbose_name=_("差评整改"), on_delete=models.PROTECT, related_name="appeal"
    )
    reason = models.TextField(_("申诉理由"), max_length=LONG_TEXT_MAX)
    filed_on = models.DateField(_("申诉日期"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(
        _("裁定结果"), max_length=10, choices=AppealDecision.choices, blank=True
    )
    decision_note = models.TextField(_("裁定意见"), max_length=LONG_TEXT_MAX, blank=True)
    decided_on = models.DateField(_("裁定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("裁定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")

    def __str__(self):
        return f"{self.follow_up.rating} {self.get_decision_display() or _('待裁定')}"


# --- "六零" ------------------------------------------------------------------------------------


class ZeroItem(models.Model):
    """One item of the "六零" checklist (default 零推诿/零积压/零距离/零差错/零投诉/零歧义); the
    committee edits the list. `measure` names what the system counts as evidence against it."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    description = models.CharField(_("要求"), max_length=200, blank=True)
    measure = models.CharField(
        _("系统核对"), max_length=12, choices=ZeroMeasure.choices, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("六零承诺项")
        verbose_name_plural = _("六零承诺项")

    def __str__(self):
        return self.name


class ZeroCheckQuerySet(ChildScopedQuerySet):
    scope_parent = "window"


class ZeroCheck(models.Model):
    """A window's monthly self-check of one "六零" item: met or not, with a note."""

    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="zero_checks"
    )
    month = models.DateField(_("月份"))  # the first day of the month
    item = models.ForeignKey(
        ZeroItem, verbose_name=_("六零承诺项"), on_delete=models.PROTECT, related_name="checks"
    )
    met = models.BooleanField(_("做到"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("核对时间"), auto_now=True)

    objects = ZeroCheckQuerySet.as_manager()

    class Meta:
        ordering = ["window_id", "-month", "item__sort_order"]
        verbose_name = _("六零自查")
        verbose_name_plural = _("六零自查")
        constraints = [
            models.UniqueConstraint(fields=["window", "month", "item"], name="zero_check_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="zero_check_first_of_month"),
        ]

    def __str__(self):
        return f"{self.window} {self.month:%Y-%m} {self.item}"
