"""What 走亲连心 puts on the home page (工作台), by role:

- a unit administrator: its unit's problems overdue, due soon and newly assigned (not yet signed
  for);
- the committee: the problems waiting to be dispatched, sent back, on the 通报 list, and the
  extension requests waiting for its decision.

Every number links to the list behind it (the queue with its filter, or the dispatch desk); each
section reads through the user's scope in one query.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays, business_date
from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection
from guanqing.frontline import selectors
from guanqing.frontline.choices import OPEN_STATES, ProblemState
from guanqing.frontline.models import Problem
from guanqing.frontline.selectors import UNIT_QUEUE_STATES
from guanqing.frontline.views_problems import DUE_SOON_WORKDAYS


def _queue(**params) -> str:
    url = reverse("frontline:problems")
    return f"{url}?{urlencode(params)}" if params else url


def _desk(anchor: str) -> str:
    return f"{reverse('frontline:dispatch_desk')}#desk-{anchor}"


def _stat(label, value, url, tone) -> dict:
    return {
        "label": label,
        "value": value,
        "unit": pgettext("frontline", "件"),
        "url": url,
        "tone": tone if value else "",
    }


def unit_problems(request) -> dict | None:
    """A unit administrator: its unit's problems overdue, due soon, and newly assigned."""
    user = request.user
    if user.role != Role.UNIT_ADMIN:
        return None
    today = business_date()
    try:
        soon = add_workdays(today, DUE_SOON_WORKDAYS)
    except CalendarYearMissing:
        return None
    counts = (
        Problem.objects.visible_to(user)
        .filter(unit_id=user.unit_id, state__in=UNIT_QUEUE_STATES)
        .aggregate(
            overdue=Count("pk", filter=Q(deadline__lt=today)),
            due_soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=soon)),
            new=Count("pk", filter=Q(state=ProblemState.ASSIGNED)),
        )
    )
    return {
        "template": "core/home/stats.html",
        "title": _("难题"),
        "note": _("本单位承办"),
        "stats": [
            _stat(_("已超期"), counts["overdue"], _queue(), "danger"),
            _stat(_("即将到期"), counts["due_soon"], _queue(), "warn"),
            _stat(_("新派单待签收"), counts["new"], _queue(state=ProblemState.ASSIGNED), "accent"),
        ],
    }


def committee_desk(request) -> dict | None:
    """The committee: unassigned, sent back, 通报 and extension requests waiting."""
    user = request.user
    if user.role != Role.COMMITTEE:
        return None
    # Every figure counts open problems only. The states are counted from the state index
    # alone (counting the state reads no other column: none of a province's 20,000 open
    # problems is visited); the 通报 from the index of the few problems ever put on that list;
    # the extensions waiting from their own table.
    open_problems = Problem.objects.visible_to(user).filter(state__in=OPEN_STATES)
    counts = open_problems.aggregate(
        unassigned=Count("state", filter=Q(state=ProblemState.RECEIVED)),
        returned=Count("state", filter=Q(state=ProblemState.RETURNED)),
    )
    counts["noticed"] = open_problems.filter(noticed_on__isnull=False).count()
    counts["extensions"] = selectors.waiting_extensions(open_problems).count()
    return {
        "template": "core/home/stats.html",
        "title": _("难题派单"),
        "note": _("全市"),
        "stats": [
            _stat(_("待派单"), counts["unassigned"], _desk("unassigned"), "warn"),
            _stat(_("已退单待改派"), counts["returned"], _desk("returned"), "warn"),
            _stat(_("通报"), counts["noticed"], _desk("noticed"), "danger"),
            _stat(_("待审批延期"), counts["extensions"], _desk("extensions"), "accent"),
        ],
    }


SECTIONS = (
    HomeSection("frontline.unit_problems", unit_problems, order=42, rule="frontline.handle"),
    HomeSection("frontline.committee_desk", committee_desk, order=42, rule="frontline.dispatch"),
)
