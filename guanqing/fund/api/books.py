"""The fund API: books (routes collected by guanqing/fund/api/urls.py). Read-only, for the fund
officer and the committee (rule "books"): the bank balance (today's, or from the entries at a
date), the accounts, the vouchers with their lines (filtered like the page), the yearly report."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from guanqing.core.api.base import AccessAPIView
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.calendar.workdays import business_date
from guanqing.fund import books, ledger
from guanqing.fund.access import access
from guanqing.fund.models import Account, Entry, Transaction

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}

# --- the balance -----------------------------------------------------------------------------


class BalanceQuery(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        help_text=gettext_lazy(
            "日期（YYYY-MM-DD）：按分录计算截至该日（含）的余额；不填为今天的余额"
        ),
    )


class BalanceSerializer(serializers.Serializer):
    balance = serializers.DecimalField(
        help_text=gettext_lazy("银行存款余额（元，两位小数）"), **MONEY
    )
    as_of = serializers.DateField(help_text=gettext_lazy("余额所在日期"))


class BalanceView(AccessAPIView):
    """帮扶金余额 The bank balance of the fund."""

    access = access
    access_rule = "books"

    @extend_schema(
        summary=gettext_lazy("帮扶金余额"),
        description=gettext_lazy(
            "银行存款科目的余额（元，两位小数）。不带 as_of 为今天的账面余额；带 as_of 为截至该日（含）的分录合计。帮扶金经办人和机关工委可查。"
        ),
        parameters=[BalanceQuery],
        responses=BalanceSerializer,
    )
    def get(self, request):
        query = BalanceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of")
        if as_of is None:
            balance, as_of = ledger.bank_balance(), business_date()
        else:
            balance = ledger.bank_balance(as_of)
        return Response({"balance": f"{books.money(balance)}", "as_of": as_of.isoformat()})


# --- the accounts ----------------------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    kind_display = DisplayField(source="get_kind_display")
    balance = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = Account
        fields = ["id", "code", "name", "kind", "kind_display", "unit", "balance"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("会计科目"),
        description=gettext_lazy(
            "帮扶金的会计科目及余额（元）：银行存款（资产）、各单位捐款收入与利息收入（收入）、帮扶金支出与银行手续费（支出）。余额按科目方向：资产、支出为借减贷，收入为贷减借。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("会计科目详情")),
)
class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """会计科目 The fund's accounts with their kept balances."""

    model = Account
    serializer_class = AccountSerializer
    ordering_fields = ["code", "balance"]
    ordering = ["code"]
    access = access
    access_rule = "books"


# --- the vouchers ----------------------------------------------------------------------------


class EntrySerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    debit = serializers.DecimalField(read_only=True, **MONEY)
    credit = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = Entry
        fields = ["account", "account_code", "account_name", "debit", "credit"]
        read_only_fields = fields


class TransactionSerializer(serializers.ModelSerializer):
    kind_display = DisplayField(source="get_kind_display")
    month = serializers.SerializerMethodField()
    reversed_by = serializers.SerializerMethodField()
    entries = EntrySerializer(many=True, read_only=True)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "posted_on",
            "month",
            "memo",
            "reverses",
            "reversed_by",
            "entries",
            "created_at",
        ]
        read_only_fields = fields

    def get_month(self, obj) -> str:
        return f"{obj.period.month:%Y-%m}"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, obj):
        try:
            return obj.reversed_by.pk
        except Transaction.DoesNotExist:
            return None


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("记账凭证"),
        description=gettext_lazy(
            "帮扶金的记账凭证及其分录（元），新的在前；可按月份（month=YYYY-MM）、业务类型（kind）、科目（account）筛选。冲正凭证的 reverses 指向原凭证，原凭证的 reversed_by 指向冲正凭证。凭证从不修改或删除。"
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("记账凭证详情")),
)
class TransactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """记账凭证 The vouchers with their lines."""

    model = Transaction
    serializer_class = TransactionSerializer
    filterset_class = books.VoucherFilter
    ordering_fields = ["posted_on", "number"]
    ordering = ["-posted_on", "-id"]
    access = access
    access_rule = "books"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("period", "reversed_by")
            .prefetch_related(
                Prefetch("entries", queryset=Entry.objects.select_related("account").order_by("id"))
            )
        )


# --- the yearly report -----------------------------------------------------------------------


class ReportQuery(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=books.YEAR_MIN,
        max_value=books.YEAR_MAX,
        help_text=gettext_lazy("年度，默认今年"),
    )


class ReportMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    opening = serializers.DecimalField(**MONEY)
    income = serializers.DecimalField(**MONEY)
    interest = serializers.DecimalField(**MONEY)
    aid_paid = serializers.DecimalField(**MONEY)
    fees = serializers.DecimalField(**MONEY)
    closing = serializers.DecimalField(**MONEY)
    reconciled = serializers.BooleanField()


class ReportUnitSerializer(serializers.Serializer):
    account = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)


class ReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    opening = serializers.DecimalField(**MONEY)
    income = serializers.DecimalField(**MONEY)
    interest = serializers.DecimalField(**MONEY)
    aid_paid = serializers.DecimalField(**MONEY)
    fees = serializers.DecimalField(**MONEY)
    closing = serializers.DecimalField(**MONEY)
    reconciled = serializers.BooleanField()
    payments = serializers.IntegerField()
    income_by_unit = ReportUnitSerializer(many=True)
    months = ReportMonthSerializer(many=True)


class ReportView(AccessAPIView):
    """年度报告 The year's income by unit, payments and balance at each month end."""

    access = access
    access_rule = "books"

    @extend_schema(
        summary=gettext_lazy("帮扶金年度报告"),
        description=gettext_lazy(
            "按分录计算：年初余额、捐款收入（按单位）、利息收入、帮扶金支出（笔数）、银行手续费、年末余额，以及各月的月初、收支和月末余额；reconciled 为核对结果（年初余额 + 收入 + 利息 − 支出 − 手续费 = 年末余额，各月亦然）。本年只到本月。"
        ),
        parameters=[ReportQuery],
        responses=ReportSerializer,
    )
    def get(self, request):
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = business_date()
        year = query.validated_data.get("year") or today.year
        return Response(books.yearly_report(year, today=today).as_dict())


ROUTES: list = [
    ("fund/accounts", AccountViewSet, "fund-account"),
    ("fund/transactions", TransactionViewSet, "fund-transaction"),
]
urlpatterns: list = [
    path("fund/balance/", BalanceView.as_view(), name="fund-balance"),
    path("fund/report/", ReportView.as_view(), name="fund-report"),
]
