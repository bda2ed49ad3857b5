"""汇爱帮扶金 — the mutual-aid fund of the municipal organs' unions.

The ledger (why no library: docs/fund.md) — double-entry and append-only:
- `Account`: bank (asset), donations received per donating unit (income), aid paid, fees
  (expense), interest (income). `balance` is kept by the posting service under a row lock, in the
  account's normal direction (debits minus credits for assets and expenses, the reverse for
  income); it always equals the sum of the account's entries (checked by the tests).
- `Transaction`: one balanced movement on one date (`posted_on`, in an open `Period`); a mistake is
  corrected by a reversal (`reverses`, at most one per transaction) that posts the same lines the
  other way round. Nothing is updated or deleted: the database refuses it (triggers, both
  databases), and on PostgreSQL a deferred constraint trigger refuses a transaction whose debits
  and credits differ at commit — a second guard behind `ledger.post`.
- `Entry`: one line of a transaction, a debit or a credit (exactly one of them positive).
- `Period`: a month; closed ones refuse posts.

Donations (`Donation`, a numbered receipt each; a unit's payroll list imported as a `DonationBatch`)
and aid (`AidApplication` → `Approval` steps → `Payment`) post through the ledger. Illness data on
an application (diagnosis, costs, documents) is sensitive: only the fund officer and the
committee (the approvers) read it, every read audited.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet, edit_rule, scope_rule
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.fund.choices import (
    AccountKind,
    ApplicationState,
    ApproverRole,
    Decision,
    Diagnosis,
    DocumentKind,
    DonationSource,
    Relation,
    TransactionKind,
)
from guanqing.registry.models import Member, Unit

MONEY = {"max_digits": 14, "decimal_places": 2}
HALF_FEN = Decimal("0.005")

# roles that never see anything of the fund
NOT_FUND = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.WINDOW_CLERK,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)


class FundSettings(models.Model):
    """The committee's settings (one row): approval thresholds and the yearly cap per person."""

    officer_alone_below = models.DecimalField(
        _("经办人单独审批限额（元）"),
        default=5000,
        help_text=_("低于此金额由帮扶金经办人审批；达到或超过的还须机关工委审批"),
        **MONEY,
    )
    second_committee_from = models.DecimalField(
        _("两名工委审批起点（元）"),
        default=20000,
        help_text=_("达到或超过此金额的，还须另一名机关工委人员审批"),
        **MONEY,
    )
    yearly_cap = models.DecimalField(_("每人每年帮扶上限（元）"), default=30000, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("帮扶金设置")
        verbose_name_plural = _("帮扶金设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(officer_alone_below__gt=0)
                & Q(second_committee_from__gte=F("officer_alone_below"))
                & Q(yearly_cap__gt=0),
                name="fund_settings_sane",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> FundSettings:
        return cls.objects.order_by("pk").first() or cls()


# --- the ledger ------------------------------------------------------------------------------


class FundQuerySet(ScopedQuerySet):
    """The fund's books: the fund officer and the committee."""

    no_rows_for = NOT_FUND | {Role.UNIT_ADMIN, Role.MEMBER}

    @scope_rule(Role.COMMITTEE, Role.FUND_OFFICER)
    @edit_rule(Role.FUND_OFFICER)
    def _for_books(self, user):
        return self


class Account(models.Model):
    code = models.CharField(_("科目编码"), max_length=20, unique=True)
    name = models.CharField(_("科目名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=AccountKind.choices)
    unit = models.OneToOneField(
        Unit,
        verbose_name=_("捐款单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_account",
    )
    balance = models.DecimalField(_("余额（元）"), default=0, **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("会计科目")
        verbose_name_plural = _("会计科目")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.kind in (AccountKind.ASSET, AccountKind.EXPENSE)


class Period(models.Model):
    """A month of the books (`month` is its first day); closed, it refuses posts."""

    month = models.DateField(_("月份"), unique=True)
    # the last voucher number used in the month (taken under the month's row lock)
    last_number = models.PositiveIntegerField(_("已用凭证号"), default=0)
    closed_at = models.DateTimeField(_("结账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结账人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["month"]
        verbose_name = _("会计期间")
        verbose_name_plural = _("会计期间")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="fund_period_first_day"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Transaction(models.Model):
    number = models.CharField(_("凭证号"), max_length=20, unique=True)
    kind = models.CharField(_("业务类型"), max_length=10, choices=TransactionKind.choices)
    posted_on = models.DateField(_("记账日期"))
    period = models.ForeignKey(
        Period, verbose_name=_("会计期间"), on_delete=models.PROTECT, related_name="transactions"
    )
    memo = models.CharField(_("摘要"), max_length=200)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记账人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["posted_on", "id"]
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        indexes = [models.Index(fields=["posted_on"], name="fund_tx_posted")]

    def __str__(self):
        return self.number


class EntryQuerySet(ChildScopedQuerySet):
    scope_parent = "transaction"


class Entry(models.Model):
    transaction = models.ForeignKey(
        Transaction, verbose_name=_("凭证"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("科目"), on_delete=models.PROTECT, related_name="entries"
    )
    debit = models.DecimalField(_("借方（元）"), default=0, **MONEY)
    credit = models.DecimalField(_("贷方（元）"), default=0, **MONEY)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["transaction_id", "id"]
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="fund_entry_one_side",
            ),
        ]
        indexes = [models.Index(fields=["account", "transaction"], name="fund_entry_account")]

    def __str__(self):
        return f"{self.account_id} {self.debit}/{self.credit}"


# --- donations -------------------------------------------------------------------------------


class DonationQuerySet(ScopedQuerySet):
    """The fund officer and the committee: all; a unit's administrator: its unit's (and its staff's);
    a member: its own gifts."""

    no_rows_for = NOT_FUND

    @scope_rule(Role.COMMITTEE, Role.FUND_OFFICER)
    @edit_rule(Role.FUND_OFFICER)
    def _for_books(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    def _for_unit(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.of_own_member(user)


class DonationBatchQuerySet(DonationQuerySet):
    """As donations, except that a member sees no list (a list names its colleagues' gifts): its
    own gifts only, one by one."""

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.none()


class DonationBatch(models.Model):
    """A unit's payroll list of member gifts, imported from Excel at once (all rows or none)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="fund_batches"
    )
    received_on = models.DateField(_("到账日期"))
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("人数"), default=0)
    total = models.DecimalField(_("合计（元）"), default=0, **MONEY)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    objects = DonationBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("职工捐款名单")
        verbose_name_plural = _("职工捐款名单")

    def __str__(self):
        return f"{self.unit} {self.received_on}"


class Donation(models.Model):
    """A gift to the fund with its numbered receipt: a unit's, or a member of staff's (which also
    counts for the unit: soft credit). The donor need not be a party member (union members give)."""

    receipt_number = models.CharField(_("收据编号"), max_length=20, unique=True)
    source = models.CharField(_("来源"), max_length=10, choices=DonationSource.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="fund_donations"
    )
    donor_name = models.CharField(_("捐款人"), max_length=100)
    member = models.ForeignKey(
        Member,
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_donations",
    )
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    received_on = models.DateField(_("到账日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    batch = models.ForeignKey(
        DonationBatch,
        verbose_name=_("导入名单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
    )
    transaction = models.OneToOneField(
        Transaction, verbose_name=_("凭证"), on_delete=models.PROTECT, related_name="donation"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("捐款")
        verbose_name_plural = _("捐款")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_donation_positive"),
        ]
        indexes = [models.Index(fields=["unit", "received_on"], name="fund_donation_unit_day")]

    def __str__(self):
        return self.receipt_number


# --- aid -------------------------------------------------------------------------------------


class AidTier(models.Model):
    """The committee's rule table: the aid for a self-paid amount in [low, high) (high blank: and
    above)."""

    self_paid_from = models.DecimalField(_("自付金额起（元）"), **MONEY)
    self_paid_below = models.DecimalField(
        _("自付金额止（元，不含）"), null=True, blank=True, **MONEY
    )
    amount = models.DecimalField(_("帮扶金额（元）"), **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["self_paid_from"]
        verbose_name = _("帮扶标准")
        verbose_name_plural = _("帮扶标准")
        constraints = [
            models.UniqueConstraint(fields=["self_paid_from"], name="fund_tier_from_unique"),
            models.CheckConstraint(
                condition=Q(self_paid_from__gte=0)
                & Q(amount__gt=0)
                & (Q(self_paid_below__isnull=True) | Q(self_paid_below__gt=F("self_paid_from"))),
                name="fund_tier_sane",
            ),
        ]

    def __str__(self):
        return f"{self.self_paid_from}–{self.self_paid_below or ''}: {self.amount}"


class ApplicationQuerySet(ScopedQuerySet):
    """The fund officer and the committee (the approvers): all; a unit's administrator: the
    applications of its unit's staff (without the illness data: see `ILLNESS_FIELDS`); a member:
    its own."""

    no_rows_for = NOT_FUND

    @scope_rule(Role.COMMITTEE, Role.FUND_OFFICER)
    @edit_rule(Role.COMMITTEE, Role.FUND_OFFICER)
    def _for_approvers(self, user):
        return self

    @scope_rule(Role.UNIT_ADMIN)
    @edit_rule(Role.UNIT_ADMIN)
    def _for_unit(self, user):
        return self.filter(unit_id=user.unit_id)

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.of_own_member(user)


# the fields only the fund officer and the committee read (PIPL sensitive personal information)
ILLNESS_FIELDS = ("diagnosis", "diagnosis_note", "total_cost", "reimbursed", "self_paid")
ILLNESS_READERS = frozenset({Role.FUND_OFFICER, Role.COMMITTEE})


class AidApplication(models.Model):
    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    member = models.ForeignKey(
        Member,
        verbose_name=_("职工"),
        on_delete=models.PROTECT,
        related_name="fund_applications",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="fund_applications"
    )
    relation = models.CharField(
        _("患病人"), max_length=10, choices=Relation.choices, default=Relation.SELF
    )
    patient_name = models.CharField(_("患病人姓名"), max_length=50, blank=True)
    diagnosis = models.CharField(_("疾病类别"), max_length=12, choices=Diagnosis.choices)
    diagnosis_note = models.TextField(_("病情说明"), max_length=LONG_TEXT_MAX, blank=True)
    total_cost = models.DecimalField(_("医疗总费用（元）"), **MONEY)
    reimbursed = models.DecimalField(_("医保等已报销（元）"), **MONEY)
    self_paid = models.DecimalField(_("个人自付（元）"), **MONEY)
    amount = models.DecimalField(_("帮扶金额（元）"), default=0, **MONEY)
    reason = models.TextField(_("申请理由"), max_length=LONG_TEXT_MAX, blank=True)
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
    )
    # the approval chain fixed at submission (a list of ApproverRole values), and the next step
    chain = models.JSONField(_("审批链"), default=list, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    decided_on = models.DateField(_("审批完成日期"), null=True, blank=True)
    # the care obligation (必帮) this application was opened from, if any (guanqing.care)
    care_obligation_id = models.PositiveBigIntegerField(_("关怀事项"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请经办人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("帮扶金申请")
        verbose_name_plural = _("帮扶金申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost__gte=0)
                & Q(reimbursed__gte=0)
                & Q(reimbursed__lte=F("total_cost"))
                # equal to the fen (SQLite computes decimals in floating point)
                & Q(self_paid__gte=F("total_cost") - F("reimbursed") - HALF_FEN)
                & Q(self_paid__lte=F("total_cost") - F("reimbursed") + HALF_FEN)
                & Q(amount__gte=0),
                name="fund_application_costs",
            ),
        ]
        indexes = [models.Index(fields=["state", "year"], name="fund_app_state_year")]

    def __str__(self):
        return self.number


class ApplicationChildQuerySet(ChildScopedQuerySet):
    scope_parent = "application"


class AidDocument(models.Model):
    """A supporting document (diagnosis, invoices, settlement): PDF or image, type read from its
    bytes; sensitive like the diagnosis."""

    application = models.ForeignKey(
        AidApplication,
        verbose_name=_("申请"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("材料类型"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to="fund/%Y/", max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self):
        return self.original_name or self.file.name


class Approval(models.Model):
    """One step of an application's chain: who decided, as which role, and how."""

    application = models.ForeignKey(
        AidApplication,
        verbose_name=_("申请"),
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    step = models.PositiveSmallIntegerField(_("审批步骤"))
    role = models.CharField(_("审批角色"), max_length=12, choices=ApproverRole.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("意见"), max_length=8, choices=Decision.choices)
    note = models.TextField(_("审批意见"), max_length=LONG_TEXT_MAX, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), auto_now_add=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        ordering = ["application_id", "step"]
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        constraints = [
            models.UniqueConstraint(fields=["application", "step"], name="fund_approval_step"),
            models.UniqueConstraint(
                fields=["application", "approver"], name="fund_approval_once_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.application_id}#{self.step}"


class Payment(models.Model):
    application = models.OneToOneField(
        AidApplication,
        verbose_name=_("申请"),
        on_delete=models.PROTECT,
        related_name="payment",
    )
    amount = models.DecimalField(_("发放金额（元）"), **MONEY)
    paid_on = models.DateField(_("发放日期"))
    transfer_reference = models.CharField(_("转账流水号"), max_length=60, unique=True)
    transaction = models.OneToOneField(
        Transaction, verbose_name=_("凭证"), on_delete=models.PROTECT, related_name="payment"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("帮扶金发放")
        verbose_name_plural = _("帮扶金发放")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_payment_positive"),
        ]

    def __str__(self):
        return self.transfer_reference
