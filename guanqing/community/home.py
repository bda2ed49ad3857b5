"""党员进社区 on the home page (工作台), registered from `CommunityConfig.ready()`:

- a member: its registration this half-year (or where to register), its hours this half-year and
  the activities ahead it signed up for;
- a community worker: the registrations waiting for a decision, the activities of today and of
  this week (for the check-in code) and the members to rate this half-year;
- a unit administrator: its members not registered this half-year (and those waiting for the
  community), the committee the units with the most members not registered.

Every number links to the list it counts, with the filter that gives the number; the numbers are
those lists' (the same selectors, or the same rules as the roster's FilterSet counted in one query),
through the user's scope.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.community import rules, selectors
from guanqing.community.choices import ActivityStatus, RegistrationStatus
from guanqing.community.models import Activity, Registration
from guanqing.community.rules import Term
from guanqing.community.views_shared import term_choices, term_label
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ui.home import HomeSection
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member

# How many activities (the member's, today's) and units (the committee's) a section lists.
LISTED = 5
REGISTRATION_TONES = {
    RegistrationStatus.PENDING: "warn",
    RegistrationStatus.CONFIRMED: "ok",
    RegistrationStatus.REJECTED: "accent",
}


def _url(name: str, anchor: str = "", **params) -> str:
    url = reverse(name)
    if params:
        url = f"{url}?{urlencode(params)}"
    return f"{url}#{anchor}" if anchor else url


def _when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# A member
# ---------------------------------------------------------------------------------------------


def member_section(request) -> dict:
    user = request.user
    term = Term.of(business_date())
    member = (
        Member.objects.visible_to(user)
        .select_related("home_community")
        .filter(pk=user.member_id)
        .first()
    )
    registration = (
        Registration.objects.visible_to(user)
        .for_term(term)
        .select_related("community")
        .order_by("pk")
        .first()
    )
    items = [_registration_item(member, registration)]
    hours = selectors.member_hours(user, member.pk if member else None, term)
    items.append(
        {
            "text": _("本半年服务时长（小时）"),
            "count": hours.term_hours if hours else rules.ZERO_HOURS,
            "url": _url("community:mine", "hours"),
        }
    )
    mine = list(selectors.member_activities(user, member).filter(is_mine=True))
    items.append(
        {
            "text": _("已报名、尚未结束的活动"),
            "count": len(mine),
            "url": _url("community:mine", "activities"),
        }
    )
    for activity in sorted(mine, key=lambda a: (a.starts_at, a.pk))[:LISTED]:
        items.append(
            {
                "text": activity.title,
                "meta": f"{_when(activity.starts_at)} · {activity.community.name}",
                "url": _url("community:mine", f"activity-{activity.pk}"),
            }
        )
    return {
        "template": "core/home/todo.html",
        "title": _("我的社区 · %(term)s") % {"term": term_label(term)},
        "items": items,
        "more_url": _url("community:mine"),
    }


def _registration_item(member, registration) -> dict:
    url = _url("community:mine", "registration")
    if registration is not None and registration.status != RegistrationStatus.REJECTED:
        return {
            "text": _("本半年进社区报到：%(status)s")
            % {"status": registration.get_status_display()},
            "meta": registration.community.name,
            "url": url,
            "tone": REGISTRATION_TONES.get(registration.status, ""),
        }
    home = member.home_community if member is not None else None
    where = (
        _("到居住社区“%(community)s”报到") % {"community": home.name}
        if home is not None
        else _("党员信息中没有居住社区，请联系单位党务管理员登记")
    )
    text = (
        _("本半年的报到未通过，可以重新报到")
        if registration is not None
        else _("本半年尚未进社区报到")
    )
    return {"text": text, "meta": where, "url": _url("community:mine", "register"), "tone": "warn"}


# ---------------------------------------------------------------------------------------------
# A community worker
# ---------------------------------------------------------------------------------------------


def worker_section(request) -> dict:
    user = request.user
    today = business_date()
    term = Term.of(today)
    items = []
    # the half-years the registration page offers, newest first
    terms = term_choices(today, back=3, ahead=1)
    pending = selectors.pending_by_term(user, terms)
    for one in terms:
        if pending.get(one) or one == term:
            items.append(
                {
                    "text": _("%(term)s待确认的报到") % {"term": term_label(one)},
                    "count": pending.get(one, 0),
                    "url": _url("community:registration_list", term=one.label, status="pending"),
                    "tone": "warn" if pending.get(one) else "",
                }
            )
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    published = Activity.objects.visible_to(user).filter(status=ActivityStatus.PUBLISHED)
    today_bounds = selectors.day_bounds(today, today)
    week = published.filter(**_starts_within(monday, sunday)).aggregate(
        week=Count("pk"),
        today=Count("pk", filter=Q(starts_at__gte=today_bounds[0], starts_at__lt=today_bounds[1])),
    )
    items.append(
        {
            "text": _("今天的活动"),
            "count": week["today"],
            "url": _activity_list(today, today),
        }
    )
    items.append(
        {
            "text": _("本周的活动"),
            "count": week["week"],
            "url": _activity_list(monday, sunday),
        }
    )
    if week["today"]:
        running = published.filter(**_starts_within(today, today)).order_by("starts_at", "pk")
        for activity in running[:LISTED]:
            items.append(
                {
                    "text": activity.title,
                    "meta": _("%(time)s 开始 · 签到码") % {"time": _when(activity.starts_at)},
                    "url": reverse("community:activity_code", args=[activity.pk]),
                }
            )
    due = selectors.ratings_due(selectors.rating_rows(user, term)).count()
    items.append(
        {
            "text": _("%(term)s待评价的党员") % {"term": term_label(term)},
            "count": due,
            "url": _url("community:rating_list", term=term.label, show="unrated"),
            "tone": "warn" if due else "",
        }
    )
    return {
        "template": "core/home/todo.html",
        "title": _("进社区工作"),
        "items": items,
    }


def _starts_within(first: datetime.date, last: datetime.date) -> dict:
    start, end = selectors.day_bounds(first, last)
    return {"starts_at__gte": start, "starts_at__lt": end}


def _activity_list(first: datetime.date, last: datetime.date) -> str:
    return _url(
        "community:activity_list",
        status=ActivityStatus.PUBLISHED,
        date_from=first.isoformat(),
        date_to=last.isoformat(),
    )


# ---------------------------------------------------------------------------------------------
# A unit administrator, the committee
# ---------------------------------------------------------------------------------------------


def unit_section(request) -> dict | None:
    user = request.user
    term = Term.of(business_date())
    # the roster's counts by `show` (`RosterFilter`: missing is no registration or a rejected
    # one), in one query: only the registration's status, not the roster's hours and ratings
    status = Subquery(
        Registration.objects.visible_to(user)
        .for_term(term)
        .filter(member_id=OuterRef("pk"))
        .values("status")[:1]
    )
    counts = (
        Member.objects.visible_to(user)
        .filter(status=MemberStatus.ACTIVE, unit_id=user.unit_id)
        .annotate(registration_status=status)
        .aggregate(
            missing=Count(
                "pk",
                filter=Q(registration_status__isnull=True)
                | Q(registration_status=RegistrationStatus.REJECTED),
            ),
            pending=Count("pk", filter=Q(registration_status=RegistrationStatus.PENDING)),
            confirmed=Count("pk", filter=Q(registration_status=RegistrationStatus.CONFIRMED)),
        )
    )
    stats = []
    for show, label, tone in (
        ("missing", _("未报到"), "warn"),
        ("pending", _("待社区确认"), ""),
        ("confirmed", _("已确认报到"), "ok"),
    ):
        stats.append(
            {
                "label": label,
                "value": counts[show],
                "unit": _("人"),
                "url": _url("community:roster", term=term.label, show=show),
                "tone": tone,
            }
        )
    return {
        "template": "core/home/stats.html",
        "title": _("本单位党员进社区报到"),
        "note": term_label(term),
        "stats": stats,
    }


# The units with the most members not registered, for the committee: a count over every member
# of the province, kept as a snapshot (core/snapshots.py).
MISSING_BY_UNIT = "community.missing_by_unit"


def missing_by_unit(user, term: Term) -> list[dict]:
    """The LISTED units with the most active members not registered in `term` (the roster's
    `selectors.roster_missing`: no registration, or a rejected one), counted without the roster's
    hours and ratings."""
    registered = (
        Registration.objects.visible_to(user)
        .for_term(term)
        .exclude(status=RegistrationStatus.REJECTED)
        .filter(member_id=OuterRef("pk"))
    )
    by_unit = (
        Member.objects.visible_to(user)
        .filter(status=MemberStatus.ACTIVE)
        # NOT EXISTS, an anti-join: `NOT IN (subquery)` is a hashed subplan only while the
        # half-year's registrations fit in work_mem; past that (a province's half a million)
        # PostgreSQL scans them again for every member, for minutes
        .filter(~Exists(registered))
        .order_by()
        .values("unit_id", "unit__name", "unit__short_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__name")
    )
    return list(by_unit[:LISTED])


def register_snapshots() -> None:
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    def count(*, term: str, today: str) -> list[dict]:
        return missing_by_unit(committee_reader(), Term.parse(term))

    def defaults(today: datetime.date) -> list[dict]:
        return [{"term": Term.of(today).label, "today": today.isoformat()}]

    snapshots.register(MISSING_BY_UNIT, count, warm=defaults)


def city_section(request) -> dict:
    from guanqing.core import snapshots

    user = request.user
    today = business_date()
    term = Term.of(today)
    rows = snapshots.for_reader(
        Member.objects.visible_to(user),
        MISSING_BY_UNIT,
        {"term": term.label, "today": today.isoformat()},
        lambda: missing_by_unit(user, term),
    ).value
    items = [
        {
            "text": row["unit__short_name"] or row["unit__name"],
            "count": row["n"],
            "url": _url("community:roster", term=term.label, unit=row["unit_id"], show="missing"),
            "tone": "warn",
        }
        for row in rows
    ]
    return {
        "template": "core/home/todo.html",
        "title": _("%(term)s未进社区报到的党员（按单位）") % {"term": term_label(term)},
        "items": items,
        "more_url": _url("community:roster", term=term.label),
        "empty": _("各单位党员本半年都已进社区报到"),
    }


SECTIONS = [
    HomeSection("community.member", member_section, order=40, rule="community.member"),
    HomeSection("community.worker", worker_section, order=40, rule="community.worker"),
    HomeSection("community.unit", unit_section, order=40, rule="community.own_unit"),
    HomeSection("community.city", city_section, order=40, rule="community.all_units"),
]
