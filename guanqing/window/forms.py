"""Forms of the service window's pages; they only shape input: the services check and write (their
refusals are shown next to the field they name)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from guanqing.core.roles import Role
from guanqing.core.ui.forms import IdsChoiceField
from guanqing.registry import pickers
from guanqing.registry.models import Unit
from guanqing.registry.pickers import UNITS_IN_A_LIST
from guanqing.window.catalogue_services import MaterialSpec, VersionSpec
from guanqing.window.choices import MaterialForm, MatterKind
from guanqing.window.models import WORKDAYS_MAX, WindowSettings

MONEY_ATTRS = {"step": "0.01", "inputmode": "decimal", "min": "0"}


def _text(value) -> str:
    """Text as stored: browsers send CRLF from a textarea, the database keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def units_for(user):
    """The units a user may put catalogue items and windows under."""
    units = Unit.objects.filter(is_active=True)
    if user.role == Role.UNIT_ADMIN:
        return units.filter(pk=user.unit_id)
    return units


# A province has thousands of units: the forms search them (a drop-down while there are few).
pickers.register("window-item-units", model=Unit, queryset=units_for, rule="window.catalogue_edit")
pickers.register("window-units", model=Unit, queryset=units_for, rule="window.windows")


class ItemForm(forms.Form):
    """审批事项: its unit (on creation), code, name and legal basis."""

    unit = pickers.PickerField(
        "window-item-units",
        label=_("单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
    )
    code = forms.CharField(label=_("事项编码"), max_length=40)
    name = forms.CharField(label=_("事项名称"), max_length=120)
    legal_basis = forms.CharField(
        label=_("设定依据"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, required=False)
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
        else:
            del self.fields["is_active"]
            self.fields["unit"].queryset = units_for(user)
            if user.role == Role.UNIT_ADMIN:
                self.fields["unit"].initial = user.unit_id

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["legal_basis"] = _text(data.get("legal_basis"))
        data["sort_order"] = data.get("sort_order") or 0
        return data


class MatterForm(forms.Form):
    """办理项 and what its new version asks for (the materials are the formset below)."""

    code = forms.CharField(label=_("办理项编码"), max_length=40)
    name = forms.CharField(label=_("办理项名称"), max_length=120)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, required=False)
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True)
    kind = forms.ChoiceField(label=_("办件类型"), choices=MatterKind.choices)
    statutory_workdays = forms.IntegerField(
        label=_("法定办结时限（工作日）"), min_value=0, max_value=WORKDAYS_MAX
    )
    promised_workdays = forms.IntegerField(
        label=_("承诺办结时限（工作日）"), min_value=0, max_value=WORKDAYS_MAX
    )
    fee = forms.DecimalField(
        label=_("收费（元）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    fee_note = forms.CharField(label=_("收费说明"), max_length=200, required=False)
    legal_basis = forms.CharField(
        label=_("办理依据"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    MATTER_FIELDS = ("code", "name", "sort_order", "is_active")

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]

    def matter_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.MATTER_FIELDS if k in self.cleaned_data}
        data["sort_order"] = data.get("sort_order") or 0
        return data

    def version_spec(self, materials: list[MaterialSpec]) -> VersionSpec:
        data = self.cleaned_data
        return VersionSpec(
            kind=data["kind"],
            statutory_workdays=data["statutory_workdays"],
            promised_workdays=data["promised_workdays"],
            fee=data["fee"],
            fee_note=_text(data.get("fee_note")),
            legal_basis=_text(data.get("legal_basis")),
            materials=materials,
        )


class MaterialRowForm(forms.Form):
    name = forms.CharField(label=_("材料名称"), max_length=200, required=False)
    form = forms.ChoiceField(
        label=_("材料形式"), choices=MaterialForm.choices, initial=MaterialForm.ORIGINAL
    )
    copies = forms.IntegerField(label=_("份数"), min_value=1, max_value=99, initial=1)
    deferrable = forms.BooleanField(label=_("可容缺"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=3, max_num=200)


def materials_from(formset) -> list[MaterialSpec]:
    """The filled-in rows of the materials formset, in order (rows without a name are skipped)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        name = _text(data.get("name"))
        if not name:
            continue
        rows.append(
            MaterialSpec(
                name=name,
                form=data.get("form") or MaterialForm.ORIGINAL,
                copies=data.get("copies") or 1,
                deferrable=bool(data.get("deferrable")),
                note=_text(data.get("note")),
            )
        )
    return rows


class WindowForm(forms.Form):
    unit = pickers.PickerField(
        "window-units", label=_("单位"), queryset=Unit.objects.none(), select_up_to=UNITS_IN_A_LIST
    )
    name = forms.CharField(label=_("窗口名称"), max_length=80)
    location = forms.CharField(label=_("位置"), max_length=120, required=False)
    is_active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
        else:
            del self.fields["is_active"]
            self.fields["unit"].queryset = units_for(user)
            if user.role == Role.UNIT_ADMIN:
                self.fields["unit"].initial = user.unit_id


class ClerkChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        name = obj.display_name or obj.get_username()
        return f"{name}（{obj.get_username()}）"


class ClerksForm(forms.Form):
    """The window's clerks: accounts with the role window_clerk (a unit administrator's own unit's)."""

    clerks = ClerkChoiceField(
        label=_("窗口受理员"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, window, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(role=Role.WINDOW_CLERK, is_active=True)
        if user.role == Role.UNIT_ADMIN:
            users = users.filter(unit_id=window.unit_id)
        # the clerks already there stay listed, so that they can be taken off
        users = users | get_user_model().objects.filter(pk__in=window.clerks.values("pk"))
        self.fields["clerks"].queryset = users.distinct().order_by("username")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = WindowSettings
        fields = [
            "due_soon_workdays",
            "deferral_bar_months",
            "rating_window_days",
            "rectify_workdays",
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
