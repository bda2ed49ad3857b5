"""FilterSets shared by the 党员进社区 pages and the API."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanqing.community.choices import (
    ActivityRole,
    ActivityStatus,
    Grade,
    RegistrationStatus,
    ServiceRole,
    SignupStatus,
)
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term
from guanqing.community.selectors import day_bounds
from guanqing.core.api.filters import IdFilter


def _by_term(queryset, name, value):
    try:
        term = Term.parse(value)
    except ValueError:
        raise ValidationError({"term": [gettext("半年度格式应为 2026H1 或 2026H2")]}) from None
    return queryset.filter(year=term.year, half=term.half)


def _community_code(queryset, name, value):
    return queryset.filter(community__code=str(value).strip().ljust(12, "0"))


class RegistrationFilter(django_filters.FilterSet):
    term = django_filters.CharFilter(method=_by_term, label=_("半年度（2026H2）"))
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices, label=_("状态"))
    role = django_filters.ChoiceFilter(choices=ServiceRole.choices, label=_("六员岗位"))
    community = django_filters.CharFilter(method=_community_code, label=_("社区代码"))
    unit = IdFilter(field_name="member__unit_id", label=_("单位"))
    member = IdFilter(field_name="member_id", label=_("党员"))

    class Meta:
        model = Registration
        fields = ["term", "status", "role", "community", "unit", "member"]


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("活动名称"))
    community = django_filters.CharFilter(method=_community_code, label=_("社区代码"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("状态"))
    role = django_filters.ChoiceFilter(choices=ActivityRole.choices, label=_("面向岗位"))
    date_from = django_filters.DateFilter(method="starts_from", label=_("开始日期起"))
    date_to = django_filters.DateFilter(method="starts_to", label=_("开始日期止"))

    class Meta:
        model = Activity
        fields = ["q", "community", "status", "role", "date_from", "date_to"]

    def starts_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=day_bounds(value, value)[0])

    def starts_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=day_bounds(value, value)[1])


class SignupFilter(django_filters.FilterSet):
    activity = IdFilter(field_name="activity_id", label=_("活动"))
    member = IdFilter(field_name="member_id", label=_("党员"))
    status = django_filters.ChoiceFilter(choices=SignupStatus.choices, label=_("状态"))

    class Meta:
        model = ActivitySignup
        fields = ["activity", "member", "status"]


class AttendanceFilter(django_filters.FilterSet):
    activity = IdFilter(field_name="activity_id", label=_("活动"))
    member = IdFilter(field_name="member_id", label=_("党员"))

    class Meta:
        model = Attendance
        fields = ["activity", "member"]


class ManualHoursFilter(django_filters.FilterSet):
    activity = IdFilter(field_name="activity_id", label=_("活动"))
    member = IdFilter(field_name="member_id", label=_("党员"))

    class Meta:
        model = ManualHours
        fields = ["activity", "member"]


class RatingFilter(django_filters.FilterSet):
    term = django_filters.CharFilter(method=_by_term, label=_("半年度（2026H2）"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("评价等次"))
    member = IdFilter(field_name="member_id", label=_("党员"))
    unit = IdFilter(field_name="member__unit_id", label=_("单位"))
    community = django_filters.CharFilter(method=_community_code, label=_("社区代码"))

    class Meta:
        model = Rating
        fields = ["term", "grade", "member", "unit", "community"]
