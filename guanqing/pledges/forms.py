"""Forms of the pledge pages. They only shape input; the services check and write (their
refusals are shown next to the field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.text import LONG_TEXT_MAX
from guanqing.pledges import metrics
from guanqing.pledges.choices import Rating, TargetKind
from guanqing.pledges.models import NOTE_MAX, TITLE_MAX, UNIT_MAX
from guanqing.registry import pickers
from guanqing.registry.models import Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class PledgeForm(forms.Form):
    year = forms.IntegerField(label=_("年度"))
    number = forms.IntegerField(label=_("序号"), min_value=1, max_value=10)
    title = forms.CharField(label=_("实事名称"), max_length=TITLE_MAX)
    promise = forms.CharField(
        label=_("承诺内容"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    # searched, never a list of every unit (a province has thousands; the page listed 1,166
    # options at three tenths of one)
    lead_units = pickers.PickerMultipleField(
        "units",
        label=_("牵头单位"),
        queryset=Unit.objects.order_by("sort_order", "pk"),
        search_help=_("搜索后点选，可选多个单位。"),
    )
    target_kind = forms.ChoiceField(label=_("目标类型"), choices=TargetKind.choices)
    metric = forms.ChoiceField(label=_("实时指标"), required=False)
    target_value = forms.IntegerField(label=_("目标值"), min_value=1)
    target_unit = forms.CharField(
        label=_("计量单位"),
        max_length=UNIT_MAX,
        required=False,
        help_text=_("按月报送时填写，如场、人次、户"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "---------"), *metrics.choices()]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["lead_units"] = list(data["lead_units"])
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=TITLE_MAX)
    due_on = forms.DateField(label=_("计划完成日期"), widget=DATE_INPUT)


class MilestoneDoneForm(forms.Form):
    evidence_note = forms.CharField(label=_("完成情况"), max_length=NOTE_MAX)
    done_on = forms.DateField(label=_("完成日期"), widget=DATE_INPUT, required=False)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("评定等次"), choices=Rating.choices)
    note = forms.CharField(label=_("评定意见"), max_length=NOTE_MAX, required=False)
    publish = forms.BooleanField(label=_("向社会公开评定结果"), required=False)


class AssessForm(forms.Form):
    self_assessment = forms.CharField(
        label=_("牵头单位自评"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """The unit's report of the current month: its value (a manual target) and what was done."""

    month = forms.DateField(
        label=_("月份"), widget=MONTH_INPUT, input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    value = forms.IntegerField(label=_("本月完成量"), min_value=0, required=False)
    text = forms.CharField(
        label=_("进展情况"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(
        label=_("佐证材料（照片或 PDF）"), required=False, help_text=_("最多 9 个，每个不超过 5 MB")
    )

    def __init__(self, *args, live: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if live:
            del self.fields["value"]
