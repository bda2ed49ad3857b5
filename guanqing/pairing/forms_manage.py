"""Forms and the list filter of the pairing management pages (create, hand over, end).

The forms only shape input: every rule (a member of the pairing's unit, dates, one active
pairing per household and unit) is checked by the service functions, whose errors are shown
beside the field they name. A choice field validates against everything the user may see, but
shows only the sensible options (the unit's members, the households found by the search), so a
refused choice gets the service's own explanation.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import parse_id
from guanqing.pairing.access import access
from guanqing.pairing.choices import EndReason
from guanqing.pairing.filters import IdFilter, VisitFilter
from guanqing.pairing.models import Pairing, PairingTerm, Partnership
from guanqing.registry import pickers
from guanqing.registry.choices import DivisionLevel, HouseholdStatus, MemberStatus
from guanqing.registry.models import Division, Household, Member, Unit
from guanqing.registry.pickers import UNITS_IN_A_LIST
from guanqing.registry.selectors import district_ids_rolling_up_to

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

STATUS_ACTIVE = "active"
STATUS_ENDED = "ended"


class PairingListFilter(django_filters.FilterSet):
    """The filters of the pairing list (the API keeps its own `PairingFilter`)."""

    q = django_filters.CharFilter(method="by_head_name", label=_("户主姓名"))
    status = django_filters.ChoiceFilter(
        method="by_status",
        choices=[(STATUS_ACTIVE, _("在结对")), (STATUS_ENDED, _("已结束"))],
        label=_("状态"),
    )
    # searched past 30: a province has thousands of units and some 25,000 communities
    unit = pickers.PickerFilter(
        "units", field_name="unit", queryset=Unit.objects.none(), label=_("单位")
    )
    district = django_filters.ChoiceFilter(method="by_district", choices=[], label=_("区县"))
    community = pickers.PickerFilter(
        "household-communities",
        field_name="household__community",
        queryset=Division.objects.none(),
        label=_("社区/村"),
    )
    holder = django_filters.CharFilter(method="by_holder", label=_("结对党员"))

    class Meta:
        model = Pairing
        fields = ["q", "status", "unit", "district", "community", "holder"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["unit"].queryset = Unit.objects.visible_to(user).order_by("sort_order", "name")
        districts = Division.objects.visible_to(user).districts().current().order_by("code")
        fields["district"].choices = [(d.code[:6], d.name) for d in districts]
        # the communities the user sees, searched (labelled with their street and district)
        fields["community"].queryset = (
            pickers.kind("household-communities").queryset(user).order_by("code")
        )
        fields["holder"].widget.attrs["placeholder"] = _("现任或曾任")
        # a unit administrator and a member have one unit; a community worker one community
        if not access.allows(user, "filter_by_unit"):
            del fields["unit"]
        if not access.allows(user, "filter_by_place"):
            del fields["district"]
            del fields["community"]

    def by_head_name(self, queryset, name, value):
        return queryset.filter(household__head_name__icontains=value.strip())

    def by_status(self, queryset, name, value):
        if value == STATUS_ACTIVE:
            return queryset.filter(ended_on__isnull=True)
        return queryset.filter(ended_on__isnull=False)

    def by_district(self, queryset, name, value):
        """Today's district, with the districts merged into it (江东区 → 鄞州区)."""
        district = Division.objects.filter(
            code=value.ljust(12, "0"), level=DivisionLevel.DISTRICT
        ).first()
        if district is None:
            return queryset.none()
        return queryset.filter(
            household__community__district_id__in=district_ids_rolling_up_to(district)
        )

    def by_holder(self, queryset, name, value):
        """Pairings the named member holds now or held before a handover."""
        terms = PairingTerm.objects.filter(member__name__icontains=value.strip())
        return queryset.filter(pk__in=terms.values("pairing_id"))


class VisitListFilter(VisitFilter):
    """The visit list's filters (and its export's): the API's `VisitFilter`, but the community is
    named by id, as the page's community picker sends it, instead of by code."""

    community = IdFilter(field_name="pairing__household__community_id", label=_("社区/村"))


class PartnershipListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("村或党组织名称"))
    unit = pickers.PickerFilter(
        "units", field_name="unit_org__unit", queryset=Unit.objects.none(), label=_("单位")
    )
    status = django_filters.ChoiceFilter(
        method="by_status",
        choices=[(STATUS_ACTIVE, _("共建中")), (STATUS_ENDED, _("已结束"))],
        label=_("状态"),
    )

    class Meta:
        model = Partnership
        fields = ["q", "unit", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not access.allows(user, "filter_by_unit"):
            del self.form.fields["unit"]
        else:
            self.form.fields["unit"].queryset = Unit.objects.visible_to(user).order_by(
                "sort_order", "name"
            )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(village_org__name__icontains=value)
            | Q(village_org__division__name__icontains=value)
            | Q(unit_org__name__icontains=value)
        )

    def by_status(self, queryset, name, value):
        return queryset.filter(ended_on__isnull=(value == STATUS_ACTIVE))


# ---------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------


def _member_label(member: Member) -> str:
    branch = f" · {member.branch.name}" if member.branch_id else ""
    return f"{member.name}（{member.get_rank_display()}{branch}）"


def _show_members(field, members, *, empty: str | None) -> None:
    """Show `members` in the select while validating against the field's wider queryset."""
    choices = [("", empty)] if empty is not None else [("", "—")]
    field.widget.choices = choices + [(m.pk, _member_label(m)) for m in members]


def unit_members(unit: Unit, user, exclude_id: int | None = None):
    """Active members of `unit` the user sees, by name."""
    members = (
        Member.objects.visible_to(user)
        .filter(unit=unit, status=MemberStatus.ACTIVE)
        .select_related("branch")
        .order_by("name", "pk")
    )
    if exclude_id is not None:
        members = members.exclude(pk=exclude_id)
    return members


def pairing_units(user):
    """The units a new pairing may be given: the active ones the user sees."""
    return Unit.objects.visible_to(user).filter(is_active=True).order_by("sort_order", "name", "pk")


# A province has thousands of units: the form searches them (a drop-down while there are few).
pickers.register("pairing-units", model=Unit, queryset=pairing_units, rule="pairing.create")


class PairingCreateForm(forms.Form):
    """新建结对 (the committee): a household, the unit that serves it, who holds it, from when."""

    household = forms.ModelChoiceField(
        label=_("困难家庭"), queryset=Household.objects.none(), widget=forms.HiddenInput
    )
    unit = pickers.PickerField(
        "pairing-units",
        label=_("责任单位"),
        queryset=Unit.objects.none(),
        select_up_to=UNITS_IN_A_LIST,
        empty_label=_("请选择单位"),
    )
    member = forms.ModelChoiceField(
        label=_("结对党员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("不选则由全单位结对"),
    )
    started_on = forms.DateField(label=_("结对日期"), **DATE_WIDGET)

    def __init__(self, *args, user, unit: Unit | None = None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("started_on", business_date())
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(user)
        # choosing a unit reloads the member select with that unit's members (the template's
        # htmx around the field)
        self.fields["unit"].queryset = pairing_units(user)
        self.fields["member"].queryset = Member.objects.visible_to(user)
        members = unit_members(unit, user) if unit is not None else []
        _show_members(self.fields["member"], members, empty=_("全单位（不指定党员）"))

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "household": data["household"],
            "unit": data["unit"],
            "member": data["member"],
            "started_on": data["started_on"],
        }


def household_search(user, q: str, community_id: str, limit: int = 30):
    """Active households the user sees whose head's name contains `q`, in `community_id`."""
    found = (
        Household.objects.visible_to(user)
        .filter(status=HouseholdStatus.ACTIVE)
        .select_related("community", "community__parent")
        .order_by("head_name", "pk")
    )
    q = (q or "").strip()
    if not q and not community_id:
        return found.none()
    if q:
        found = found.filter(head_name__icontains=q)
    if parse_id(community_id):
        found = found.filter(community_id=parse_id(community_id))
    return found[:limit]


class HandoverForm(forms.Form):
    """交接 (接力棒): the successor, a member of the same unit, from a date, with a reason."""

    successor = forms.ModelChoiceField(label=_("接任党员"), queryset=Member.objects.none())
    effective_date = forms.DateField(
        label=_("交接生效日期"),
        help_text=_("接任党员自该日起负责；此前的走访仍记在原结对党员名下"),
        **DATE_WIDGET,
    )
    reason = forms.CharField(
        label=_("交接原因"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：原结对党员调离、退休")}),
    )

    def __init__(self, *args, user, pairing: Pairing, holder_id: int | None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_date", business_date())
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = Member.objects.visible_to(user)
        members = unit_members(pairing.unit, user, exclude_id=holder_id)
        _show_members(self.fields["successor"], members, empty=None)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "successor": data["successor"],
            "effective_date": data["effective_date"],
            "reason": data["reason"],
        }


class EndForm(forms.Form):
    """结束结对: why (脱困、迁出、去世…), the last day, a note."""

    reason = forms.ChoiceField(label=_("结束原因"), choices=EndReason.choices)
    ended_on = forms.DateField(label=_("结束日期"), **DATE_WIDGET)
    note = forms.CharField(
        label=_("结束说明"), max_length=200, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ended_on", business_date())
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("请选择"))] + list(EndReason.choices)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"reason": data["reason"], "ended_on": data["ended_on"], "note": data["note"]}
