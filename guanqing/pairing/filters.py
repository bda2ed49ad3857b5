"""FilterSets shared by the pairing pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.api.filters import IdFilter
from guanqing.pairing.choices import ProjectKind, ProjectStatus, SupportKind, VisitKind
from guanqing.pairing.models import Pairing, Partnership, PartnershipProject, Visit
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division
from guanqing.registry.selectors import district_ids_rolling_up_to


class PairingFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit_id", label=_("单位"))
    household = IdFilter(field_name="household_id", label=_("家庭"))
    member = IdFilter(method="by_member", label=_("结对党员（现任或曾任）"))
    active = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("进行中")
    )

    class Meta:
        model = Pairing
        fields = ["unit", "household", "member", "active"]

    def by_member(self, queryset, name, value):
        return queryset.filter(terms__member_id=value).distinct()


class VisitFilter(django_filters.FilterSet):
    """Visits by household, unit, place (today's district, merged districts rolled up; community),
    participant, date range, kind and whether help was given. The list page, its Excel export and
    `/api/v1/visits/` read the same parameters."""

    q = django_filters.CharFilter(method="by_head_name", label=_("户主姓名"))
    pairing = IdFilter(field_name="pairing_id", label=_("结对"))
    household = IdFilter(field_name="pairing__household_id", label=_("家庭"))
    unit = IdFilter(field_name="pairing__unit_id", label=_("单位"))
    district = django_filters.CharFilter(method="by_district_code", label=_("区县代码"))
    community = django_filters.CharFilter(method="by_community_code", label=_("社区/村代码"))
    member = IdFilter(method="by_member", label=_("参加党员"))
    participant = django_filters.CharFilter(method="by_participant_name", label=_("参加党员姓名"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("起"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("止"))
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices, method="by_kind", label=_("类型"))
    helped = django_filters.BooleanFilter(method="by_help", label=_("有帮扶"))

    class Meta:
        model = Visit
        fields = [
            "q",
            "pairing",
            "household",
            "unit",
            "district",
            "community",
            "member",
            "participant",
            "date_from",
            "date_to",
            "kind",
            "helped",
        ]

    def by_head_name(self, queryset, name, value):
        return queryset.filter(pairing__household__head_name__icontains=value.strip())

    def by_district_code(self, queryset, name, value):
        """Today's district, with the districts merged into it (江东区 → 鄞州区)."""
        district = Division.objects.filter(
            code=value.strip().ljust(12, "0"), level=DivisionLevel.DISTRICT
        ).first()
        if district is None:
            return queryset.none()
        return queryset.filter(
            pairing__household__community__district_id__in=district_ids_rolling_up_to(district)
        )

    def by_community_code(self, queryset, name, value):
        return queryset.filter(pairing__household__community__code=value.strip().ljust(12, "0"))

    def by_member(self, queryset, name, value):
        return queryset.filter(
            pk__in=Visit.participants.through.objects.filter(member_id=value).values("visit_id")
        )

    def by_participant_name(self, queryset, name, value):
        through = Visit.participants.through.objects.filter(member__name__icontains=value.strip())
        return queryset.filter(pk__in=through.values("visit_id"))

    def by_kind(self, queryset, name, value):
        return queryset.filter(**{value: True})

    def by_help(self, queryset, name, value):
        """Help given: cash, goods, or employment or business support."""
        given = Q(cash_amount__gt=0) | Q(in_kind_value__gt=0) | ~Q(support_kind=SupportKind.NONE)
        return queryset.filter(given) if value else queryset.exclude(given)


class PartnershipFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit_org__unit_id", label=_("单位"))
    village = django_filters.CharFilter(method="by_village_code", label=_("村代码"))
    active = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("进行中")
    )

    class Meta:
        model = Partnership
        fields = ["unit", "village", "active"]

    def by_village_code(self, queryset, name, value):
        return queryset.filter(village_org__division__code=value.strip().ljust(12, "0"))


class PartnershipProjectFilter(django_filters.FilterSet):
    partnership = IdFilter(field_name="partnership_id", label=_("结对共建"))
    kind = django_filters.ChoiceFilter(choices=ProjectKind.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))
    q = django_filters.CharFilter(method="search", label=_("搜索"))

    class Meta:
        model = PartnershipProject
        fields = ["partnership", "kind", "status", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(note__icontains=value))
