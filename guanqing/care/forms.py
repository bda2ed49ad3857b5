"""Forms of the care pages. They only shape input; the services check and write (their refusals
are shown next to the field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.care import selectors
from guanqing.care.choices import ActorKind, CareAction, CareSystem
from guanqing.care.models import DESCRIPTION_MAX, LIMIT_MAX, LIMIT_MIN, NAME_MAX
from guanqing.core.calendar.workdays import business_date
from guanqing.core.text import LONG_TEXT_MAX
from guanqing.registry import pickers
from guanqing.registry.models import Member, Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def rule_choices() -> list:
    """The active rules grouped by system (an <optgroup> each)."""
    return [("", "---------")] + [
        (label, [(rule.pk, rule.name) for rule in rules])
        for label, rules in selectors.rules_by_system()
    ]


def _units(user=None):
    return Unit.objects.order_by("sort_order", "pk")


# A province has thousands of units: the committee searches them (a drop-down while there are few).
pickers.register("care-units", model=Unit, queryset=_units, rule="care.record")


class UnitPickForm(forms.Form):
    """The committee first picks the unit whose member it records for."""

    unit = pickers.PickerField(
        "care-units", label=_("单位"), queryset=_units(), required=False, select_up_to=30
    )


class EventForm(forms.Form):
    member = forms.ModelChoiceField(label=_("党员"), queryset=Member.objects.none())
    rule = forms.TypedChoiceField(label=_("事项"), coerce=int)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("情况说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT_MAX,
    )

    def __init__(self, *args, user, unit=None, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": business_date()})
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.members_to_record(user, unit)
        self.fields["rule"].choices = rule_choices()


class ReportForm(forms.Form):
    """A member reporting its own event."""

    rule = forms.TypedChoiceField(label=_("事项"), coerce=int)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("情况说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT_MAX,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": business_date()})
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = rule_choices()


class MeetForm(forms.Form):
    done_note = forms.CharField(
        label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=LONG_TEXT_MAX
    )
    on = forms.DateField(
        label=_("落实日期"), widget=DATE_INPUT, required=False, help_text=_("不填则为今天")
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("免除理由"), max_length=200)


class RuleForm(forms.Form):
    system = forms.ChoiceField(label=_("制度"), choices=CareSystem.choices)
    code = forms.SlugField(label=_("编码"), max_length=40)
    name = forms.CharField(label=_("事项"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=DESCRIPTION_MAX,
    )
    actor_kind = forms.ChoiceField(label=_("责任人"), choices=ActorKind.choices)
    action = forms.ChoiceField(label=_("落实方式"), choices=CareAction.choices)
    limit_workdays = forms.IntegerField(
        label=_("时限（工作日）"), min_value=LIMIT_MIN, max_value=LIMIT_MAX
    )
    sensitive = forms.BooleanField(
        label=_("敏感事项"),
        required=False,
        help_text=_("疾病、处分等：只有单位党组织和机关工委查看"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0)
