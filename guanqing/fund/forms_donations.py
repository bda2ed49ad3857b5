"""Forms of the donation pages and the FilterSet of the donation list (shared by the page and
`/api/v1/fund/donations/`). The forms check shapes only; `donation_services` has the last word on
every rule, and its errors are shown next to their fields."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.api.filters import IdFilter, YearFilter
from guanqing.fund.choices import DonationSource
from guanqing.fund.models import Donation
from guanqing.registry import pickers
from guanqing.registry.models import Unit
from guanqing.registry.pickers import UNITS_IN_A_LIST

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _units(user):
    return Unit.objects.visible_to(user).filter(is_active=True).order_by("sort_order", "name")


# A province has thousands of units: the forms search them (a drop-down while there are few).
pickers.register("fund-donor-units", model=Unit, queryset=_units, rule="fund.donation_record")
# the donation list's unit filter (its readers: the fund officer, the committee)
pickers.register("fund-listed-units", model=Unit, queryset=_units, rule="fund.donations")


def unit_filter_field(user) -> pickers.PickerField:
    """The unit filter of the donation and application lists, for a reader who sees many units:
    a drop-down up to 30, a search past that (the API's filter takes the id it sends)."""
    return pickers.list_filter_field(
        "fund-listed-units",
        queryset=_units(user),
        label=_("单位"),
        select_up_to=UNITS_IN_A_LIST,
        empty_label=_("全部单位"),
    )


def _unit_field() -> pickers.PickerField:
    return pickers.PickerField(
        "fund-donor-units",
        label=_("单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
    )


class DonationFilter(django_filters.FilterSet):
    """Donations by donor or receipt number, unit, year, source and imported list."""

    q = django_filters.CharFilter(method="by_text", label=_("捐款人或收据编号"))
    unit = IdFilter(field_name="unit_id", label=_("单位"))
    year = YearFilter(field_name="received_on", lookup_expr="year", label=_("年度"))
    source = django_filters.ChoiceFilter(choices=DonationSource.choices, label=_("来源"))
    batch = IdFilter(field_name="batch_id", label=_("导入名单"))

    class Meta:
        model = Donation
        fields = ["q", "unit", "year", "source", "batch"]

    def by_text(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(donor_name__icontains=value) | Q(receipt_number=value.upper()))


class DonationForm(forms.Form):
    source = forms.ChoiceField(
        label=_("来源"), choices=DonationSource.choices, widget=forms.RadioSelect
    )
    unit = _unit_field()
    donor_name = forms.CharField(
        label=_("捐款人"),
        max_length=100,
        required=False,
        help_text=_("单位捐款可不填（即单位名称）；职工个人捐款必填，或填写证件号码"),
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=30,
        required=False,
        help_text=_("职工个人捐款：填写本单位已登记党员的身份证号码以关联该党员；可不填"),
    )
    amount = forms.DecimalField(
        label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0.01
    )
    received_on = forms.DateField(label=_("到账日期"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)


class DonationImportForm(forms.Form):
    unit = _unit_field()
    received_on = forms.DateField(label=_("到账日期"), widget=DATE_WIDGET)
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用下载的模板填写，.xlsx 格式，不超过 5 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）")
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 5 MB，请拆分后分批导入"))
        return upload


class TotalsForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
