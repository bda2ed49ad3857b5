"""The rules of an obligation: its lifecycle, its deadline and escalation day on the official
calendar, and how it stands against its deadline.

- Deadline: `limit` working days after the day of the event (`add_workdays`: counting starts the
  day after; holidays are skipped and the weekend days worked in lieu count).
- Escalation: an obligation still open the working day after its deadline is reported to the
  unit's party committee, once (the daily job sets `escalated_on`).
- Timing: met on or before the deadline is on time, after it late; waived; open past the deadline
  overdue; open otherwise not yet due.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from guanqing.care.choices import ObligationState, Timing
from guanqing.core.calendar.workdays import add_workdays
from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role

UNIT = {Role.COMMITTEE, Role.UNIT_ADMIN}

OBLIGATION = Lifecycle(
    "care_obligation",
    [
        Step("meet", {ObligationState.OPEN}, ObligationState.MET, roles=UNIT, label=_("登记落实")),
        Step(
            "waive",
            {ObligationState.OPEN},
            ObligationState.WAIVED,
            roles=UNIT,
            label=_("免除"),
        ),
        # the daily job's escalation keeps the obligation open; no one takes it by hand
        Step("escalate", {ObligationState.OPEN}, None, roles=(), label=_("报单位党委")),
    ],
    states=ObligationState.choices,
)


def due_on(occurred_on: datetime.date, limit_workdays: int) -> datetime.date:
    """The deadline: `limit_workdays` working days after the event."""
    return add_workdays(occurred_on, limit_workdays)


def escalates_on(due: datetime.date) -> datetime.date:
    """The working day after the deadline, when an obligation still open is escalated."""
    return add_workdays(due, 1)


def timing(
    state: str, due: datetime.date, met_on: datetime.date | None, today: datetime.date
) -> str:
    if state == ObligationState.MET:
        return Timing.LATE if met_on is not None and met_on > due else Timing.ON_TIME
    if state == ObligationState.WAIVED:
        return Timing.WAIVED
    return Timing.OVERDUE if due < today else Timing.PENDING
