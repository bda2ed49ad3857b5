"""What the training rotations put on the home page (工作台), by role:

- the committee: the newest plan's state, how many must attend and how many are scheduled;
- a unit administrator: its people in the newest plan that has any, those not yet scheduled and
  those who have attended every day;
- a member: its session, dates and venue, only when it is on a plan.

Every number links to the page listing what it counts; one or two queries per section.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection
from guanqing.training import selectors
from guanqing.training.choices import PlanState, SolveStatus
from guanqing.training.models import Participant, Plan


def _stat(label, value, url, tone=""):
    return {
        "label": label,
        "value": value,
        "unit": pgettext("people", "人"),
        "url": url,
        "tone": tone,
    }


# The committee's headline of the newest plan: its cadres and their assignments, a hundred
# thousand of each at a province's scale, kept as a snapshot where counting is slow.
CITY_HEADLINE = "training.city_headline"


def plan_headline(user) -> dict | None:
    """{"plan": id, "required": n, "assigned": n} of the newest plan `user` sees, or None."""
    plan = (
        Plan.objects.visible_to(user)
        .annotate(required_n=selectors.required_count(), assigned_n=selectors.assigned_count())
        .values("pk", "year", "title", "state", "solve_status", "required_n", "assigned_n")
        .first()
    )
    if plan is None:
        return None
    return {
        "plan": plan["pk"],
        "year": plan["year"],
        "title": plan["title"],
        "state": plan["state"],
        "solve_status": plan["solve_status"],
        "required": plan["required_n"],
        "assigned": plan["assigned_n"],
    }


def register_snapshots() -> None:
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    snapshots.register(
        CITY_HEADLINE,
        lambda *, today: plan_headline(committee_reader()),
        warm=lambda today: [{"today": today.isoformat()}],
    )


def city_training(request) -> dict | None:
    from guanqing.core import snapshots
    from guanqing.core.calendar.workdays import business_date

    if request.user.role != Role.COMMITTEE:
        return None
    headline = snapshots.for_reader(
        Plan.objects.visible_to(request.user),
        CITY_HEADLINE,
        {"today": business_date().isoformat()},
        lambda: plan_headline(request.user),
    ).value
    if headline is None:
        return None
    url = reverse("training:plan", args=[headline["plan"]])
    status = headline["solve_status"]
    solved = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    state = PlanState(headline["state"]).label
    note = f"{headline['year']} {headline['title']} · {state}"
    if status and not solved:
        note += " · " + _("未能排期")
    required, assigned = headline["required"], headline["assigned"]
    unscheduled = max(required - assigned, 0)
    return {
        "template": "core/home/stats.html",
        "title": _("轮训"),
        "note": note,
        "stats": [
            _stat(_("须参训"), required, url),
            _stat(_("已排期"), assigned, url, "ok" if solved else ""),
            _stat(_("未排期"), unscheduled, url, "warn" if unscheduled else ""),
        ],
    }


def unit_training(request) -> dict | None:
    user = request.user
    if user.role != Role.UNIT_ADMIN:
        return None
    people = Participant.objects.visible_to(user).filter(exempt=False)
    plan_id = people.order_by("-plan__year", "-plan_id").values_list("plan_id", flat=True).first()
    if plan_id is None:
        return None
    counts = people.filter(plan_id=plan_id).aggregate(
        required=Count("id"),
        unscheduled=Count("id", filter=Q(assignment__isnull=True)),
        done=Count("id", filter=Q(assignment__attended_days__gte=F("plan__days_per_session"))),
    )
    url = reverse("training:unit") + f"?plan={plan_id}"
    return {
        "template": "core/home/stats.html",
        "title": _("本单位参训"),
        "note": "",
        "stats": [
            _stat(_("须参训"), counts["required"], url),
            _stat(
                _("未排期"),
                counts["unscheduled"],
                url,
                "warn" if counts["unscheduled"] else "",
            ),
            _stat(_("已完成"), counts["done"], url, "ok" if counts["done"] else ""),
        ],
    }


def my_training(request) -> dict | None:
    user = request.user
    if user.role != Role.MEMBER or not user.member_id:
        return None
    rows = list(
        Participant.objects.visible_to(user)
        .filter(exempt=False)
        .select_related("plan", "assignment__session")
        .order_by("-plan__year", "-plan_id")[:3]
    )
    if not rows:
        return None
    url = reverse("training:mine")
    items = []
    for p in rows:
        assignment = getattr(p, "assignment", None)
        if assignment is None:
            text = _("%(plan)s：尚未排期") % {"plan": p.plan.title}
            meta = ""
        else:
            text = _("%(plan)s：第 %(n)s 期 %(k)s 班，%(days)s") % {
                "plan": p.plan.title,
                "n": assignment.session.number,
                "k": assignment.class_number,
                "days": "、".join(assignment.session.days),
            }
            meta = p.plan.venue
        items.append({"text": text, "url": url, "count": None, "meta": meta, "tone": ""})
    return {"template": "core/home/todo.html", "title": _("我的轮训"), "items": items}


SECTIONS = (
    HomeSection("training.mine", my_training, order=61, rule="training.mine"),
    HomeSection("training.unit", unit_training, order=61, rule="training.unit"),
    HomeSection("training.city", city_training, order=61, rule="training.plan"),
)
