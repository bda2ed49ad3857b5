"""The FilterSets of the care lists (the pages and the API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from guanqing.care.choices import CareSystem, EventSource, ObligationState
from guanqing.care.models import CareEvent, Obligation
from guanqing.care.selectors import week_end
from guanqing.core.api.filters import IdFilter
from guanqing.core.calendar.workdays import business_date
from guanqing.registry import pickers
from guanqing.registry.models import Unit

WHEN = [
    ("overdue", _("逾期未落实")),
    ("week", _("本周到期")),
    ("escalated", _("已报单位党委")),
]


class _UnitChoice:
    def _units(self):
        # only the units of the rows the user sees (the queryset is already scoped)
        self.filters["unit"].queryset = Unit.objects.filter(
            pk__in=self.queryset.values("unit_id")
        ).order_by("sort_order", "pk")

    def page_form(self):
        """The form a page shows: without the unit choice when there is only one unit to pick."""
        form = self.form
        if self.filters["unit"].queryset.count() <= 1:
            form.fields.pop("unit", None)
        return form


class ObligationFilter(_UnitChoice, django_filters.FilterSet):
    """By unit, system, state, and when: overdue, due this week, escalated."""

    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.none(), label=_("单位"))
    system = django_filters.ChoiceFilter(
        field_name="event__rule__system", choices=CareSystem.choices, label=_("制度")
    )
    state = django_filters.ChoiceFilter(choices=ObligationState.choices, label=_("状态"))
    when = django_filters.ChoiceFilter(choices=WHEN, method="by_when", label=_("期限"))
    event = IdFilter(field_name="event_id", label=_("关怀事件"))

    class Meta:
        model = Obligation
        fields = ["unit", "system", "state", "when", "event"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._units()

    def by_when(self, queryset, name, value):
        today = business_date()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "week":
            return queryset.open().filter(due_on__gte=today, due_on__lte=week_end(today))
        if value == "escalated":
            return queryset.open().filter(escalated_on__isnull=False)
        return queryset


class EventFilter(_UnitChoice, django_filters.FilterSet):
    """By unit, system, source, member and a date range over the day of the event."""

    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.none(), label=_("单位"))
    system = django_filters.ChoiceFilter(
        field_name="rule__system", choices=CareSystem.choices, label=_("制度")
    )
    source = django_filters.ChoiceFilter(choices=EventSource.choices, label=_("来源"))
    member = IdFilter(field_name="member_id", label=_("党员"))
    date_from = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=_("开始日期")
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=_("结束日期")
    )

    class Meta:
        model = CareEvent
        fields = ["unit", "system", "source", "member", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._units()


def _unit_picker():
    # a province has thousands of units: past 30 the committee searches them (kind "care-units")
    return pickers.PickerFilter(
        "care-units",
        queryset=Unit.objects.none(),
        label=_("单位"),
        search_help=pickers.SUBMIT_UNIT_FILTER_HELP,
    )


class ObligationPageFilter(ObligationFilter):
    """The obligations page's filters: the API's, with the unit searched."""

    unit = _unit_picker()


class EventPageFilter(EventFilter):
    """The events page's filters: the API's, with the unit searched."""

    unit = _unit_picker()
