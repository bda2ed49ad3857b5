"""The rules of a pledge, without database access: its lifecycle, how it stands (its status),
its progress, and until when a monthly report may be written or changed.

- Status: done when the target is reached, or when every milestone is done and the pledge is
  closed; otherwise late when a milestone is past its due date and not done; at risk when one not
  done falls due within the horizon (today up to `horizon`, the N-th working day from today on the
  official calendar, N the setting `PLEDGES_AT_RISK_WORKDAYS`, default 5); on track otherwise.
- A report is for a month from the pledge's year, not after the current one, and may be written
  or changed until that month's last day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role
from guanqing.pledges.choices import PledgeState, Status

COMMITTEE = {Role.COMMITTEE}
AT_RISK_WORKDAYS = 5

PLEDGE = Lifecycle(
    "pledge",
    [
        Step(
            "publish",
            {PledgeState.DRAFT},
            PledgeState.PUBLISHED,
            roles=COMMITTEE,
            label=_("公布"),
        ),
        Step(
            "close",
            {PledgeState.PUBLISHED},
            PledgeState.CLOSED,
            roles=COMMITTEE,
            label=_("结项"),
        ),
        # the lead unit's self-assessment keeps the state
        Step(
            "assess",
            {PledgeState.PUBLISHED, PledgeState.CLOSED},
            None,
            roles={Role.UNIT_ADMIN},
            label=_("提交自评"),
        ),
        Step("rate", {PledgeState.CLOSED}, None, roles=COMMITTEE, label=_("评定")),
        Step("report", {PledgeState.PUBLISHED}, None, roles={Role.UNIT_ADMIN}, label=_("报送进展")),
        Step(
            "edit",
            {PledgeState.DRAFT, PledgeState.PUBLISHED},
            None,
            roles=COMMITTEE,
            label=_("修改"),
        ),
    ],
    states=PledgeState.choices,
)


def at_risk_workdays() -> int:
    return int(getattr(settings, "PLEDGES_AT_RISK_WORKDAYS", AT_RISK_WORKDAYS))


def status(
    *,
    state: str,
    progress: int,
    target: int,
    milestones: Iterable[tuple[datetime.date, datetime.date | None]],
    today: datetime.date,
    horizon: datetime.date,
) -> str:
    """`milestones`: (due_on, done_on) pairs."""
    milestones = list(milestones)
    if target > 0 and progress >= target:
        return Status.DONE
    if state == PledgeState.CLOSED and milestones and all(done for _, done in milestones):
        return Status.DONE
    open_due = [due for due, done in milestones if done is None]
    if any(due < today for due in open_due):
        return Status.LATE
    if any(today <= due <= horizon for due in open_due):
        return Status.AT_RISK
    return Status.ON_TRACK


def percent(progress: int, target: int) -> int:
    """Progress as a whole percentage, capped at 100."""
    if target <= 0:
        return 0
    return min(100, progress * 100 // target)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def report_open(month: datetime.date, year: int, today: datetime.date) -> bool:
    """May the report of `month` (its first day) be written or changed today?"""
    return month.year == year and month <= month_start(today) and today <= month_end(month)
