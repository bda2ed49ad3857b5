"""Forms of the registry pages. They only check input; the service functions validate and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanqing.core import sensitive
from guanqing.core.roles import Role
from guanqing.registry import pickers, services
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit


class ServiceForm(forms.ModelForm):
    """A ModelForm used for its fields and widgets only: never saved, no model validation here.

    The service function runs full_clean and the business rules, and its errors are put back on
    the form with guanqing.core.ui.htmx.add_service_errors.
    """

    required_css_class = "field--required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label is not None:
                    field.empty_label = _("请选择")
            elif isinstance(field, forms.ChoiceField):
                field.choices = [
                    ("", _("请选择")) if value == "" else (value, label)
                    for value, label in field.choices
                ]

    def _post_clean(self):  # the service validates the model
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def clean_id_number(self):
        """Check the format early so the user sees it with the other field errors.

        Duplicates and scope are the service's business; it checks the format again."""
        value = (self.cleaned_data.get("id_number") or "").strip()
        if value:
            try:
                sensitive.validate_id_number(value)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        return value


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _community_queryset(user):
    qs = Division.objects.visible_to(user).current().filter(level=DivisionLevel.COMMUNITY)
    if user.role == Role.COMMUNITY_WORKER:
        qs = qs.filter(pk=user.community_id)
    return qs.select_related("parent__parent")


def _communities(user=None):
    """Every current community and village (where a member lives may be anywhere)."""
    return (
        Division.objects.current()
        .filter(level=DivisionLevel.COMMUNITY)
        .select_related("parent__parent")
    )


# A province has some 25,000 communities and villages: the forms search them.
pickers.register("communities", model=Division, queryset=_communities, rule="registry.read")
pickers.register(
    "household-communities", model=Division, queryset=_community_queryset, rule="registry.read"
)


class CommunityChoiceField(forms.ModelChoiceField):
    """A community or village named with its district and street: "海曙区 · 西门街道 · 徐家漕社区".

    Give it a queryset with select_related("parent__parent"), or each option costs two queries."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("请选择"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        street = obj.parent if obj.parent_id else None
        district = street.parent if street is not None and street.parent_id else None
        return " · ".join([p.name for p in (district, street) if p is not None] + [obj.name])


class UnitForm(ServiceForm):
    class Meta:
        model = Unit
        fields = services.UNIT_FIELDS


# A province has thousands of units and tens of thousands of party organisations: the forms search
# them (a drop-down only while the user sees this few, such as a unit administrator's one unit).
SELECT_UP_TO = 30


def _unit_picker(user, model, *, required: bool) -> pickers.PickerField:
    units = Unit.objects.visible_to(user)
    if user.role == Role.UNIT_ADMIN:
        units = units.filter(pk=user.unit_id)
    return pickers.PickerField(
        "units",
        queryset=units.order_by("sort_order", "name", "pk"),
        required=required,
        select_up_to=SELECT_UP_TO,
        label=model._meta.get_field("unit").verbose_name,
    )


def _party_org_picker(user, name: str) -> pickers.PickerField:
    """A party organisation of a unit, searched among the form's chosen unit's once one is."""
    model = PartyOrg if name == "parent" else Member
    field = model._meta.get_field(name)
    return pickers.PickerField(
        "unit-party-orgs",
        queryset=pickers.unit_party_orgs(user),
        required=False,
        select_up_to=SELECT_UP_TO,
        label=field.verbose_name,
        help_text=field.help_text,
        narrow_by="unit",
    )


class PartyOrgForm(ServiceForm):
    class Meta:
        model = PartyOrg
        fields = ["name", "kind", "unit", "parent"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_picker(user, PartyOrg, required=True)
        self.fields["parent"] = _party_org_picker(user, "parent")


class MemberForm(ServiceForm):
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)

    class Meta:
        model = Member
        fields = services.MEMBER_FIELDS
        widgets = {"joined_party": _date_widget()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_picker(user, Member, required=True)
        self.fields["branch"] = _party_org_picker(user, "branch")
        self.fields["home_community"] = pickers.PickerField(
            "communities",
            queryset=_communities(),
            required=False,
            select_up_to=SELECT_UP_TO,
            label=Member._meta.get_field("home_community").verbose_name,
        )
        self.fields["gender"].required = False
        if self.instance.pk:
            self.fields["id_number"].help_text = _("留空则不修改；当前：") + self.initial.get(
                "masked_id", ""
            )
        else:
            self.fields["id_number"].required = True
        self.order_fields(["name", "id_number"])

    def service_data(self) -> dict:
        data = super().service_data()
        number = self.cleaned_data.get("id_number") or ""
        if number or not self.instance.pk:
            data["id_number"] = number
        return data


class HouseholdForm(ServiceForm):
    id_number = forms.CharField(label=_("户主身份证号码"), max_length=18, required=False)

    class Meta:
        model = Household
        fields = services.HOUSEHOLD_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["situation", "hardship_cause", "outlook", "skills", "needs"]
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"] = pickers.PickerField(
            "household-communities",
            queryset=_community_queryset(user),
            select_up_to=SELECT_UP_TO,
            label=Household._meta.get_field("community").verbose_name,
        )
        if self.instance.pk:
            self.fields["id_number"].help_text = _("留空则不修改；当前：") + self.initial.get(
                "masked_id", ""
            )
        else:
            self.fields["id_number"].required = True
        self.order_fields(["head_name", "id_number"])

    def service_data(self) -> dict:
        data = super().service_data()
        number = self.cleaned_data.get("id_number") or ""
        if number or not self.instance.pk:
            data["id_number"] = number
        return data


PROFILE_FIELDS = ["situation", "hardship_cause", "outlook", "skills", "needs"]


class PersonForm(ServiceForm):
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)

    class Meta:
        model = Person
        fields = services.PERSON_FIELDS
        widgets = {"birth_date": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relation"].choices = [("", _("请选择"))] + [
            c for c in self.fields["relation"].choices if c[0]
        ]
        self.order_fields(["name", "relation", "id_number"])

    def service_data(self) -> dict:
        data = super().service_data()
        number = self.cleaned_data.get("id_number") or ""
        if number or not self.instance.pk:
            data["id_number"] = number or None
        return data


PersonFormSet = forms.formset_factory(PersonForm, extra=2, max_num=20, validate_max=True)
