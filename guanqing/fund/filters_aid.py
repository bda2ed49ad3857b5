"""The aid applications list's filters, shared by the API (`/api/v1/fund/applications/`) and the
page: state, year, unit, a number, and "waiting for me" — applications whose next step of the
chain is the user's role, that the user has not decided before and that are not its own."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from guanqing.core import text
from guanqing.core.api.filters import IdFilter, YearFilter
from guanqing.fund.choices import ApplicationState
from guanqing.fund.models import AidApplication

# the longest chain `rules.approval_chain` makes (the fund officer, then up to two committee
# members)
MAX_CHAIN = 3


def waiting_for(queryset, user):
    """The applications of `queryset` whose next step `user` may decide now."""
    role = getattr(user, "role", None)
    if role is None:
        return queryset.none()
    step_is_mine = Q()
    for index in range(MAX_CHAIN):
        step_is_mine |= Q(decided_steps=index, **{f"chain__{index}": str(role)})
    rows = (
        queryset.filter(state=ApplicationState.SUBMITTED)
        .annotate(decided_steps=Count("approvals", distinct=True))
        .filter(step_is_mine)
        .exclude(created_by_id=user.pk)
        .exclude(approvals__approver_id=user.pk)
    )
    if user.member_id is not None:
        rows = rows.exclude(member_id=user.member_id)
    return rows


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("申请编号"))
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, label=_("状态"))
    year = YearFilter(field_name="year", label=_("年度"))
    unit = IdFilter(field_name="unit_id", label=_("单位"))
    waiting = django_filters.BooleanFilter(method="by_waiting", label=_("待我审批"))

    class Meta:
        model = AidApplication
        fields = ["q", "state", "year", "unit", "waiting"]

    def search(self, queryset, name, value):
        value = text.strip_edges(value)
        if not value:
            return queryset
        return queryset.filter(number__icontains=value)

    def by_waiting(self, queryset, name, value):
        if not value:
            return queryset
        return waiting_for(queryset, getattr(self.request, "user", None))
