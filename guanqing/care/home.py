"""What 关怀帮扶 puts on the home page (工作台), by role:

- a unit administrator: the obligations overdue and those due this week, linking to the list;
- the committee: the escalated obligations city-wide, linking to its board;
- a member: its own events and open obligations, only when it has any.

Every number links to the page listing what it counts; one or two queries per section.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.care import selectors
from guanqing.care.models import CareEvent
from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection


def _stat(label, value, url, tone=""):
    return {
        "label": label,
        "value": value,
        "unit": pgettext("care", "件"),
        "url": url,
        "tone": tone,
    }


def unit_care(request) -> dict | None:
    if request.user.role != Role.UNIT_ADMIN:
        return None
    counts = selectors.queue_counts(request.user, business_date())
    url = reverse("care:obligations")
    return {
        "template": "core/home/stats.html",
        "title": _("关怀帮扶"),
        "note": _("本单位"),
        "stats": [
            _stat(
                _("逾期未落实"),
                counts.overdue,
                url + "?when=overdue",
                "danger" if counts.overdue else "",
            ),
            _stat(_("本周到期"), counts.due_this_week, url + "?when=week", "warn"),
        ],
    }


def city_care(request) -> dict | None:
    if request.user.role != Role.COMMITTEE:
        return None
    counts = selectors.queue_counts(request.user, business_date())
    return {
        "template": "core/home/stats.html",
        "title": _("关怀帮扶"),
        "note": _("全市"),
        "stats": [
            _stat(
                _("逾期报单位党委"),
                counts.escalated,
                reverse("care:board"),
                "danger" if counts.escalated else "",
            ),
            _stat(
                _("逾期未落实"),
                counts.overdue,
                reverse("care:obligations") + "?when=overdue",
            ),
        ],
    }


def my_care(request) -> dict | None:
    user = request.user
    if user.role != Role.MEMBER or not user.member_id:
        return None
    events = CareEvent.objects.visible_to(user).count()
    if not events:
        return None
    counts = selectors.queue_counts(user, business_date())
    url = reverse("care:mine")
    return {
        "template": "core/home/stats.html",
        "title": _("我的关怀"),
        "note": "",
        "stats": [
            _stat(_("我的事项"), events, url),
            _stat(_("待落实"), counts.open, url),
        ],
    }


SECTIONS = (
    HomeSection("care.mine", my_care, order=60, rule="care.mine"),
    HomeSection("care.unit", unit_care, order=56, rule="care.work"),
    HomeSection("care.city", city_care, order=56, rule="care.board"),
)
