"""FilterSets of the service window's API lists: the catalogue's matters and the cases."""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanqing.core import sensitive
from guanqing.core.api.filters import IdFilter
from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays, business_date
from guanqing.core.ids import is_digits
from guanqing.window.choices import CaseState
from guanqing.window.models import Case, Matter, WindowSettings
from guanqing.window.rules import Timing


class MatterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("办理项编码或名称"))
    item = IdFilter(field_name="item_id", label=_("审批事项"))
    unit = IdFilter(field_name="item__unit_id", label=_("单位"))

    class Meta:
        model = Matter
        fields = ["q", "item", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


def timing_filter(timing: str, *, today: datetime.date, due_soon_workdays: int) -> Q:
    """The cases whose derived timing (`guanqing.window.rules.timing`) is `timing` on `today`.

    Completed cases by their completion date against the deadline; open ones by the working days
    left: due soon while at most `due_soon_workdays` remain (the deadline day included), overdue
    once it has passed; a paused case's clock stands still, so it counts as open.
    """
    completed = Q(completed_on__isnull=False, deadline__isnull=False)
    if timing == Timing.EARLY:
        return completed & Q(completed_on__lt=F("deadline"))
    if timing == Timing.ON_TIME:
        return completed & Q(completed_on=F("deadline"))
    if timing == Timing.LATE:
        return completed & Q(completed_on__gt=F("deadline"))
    running = Q(state=CaseState.ACCEPTED, completed_on__isnull=True)
    if timing == Timing.OVERDUE:
        return running & Q(deadline__lt=today)
    # the first deadline with more than `due_soon_workdays` working days left
    beyond = add_workdays(today, due_soon_workdays + 1)
    if timing == Timing.DUE_SOON:
        return running & Q(deadline__gte=today, deadline__lt=beyond)
    return Q(state=CaseState.PAUSED) | (running & Q(deadline__gte=beyond))


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("受理编号、申请人或证件号码"))
    state = django_filters.ChoiceFilter(choices=CaseState.choices, label=_("状态"))
    window = IdFilter(field_name="window_id", label=_("窗口"))
    unit = IdFilter(field_name="window__unit_id", label=_("单位"))
    matter = django_filters.CharFilter(field_name="version__matter__code", label=_("办理项编码"))
    item = IdFilter(field_name="version__matter__item_id", label=_("审批事项"))
    timing = django_filters.ChoiceFilter(
        choices=Timing.choices, method="by_timing", label=_("办理时效")
    )
    accepted_from = django_filters.DateFilter(
        field_name="accepted_on", lookup_expr="gte", label=_("受理日期从")
    )
    accepted_to = django_filters.DateFilter(
        field_name="accepted_on", lookup_expr="lte", label=_("受理日期至")
    )

    class Meta:
        model = Case
        fields = [
            "q",
            "state",
            "window",
            "unit",
            "matter",
            "item",
            "timing",
            "accepted_from",
            "accepted_to",
        ]

    def search(self, queryset, name, value):
        """A receipt number or an applicant's name by substring, a 统一社会信用代码 exactly, a
        person's ID number exactly by its look-up hash (never in clear)."""
        value = value.strip()
        if not value:
            return queryset
        normalized = sensitive.normalize_id_number(value)
        if len(normalized) == 18 and is_digits(normalized[:17]):
            return queryset.filter(
                Q(id_number_hash=sensitive.lookup_hash(normalized))
                | Q(credit_code=normalized)
                | Q(receipt_no__icontains=value)
            )
        return queryset.filter(
            Q(receipt_no__icontains=value)
            | Q(applicant_name__icontains=value)
            | Q(credit_code=normalized)
        )

    def by_timing(self, queryset, name, value):
        today = business_date()
        due_soon = WindowSettings.current().due_soon_workdays
        try:
            return queryset.filter(timing_filter(value, today=today, due_soon_workdays=due_soon))
        except CalendarYearMissing as exc:
            raise ValidationError({"timing": [str(exc)]}) from exc
