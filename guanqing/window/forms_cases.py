"""Forms of the clerk's case pages: receiving an applicant (accept, or ask for corrections) and the
small forms of each step of a case. They only shape input: the services check and write, and
their refusals are shown next to the field they name (`SERVICE_FIELDS` maps the services'
parameter names onto these fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.calendar.workdays import business_date
from guanqing.core.ui.forms import IdsChoiceField
from guanqing.window.choices import ApplicantKind, Outcome, PauseKind
from guanqing.window.models import Material

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# the services' parameter names -> this module's fields
SERVICE_FIELDS = {
    "deferred_materials": "missing_materials",
    "missing": "missing_materials",
    "received_on": "accepted_on",
}


def _text(value) -> str:
    """Text as stored: browsers send CRLF from a textarea, the database keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def _today_initial(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].initial = business_date


class MaterialChoices(IdsChoiceField):
    """A material of the matter's version, labelled with its form and copies; the template marks
    the deferrable ones (容缺)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Material) -> str:
        return f"{obj.name}（{obj.get_form_display()} × {obj.copies}）"


class ReceiveForm(forms.Form):
    """An applicant at the window: who, for which matter, on which day; what is missing (ticked
    on the matter's checklist). 受理 accepts it (the ticked ones under 容缺), 一次性告知补正 lists
    everything missing at once."""

    ACCEPT = "accept"
    CORRECTION = "correction"

    window = forms.ModelChoiceField(label=_("窗口"), queryset=None, empty_label=None)
    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(label=_("申请人"), max_length=100)
    applicant_id = forms.CharField(
        label=_("身份证号码或统一社会信用代码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    applicant_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    accepted_on = forms.DateField(label=_("受理（收件）日期"), widget=DATE)
    missing_materials = MaterialChoices(
        label=_("缺少的材料"), queryset=Material.objects.none(), required=False
    )
    supply_by = forms.DateField(label=_("容缺材料补齐期限"), required=False, widget=DATE)
    deferral_promise = forms.CharField(
        label=_("申请人书面承诺"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    other_missing = forms.CharField(
        label=_("其他需补正的内容（每行一项）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, windows, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows
        self.only_window = windows[0] if len(windows) == 1 else None
        if self.only_window is not None:
            self.fields["window"].widget = forms.HiddenInput()
            self.fields["window"].initial = self.only_window.pk
            self.fields["window"].required = False
        self.fields["missing_materials"].queryset = (
            version.materials.order_by("sort_order", "id") if version else Material.objects.none()
        )
        _today_initial(self, "accepted_on")

    def clean_window(self):
        return self.cleaned_data.get("window") or self.only_window

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {
            "applicant_kind": data["applicant_kind"],
            "applicant_name": data["applicant_name"],
            "applicant_id": data["applicant_id"],
            "applicant_phone": data["applicant_phone"],
        }

    def accept_data(self) -> dict:
        data = self.cleaned_data
        return {
            **self.applicant(),
            "accepted_on": data["accepted_on"],
            "deferred_materials": list(data["missing_materials"]),
            "supply_by": data.get("supply_by"),
            "deferral_promise": _text(data.get("deferral_promise")),
        }

    def correction_data(self) -> dict:
        data = self.cleaned_data
        missing = [m.name for m in data["missing_materials"]]
        missing += [line.strip() for line in _text(data.get("other_missing")).split("\n")]
        return {
            **self.applicant(),
            "received_on": data["accepted_on"],
            "missing": [item for item in missing if item],
        }


class AcceptCorrectedForm(forms.Form):
    """受理 a case whose corrections came in (the 容缺 choices as on the first visit)."""

    accepted_on = forms.DateField(label=_("受理日期"), widget=DATE)
    missing_materials = MaterialChoices(
        label=_("容缺受理的材料"), queryset=Material.objects.none(), required=False
    )
    supply_by = forms.DateField(label=_("容缺材料补齐期限"), required=False, widget=DATE)
    deferral_promise = forms.CharField(
        label=_("申请人书面承诺"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        version = case.version.matter.current or case.version
        self.fields["missing_materials"].queryset = version.materials.filter(
            deferrable=True
        ).order_by("sort_order", "id")
        _today_initial(self, "accepted_on")

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "accepted_on": data["accepted_on"],
            "deferred_materials": list(data["missing_materials"]),
            "supply_by": data.get("supply_by"),
            "deferral_promise": _text(data.get("deferral_promise")),
        }


class _OnForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "on")

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"]}


class RefuseForm(_OnForm):
    reason = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"], "reason": _text(self.cleaned_data["reason"])}


class PauseForm(_OnForm):
    kind = forms.ChoiceField(label=_("中止事由"), choices=PauseKind.choices)
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"on": data["on"], "kind": data["kind"], "reason": _text(data["reason"])}


class ResumeForm(_OnForm):
    pass


class SupplyForm(_OnForm):
    materials = MaterialChoices(label=_("补齐的材料"), queryset=Material.objects.none())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["materials"].queryset = Material.objects.filter(
            pk__in=case.missing_materials.filter(supplied_on__isnull=True).values("material_id")
        ).order_by("sort_order", "id")

    def service_data(self) -> dict:
        return {"on": self.cleaned_data["on"], "materials": list(self.cleaned_data["materials"])}


class CompleteForm(_OnForm):
    outcome = forms.ChoiceField(
        label=_("办理结果"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("结果说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"on": data["on"], "outcome": data["outcome"], "note": _text(data.get("note"))}


class DeliverForm(_OnForm):
    pass


# the lifecycle's action -> the form of its step on the case page
STEP_FORMS = {
    "accept": AcceptCorrectedForm,
    "refuse": RefuseForm,
    "pause": PauseForm,
    "resume": ResumeForm,
    "supply": SupplyForm,
    "complete": CompleteForm,
    "deliver": DeliverForm,
}
