"""The problem list's filters and a problem's timing against its deadline, shared by the API
(`/api/v1/frontline/problems/`) and the pages.

A problem's timing: an open one (received, assigned, returned, handling) is overdue once its
deadline has passed, due soon while at most `DUE_SOON_WORKDAYS` working days remain (the deadline
day included), else within its limit; a closed one was closed on time (by its deadline) or late;
a merged one has none (it follows its master). On the official calendar: a year it lacks leaves
the derived values empty, never guessed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core import text
from guanqing.core.api.filters import IdFilter
from guanqing.core.calendar.workdays import (
    CalendarYearMissing,
    add_workdays,
    business_date,
    workdays_between,
)
from guanqing.frontline import rules
from guanqing.frontline.choices import (
    OPEN_STATES,
    ProblemSource,
    ProblemState,
    Urgency,
)
from guanqing.frontline.models import Problem

# Due soon: the deadline day and the working day before it.
DUE_SOON_WORKDAYS = 1


class ProblemTiming:
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"

    choices = [
        (OPEN, pgettext_lazy("case timing", "时限内")),
        (DUE_SOON, pgettext_lazy("case timing", "即将到期")),
        (OVERDUE, pgettext_lazy("case timing", "已超期")),
        (ON_TIME, pgettext_lazy("case timing", "按期办结")),
        (LATE, pgettext_lazy("case timing", "超期办结")),
    ]
    labels = dict(choices)


@dataclass(frozen=True)
class ProblemClock:
    timing: str | None
    remaining_workdays: int | None  # open: left up to and including the deadline (negative past it)
    overdue_workdays: int | None  # open: past the deadline today; closed: at closing


NO_CLOCK = ProblemClock(None, None, None)


def problem_clock(problem: Problem, today: datetime.date) -> ProblemClock:
    """Where `problem` stands against its deadline on `today` (no query: the calendar is cached)."""
    deadline = problem.deadline
    if deadline is None or problem.state == ProblemState.MERGED:
        return NO_CLOCK
    try:
        if problem.state == ProblemState.CLOSED:
            closed_on = problem.closed_on or today
            return ProblemClock(
                ProblemTiming.ON_TIME if closed_on <= deadline else ProblemTiming.LATE,
                None,
                rules.overdue_workdays(deadline, closed_on),
            )
        if today <= deadline:
            left = workdays_between(today, deadline)
            timing = ProblemTiming.DUE_SOON if left <= DUE_SOON_WORKDAYS else ProblemTiming.OPEN
            return ProblemClock(timing, left, 0)
        overdue = rules.overdue_workdays(deadline, today)
        return ProblemClock(ProblemTiming.OVERDUE, -max(1, overdue), overdue)
    except CalendarYearMissing:
        return NO_CLOCK


def timing_filter(timing: str, *, today: datetime.date) -> Q:
    """The problems whose timing (`problem_clock`) is `timing` on `today`."""
    if timing == ProblemTiming.ON_TIME:
        return Q(state=ProblemState.CLOSED, closed_on__lte=F("deadline"))
    if timing == ProblemTiming.LATE:
        return Q(state=ProblemState.CLOSED, closed_on__gt=F("deadline"))
    running = Q(state__in=OPEN_STATES, deadline__isnull=False)
    if timing == ProblemTiming.OVERDUE:
        return running & Q(deadline__lt=today)
    # the first deadline with more than DUE_SOON_WORKDAYS working days left
    beyond = add_workdays(today, DUE_SOON_WORKDAYS + 1)
    if timing == ProblemTiming.DUE_SOON:
        return running & Q(deadline__gte=today, deadline__lt=beyond)
    return running & Q(deadline__gte=beyond)


class ProblemFilter(django_filters.FilterSet):
    """Problems by state, category, source, unit, urgency, date received, timing and text (the
    编号 or the title)."""

    q = django_filters.CharFilter(method="search", label=_("编号或标题"))
    state = django_filters.ChoiceFilter(choices=ProblemState.choices, label=_("状态"))
    category = IdFilter(field_name="category_id", label=_("难题类别"))
    source = django_filters.ChoiceFilter(choices=ProblemSource.choices, label=_("来源"))
    unit = IdFilter(field_name="unit_id", label=_("承办单位"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("紧急程度"))
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("受理日期从")
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("受理日期至")
    )
    timing = django_filters.ChoiceFilter(
        choices=ProblemTiming.choices, method="by_timing", label=_("办理时效")
    )

    class Meta:
        model = Problem
        fields = [
            "q",
            "state",
            "category",
            "source",
            "unit",
            "urgency",
            "received_from",
            "received_to",
            "timing",
        ]

    def search(self, queryset, name, value):
        value = text.strip_edges(value)
        if not value:
            return queryset
        return queryset.filter(Q(public_id__icontains=value) | Q(title__icontains=value))

    def by_timing(self, queryset, name, value):
        try:
            return queryset.filter(timing_filter(value, today=business_date()))
        except CalendarYearMissing as exc:
            raise ValidationError({"timing": [str(exc)]}) from exc
