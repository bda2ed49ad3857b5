"""FilterSets shared by the 党员进社区 pages and the API."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanqing.community import selectors
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
from guanqing.registry.models import Member


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


ROSTER_SHOW = (
    ("missing", _("未报到")),
    ("pending", _("待确认")),
    ("confirmed", _("已确认")),
)
TRUE_WORDS = ("1", "true", "yes")


class RosterFilter(django_filters.FilterSet):
    """The unit's roster of a half-year (`selectors.roster`, which fixes the term and the unit):
    the page filters with `show` and `q`, the API with `missing` (and may use the others).

    - `show=missing`: not registered (no registration, or a rejected one); `pending` / `confirmed`:
      registered with that status;
    - `missing=true`: without a confirmed registration (pending ones too);
    - `q`: part of the name."""

    show = django_filters.ChoiceFilter(
        choices=ROSTER_SHOW, method="by_show", empty_label=_("全部"), label=_("报到情况")
    )
    missing = django_filters.CharFilter(method="not_confirmed", label=_("只看未报到"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名"))

    class Meta:
        model = Member
        fields = ["show", "missing", "q"]

    def by_show(self, queryset, name, value):
        if value == "missing":
            return selectors.roster_missing(queryset)
        return queryset.filter(registration_status=value)

    def not_confirmed(self, queryset, name, value):
        if str(value).strip().lower() in TRUE_WORDS:
            return selectors.roster_not_confirmed(queryset)
        return queryset
