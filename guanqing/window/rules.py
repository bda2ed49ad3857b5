"""The clock of a case and its lifecycle: pure rules, no database of their own.

The clock runs on the official calendar (`core.calendar.workdays`): a case accepted on day A with
a promised limit of n working days is due on the n-th working day after A (counting starts the next
day; a Saturday worked in lieu of a holiday counts). A pause (行政许可法 §45) begun on day S and
ended on day E stops the clock for the working days after S up to and including E, and moves the
deadline by exactly that many working days; several pauses add up; a pause still running counts as
ending today. A year the calendar has no data for raises the calendar's error naming the year: a
deadline is never guessed.

Working days used, early / on time / late, remaining working days, due soon and overdue are derived
here and never stored.

    correction ──accept──▶ accepted ⇄ paused (pause / resume; supply keeps either state)
        └──refuse──▶ refused      accepted ──complete──▶ completed ──deliver──▶ delivered
    accepted/paused ──terminate (the daily job: a 容缺 promise not kept)──▶ terminated
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import models
from django.utils.translation import pgettext_lazy

from guanqing.core.calendar.workdays import add_workdays, business_date, workdays_between
from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role
from guanqing.window.choices import CaseState, FollowUpState, RatingLevel

# (started_on, ended_on); ended_on is None while the pause is running.
Pause = tuple[datetime.date, datetime.date | None]

RECEIPT_PREFIX = "SL"  # 受理


def _counted(pauses: Iterable[Pause], until: datetime.date | None) -> list[Pause]:
    """The pauses sorted, each with its end (a running one ends at `until`, or today); ValueError
    for a pause that ends before it starts, a running pause that is not the last, or an overlap."""
    # by start, then end: a pause resumed the day it began comes before one begun again that day
    ordered = sorted(pauses, key=lambda pause: (pause[0], pause[1] or datetime.date.max))
    counted: list[Pause] = []
    for index, (started_on, ended_on) in enumerate(ordered):
        if ended_on is None:
            if index != len(ordered) - 1:
                raise ValueError("only the last pause may still be running")
            ended_on = max(started_on, business_date() if until is None else until)
        if ended_on < started_on:
            raise ValueError(f"a pause ends ({ended_on}) before it starts ({started_on})")
        if counted and started_on < counted[-1][1]:
            raise ValueError(f"pauses overlap: one starts on {started_on} before another ends")
        counted.append((started_on, ended_on))
    return counted


def paused_workdays(pauses: Iterable[Pause], *, until: datetime.date | None = None) -> int:
    """The working days the pauses stop the clock for: after each pause's start up to and including
    its end. A running pause ends at `until` (today when not given); pauses may not overlap."""
    return sum(workdays_between(start, end) for start, end in _counted(pauses, until))


def deadline(
    accepted_on: datetime.date,
    workdays: int,
    pauses: Iterable[Pause] = (),
    *,
    today: datetime.date | None = None,
) -> datetime.date:
    """The `workdays`-th working day after `accepted_on`, moved by the pauses' working days.

    A running pause counts as ending `today` (today's business date when not given), so the
    deadline shown while paused is at least what it will be.
    """
    pauses = list(pauses)
    for started_on, _ended_on in pauses:
        if started_on < accepted_on:
            raise ValueError(f"a pause starts ({started_on}) before the case ({accepted_on})")
    return add_workdays(accepted_on, workdays + paused_workdays(pauses, until=today))


def workdays_used(
    accepted_on: datetime.date, end: datetime.date, pauses: Iterable[Pause] = ()
) -> int:
    """The working days after `accepted_on` up to and including `end`, less the paused ones (a pause
    counts up to `end` at most; a running one ends there)."""
    if end < accepted_on:
        raise ValueError(f"the end ({end}) is before the acceptance ({accepted_on})")
    paused = sum(
        max(0, workdays_between(start, min(stop, end))) for start, stop in _counted(pauses, end)
    )
    return workdays_between(accepted_on, end) - paused


class Timing(models.TextChoices):
    EARLY = "early", pgettext_lazy("case timing", "提前办结")  # completed before the deadline
    ON_TIME = "on_time", pgettext_lazy("case timing", "按期办结")  # completed on the deadline
    LATE = "late", pgettext_lazy("case timing", "超期办结")  # completed after the deadline
    OPEN = "open", pgettext_lazy("case timing", "时限内")  # open, more than due_soon days left
    DUE_SOON = "due_soon", pgettext_lazy("case timing", "即将到期")  # open, due_soon days or less
    OVERDUE = "overdue", pgettext_lazy("case timing", "已超期")  # open, the deadline has passed


def remaining_workdays(deadline: datetime.date, today: datetime.date) -> int:
    """Working days left after `today` up to and including the deadline: 0 on the deadline itself;
    negative once it has passed (at least -1, even on the non-working days right after it)."""
    if today <= deadline:
        return workdays_between(today, deadline)
    return -max(1, workdays_between(deadline, today))


def timing(
    *,
    deadline: datetime.date,
    completed_on: datetime.date | None = None,
    today: datetime.date,
    due_soon_workdays: int = 1,
) -> Timing:
    """How a case stands against its deadline: by its completion date once completed, else by the
    working days left (due soon with `due_soon_workdays` or fewer, the deadline day included)."""
    if due_soon_workdays < 0:
        raise ValueError("due_soon_workdays must be 0 or more")
    if completed_on is not None:
        if completed_on < deadline:
            return Timing.EARLY
        if completed_on == deadline:
            return Timing.ON_TIME
        return Timing.LATE
    left = remaining_workdays(deadline, today)
    if left < 0:
        return Timing.OVERDUE
    if left <= due_soon_workdays:
        return Timing.DUE_SOON
    return Timing.OPEN


def receipt_number(window_id: int, day: datetime.date, sequence: int) -> str:
    """受理编号: "SL", the date, the window and that window's running number that day, e.g.
    SL20260513-0007-0042. Unique by construction (the dashes keep wider numbers apart)."""
    if window_id < 1 or sequence < 1:
        raise ValueError("the window and the running number start at 1")
    return f"{RECEIPT_PREFIX}{day:%Y%m%d}-{window_id:04d}-{sequence:04d}"


# --- the lifecycle ------------------------------------------------------------------------------

CORRECTION = CaseState.CORRECTION
REFUSED = CaseState.REFUSED
ACCEPTED = CaseState.ACCEPTED
PAUSED = CaseState.PAUSED
COMPLETED = CaseState.COMPLETED
DELIVERED = CaseState.DELIVERED
TERMINATED = CaseState.TERMINATED

CLERK = {Role.WINDOW_CLERK}
NOBODY: set[Role] = set()  # the daily job

CASE = Lifecycle(
    "case",
    [
        # A case accepted at once is created accepted; one asked for corrections is accepted later.
        Step("accept", {CORRECTION}, ACCEPTED, roles=CLERK, label=pgettext_lazy("case", "受理")),
        Step("refuse", {CORRECTION}, REFUSED, roles=CLERK, label=pgettext_lazy("case", "不予受理")),
        Step("pause", {ACCEPTED}, PAUSED, roles=CLERK, label=pgettext_lazy("case", "中止")),
        Step("resume", {PAUSED}, ACCEPTED, roles=CLERK, label=pgettext_lazy("case", "恢复")),
        # the deferred materials arrive: the state stays what it was
        Step(
            "supply",
            {ACCEPTED, PAUSED},
            None,
            roles=CLERK,
            label=pgettext_lazy("case", "补齐容缺材料"),
        ),
        Step("complete", {ACCEPTED}, COMPLETED, roles=CLERK, label=pgettext_lazy("case", "办结")),
        Step("deliver", {COMPLETED}, DELIVERED, roles=CLERK, label=pgettext_lazy("case", "送达")),
        Step(
            "terminate",
            {ACCEPTED, PAUSED},
            TERMINATED,
            roles=NOBODY,
            label=pgettext_lazy("case", "终止"),
        ),
    ],
    states=CaseState.choices,
)


# --- 好差评 ---------------------------------------------------------------------------------------


def rating_open_until(day: datetime.date, window_days: int) -> datetime.date:
    """The last day a case completed (or a fix fed back) on `day` may still be rated: the rating
    window is `window_days` calendar days, the day itself not counted (completed 05-13 with 30
    days: rated until 06-12)."""
    if window_days < 1:
        raise ValueError("the rating window is at least one day")
    return day + datetime.timedelta(days=window_days)


def rectify_due(rated_on: datetime.date, rectify_workdays: int) -> datetime.date:
    """A 差评 given on `rated_on` is verified and rectified within `rectify_workdays` working days
    (counting starts the next day, like a case's deadline)."""
    if rectify_workdays < 1:
        raise ValueError("the rectification limit is at least one working day")
    return add_workdays(rated_on, rectify_workdays)


def is_bad(level: int) -> bool:
    return level <= RatingLevel.DISSATISFIED


VERIFY = FollowUpState.VERIFY
APPEALED = FollowUpState.APPEALED
RECTIFY = FollowUpState.RECTIFY
FEEDBACK = FollowUpState.FEEDBACK
AWAITING = FollowUpState.AWAITING
CLOSED = FollowUpState.CLOSED
EXCLUDED = FollowUpState.EXCLUDED

UNIT = {Role.UNIT_ADMIN}
COMMITTEE = {Role.COMMITTEE}

# A 差评's follow-up. The unit verifies (or appeals, once), rectifies and tells the applicant —
# who then rates the fix (by code, or there and then during the 回访); a re-rating window that
# passes closes it without one (the daily job). The committee decides appeals.
#
#   verify ──verify──▶ rectify ──rectify──▶ feedback ──feed back──▶ awaiting ──rerate / lapse──▶ closed
#     └──appeal──▶ appealed ──uphold──▶ excluded          feedback ──feed back with a rating──▶ closed
#                      └──reject──▶ verify
FOLLOW_UP = Lifecycle(
    "follow_up",
    [
        Step("verify", {VERIFY}, RECTIFY, roles=UNIT, label=pgettext_lazy("follow-up", "核实")),
        Step("appeal", {VERIFY}, APPEALED, roles=UNIT, label=pgettext_lazy("follow-up", "申诉")),
        Step(
            "uphold",
            {APPEALED},
            EXCLUDED,
            roles=COMMITTEE,
            label=pgettext_lazy("follow-up", "申诉成立"),
        ),
        Step(
            "reject",
            {APPEALED},
            VERIFY,
            roles=COMMITTEE,
            label=pgettext_lazy("follow-up", "申诉不成立"),
        ),
        Step(
            "rectify", {RECTIFY}, FEEDBACK, roles=UNIT, label=pgettext_lazy("follow-up", "整改完成")
        ),
        # the target depends on whether the applicant rated the fix during the 回访 (closed) or
        # is sent a code for later (awaiting): the service decides between the two
        Step(
            "feed_back", {FEEDBACK}, None, roles=UNIT, label=pgettext_lazy("follow-up", "回访反馈")
        ),
        Step("rerate", {AWAITING}, CLOSED, roles=NOBODY, label=pgettext_lazy("follow-up", "复评")),
        Step(
            "lapse", {AWAITING}, CLOSED, roles=NOBODY, label=pgettext_lazy("follow-up", "复评逾期")
        ),
    ],
    states=FollowUpState.choices,
)
