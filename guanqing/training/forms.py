"""Forms of the training pages. They only shape input; the services check and write (their
refusals are shown next to the field they name)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.registry import pickers
from guanqing.registry.choices import Rank
from guanqing.registry.models import Member
from guanqing.training.choices import LeaderRole
from guanqing.training.models import (
    CAPACITY_MAX,
    CLASSES_MAX,
    DAYS_MAX,
    DEFAULT_WEIGHTS,
    REASON_MAX,
    SESSIONS_MAX,
    TIME_LIMIT_MAX,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
WEIGHT_MAX = 1000


# The committee's pickers search the members it sees, for whoever may make plans or move cadres.
pickers.register(
    "training-members", model=Member, queryset=pickers.active_members, rule="training.plan"
)
pickers.register(
    "training-move-members", model=Member, queryset=pickers.active_members, rule="training.move"
)


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=100)
    venue = forms.CharField(label=_("地点"), max_length=100, required=False)
    sessions_count = forms.IntegerField(label=_("期数"), min_value=1, max_value=SESSIONS_MAX)
    classes_per_session = forms.IntegerField(
        label=_("每期班数"), min_value=1, max_value=CLASSES_MAX
    )
    days_per_session = forms.IntegerField(label=_("每期天数"), min_value=1, max_value=DAYS_MAX)
    class_capacity = forms.IntegerField(
        label=_("每班人数上限"), min_value=1, max_value=CAPACITY_MAX
    )
    allow_makeup_saturdays = forms.BooleanField(label=_("可安排在调休上班的周六"), required=False)
    unit_share = forms.DecimalField(
        label=_("单位每期参训比例上限"),
        min_value=0.01,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        help_text=_("如 0.30：一个单位每期最多派出其须参训干部的 30%，至少 1 人"),
    )
    required_ranks = forms.MultipleChoiceField(
        label=_("须参训职级"), choices=Rank.choices, widget=forms.CheckboxSelectMultiple
    )
    first_date = forms.DateField(label=_("最早开班日期"), widget=DATE_INPUT)
    last_date = forms.DateField(label=_("最晚结束日期"), widget=DATE_INPUT)
    starts = forms.CharField(
        label=_("各期开班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "每期一个日期（如 2026-02-17），以空格、逗号或换行分隔；不填则从最早开班日期起每周一期"
        ),
    )
    time_limit_seconds = forms.IntegerField(
        label=_("求解时限（秒）"), min_value=1, max_value=TIME_LIMIT_MAX
    )
    weight_balance = forms.IntegerField(
        label=_("权重：各期人数均衡"), min_value=0, max_value=WEIGHT_MAX
    )
    weight_preference = forms.IntegerField(
        label=_("权重：本人希望的月份"), min_value=0, max_value=WEIGHT_MAX
    )
    weight_spread = forms.IntegerField(
        label=_("权重：单位干部分散到各期"), min_value=0, max_value=WEIGHT_MAX
    )

    WEIGHTS = {
        "weight_balance": "balance",
        "weight_preference": "preference",
        "weight_spread": "spread",
    }

    @classmethod
    def initial_for(cls, plan) -> dict:
        if plan is None:
            return {
                "sessions_count": 13,
                "classes_per_session": 2,
                "days_per_session": 2,
                "class_capacity": 120,
                "unit_share": "0.30",
                "required_ranks": [Rank.DIVISION],
                "time_limit_seconds": 30,
                **{field: DEFAULT_WEIGHTS[key] for field, key in cls.WEIGHTS.items()},
            }
        weights = {**DEFAULT_WEIGHTS, **(plan.weights or {})}
        return {
            "year": plan.year,
            "title": plan.title,
            "venue": plan.venue,
            "sessions_count": plan.sessions_count,
            "classes_per_session": plan.classes_per_session,
            "days_per_session": plan.days_per_session,
            "class_capacity": plan.class_capacity,
            "allow_makeup_saturdays": plan.allow_makeup_saturdays,
            "unit_share": plan.unit_share,
            "required_ranks": plan.required_ranks,
            "first_date": plan.first_date,
            "last_date": plan.last_date,
            "starts": "\n".join(s.start_date.isoformat() for s in plan.sessions.all()),
            "time_limit_seconds": plan.time_limit_seconds,
            **{field: weights.get(key) for field, key in cls.WEIGHTS.items()},
        }

    def clean_starts(self):
        text = self.cleaned_data.get("starts") or ""
        parts = text.replace(",", " ").replace("，", " ").replace("、", " ").split()
        days = []
        for part in parts:
            try:
                days.append(datetime.date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(text)s”不是日期，请写成 2026-02-17 的形式"), params={"text": part[:20]}
                ) from None
        return days or None

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["weights"] = {key: data.pop(field) for field, key in self.WEIGHTS.items()}
        return data


class ParticipantsForm(forms.Form):
    """One addition or exemption (with its reason) on top of those already made; empty: rebuild
    the list from the registry as it is now."""

    KINDS = [("add", _("增列")), ("exempt", _("免训"))]

    kind = forms.ChoiceField(label=_("调整"), choices=KINDS, initial="add", required=False)
    member = pickers.PickerField(
        "training-members", label=_("干部"), queryset=Member.objects.none(), required=False
    )
    reason = forms.CharField(label=_("理由"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = pickers.active_members(user)

    def clean(self):
        data = super().clean()
        if data.get("member") is not None and not (data.get("reason") or "").strip():
            self.add_error("reason", _("增列和免训须写明理由"))
        return data


class MoveForm(forms.Form):
    member = pickers.PickerField(
        "training-move-members", label=_("干部"), queryset=Member.objects.none()
    )
    session = forms.TypedChoiceField(label=_("调至期次"), coerce=int)
    class_number = forms.TypedChoiceField(label=_("班次"), coerce=int)

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = pickers.active_members(user)
        self.fields["session"].choices = [
            (n, _("第 %(n)s 期") % {"n": n}) for n in range(1, plan.sessions_count + 1)
        ]
        self.fields["class_number"].choices = [
            (n, _("%(n)s 班") % {"n": n}) for n in range(1, plan.classes_per_session + 1)
        ]


class SwapForm(forms.Form):
    first = pickers.PickerField(
        "training-move-members", label=_("干部甲"), queryset=Member.objects.none()
    )
    second = pickers.PickerField(
        "training-move-members", label=_("干部乙"), queryset=Member.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].queryset = pickers.active_members(user)
        self.fields["second"].queryset = pickers.active_members(user)

    def clean(self):
        data = super().clean()
        if data.get("first") is not None and data.get("first") == data.get("second"):
            self.add_error("second", _("请选择另一名干部"))
        return data


class RoleForm(forms.Form):
    leader_role = forms.ChoiceField(label=_("单位职务"), choices=LeaderRole.choices)


class UnavailabilityForm(forms.Form):
    participant = forms.TypedChoiceField(label=_("干部"), coerce=int)
    start = forms.DateField(label=_("起始日期"), widget=DATE_INPUT)
    end = forms.DateField(label=_("结束日期"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("原因"), max_length=REASON_MAX)

    def __init__(self, *args, participants=None, **kwargs):
        """`participants`: [(id, label)] to choose from; None: the page names the person."""
        super().__init__(*args, **kwargs)
        if participants is None:
            del self.fields["participant"]
        else:
            self.fields["participant"].choices = [("", "—"), *participants]


class PreferenceForm(forms.Form):
    months = forms.TypedMultipleChoiceField(
        label=_("希望参训的月份"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示没有偏好；排期时尽量照顾，不作保证"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [(m, _("%(m)s 月") % {"m": m}) for m in range(1, 13)]
