"""Forms of the problem pages: the report form (the committee's 12345/81890 hand-overs, the window,
a unit's outreach visit, the public page), the small form of each step, the queue's filters and
the committee's catalogue editor. They only shape input: the services check and write, and their
refusals are shown next to the field they name."""

from __future__ import annotations

import json

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from guanqing.frontline.choices import ProblemSource, ProblemState, Satisfaction, Urgency
from guanqing.frontline.models import FrontlineSettings, ProblemCategory
from guanqing.registry import pickers
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Unit
from guanqing.registry.pickers import UNITS_IN_A_LIST

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})

# the services' parameter names -> the report form's fields
REPORT_FIELDS = {"lat": "lat", "long": "long"}


def _text(value) -> str:
    """Text as stored: browsers send CRLF from a textarea, the database keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def _units(user=None):
    return Unit.objects.filter(is_active=True).order_by("name", "pk")


# A province has thousands of units: the committee's dispatch, reassignment, dispatch rules and
# list filter search them (a drop-down while there are few).
pickers.register("frontline-units", model=Unit, queryset=_units, rule="frontline.dispatch")


def _divisions():
    return Division.objects.filter(
        level__in=(DivisionLevel.DISTRICT, DivisionLevel.STREET)
    ).order_by("code")


class OptionsSelect(forms.Select):
    """Django's select, with its options written here (the same markup as Django's templates)
    rather than a template rendered per option: the division field has a hundred options."""

    template_name = "frontline/widgets/select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_html"] = _options_html(context["widget"]["optgroups"])
        return context


def _attrs_html(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options_html(optgroups) -> str:
    """The options as django/forms/widgets/select.html and select_option.html write them."""
    parts = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class DivisionOptions(ModelChoiceIterator):
    """The options of a division field, labelled with each division's full name (its parents'
    names first, as `Division.full_name`): read as (id, name, parent) rows in one query, plus one
    per missing generation of parents (none when the parents are options too), rather than a
    model instance and a query for its parent per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = list(self.queryset.values_list("pk", "name", "parent_id"))
        nodes = {pk: (name, parent_id) for pk, name, parent_id in rows}
        missing = {p for _name, p in nodes.values() if p is not None and p not in nodes}
        while missing:
            found = Division.objects.filter(pk__in=missing).values_list("pk", "name", "parent_id")
            nodes.update((pk, (name, parent_id)) for pk, name, parent_id in found)
            missing = {p for _name, p in nodes.values() if p is not None and p not in nodes}
        for pk, _name, _parent_id in rows:
            names = []
            node = pk
            while node is not None:
                name, node = nodes[node]
                names.append(name)
            yield (ModelChoiceIteratorValue(pk, None), "".join(reversed(names)))


class DivisionField(forms.ModelChoiceField):
    iterator = DivisionOptions
    widget = OptionsSelect


class ProblemFilterForm(forms.Form):
    q = forms.CharField(label=_("编号、标题或地址"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=ProblemCategory.objects.all(), required=False
    )
    source = forms.ChoiceField(
        label=_("来源"), required=False, choices=[("", _("全部来源")), *ProblemSource.choices]
    )
    unit = pickers.list_filter_field(
        "frontline-units",
        label=_("承办单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
    )

    OPEN = "open"
    ALL = "all"

    def __init__(self, *args, committee: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            (self.OPEN, _("未办结")),
            (self.ALL, _("全部状态")),
            *ProblemState.choices,
        ]
        if committee:
            self.fields["unit"].queryset = _units()
        else:
            del self.fields["unit"]


# --- reporting -----------------------------------------------------------------------------------


class ReportForm(forms.Form):
    """A problem entered by someone signed in (12345/81890, the window, an outreach visit)."""

    source = forms.ChoiceField(label=_("来源"))
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=ProblemCategory.objects.filter(is_active=True),
        widget=OptionsSelect,
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}))
    division = DivisionField(label=_("所在区划"), queryset=_divisions(), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lat = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    long = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("反映人电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    received_on = forms.DateField(label=_("受理日期"), required=False, widget=DATE)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, ProblemSource(s).label) for s in sources]
        self.fields["category"].queryset = ProblemCategory.objects.filter(is_active=True)
        self.fields["division"].queryset = _divisions()
        if len(sources) == 1:
            self.fields["source"].initial = sources[0]
            self.fields["source"].widget = forms.HiddenInput()

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "source": data["source"],
            "category": data["category"],
            "title": _text(data["title"]),
            "description": _text(data["description"]),
            "division": data.get("division"),
            "address": _text(data.get("address")),
            "lat": data.get("lat"),
            "long": data.get("long"),
            "reporter_name": _text(data.get("reporter_name")),
            "reporter_phone": _text(data.get("reporter_phone")),
            "received_on": data.get("received_on"),
        }


class PublicReportForm(forms.Form):
    """A resident's report (no account): what, where, and optionally who."""

    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=ProblemCategory.objects.filter(is_active=True),
        widget=OptionsSelect,
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}))
    division = DivisionField(label=_("所在区划"), queryset=_divisions(), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("您的姓名（选填）"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("联系电话（选填，用于回访和评价）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProblemCategory.objects.filter(is_active=True)
        self.fields["division"].queryset = _divisions()

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "source": ProblemSource.PUBLIC,
            "category": data["category"],
            "title": _text(data["title"]),
            "description": _text(data["description"]),
            "division": data.get("division"),
            "address": _text(data.get("address")),
            "reporter_name": _text(data.get("reporter_name")),
            "reporter_phone": _text(data.get("reporter_phone")),
        }


class StatusForm(forms.Form):
    public_id = forms.CharField(label=_("难题编号"), max_length=20)

    def clean_public_id(self):
        return "".join(self.cleaned_data["public_id"].split()).upper()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("评价码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("您对答复是否满意"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("意见（选填）"), required=False, widget=TEXTAREA)


# --- the steps -----------------------------------------------------------------------------------


class StepForm(forms.Form):
    def __init__(self, *args, problem=None, **kwargs):
        self.problem = problem
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {}


class UnitStepForm(StepForm):
    unit = pickers.PickerField(
        "frontline-units",
        label=_("承办单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
    )
    note = forms.CharField(label=_("说明（选填）"), required=False, widget=TEXTAREA)

    def __init__(self, *args, default_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        if default_unit is not None:
            self.fields["unit"].initial = default_unit.pk
            self.fields["unit"].help_text = _("派单目录：%(unit)s") % {"unit": default_unit.name}

    def service_data(self) -> dict:
        return {"unit": self.cleaned_data["unit"], "note": _text(self.cleaned_data["note"])}


class ReturnForm(StepForm):
    reason = forms.CharField(label=_("退单理由"), widget=TEXTAREA)

    def service_data(self) -> dict:
        return {"reason": _text(self.cleaned_data["reason"])}


class ProgressForm(StepForm):
    note = forms.CharField(label=_("办理进展"), widget=TEXTAREA)
    public = forms.BooleanField(label=_("向反映人公开"), required=False)

    def service_data(self) -> dict:
        return {"note": _text(self.cleaned_data["note"]), "public": self.cleaned_data["public"]}


class ExtensionRequestForm(StepForm):
    workdays = forms.IntegerField(label=_("延期（工作日）"), min_value=1)
    reason = forms.CharField(label=_("延期理由"), widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = FrontlineSettings.current().max_extension_workdays
        self.fields["workdays"].max_value = longest
        self.fields["workdays"].widget.attrs["max"] = longest

    def service_data(self) -> dict:
        return {
            "workdays": self.cleaned_data["workdays"],
            "reason": _text(self.cleaned_data["reason"]),
        }


class ExtensionDecideForm(StepForm):
    approved = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("yes", _("同意延期")), ("no", _("不同意延期"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), required=False, widget=TEXTAREA)

    def service_data(self) -> dict:
        return {"approved": self.cleaned_data["approved"], "note": _text(self.cleaned_data["note"])}


class AnswerForm(StepForm):
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 4}))
    on = forms.DateField(label=_("办结日期"), required=False, widget=DATE)

    def service_data(self) -> dict:
        return {"answer": _text(self.cleaned_data["answer"]), "on": self.cleaned_data.get("on")}


class MergeForm(StepForm):
    into = forms.CharField(label=_("主单编号"), max_length=20)
    note = forms.CharField(label=_("说明（选填）"), required=False, widget=TEXTAREA)

    def clean_into(self):
        return "".join(self.cleaned_data["into"].split()).upper()

    def service_data(self) -> dict:
        return {"into": self.cleaned_data["into"], "note": _text(self.cleaned_data["note"])}


class CallbackForm(StepForm):
    note = forms.CharField(label=_("回访情况"), widget=TEXTAREA)
    on = forms.DateField(label=_("回访日期"), required=False, widget=DATE)

    def service_data(self) -> dict:
        return {"note": _text(self.cleaned_data["note"]), "on": self.cleaned_data.get("on")}


STEP_FORMS = {
    "dispatch": UnitStepForm,
    "reassign": UnitStepForm,
    "return": ReturnForm,
    "accept": StepForm,
    "progress": ProgressForm,
    "request_extension": ExtensionRequestForm,
    "decide_extension": ExtensionDecideForm,
    "answer": AnswerForm,
    "merge": MergeForm,
    "callback": CallbackForm,
}


# --- the catalogue -------------------------------------------------------------------------------


class CategoryForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=80)
    group = forms.CharField(label=_("分组"), max_length=40, required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    keywords = forms.CharField(label=_("关键词"), max_length=200, required=False)
    attributes = forms.CharField(
        label=_("附加信息（JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "GeoReport v2 的 attributes：每项 code、datatype、description，可选 required、order、values"
        ),
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, required=False, initial=0)
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def clean_attributes(self):
        raw = (self.cleaned_data.get("attributes") or "").strip()
        if not raw:
            return []
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("请填写 JSON 数组")) from None

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["sort_order"] = data.get("sort_order") or 0
        return data


class DispatchRuleForm(forms.Form):
    category = forms.ModelChoiceField(label=_("难题类别"), queryset=ProblemCategory.objects.all())
    district = forms.ModelChoiceField(
        label=_("区县（市）"),
        queryset=Division.objects.none(),
        required=False,
        empty_label=_("全市（默认）"),
    )
    unit = pickers.PickerField(
        "frontline-units",
        label=_("承办单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProblemCategory.objects.all()
        self.fields["district"].queryset = Division.objects.filter(
            level=DivisionLevel.DISTRICT
        ).order_by("code")
        self.fields["unit"].queryset = _units()


class SettingsForm(forms.ModelForm):
    class Meta:
        model = FrontlineSettings
        fields = [
            "emergency_workdays",
            "enquiry_workdays",
            "complaint_workdays",
            "problem_workdays",
            "notice_after_workdays",
            "max_extension_workdays",
            "instructor_days_per_month",
        ]
