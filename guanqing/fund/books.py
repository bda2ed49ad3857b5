"""The fund's books as the fund officer and the committee read them, and the fund officer's own
posts: the accounts with their balances, the vouchers (one FilterSet for the page and the API),
interest and bank fees posted by hand, reversals and month closes (through `ledger`), and the
yearly report reconciled to the ledger.

The yearly report reads only entries: the bank's balance at each month end is the sum of the
bank's entries up to that day, and each month's income, interest, aid paid and fees are the net
movements of their accounts that month. The reconciliation opening + income + interest − aid paid
− fees = closing therefore holds exactly when every movement of the bank has its other side in one
of those accounts; a month where it does not is shown with its difference.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.services import merge_errors
from guanqing.fund import ledger
from guanqing.fund.access import access
from guanqing.fund.choices import AccountKind, TransactionKind
from guanqing.fund.models import Account, Entry, Period, Transaction

ZERO = Decimal("0.00")
MANUAL_KINDS = (TransactionKind.INTEREST, TransactionKind.FEE)
YEAR_MIN, YEAR_MAX = 2000, 2100
AMOUNT_MAX_FORM = ledger.AMOUNT_MAX


def money(value) -> Decimal:
    """An amount in 元 with two decimals."""
    return Decimal(value or 0).quantize(ledger.CENT)


# --- the vouchers ----------------------------------------------------------------------------


def parse_month(value: str) -> datetime.date | None:
    """'2026-05' → 2026-05-01; None when it is not a month."""
    try:
        return datetime.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def _accounts_for(request):
    user = getattr(request, "user", None)
    return Account.objects.visible_to(user) if user is not None else Account.objects.none()


class VoucherFilterForm(forms.Form):
    def clean_month(self):
        raw = (self.cleaned_data.get("month") or "").strip()
        if raw and parse_month(raw) is None:
            raise ValidationError(_("请按 年-月 填写月份，例如 2026-05"))
        return raw


class VoucherFilter(django_filters.FilterSet):
    """The vouchers by month (YYYY-MM), kind and account (the page and the API)."""

    month = django_filters.CharFilter(
        label=gettext_lazy("月份"), method="filter_month", help_text="YYYY-MM"
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("业务类型"), choices=TransactionKind.choices
    )
    account = django_filters.ModelChoiceFilter(
        label=gettext_lazy("科目"),
        queryset=_accounts_for,
        field_name="entries__account",
        method="filter_account",
    )

    class Meta:
        model = Transaction
        fields = ["month", "kind", "account"]
        form = VoucherFilterForm

    def filter_month(self, queryset, name, value):
        month = parse_month(value)
        return queryset.filter(period__month=month) if month else queryset

    def filter_account(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(entries__account=value).distinct()


def vouchers(user):
    """The vouchers `user` sees, newest first, with their lines and both reversal links."""
    return (
        Transaction.objects.visible_to(user)
        .select_related("period", "reverses", "reversed_by", "created_by")
        .prefetch_related(
            Prefetch("entries", queryset=Entry.objects.select_related("account").order_by("id"))
        )
        .order_by("-posted_on", "-id")
    )


def may_reverse(tx: Transaction) -> bool:
    """A voucher that is not a reversal and has none yet may be reversed."""
    if tx.kind == TransactionKind.REVERSAL:
        return False
    try:
        tx.reversed_by  # noqa: B018 - the reverse one-to-one, loaded by `vouchers`
    except Transaction.DoesNotExist:
        return True
    return False


# --- posting by hand -------------------------------------------------------------------------


def _check_month_open(errors: dict, posted_on: datetime.date) -> None:
    """A closed month (or one before a closed month) named under `posted_on`; the ledger refuses
    it too, this only says which field is wrong."""
    month = ledger.month_of(posted_on)
    if Period.objects.filter(month__gte=month, closed_at__isnull=False).exists():
        errors["posted_on"] = [_("%(month)s 已结账，不能再记入该月") % {"month": f"{month:%Y-%m}"}]


def manual_post(
    *, actor, kind: str, posted_on: datetime.date, amount, memo: str = ""
) -> Transaction:
    """Post bank interest (Dr bank / Cr interest) or a bank fee (Dr fees / Cr bank). A fee the
    bank cannot cover is a Conflict, a closed month too."""
    access.check(actor, "post")
    errors: dict[str, list[str]] = {}
    if kind not in MANUAL_KINDS:
        errors["kind"] = [_("只能手工记入利息或手续费")]
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        errors["amount"] = [_("应为金额（元）")]
    else:
        if not amount.is_finite() or amount <= 0:
            errors["amount"] = [_("金额应大于 0")]
        elif amount != amount.quantize(ledger.CENT):
            errors["amount"] = [_("金额最多保留两位小数")]
        elif amount > ledger.AMOUNT_MAX:
            errors["amount"] = [_("金额过大")]
    if not isinstance(posted_on, datetime.date):
        errors["posted_on"] = [_("请填写记账日期")]
    elif posted_on > business_date():
        errors["posted_on"] = [_("记账日期不能晚于今天")]
    else:
        _check_month_open(errors, posted_on)
    merge_errors(errors)
    bank = ledger.standard_account(ledger.BANK)
    if kind == TransactionKind.INTEREST:
        lines = [
            ledger.debit(bank, amount),
            ledger.credit(ledger.standard_account(ledger.INTEREST), amount),
        ]
        memo = (memo or "").strip() or _("银行存款利息")
    else:
        lines = [
            ledger.debit(ledger.standard_account(ledger.FEES), amount),
            ledger.credit(bank, amount),
        ]
        memo = (memo or "").strip() or _("银行手续费")
    return ledger.post(actor=actor, posted_on=posted_on, kind=kind, memo=memo, lines=lines)


def voucher_reverse(
    *, actor, transaction: Transaction, posted_on: datetime.date, memo: str = ""
) -> Transaction:
    """Reverse a voucher (the fund officer), dated no later than today."""
    access.check(actor, "post")
    errors: dict[str, list[str]] = {}
    if not isinstance(posted_on, datetime.date):
        errors["posted_on"] = [_("请填写记账日期")]
    elif posted_on > business_date():
        errors["posted_on"] = [_("记账日期不能晚于今天")]
    else:
        _check_month_open(errors, posted_on)
    merge_errors(errors)
    return ledger.reverse(
        actor=actor, transaction=transaction, posted_on=posted_on, memo=(memo or "").strip()
    )


def month_close(*, actor, month: datetime.date) -> Period:
    """Close a month that has ended (the fund officer); months close in order (`ledger`)."""
    access.check(actor, "post")
    month = ledger.month_of(month)
    if month >= ledger.month_of(business_date()):
        raise Conflict(_("%(month)s 尚未结束，不能结账") % {"month": f"{month:%Y-%m}"})
    return ledger.period_close(actor=actor, month=month)


def periods(today: datetime.date | None = None) -> list[dict]:
    """Every month with a voucher, and the months up to this one since the first: with its
    count of vouchers, whether it is closed and whether it may be closed now."""
    today = today or business_date()
    current = ledger.month_of(today)
    known = {
        p.month: p
        for p in Period.objects.select_related("closed_by").annotate(n=Count("transactions"))
    }
    months = set(known)
    if months:
        month = min(months)
        while month <= current:
            months.add(month)
            month = _next_month(month)
    months.add(current)
    rows = []
    earlier_open_with_vouchers = False
    for month in sorted(months):
        period = known.get(month)
        count = getattr(period, "n", 0) if period else 0
        closed = bool(period and period.is_closed)
        rows.append(
            {
                "month": month,
                "period": period,
                "count": count,
                "closed": closed,
                "closable": not closed and month < current and not earlier_open_with_vouchers,
            }
        )
        if not closed and count:
            earlier_open_with_vouchers = True
    return list(reversed(rows))


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


# --- the yearly report -----------------------------------------------------------------------


@dataclass
class MonthRow:
    month: datetime.date
    opening: Decimal
    income: Decimal
    interest: Decimal
    aid: Decimal
    fees: Decimal
    closing: Decimal  # the bank's entries up to the month's last day

    @property
    def expected(self) -> Decimal:
        return self.opening + self.income + self.interest - self.aid - self.fees

    @property
    def difference(self) -> Decimal:
        return self.closing - self.expected

    @property
    def reconciled(self) -> bool:
        return self.difference == 0


@dataclass
class UnitIncome:
    account: Account
    amount: Decimal

    @property
    def unit_name(self) -> str:
        return self.account.unit.name if self.account.unit_id else self.account.name


@dataclass
class YearReport:
    year: int
    opening: Decimal
    months: list[MonthRow] = field(default_factory=list)
    by_unit: list[UnitIncome] = field(default_factory=list)
    payments: int = 0  # aid vouchers of the year that stand (not reversed)
    as_of: datetime.date | None = None

    @property
    def closing(self) -> Decimal:
        return self.months[-1].closing if self.months else self.opening

    def _total(self, name) -> Decimal:
        return sum((getattr(m, name) for m in self.months), ZERO)

    @property
    def income(self) -> Decimal:
        return self._total("income")

    @property
    def interest(self) -> Decimal:
        return self._total("interest")

    @property
    def aid(self) -> Decimal:
        return self._total("aid")

    @property
    def fees(self) -> Decimal:
        return self._total("fees")

    @property
    def expected(self) -> Decimal:
        return self.opening + self.income + self.interest - self.aid - self.fees

    @property
    def difference(self) -> Decimal:
        return self.closing - self.expected

    @property
    def reconciled(self) -> bool:
        return self.difference == 0 and all(m.reconciled for m in self.months)

    def as_dict(self) -> dict:
        def m(value):
            return f"{money(value)}"

        return {
            "year": self.year,
            "opening": m(self.opening),
            "income": m(self.income),
            "interest": m(self.interest),
            "aid_paid": m(self.aid),
            "fees": m(self.fees),
            "closing": m(self.closing),
            "reconciled": self.reconciled,
            "payments": self.payments,
            "income_by_unit": [
                {
                    "account": row.account.code,
                    "unit": row.account.unit_id,
                    "name": row.unit_name,
                    "amount": m(row.amount),
                }
                for row in self.by_unit
            ],
            "months": [
                {
                    "month": f"{row.month:%Y-%m}",
                    "opening": m(row.opening),
                    "income": m(row.income),
                    "interest": m(row.interest),
                    "aid_paid": m(row.aid),
                    "fees": m(row.fees),
                    "closing": m(row.closing),
                    "reconciled": row.reconciled,
                }
                for row in self.months
            ],
        }


def check_year(value) -> int:
    """A report year from a request (400 naming `year` otherwise)."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(
            {
                "year": [
                    _("年度应为 %(low)s–%(high)s 之间的整数") % {"low": YEAR_MIN, "high": YEAR_MAX}
                ]
            }
        )
    return year


def yearly_report(year: int, *, today: datetime.date | None = None) -> YearReport:
    """The year's report from the entries (three queries): the bank's opening balance, each
    month's movements by account, and the count of aid payments that stand. A year still
    running stops at this month."""
    today = today or business_date()
    first = datetime.date(year, 1, 1)
    last_month = 12 if year < today.year else (today.month if year == today.year else 0)
    bank = ledger.standard_account(ledger.BANK)
    opening = money(ledger.entries_balance(bank, first - datetime.timedelta(days=1)))
    report = YearReport(year=year, opening=opening, as_of=min(today, datetime.date(year, 12, 31)))
    if last_month == 0:
        return report
    rows = (
        Entry.objects.filter(transaction__posted_on__year=year)
        .annotate(month=TruncMonth("transaction__posted_on"))
        .values("month", "account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    )
    accounts = {a.pk: a for a in Account.objects.select_related("unit")}
    flows: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    by_unit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        account = accounts[row["account_id"]]
        debits, credits = row["d"] or ZERO, row["c"] or ZERO
        net = (debits - credits) if account.debit_normal else (credits - debits)
        bucket = flows[month.month]
        if account.code == ledger.BANK:
            bucket["bank"] += net
        elif account.code == ledger.INTEREST:
            bucket["interest"] += net
        elif account.code == ledger.AID_PAID:
            bucket["aid"] += net
        elif account.code == ledger.FEES:
            bucket["fees"] += net
        elif account.kind == AccountKind.INCOME:
            bucket["income"] += net
            by_unit[account.pk] += net
    balance = opening
    for number in range(1, last_month + 1):
        bucket = flows[number]
        start = balance
        balance = start + bucket["bank"]
        report.months.append(
            MonthRow(
                month=datetime.date(year, number, 1),
                opening=money(start),
                income=money(bucket["income"]),
                interest=money(bucket["interest"]),
                aid=money(bucket["aid"]),
                fees=money(bucket["fees"]),
                closing=money(balance),
            )
        )
    report.by_unit = sorted(
        (UnitIncome(accounts[pk], money(amount)) for pk, amount in by_unit.items() if amount),
        key=lambda row: (-row.amount, row.account.code),
    )
    report.payments = Transaction.objects.filter(
        kind=TransactionKind.AID, posted_on__year=year, reversed_by__isnull=True
    ).count()
    return report


def report_rows(report: YearReport) -> tuple[list[str], list[list]]:
    """The report as one sheet: the months, the year's totals, then the income by unit."""
    headers = [
        _("月份"),
        _("月初余额（元）"),
        _("捐款收入（元）"),
        _("利息收入（元）"),
        _("帮扶金支出（元）"),
        _("银行手续费（元）"),
        _("月末余额（元）"),
        _("核对"),
    ]
    ok, off = _("相符"), _("不符")
    rows: list[list] = [
        [
            f"{m.month:%Y-%m}",
            m.opening,
            m.income,
            m.interest,
            m.aid,
            m.fees,
            m.closing,
            ok if m.reconciled else off,
        ]
        for m in report.months
    ]
    rows.append(
        [
            _("%(year)s 年合计") % {"year": report.year},
            report.opening,
            report.income,
            report.interest,
            report.aid,
            report.fees,
            report.closing,
            ok if report.reconciled else off,
        ]
    )
    rows.append([])
    rows.append([_("捐款单位"), _("捐款收入（元）")])
    rows.extend([row.unit_name, row.amount] for row in report.by_unit)
    return headers, rows
