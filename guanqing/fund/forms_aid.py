"""Forms of the aid pages: the application (with its documents), a step (decide, pay), the list's
filters, the rule table and the settings. They only shape input: the services check and write,
and their refusals are shown next to the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.fund.choices import (
    ApplicationState,
    Decision,
    Diagnosis,
    DocumentKind,
    Relation,
)
from guanqing.fund.forms_donations import unit_filter_field
from guanqing.registry import pickers
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_ATTRS = {"step": "0.01", "min": "0", "inputmode": "decimal"}
ACCEPT = "application/pdf,image/jpeg,image/png"

# the form's file fields and the document kind each one adds
DOCUMENT_FIELDS = {
    "diagnosis_files": DocumentKind.DIAGNOSIS,
    "invoice_files": DocumentKind.INVOICE,
    "settlement_files": DocumentKind.SETTLEMENT,
    "other_files": DocumentKind.OTHER,
}
ILLNESS_FORM_FIELDS = ("diagnosis", "diagnosis_note", "total_cost", "reimbursed")


def _text(value) -> str:
    """Text as stored: browsers send CRLF from a textarea, the database keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def _money_field(label, *, required=True):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )


class MultipleDocumentInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleDocumentField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleDocumentInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ApplicationFilterForm(forms.Form):
    """Shows the list's filters; the rows are filtered by `filters_aid.ApplicationFilter`."""

    q = forms.CharField(label=_("申请编号"), required=False, max_length=30)
    state = forms.ChoiceField(label=_("状态"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=9999)
    unit = forms.CharField(required=False)  # a picker for the readers who filter by unit
    waiting = forms.BooleanField(label=_("待我审批"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部状态")), *ApplicationState.choices]
        if user.role in (Role.FUND_OFFICER, Role.COMMITTEE):
            self.fields["unit"] = unit_filter_field(user)
        else:
            del self.fields["unit"]
            del self.fields["waiting"]


def applicant_members(user):
    """The members an application may be for: the unit's staff for a unit administrator, anyone's
    for the fund officer; never the deceased."""
    members = Member.objects.exclude(status=MemberStatus.DECEASED).select_related("unit", "branch")
    if user.role == Role.UNIT_ADMIN:
        members = members.filter(unit_id=user.unit_id)
    return members.order_by("unit__name", "name", "pk")


# the application form's member is searched, not listed (the fund officer would get the city)
pickers.register("fund-members", model=Member, queryset=applicant_members, rule="fund.apply")


class ApplicationForm(forms.Form):
    """A new application, or a draft's changes. Whoever may not read illness data (a unit's
    administrator) never sees the values entered before: blank fields keep them."""

    member = pickers.PickerField("fund-members", label=_("职工"), queryset=Member.objects.none())
    relation = forms.ChoiceField(label=_("患病人"), choices=Relation.choices)
    patient_name = forms.CharField(
        label=_("患病人姓名"),
        required=False,
        max_length=50,
        help_text=_("患病人不是职工本人时填写"),
    )
    diagnosis = forms.ChoiceField(label=_("疾病类别"))
    diagnosis_note = forms.CharField(
        label=_("病情说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    total_cost = _money_field(_("医疗总费用（元）"))
    reimbursed = _money_field(_("医保等已报销（元）"))
    reason = forms.CharField(
        label=_("申请理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    diagnosis_files = MultipleDocumentField(
        label=_("诊断证明"), help_text=_("PDF、JPEG 或 PNG，每个不超过 10 MB")
    )
    invoice_files = MultipleDocumentField(label=_("医疗费用票据"))
    settlement_files = MultipleDocumentField(label=_("医保结算单"))
    other_files = MultipleDocumentField(label=_("其他材料"))

    care_obligation = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, editing=False, reader=True, care=None, **kwargs):
        """`care`: the 必帮 obligation (关怀帮扶) the application is opened from, if any: the
        member is its member."""
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.care = care
        self.fields["diagnosis"].choices = [("", "—"), *Diagnosis.choices]
        if editing:
            del self.fields["member"]
            del self.fields["care_obligation"]
        else:
            members = applicant_members(user)
            if care is not None:
                members = members.filter(pk=care.member_id)
                self.fields["member"].initial = care.member_id
                self.fields["member"].widget.fixed = True  # the obligation's member, no other
                self.fields["care_obligation"].initial = care.id
            self.fields["member"].queryset = members
        if editing and not reader:
            for name in ILLNESS_FORM_FIELDS:
                self.fields[name].required = False
                self.fields[name].help_text = _("已填写，出于隐私不再显示；不填则保持不变")

    def field_for_service_key(self, key: str) -> str:
        if key.startswith("documents"):
            return "diagnosis_files"
        return key

    def documents(self) -> list[tuple[str, object]]:
        return [
            (kind, upload)
            for name, kind in DOCUMENT_FIELDS.items()
            for upload in self.cleaned_data.get(name) or []
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        values = {
            "relation": data["relation"],
            "patient_name": _text(data.get("patient_name")),
            "diagnosis": data.get("diagnosis"),
            "diagnosis_note": _text(data.get("diagnosis_note")),
            "total_cost": data.get("total_cost"),
            "reimbursed": data.get("reimbursed"),
            "reason": _text(data.get("reason")),
            "documents": self.documents(),
        }
        if not self.editing:
            values["member"] = data["member"]
            values["care_obligation"] = self.care.id if self.care is not None else None
        else:
            # a blank illness field keeps what was entered before
            for name in ILLNESS_FORM_FIELDS:
                if values[name] in (None, "") and not self.fields[name].required:
                    del values[name]
        return values


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批意见"), choices=Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不同意时必填"),
    )

    def service_data(self) -> dict:
        return {"decision": self.cleaned_data["decision"], "note": _text(self.cleaned_data["note"])}


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("发放日期"), widget=DATE)
    transfer_reference = forms.CharField(label=_("转账流水号"), max_length=60)

    def service_data(self) -> dict:
        return {
            "paid_on": self.cleaned_data["paid_on"],
            "transfer_reference": _text(self.cleaned_data["transfer_reference"]),
        }


class EmptyForm(forms.Form):
    def service_data(self) -> dict:
        return {}


class DocumentsForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    files = MultipleDocumentField(label=_("文件"), required=True)

    def field_for_service_key(self, key: str) -> str:
        return "files" if key.startswith("documents") else key

    def documents(self):
        return [(self.cleaned_data["kind"], f) for f in self.cleaned_data["files"]]


STEP_FORMS = {
    "submit": EmptyForm,
    "withdraw": EmptyForm,
    "decide": DecideForm,
    "pay": PayForm,
}


class SettingsForm(forms.Form):
    officer_alone_below = _money_field(_("经办人单独审批限额（元）"))
    second_committee_from = _money_field(_("两名工委审批起点（元）"))
    yearly_cap = _money_field(_("每人每年帮扶上限（元）"))


class TierForm(forms.Form):
    self_paid_from = _money_field(_("自付金额起（元）"), required=False)
    self_paid_below = _money_field(_("自付金额止（元，不含）"), required=False)
    amount = _money_field(_("帮扶金额（元）"), required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return all(data.get(name) in (None, "") for name in self.fields)


TierFormSet = forms.formset_factory(TierForm, extra=3, max_num=50, validate_max=True)
