"""FilterSets shared by the list pages and the API (one definition, two front ends)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core import sensitive
from guanqing.core.api.filters import IdFilter
from guanqing.core.ids import is_digits
from guanqing.registry import pickers
from guanqing.registry.choices import (
    DivisionLevel,
    HardshipCategory,
    HouseholdStatus,
    MemberStatus,
    OrgKind,
    Rank,
)
from guanqing.registry.models import Division, Household, Member, PartyOrg, Unit
from guanqing.registry.selectors import district_ids_rolling_up_to


class DivisionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    level = django_filters.ChoiceFilter(choices=DivisionLevel.choices, label=_("层级"))
    parent = django_filters.CharFilter(method="by_parent_code", label=_("上级区划代码"))
    current = django_filters.BooleanFilter(method="only_current", label=_("仅现行"))

    class Meta:
        model = Division
        fields = ["q", "level", "parent", "current"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def by_parent_code(self, queryset, name, value):
        return queryset.filter(parent__code=value.ljust(12, "0"))

    def only_current(self, queryset, name, value):
        return queryset.current() if value else queryset.exclude(valid_until__isnull=True)


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))

    class Meta:
        model = Unit
        fields = ["q", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))


def _unit_picker():
    # a province has thousands of units: a list page searches them past 30 (the API takes an id)
    return pickers.PickerFilter(
        "units", field_name="unit", queryset=Unit.objects.none(), label=_("单位")
    )


class PartyOrgFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("类型"))
    unit = IdFilter(field_name="unit_id", label=_("单位"))
    village = django_filters.BooleanFilter(
        field_name="division", lookup_expr="isnull", exclude=True, label=_("村级组织")
    )

    class Meta:
        model = PartyOrg
        fields = ["q", "kind", "unit", "village"]


def _search_with_id(queryset, value: str, name_field: str):
    """Names by substring; an exact 18-character ID number by its look-up hash (never in clear)."""
    value = value.strip()
    normalized = sensitive.normalize_id_number(value)
    if len(normalized) == 18 and is_digits(normalized[:17]):
        return queryset.filter(id_number_hash=sensitive.lookup_hash(normalized))
    return queryset.filter(**{f"{name_field}__icontains": value})


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名或身份证号"))
    unit = IdFilter(field_name="unit_id", label=_("单位"))
    rank = django_filters.ChoiceFilter(choices=Rank.choices, label=_("职级"))
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("状态"))
    home_community = django_filters.CharFilter(method="by_community_code", label=_("居住社区代码"))

    class Meta:
        model = Member
        fields = ["q", "unit", "rank", "status", "home_community"]

    def search(self, queryset, name, value):
        return _search_with_id(queryset, value, "name")

    def by_community_code(self, queryset, name, value):
        return queryset.filter(home_community__code=value.ljust(12, "0"))


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("户主姓名或身份证号"))
    category = django_filters.ChoiceFilter(choices=HardshipCategory.choices, label=_("困难类别"))
    status = django_filters.ChoiceFilter(choices=HouseholdStatus.choices, label=_("状态"))
    community = django_filters.CharFilter(method="by_community_code", label=_("社区/村代码"))
    district = django_filters.CharFilter(method="by_district_code", label=_("区县代码"))

    class Meta:
        model = Household
        fields = ["q", "category", "status", "community", "district"]

    def search(self, queryset, name, value):
        return _search_with_id(queryset, value, "head_name")

    def by_community_code(self, queryset, name, value):
        return queryset.filter(community__code=value.ljust(12, "0"))

    def by_district_code(self, queryset, name, value):
        """Today's district, with the districts merged into it (江东区 → 鄞州区)."""
        district = Division.objects.filter(
            code=value.ljust(12, "0"), level=DivisionLevel.DISTRICT
        ).first()
        if district is None:
            return queryset.none()
        return queryset.filter(community__district_id__in=district_ids_rolling_up_to(district))


class _UnitsSearched:
    """A list page's filters: the API's, with the unit a picker over the units the reader sees."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        units = Unit.objects.visible_to(user) if user is not None else Unit.objects.none()
        self.filters["unit"].queryset = units.order_by("sort_order", "name", "pk")


class PartyOrgPageFilter(_UnitsSearched, PartyOrgFilter):
    unit = _unit_picker()


class MemberPageFilter(_UnitsSearched, MemberFilter):
    unit = _unit_picker()
