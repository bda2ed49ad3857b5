"""Forms of the instructors' pages. They only shape input; the services check and write (their
refusals are shown next to the field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.calendar.workdays import business_date
from guanqing.frontline import interface as frontline
from guanqing.instructors.models import DAYS_MAX
from guanqing.registry import pickers
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Member

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _villages(user=None):
    return (
        Division.objects.filter(level=DivisionLevel.COMMUNITY)
        .select_related("parent__parent")
        .order_by("code")
    )


# The appointment page's pickers search only what the form accepts, for whoever may appoint.
pickers.register(
    "instructor-members", model=Member, queryset=pickers.active_members, rule="instructors.appoint"
)
pickers.register("villages", model=Division, queryset=_villages, rule="instructors.appoint")


class AppointForm(forms.Form):
    member = pickers.PickerField(
        "instructor-members", label=_("指导员"), queryset=Member.objects.none()
    )
    village = pickers.PickerField("villages", label=_("驻村"), queryset=_villages())
    starts_on = forms.DateField(label=_("任期开始"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("任期结束"), widget=DATE_INPUT)
    required_days = forms.IntegerField(
        label=_("每月驻村天数要求"),
        min_value=1,
        max_value=DAYS_MAX,
        required=False,
        help_text=_("不填则按机关工委的设置"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = pickers.active_members(user)


class EndForm(forms.Form):
    on = forms.DateField(label=_("结束日期"), widget=DATE_INPUT, required=False)
    reason = forms.CharField(label=_("离任说明"), max_length=200, required=False)


class LogForm(forms.Form):
    starts_on = forms.DateField(label=_("驻村日期"), widget=DATE_INPUT)
    ends_on = forms.DateField(
        label=_("至"), widget=DATE_INPUT, required=False, help_text=_("只驻一天可不填")
    )
    work = forms.CharField(label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(
        label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"starts_on": business_date()})
        super().__init__(*args, **kwargs)


class RaiseForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("类别"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------"), *frontline.categories()]


class SettingsForm(forms.Form):
    days_per_month = forms.IntegerField(
        label=_("每月驻村天数要求"), min_value=1, max_value=DAYS_MAX
    )
