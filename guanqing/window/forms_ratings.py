"""Forms of the 好差评 pages: the rating screen (kiosk and code), the code typed on the public
page, the ratings list's filters, the follow-up's steps and the committee's question set. They
only shape input: the services check and write, and their refusals are shown next to the field
they name."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.calendar.workdays import business_date
from guanqing.window.choices import FeedbackMethod, FollowUpState, RatingLevel
from guanqing.window.rating_services import normalize_code

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COMMENT_MAX = 500
CODE_MAX = 64


def _text(value) -> str:
    """Text as stored: browsers send CRLF from a textarea, the database keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def _level_choices(blank: str | None = None) -> list:
    choices = [(str(value), label) for value, label in RatingLevel.choices]
    return [("", blank), *choices] if blank is not None else choices


def _option_choices(choices_by_level: dict, level) -> list[tuple[int, str]]:
    try:
        level = int(level)
    except (TypeError, ValueError):
        return []
    return [(option.pk, option.text) for option in choices_by_level.get(level, ())]


# ---------------------------------------------------------------------------------------------
# Rating (the kiosk screen and the public page)
# ---------------------------------------------------------------------------------------------


class RateForm(forms.Form):
    """A level, then the choices of that level and a comment. Posted with `level` only, it asks
    for the second screen; with `confirm` it is the rating."""

    level = forms.TypedChoiceField(
        label=_("评价等级"), choices=_level_choices(), coerce=int, widget=forms.HiddenInput
    )
    options = forms.TypedMultipleChoiceField(
        label=_("您的感受（可多选）"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("意见建议（选填）"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
    )

    def __init__(self, *args, choices_by_level: dict, level=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            level = self.data.get("level")
        self.fields["options"].choices = _option_choices(choices_by_level, level)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "level": data["level"],
            "options": list(data.get("options") or ()),
            "comment": _text(data.get("comment")),
        }


class CodeForm(forms.Form):
    """The code printed on the slip, typed by hand on the public page."""

    code = forms.CharField(
        label=_("评价码"),
        max_length=CODE_MAX,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        # full-width characters typed on a phone's Chinese keyboard; spaces and dashes as printed
        value = normalize_code(self.cleaned_data["code"])
        if not value or not value.isascii() or not value.isalnum():
            raise forms.ValidationError(_("请输入评价码上的字母和数字"))
        return value


# ---------------------------------------------------------------------------------------------
# The ratings list and the follow-ups list
# ---------------------------------------------------------------------------------------------


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (`<input type="month">`): its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def _month_end(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


class RatingFilterForm(forms.Form):
    """The ratings list's filters: a date range, a window, a level. A clerk filters by month (it
    never learns the day a rating was given)."""

    date_from = forms.DateField(label=_("评价日期自"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("评价日期至"), required=False, widget=DATE)
    window = forms.ModelChoiceField(
        label=_("窗口"), queryset=None, required=False, empty_label=_("全部窗口")
    )
    level = forms.TypedChoiceField(
        label=_("评价等级"),
        choices=_level_choices(_("全部等级")),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, windows, monthly: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows
        self.monthly = monthly
        if monthly:
            self.fields["date_from"] = MonthField(label=_("评价月份自"), required=False)
            self.fields["date_to"] = MonthField(label=_("评价月份至"), required=False)

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if self.monthly and last:
            data["date_to"] = last = _month_end(last)
        if first and last and first > last:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data

    def filters(self) -> dict:
        """The filters set, as JSON values (`rating_selectors.narrowed`'s arguments)."""
        data = self.cleaned_data
        window = data.get("window")
        return {
            "date_from": data["date_from"].isoformat() if data.get("date_from") else None,
            "date_to": data["date_to"].isoformat() if data.get("date_to") else None,
            "window": window.pk if window is not None else None,
            "level": data.get("level"),
        }


OPEN = "open"
OVERDUE = "overdue"


class FollowUpFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部状态")),
            (OPEN, _("未办结")),
            (OVERDUE, _("已超期")),
            *FollowUpState.choices,
        ],
    )


# ---------------------------------------------------------------------------------------------
# A follow-up's steps
# ---------------------------------------------------------------------------------------------


class _OnForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)

    def __init__(self, *args, follow_up=None, choices_by_level=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = business_date


class VerifyForm(_OnForm):
    finding = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 3}))

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"], "finding": _text(self.cleaned_data["finding"])}


class AppealForm(_OnForm):
    reason = forms.CharField(
        label=_("申诉理由"),
        help_text=_("恶意差评可申诉一次，由机关工委裁定；申诉成立的差评不计入统计。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"], "reason": _text(self.cleaned_data["reason"])}


class RectifyForm(_OnForm):
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"], "measures": _text(self.cleaned_data["measures"])}


class FeedBackForm(_OnForm):
    """回访: how the applicant was told; a level (and its choices) if the applicant rated the fix
    there and then, otherwise a code is issued for later."""

    method = forms.ChoiceField(label=_("回访方式"), choices=FeedbackMethod.choices)
    note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.TypedChoiceField(
        label=_("申请人对整改结果的评价"),
        help_text=_("申请人在回访时当场评价的，请选择；不选则生成评价码，由申请人稍后评价。"),
        choices=_level_choices(_("未当场评价（生成评价码）")),
        coerce=int,
        empty_value=None,
        required=False,
    )
    options = forms.TypedMultipleChoiceField(
        label=_("评价选项"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices_by_level=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices_by_level = choices_by_level or {}
        self.fields["options"].choices = [
            (option.pk, f"{RatingLevel(level).label} · {option.text}")
            for level in sorted(choices_by_level, reverse=True)
            for option in choices_by_level[level]
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        level = data.get("level")
        return {
            "on": data["on"],
            "method": data["method"],
            "note": _text(data["note"]),
            "level": level,
            "options": list(data.get("options") or ()) if level else [],
        }


class DecideForm(_OnForm):
    note = forms.CharField(label=_("裁定意见"), widget=forms.Textarea(attrs={"rows": 3}))

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"], "note": _text(self.cleaned_data["note"])}


# the lifecycle's action -> the form of its step on the follow-up's page
STEP_FORMS = {
    "verify": VerifyForm,
    "appeal": AppealForm,
    "uphold": DecideForm,
    "reject": DecideForm,
    "rectify": RectifyForm,
    "feed_back": FeedBackForm,
}


# ---------------------------------------------------------------------------------------------
# The question set
# ---------------------------------------------------------------------------------------------

LEVELS = [int(value) for value in RatingLevel.values]  # 5 … 1


class QuestionSetForm(forms.Form):
    """The choices of every level, one per line; publishing makes them a new version."""

    note = forms.CharField(label=_("修订说明"), max_length=200, required=False)

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        fields = {}
        for level in sorted(LEVELS, reverse=True):
            fields[f"options_{level}"] = forms.CharField(
                label=RatingLevel(level).label,
                required=False,
                initial="\n".join(option.text for option in current.get(level, ())),
                help_text=_("每行一个选项"),
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        fields["note"] = self.fields.pop("note")
        self.fields = {**fields}

    def options(self) -> dict[int, list[str]]:
        return {
            level: [
                line.strip()
                for line in _text(self.cleaned_data.get(f"options_{level}")).split("\n")
                if line.strip()
            ]
            for level in LEVELS
        }
