"""Forms of the books pages: interest and bank fees posted by hand, a reversal, the report's year.
They check shapes; `guanqing.fund.books` and the ledger have the last word on every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.fund.books import AMOUNT_MAX_FORM, MANUAL_KINDS, YEAR_MAX, YEAR_MIN
from guanqing.fund.choices import TransactionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ManualPostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("业务类型"),
        choices=[(kind.value, kind.label) for kind in MANUAL_KINDS],
        initial=TransactionKind.INTEREST,
        help_text=_("利息：借 银行存款，贷 利息收入；手续费：借 银行手续费，贷 银行存款"),
    )
    posted_on = forms.DateField(label=_("记账日期"), widget=DATE)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        min_value=0.01,
        max_value=AMOUNT_MAX_FORM,
        decimal_places=2,
        max_digits=14,
    )
    memo = forms.CharField(
        label=_("摘要"),
        max_length=200,
        required=False,
        help_text=_("不填则为“银行存款利息”或“银行手续费”"),
    )


class ReverseForm(forms.Form):
    posted_on = forms.DateField(label=_("冲正日期"), widget=DATE)
    memo = forms.CharField(
        label=_("冲正原因"),
        max_length=200,
        required=False,
        help_text=_("不填则为“冲正 原凭证号：原摘要”"),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=YEAR_MIN, max_value=YEAR_MAX)
