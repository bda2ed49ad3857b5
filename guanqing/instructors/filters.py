"""The FilterSet of the terms list (the unit's and committee's page and the API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanqing.core.api.filters import IdFilter
from guanqing.instructors.choices import TermState
from guanqing.instructors.models import InstructorTerm, WorkLog
from guanqing.registry import pickers
from guanqing.registry.models import Unit


def _units(user=None):
    units = Unit.objects if user is None else Unit.objects.visible_to(user)
    return units.order_by("sort_order", "pk")


# The terms page's unit filter, searched past 30 units, for whoever reads the terms list.
pickers.register("instructor-units", model=Unit, queryset=_units, rule="instructors.terms")


class TermFilter(django_filters.FilterSet):
    """By state, unit, and a search over the instructor's and the village's names."""

    q = django_filters.CharFilter(method="search", label=_("指导员或村名"))
    state = django_filters.ChoiceFilter(choices=TermState.choices, label=_("状态"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.none(), label=_("单位"))

    class Meta:
        model = InstructorTerm
        fields = ["q", "state", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # only the units of the terms the user sees (the queryset is already scoped)
        self.filters["unit"].queryset = Unit.objects.filter(
            pk__in=self.queryset.values("unit_id")
        ).order_by("sort_order", "pk")

    def page_form(self):
        """The form a page shows: without the unit choice when there is only one unit to pick."""
        form = self.form
        if self.filters["unit"].queryset.count() <= 1:
            form.fields.pop("unit", None)
        return form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(member__name__icontains=value) | Q(village__name__icontains=value))


class LogFilter(django_filters.FilterSet):
    """A term's entries, and a date range over the days in the village."""

    term = IdFilter(field_name="term_id", label=_("任期"))
    date_from = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="gte", label=_("开始日期")
    )
    date_to = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", label=_("结束日期")
    )

    class Meta:
        model = WorkLog
        fields = ["term", "date_from", "date_to"]


class TermPageFilter(TermFilter):
    """The terms page's filters: the API's, with the unit searched past 30 (a province has
    thousands)."""

    unit = pickers.PickerFilter(
        "instructor-units",
        queryset=Unit.objects.none(),
        label=_("单位"),
        search_help=pickers.SUBMIT_UNIT_FILTER_HELP,
    )
