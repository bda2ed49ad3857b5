"""Forms of the pairing pages; they only shape input, the service functions check and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanqing.pairing.choices import SupportKind, VisitKind

# 谈讲访帮扶 as large checkboxes: the short character first, what it means after it.
KIND_CHOICES = [(kind.value, kind.label) for kind in VisitKind]


class VisitForm(forms.Form):
    """A member's record of one home visit; amounts are checked by `visit_record`, not here, so
    every refusal comes from one place and shows next to its field."""

    date = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kinds = forms.MultipleChoiceField(
        label=_("走访内容"),
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "kind-check"}),
    )
    notes = forms.CharField(
        label=_("走访记录"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cash_amount = forms.DecimalField(
        label=_("慰问金（元）"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    in_kind_items = forms.CharField(label=_("慰问物品"), required=False, max_length=300)
    in_kind_value = forms.DecimalField(
        label=_("物品折价（元）"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    support_kind = forms.ChoiceField(
        label=_("扶持方式"), choices=SupportKind.choices, initial=SupportKind.NONE
    )
    photo = forms.FileField(
        label=_("照片（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        data = self.cleaned_data
        photo = data.get("photo")
        return {
            "date": data["date"],
            "kinds": data["kinds"],
            "notes": data["notes"],
            "cash_amount": data["cash_amount"] if data["cash_amount"] is not None else 0,
            "in_kind_items": data["in_kind_items"],
            "in_kind_value": data["in_kind_value"] if data["in_kind_value"] is not None else 0,
            "support_kind": data["support_kind"],
            "photos": [photo] if photo else [],
        }
