"""What 满意窗口 puts on the home page (工作台), by role:

- a window clerk: its windows' overdue and due-soon cases, and the cases accepted today;
- a unit administrator: its windows' overdue and due-soon cases;
- the committee: the overdue cases city-wide.

Every number links to the queue (`window:cases`) with the filter that gives that number (the same
`timing_filter` the queue and the API use); everything is read through the user's scope, in one
query per section.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection
from guanqing.window.api.filters import timing_filter
from guanqing.window.choices import FollowUpState
from guanqing.window.models import Case, FollowUp, WindowSettings
from guanqing.window.rules import Timing
from guanqing.window.views_ratings import CLOSED_STATES, overdue_filter


def _url(**params) -> str:
    url = reverse("window:cases")
    return f"{url}?{urlencode(params)}" if params else url


def _counts(user, *, today, accepted_today: bool = False) -> dict | None:
    """{overdue, due_soon[, today]} of the cases `user` sees, in one query; None when the
    calendar lacks the year the due-soon horizon falls in."""
    due_soon = WindowSettings.current().due_soon_workdays
    try:
        wanted = {
            "overdue": Count(
                "pk", filter=timing_filter(Timing.OVERDUE, today=today, due_soon_workdays=due_soon)
            ),
            "due_soon": Count(
                "pk",
                filter=timing_filter(Timing.DUE_SOON, today=today, due_soon_workdays=due_soon),
            ),
        }
    except CalendarYearMissing:
        return None
    if accepted_today:
        wanted["today"] = Count("pk", filter=Q(accepted_on=today))
    return Case.objects.visible_to(user).aggregate(**wanted)


def _timing_stats(counts: dict) -> list[dict]:
    return [
        {
            "label": _("已超期"),
            "value": counts["overdue"],
            "unit": pgettext("window", "件"),
            "url": _url(timing=Timing.OVERDUE),
            "tone": "danger" if counts["overdue"] else "",
        },
        {
            "label": _("即将到期"),
            "value": counts["due_soon"],
            "unit": pgettext("window", "件"),
            "url": _url(timing=Timing.DUE_SOON),
            "tone": "warn" if counts["due_soon"] else "",
        },
    ]


def clerk_desk(request) -> dict | None:
    """The clerk's windows: overdue and due-soon cases, and today's accepted ones."""
    today = business_date()
    counts = _counts(request.user, today=today, accepted_today=True)
    if counts is None:
        return None
    stats = _timing_stats(counts)
    stats.append(
        {
            "label": _("今日受理"),
            "value": counts["today"],
            "unit": pgettext("window", "件"),
            "url": _url(
                state="all", accepted_from=today.isoformat(), accepted_to=today.isoformat()
            ),
            "tone": "accent" if counts["today"] else "",
        }
    )
    return {
        "template": "core/home/stats.html",
        "title": _("我的办件"),
        "note": _("本窗口"),
        "stats": stats,
    }


def unit_windows(request) -> dict | None:
    """A unit administrator: its windows' overdue and due-soon cases."""
    if request.user.role != Role.UNIT_ADMIN:
        return None
    counts = _counts(request.user, today=business_date())
    if counts is None:
        return None
    return {
        "template": "core/home/stats.html",
        "title": _("窗口办件"),
        "note": _("本单位窗口"),
        "stats": _timing_stats(counts),
    }


def city_overdue(request) -> dict | None:
    """The committee: the overdue cases of every window."""
    if request.user.role != Role.COMMITTEE:
        return None
    today = business_date()
    overdue = (
        Case.objects.visible_to(request.user)
        .filter(timing_filter(Timing.OVERDUE, today=today, due_soon_workdays=0))
        .count()
    )
    return {
        "template": "core/home/stats.html",
        "title": _("窗口办件"),
        "note": _("全市"),
        "stats": [
            {
                "label": _("已超期"),
                "value": overdue,
                "unit": pgettext("window", "件"),
                "url": _url(timing=Timing.OVERDUE),
                "tone": "danger" if overdue else "",
            }
        ],
    }


def _follow_ups_url(state: str) -> str:
    return f"{reverse('window:follow_ups')}?{urlencode({'state': state})}"


def unit_follow_ups(request) -> dict | None:
    """A unit administrator: its windows' 差评 follow-ups still open, and those overdue (still to
    be verified or rectified after their limit)."""
    if request.user.role != Role.UNIT_ADMIN:
        return None
    counts = FollowUp.objects.visible_to(request.user).aggregate(
        open=Count("pk", filter=~Q(state__in=CLOSED_STATES)),
        overdue=Count("pk", filter=overdue_filter(business_date())),
    )
    return {
        "template": "core/home/stats.html",
        "title": _("差评整改"),
        "note": _("本单位窗口"),
        "stats": [
            {
                "label": _("未办结"),
                "value": counts["open"],
                "unit": pgettext("window", "件"),
                "url": _follow_ups_url("open"),
                "tone": "warn" if counts["open"] else "",
            },
            {
                "label": _("已超期"),
                "value": counts["overdue"],
                "unit": pgettext("window", "件"),
                "url": _follow_ups_url("overdue"),
                "tone": "danger" if counts["overdue"] else "",
            },
        ],
    }


def committee_appeals(request) -> dict | None:
    """The committee: 差评 appeals waiting for its decision."""
    if request.user.role != Role.COMMITTEE:
        return None
    waiting = FollowUp.objects.visible_to(request.user).filter(state=FollowUpState.APPEALED).count()
    return {
        "template": "core/home/stats.html",
        "title": _("差评申诉"),
        "note": _("全市"),
        "stats": [
            {
                "label": _("待裁定"),
                "value": waiting,
                "unit": pgettext("window", "件"),
                "url": _follow_ups_url(FollowUpState.APPEALED),
                "tone": "warn" if waiting else "",
            }
        ],
    }


SECTIONS = (
    HomeSection("window.clerk_desk", clerk_desk, order=20, rule="window.handle"),
    HomeSection("window.unit_windows", unit_windows, order=40, rule="window.cases"),
    HomeSection("window.city_overdue", city_overdue, order=40, rule="window.cases"),
    HomeSection("window.unit_follow_ups", unit_follow_ups, order=45, rule="window.follow_up"),
    HomeSection(
        "window.committee_appeals", committee_appeals, order=45, rule="window.appeal_decide"
    ),
)
