"""The rules of a training plan: its lifecycle, and the days a session runs on the official
calendar.

- A session runs on `days_per_session` consecutive working days from its start date. A make-up
  Saturday (a Saturday worked in lieu of a holiday) counts as a working day only when the plan
  allows it; otherwise the session steps over it. A start on a day that is not a training day is
  refused; the last day must not pass the plan's last allowed date.
- Session dates are fixed by the committee (a proposal spreads them over the allowed dates, one a
  week); the solver chooses who goes to which session, not when sessions run.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role
from guanqing.training.choices import PlanState

COMMITTEE = {Role.COMMITTEE}
SATURDAY = 5
ONE_DAY = datetime.timedelta(days=1)

PLAN = Lifecycle(
    "training_plan",
    [
        Step(
            "solve",
            {PlanState.DRAFT, PlanState.SCHEDULED},
            PlanState.SCHEDULED,
            roles=COMMITTEE,
            label=_("排期"),
        ),
        Step("close", {PlanState.SCHEDULED}, PlanState.CLOSED, roles=COMMITTEE, label=_("结束")),
    ],
    states=PlanState.choices,
)


def is_training_day(day: datetime.date, *, is_workday: Callable, allow_saturdays: bool) -> bool:
    """A working day on the official calendar, a make-up Saturday only when allowed."""
    if not is_workday(day):
        return False
    return allow_saturdays or day.weekday() != SATURDAY


def session_days(
    start: datetime.date, n: int, *, is_workday: Callable, allow_saturdays: bool
) -> list[datetime.date] | None:
    """The `n` training days from `start` (itself one), or None when `start` is not one."""
    if not is_training_day(start, is_workday=is_workday, allow_saturdays=allow_saturdays):
        return None
    days, day = [start], start
    while len(days) < n:
        day += ONE_DAY
        if is_training_day(day, is_workday=is_workday, allow_saturdays=allow_saturdays):
            days.append(day)
    return days


def proposed_starts(
    first: datetime.date,
    count: int,
    days: int,
    *,
    is_workday: Callable,
    allow_saturdays: bool,
) -> list[datetime.date]:
    """One start a week from `first`: the first training day of each week from which the session
    fits before the next start."""
    starts: list[datetime.date] = []
    week = first
    while len(starts) < count:
        day = week
        while not is_training_day(day, is_workday=is_workday, allow_saturdays=allow_saturdays):
            day += ONE_DAY
        starts.append(day)
        run = session_days(day, days, is_workday=is_workday, allow_saturdays=allow_saturdays)
        week = max(week + datetime.timedelta(weeks=1), run[-1] + ONE_DAY)
    return starts
