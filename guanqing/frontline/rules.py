"""The problem loop's rules: time limits on the official calendar and the lifecycle. Pure rules,
no database of their own.

A problem received on day R with a limit of n working days is due on the n-th working day after
R (counting starts the next day; an emergency's 0 means R itself); an approved extension of m
working days moves it by m. Escalation is derived from the deadline D: 催办 is due on the first
working day after D, 通报 once the problem is `notice_after` working days overdue (the
`notice_after`-th working day after D). 回访 is due the working day after 办结. A year the calendar
lacks raises the calendar's error naming it: a limit is never guessed.

    received ──dispatch──▶ assigned ──accept──▶ handling ──answer──▶ closed
                             └─return─▶ returned ──reassign──▶ assigned
    closed ──reopen (a 不满意 rating, once)──▶ handling
    received/assigned/returned/handling ──merge──▶ merged (follows its master)
"""

from __future__ import annotations

import datetime

from django.utils.translation import pgettext_lazy

from guanqing.core.calendar.workdays import add_workdays, workdays_between
from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role
from guanqing.frontline.choices import ProblemState


def deadline(received_on: datetime.date, workdays: int, extension: int = 0) -> datetime.date:
    """The `workdays`-th working day after `received_on`, plus an approved extension."""
    if workdays < 0 or extension < 0:
        raise ValueError("limits are 0 or more working days")
    return add_workdays(received_on, workdays + extension)


def urge_due(deadline_on: datetime.date) -> datetime.date:
    """催办: the first working day after the deadline."""
    return add_workdays(deadline_on, 1)


def notice_due(deadline_on: datetime.date, notice_after: int) -> datetime.date:
    """通报: the day the problem is `notice_after` working days overdue."""
    if notice_after < 1:
        raise ValueError("notice_after is at least one working day")
    return add_workdays(deadline_on, notice_after)


def callback_due(closed_on: datetime.date) -> datetime.date:
    """回访: the working day after 办结."""
    return add_workdays(closed_on, 1)


def overdue_workdays(deadline_on: datetime.date, today: datetime.date) -> int:
    """Working days past the deadline as of `today` (0 on or before it)."""
    return max(0, workdays_between(deadline_on, today)) if today > deadline_on else 0


def on_time(deadline_on: datetime.date | None, closed_on: datetime.date | None) -> bool | None:
    """Closed by its deadline (None while open or without a deadline)."""
    if deadline_on is None or closed_on is None:
        return None
    return closed_on <= deadline_on


# --- the lifecycle ------------------------------------------------------------------------------

RECEIVED = ProblemState.RECEIVED
ASSIGNED = ProblemState.ASSIGNED
RETURNED = ProblemState.RETURNED
HANDLING = ProblemState.HANDLING
CLOSED = ProblemState.CLOSED
MERGED = ProblemState.MERGED

COMMITTEE = {Role.COMMITTEE}
UNIT = {Role.UNIT_ADMIN}
NOBODY: set[Role] = set()  # the reporter (by code) or the daily job

PROBLEM = Lifecycle(
    "problem",
    [
        Step(
            "dispatch",
            {RECEIVED},
            ASSIGNED,
            roles=COMMITTEE,
            label=pgettext_lazy("problem", "派单"),
        ),
        Step("return", {ASSIGNED}, RETURNED, roles=UNIT, label=pgettext_lazy("problem", "退单")),
        Step(
            "reassign",
            {RETURNED},
            ASSIGNED,
            roles=COMMITTEE,
            label=pgettext_lazy("problem", "改派"),
        ),
        Step("accept", {ASSIGNED}, HANDLING, roles=UNIT, label=pgettext_lazy("problem", "签收")),
        Step("progress", {HANDLING}, None, roles=UNIT, label=pgettext_lazy("problem", "记录进展")),
        Step(
            "request_extension",
            {HANDLING},
            None,
            roles=UNIT,
            label=pgettext_lazy("problem", "申请延期"),
        ),
        Step(
            "decide_extension",
            {HANDLING},
            None,
            roles=COMMITTEE,
            label=pgettext_lazy("problem", "审批延期"),
        ),
        Step("answer", {HANDLING}, CLOSED, roles=UNIT, label=pgettext_lazy("problem", "办结答复")),
        Step(
            "merge",
            {RECEIVED, ASSIGNED, RETURNED, HANDLING},
            MERGED,
            roles=COMMITTEE,
            label=pgettext_lazy("problem", "并单"),
        ),
        Step("callback", {CLOSED}, None, roles=COMMITTEE, label=pgettext_lazy("problem", "回访")),
        Step("rate", {CLOSED}, None, roles=NOBODY, label=pgettext_lazy("problem", "评价")),
        Step(
            "reopen", {CLOSED}, HANDLING, roles=NOBODY, label=pgettext_lazy("problem", "重新办理")
        ),
        # the daily job's escalation: the state does not change
        Step(
            "urge",
            {ASSIGNED, RETURNED, HANDLING},
            None,
            roles=NOBODY,
            label=pgettext_lazy("problem", "催办"),
        ),
        Step(
            "notice",
            {ASSIGNED, RETURNED, HANDLING},
            None,
            roles=NOBODY,
            label=pgettext_lazy("problem", "通报"),
        ),
    ],
    states=ProblemState.choices,
)
