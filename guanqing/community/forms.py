"""Forms of the 党员进社区 pages. They only shape and check the input; every write is a service of
`guanqing.community.services`, whose refusals are put back next to the field they name."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.community.choices import ActivityRole, Grade, ServiceRole

# One line on what each of the 六员 does, shown next to the choice.
ROLE_DUTIES = {
    ServiceRole.SAFETY: _("参与社区治安巡防、矛盾纠纷排查调解，守护平安。"),
    ServiceRole.POLICY: _("向居民宣讲政策法规，解答社保、医保、就业等疑问。"),
    ServiceRole.DEVELOPMENT: _("参加社区议事，为社区建设和发展出主意、提建议。"),
    ServiceRole.CIVILITY: _("带头践行文明新风，参与环境整治和文明创建。"),
    ServiceRole.WELFARE: _("组织和参与社区公益活动、志愿服务。"),
    ServiceRole.WARMTH: _("关心困难群众、空巢老人和留守儿童，送去温暖。"),
}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class RegistrationForm(forms.Form):
    """进社区报到: one of the six roles and what the member offers."""

    role = forms.ChoiceField(
        label=_("六员岗位"), choices=ServiceRole.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("我能提供的服务"),
        required=False,
        max_length=200,
        help_text=_("例如：周末有空，可以给老人讲解医保政策"),
        widget=forms.TextInput(attrs={"placeholder": _("一句话说明您能为社区做什么")}),
    )

    def role_options(self):
        """(value, label, duty, checked) for the role cards."""
        current = self["role"].value()
        return [
            (value, label, ROLE_DUTIES[value], value == current)
            for value, label in ServiceRole.choices
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


def _datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class ActivityForm(forms.Form):
    """发布活动: what, for whom, when, where, how many places."""

    title = forms.CharField(label=_("活动名称"), max_length=100)
    role = forms.ChoiceField(label=_("面向岗位"), choices=ActivityRole.choices, initial="all")
    starts_at = _datetime_field(_("开始时间"))
    ends_at = _datetime_field(_("结束时间"))
    place = forms.CharField(label=_("活动地点"), max_length=200)
    places = forms.IntegerField(label=_("名额（人）"), min_value=1, initial=10)
    description = forms.CharField(
        label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ManualHoursForm(forms.Form):
    """补录时长: for a member who signed up, how many hours and why."""

    member = forms.TypedChoiceField(label=_("党员"), coerce=int, choices=())
    hours = forms.DecimalField(
        label=_("补录时长（小时）"),
        min_value=Decimal("0.1"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("补录原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：忘记签退，经现场负责人确认")}),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("请选择已报名的党员"))] + list(members)


class RatingForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("评价等次"),
        choices=Grade.choices,
        error_messages={"required": _("请选择评价等次")},
    )
    comment = forms.CharField(
        label=_("评语"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("评语（选填）")}),
    )


class CheckinForm(forms.Form):
    """签到/签退: the activity (chosen automatically when only one is running) and the code."""

    activity = forms.TypedChoiceField(label=_("活动"), coerce=int, choices=())
    code = forms.RegexField(
        label=_("签到码"),
        regex=r"^[0-9]{6}$",
        error_messages={"invalid": _("签到码是 6 位数字")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "maxlength": "6",
                "autocomplete": "one-time-code",
                "placeholder": "000000",
                "class": "checkin-code",
            }
        ),
    )

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = list(activities)
        if len(self.fields["activity"].choices) == 1:
            self.fields["activity"].widget = forms.HiddenInput()
