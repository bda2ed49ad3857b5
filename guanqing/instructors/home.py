"""What 农村工作指导员 puts on the home page (工作台), by role:

- an instructor (member with an appointed term): this month's days in the village against the
  required days, linking to its log page;
- a unit administrator: its instructors in post and how many are short of last month's days;
- the committee: the instructors in post city-wide and how many were short last month.

Every number links to the page listing what it counts; a few queries per section.
"""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection
from guanqing.instructors import rules, selectors
from guanqing.instructors.choices import Compliance
from guanqing.instructors.models import InstructorTerm, WorkLog


def my_days(request) -> dict | None:
    """The instructor: this month's days against the required days."""
    today = business_date()
    term = selectors.current_term(request.user)
    if term is None:
        return None
    row = selectors.term_rows([term], today)[0].month
    return {
        "template": "core/home/stats.html",
        "title": _("驻村天数"),
        "note": term.village.name,
        "stats": [
            {
                "label": _("本月已驻村"),
                "value": row.logged,
                "unit": pgettext("days", "天"),
                "url": reverse("instructors:my_log"),
                "tone": "accent" if row.logged >= row.required else "warn",
            },
            {
                "label": _("本月要求"),
                "value": row.required,
                "unit": pgettext("days", "天"),
                "url": reverse("instructors:term", args=[term.pk]),
                "tone": "",
            },
        ],
    }


def _last_month_short(user, today: datetime.date) -> tuple[int, int]:
    """(appointed terms, those short of last month's required days): last month's days per term
    summed by the database, in two queries (no log entries, no term objects read)."""
    month = rules.Month.of(rules.Month.of(today).first - datetime.timedelta(days=1))
    terms = list(
        InstructorTerm.objects.visible_to(user)
        .appointed()
        .values_list("pk", "required_days", "starts_on", "ends_on")
    )
    logged = dict(
        WorkLog.objects.filter(
            term_id__in=[pk for pk, *_rest in terms],
            starts_on__gte=month.first,
            starts_on__lte=month.last,  # an entry lies inside one month
        )
        .order_by()
        .values("term_id")
        .annotate(days=Sum("days"))
        .values_list("term_id", "days")
    )
    # the month judged as of today, as `selectors.term_rows` and `rules.compliance` judge it
    short = sum(
        1
        for pk, per_month, first, last in terms
        if rules.compliance(
            rules.required_days(per_month, month, first, last),
            logged.get(pk, 0),
            month=month,
            term_last=last,
            today=today,
        )
        == Compliance.SHORT
    )
    return len(terms), short


# The committee's last-month figures judge every appointed term of the province against its
# logs (20,000 terms: 30 ms of each home page): a snapshot, kept when it counts slowly.
LAST_MONTH = "instructors.last_month"


def register_snapshots() -> None:
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    def count(*, today: str) -> list[int]:
        return list(_last_month_short(committee_reader(), datetime.date.fromisoformat(today)))

    snapshots.register(LAST_MONTH, count, warm=lambda today: [{"today": today.isoformat()}])


def last_month_figures(user, today: datetime.date) -> tuple[int, int]:
    """(appointed, short last month) for the user: the committee's kept, a unit's counted now."""
    from guanqing.core import snapshots

    appointed, short = snapshots.for_reader(
        InstructorTerm.objects.visible_to(user),
        LAST_MONTH,
        {"today": today.isoformat()},
        lambda: _last_month_short(user, today),
    ).value
    return appointed, short


def _section(request, title: str, note: str, url: str) -> dict:
    appointed, short = last_month_figures(request.user, business_date())
    return {
        "template": "core/home/stats.html",
        "title": title,
        "note": note,
        "stats": [
            {
                "label": _("在任指导员"),
                "value": appointed,
                "unit": pgettext("people", "人"),
                "url": url,
                "tone": "",
            },
            {
                "label": _("上月驻村未达标"),
                "value": short,
                "unit": pgettext("people", "人"),
                "url": url,
                "tone": "danger" if short else "",
            },
        ],
    }


def unit_instructors(request) -> dict | None:
    if request.user.role != Role.UNIT_ADMIN:
        return None
    return _section(
        request, _("农村工作指导员"), _("本单位"), reverse("instructors:terms") + "?state=appointed"
    )


def city_instructors(request) -> dict | None:
    if request.user.role != Role.COMMITTEE:
        return None
    return _section(request, _("农村工作指导员"), _("全市"), reverse("instructors:city"))


SECTIONS = (
    HomeSection("instructors.my_days", my_days, order=25, rule="instructors.my_log"),
    HomeSection("instructors.unit", unit_instructors, order=55, rule="instructors.appoint"),
    HomeSection("instructors.city", city_instructors, order=55, rule="instructors.city"),
)
