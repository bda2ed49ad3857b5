"""FilterSets shared by the micro-wish pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from guanqing.core.api.filters import IdFilter
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division
from guanqing.registry.selectors import district_ids_rolling_up_to
from guanqing.wishes.choices import ClaimStatus, WishCategory, WishStatus
from guanqing.wishes.models import Wish, WishClaim


class WishFilter(django_filters.FilterSet):
    """The wall's filters: today's district (merged districts rolled up), community, category,
    estimated cost; plus status and `wall=true` (only what is open for claims)."""

    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("心愿"))
    district = django_filters.CharFilter(method="by_district_code", label=_("区县代码"))
    community = django_filters.CharFilter(method="by_community_code", label=_("社区/村代码"))
    category = django_filters.ChoiceFilter(choices=WishCategory.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=WishStatus.choices, label=_("状态"))
    cost_min = django_filters.NumberFilter(
        field_name="estimated_cost", lookup_expr="gte", label=_("费用不低于（元）")
    )
    cost_max = django_filters.NumberFilter(
        field_name="estimated_cost", lookup_expr="lte", label=_("费用不高于（元）")
    )
    wall = django_filters.BooleanFilter(method="on_wall", label=_("只看心愿墙"))

    class Meta:
        model = Wish
        fields = ["q", "district", "community", "category", "status", "cost_min", "cost_max"]

    def by_district_code(self, queryset, name, value):
        district = Division.objects.filter(
            code=value.strip().ljust(12, "0"), level=DivisionLevel.DISTRICT
        ).first()
        if district is None:
            return queryset.none()
        return queryset.filter(community__district_id__in=district_ids_rolling_up_to(district))

    def by_community_code(self, queryset, name, value):
        return queryset.filter(community__code=value.strip().ljust(12, "0"))

    def on_wall(self, queryset, name, value):
        return queryset.on_wall() if value else queryset


class WallFilter(WishFilter):
    """The wall page's filters: the API's `WishFilter`, but the community is named by id, as the
    page's community picker sends it (a province has some 25,000), instead of by code."""

    community = IdFilter(field_name="community_id", label=_("社区/村"))


class WishClaimFilter(django_filters.FilterSet):
    wish = IdFilter(field_name="wish_id", label=_("微心愿"))
    member = IdFilter(field_name="member_id", label=_("认领党员"))
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, label=_("状态"))

    class Meta:
        model = WishClaim
        fields = ["wish", "member", "status"]
