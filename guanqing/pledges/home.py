"""What 十件实事 puts on the home page (工作台), by role:

- the committee: this year's published pledges by status (on track, at risk, late, done), each
  number linking to the year's list;
- a lead unit's administrator: the pledges its unit leads, each with its next milestone and
  whether this month's report is in, linking to the report form when it is not;
- everyone else who may read them (a member): a short list of this year's pledges with their
  progress bars.

A section with nothing to show is left out; a fixed number of queries per section.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection
from guanqing.pledges import rules, selectors
from guanqing.pledges.choices import Status
from guanqing.pledges.models import Pledge, ProgressReport

SHORT_LIST = 5
# the committee's figures, in the order a reader looks for trouble
ORDER = [Status.ON_TRACK, Status.AT_RISK, Status.LATE, Status.DONE]
TONE = {Status.AT_RISK: "warn", Status.LATE: "danger", Status.DONE: "ok"}


def _year_rows(user, today):
    """This year's pledges with their status; no section here names their lead units."""
    pledges = Pledge.objects.visible_to(user).out_of_draft().filter(year=today.year)
    return selectors.rows(
        selectors.with_details(pledges.order_by("number", "pk"), units=False), today
    )


def city_pledges(request) -> dict | None:
    if request.user.role != Role.COMMITTEE:
        return None
    today = business_date()
    rows = _year_rows(request.user, today)
    if not rows:
        return None
    counts = {status: 0 for status in ORDER}
    for row in rows:
        counts[row.status] += 1
    url = reverse("pledges:list") + f"?year={today.year}"
    return {
        "template": "core/home/stats.html",
        "title": _("十件实事"),
        "note": _("%(year)s 年") % {"year": today.year},
        "stats": [
            {
                "label": Status(status).label,
                "value": counts[status],
                "unit": pgettext("pledges", "件"),
                "url": url,
                "tone": TONE.get(status, "") if counts[status] else "",
            }
            for status in ORDER
        ],
    }


def _next_milestone(row):
    return next((m for m in row.milestones if m.done_on is None), None)


def unit_pledges(request) -> dict | None:
    user = request.user
    if user.role != Role.UNIT_ADMIN or not user.unit_id:
        return None
    today = business_date()
    rows = _year_rows(user, today)
    if not rows:
        return None
    month = rules.month_start(today)
    reported = set(
        ProgressReport.objects.filter(
            pledge__in=[r.pledge for r in rows], unit_id=user.unit_id, month=month
        ).values_list("pledge_id", flat=True)
    )
    items = []
    for row in rows:
        pledge = row.pledge
        step = _next_milestone(row)
        upcoming = (
            _("下一节点：%(title)s（%(day)s）")
            % {"title": step.title, "day": date_format(step.due_on, "SHORT_DATE_FORMAT")}
            if step
            else _("节点均已完成")
        )
        done = pledge.pk in reported
        report = _("本月进展已报送") if done else _("本月进展未报送")
        items.append(
            {
                "text": f"{pledge.number}. {pledge.title}",
                "url": reverse("pledges:detail" if done else "pledges:report", args=[pledge.pk]),
                "count": None if done else _("待报送"),
                "tone": "warn" if not done else "",
                "meta": f"{row.status_label} · {upcoming} · {report}",
                "status": row.status,
                "reported": done,
            }
        )
    return {
        "template": "core/home/todo.html",
        "title": _("本单位牵头实事"),
        "items": items,
        "more_url": reverse("pledges:unit"),
    }


def year_pledges(request) -> dict | None:
    user = request.user
    if user.role in (Role.COMMITTEE, Role.UNIT_ADMIN):
        return None
    today = business_date()
    rows = _year_rows(user, today)
    if not rows:
        return None
    return {
        "template": "pledges/_home.html",
        "title": _("%(year)s 年十件实事") % {"year": today.year},
        "rows": rows[:SHORT_LIST],
        "more_url": reverse("pledges:list") + f"?year={today.year}",
    }


SECTIONS = (
    HomeSection("pledges.city", city_pledges, order=62, rule="pledges.manage"),
    HomeSection("pledges.unit", unit_pledges, order=62, rule="pledges.lead"),
    HomeSection("pledges.year", year_pledges, order=90, rule="pledges.read"),
)
