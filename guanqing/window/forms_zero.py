"""Forms of the "六零" pages: the committee's item editor and a window's monthly self-check. They
only shape input; the services check and write (their refusals are shown next to the field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanqing.window.choices import ZeroMeasure
from guanqing.window.zero_services import (
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTE_MAX,
    SORT_MAX,
    ZeroAnswer,
)

MET = "met"
NOT_MET = "not_met"


class ZeroItemForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=NAME_MAX)
    description = forms.CharField(label=_("要求"), max_length=DESCRIPTION_MAX, required=False)
    measure = forms.ChoiceField(
        label=_("系统核对"),
        choices=ZeroMeasure.choices,
        required=False,
        help_text=_("系统查到相应记录的月份，不能勾选做到"),
    )
    sort_order = forms.IntegerField(
        label=_("排序"), min_value=0, max_value=SORT_MAX, required=False
    )
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["measure"] = data.get("measure") or ZeroMeasure.NONE
        data["description"] = data.get("description") or ""
        if data.get("sort_order") is None:
            data.pop("sort_order", None)
        return data


class ZeroCheckForm(forms.Form):
    """One pair of fields per line of the sheet: `item_<id>` (做到 / 未做到) and `note_<id>`."""

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for line in sheet.lines:
            if not line.item.is_active:
                continue
            pk = line.item.pk
            initial = None
            if line.check is not None:
                initial = MET if line.check.met else NOT_MET
            self.fields[f"item_{pk}"] = forms.ChoiceField(
                label=line.item.name,
                choices=[(MET, _("做到")), (NOT_MET, _("未做到"))],
                widget=forms.RadioSelect,
                initial=initial,
                error_messages={"required": _("请选择做到或未做到")},
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("说明"),
                max_length=NOTE_MAX,
                required=False,
                initial=line.check.note if line.check is not None else "",
                widget=forms.TextInput(attrs={"aria-label": _("说明")}),
            )
            line.met_field = f"item_{pk}"
            line.note_field = f"note_{pk}"

    def rows(self):
        """(line, bound choice field, bound note field) for the template; None for an inactive
        item shown only because it was checked that month."""
        for line in self.sheet.lines:
            if line.item.is_active:
                yield line, self[f"item_{line.item.pk}"], self[f"note_{line.item.pk}"]
            else:
                yield line, None, None

    def answers(self) -> list[ZeroAnswer]:
        data = self.cleaned_data
        return [
            ZeroAnswer(
                item=line.item.pk,
                met=data[f"item_{line.item.pk}"] == MET,
                note=data.get(f"note_{line.item.pk}") or "",
            )
            for line in self.sheet.lines
            if line.item.is_active
        ]
