"""The registry's sections of the home page (工作台): each role's figures, read through its scope.

Every figure links to the list it counts, with the filter that gives the number.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection
from guanqing.registry import selectors
from guanqing.registry.choices import DivisionLevel, HouseholdStatus, MemberStatus
from guanqing.registry.models import Division, Household, Member

# How many units the committee's "members by unit" chart shows.
TOP_UNITS = 10


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def _with_share(rows: list[dict], key: str) -> list[dict]:
    """Add `pct` (share of the largest value, 0-100) for the CSS bar charts."""
    top = max((row[key] for row in rows), default=0)
    for row in rows:
        row["pct"] = round(row[key] * 100 / top) if top else 0
    return rows


def communities_url() -> str:
    """The division list filtered to the communities and villages in force."""
    return _url("registry:division_list", level=DivisionLevel.COMMUNITY, current="true")


def city_figures(request) -> dict:
    """The committee: the city's registry in four numbers."""
    totals = selectors.registry_totals(request.user)
    return {
        "template": "core/home/stats.html",
        "title": _("基础台账"),
        "stats": [
            {
                "label": _("困难家庭"),
                "value": totals["households"],
                "unit": _("户"),
                "url": _url("registry:household_list"),
                "tone": "accent",
            },
            {
                "label": _("党员干部"),
                "value": totals["members"],
                "unit": _("人"),
                "url": _url("registry:member_list"),
            },
            {
                "label": _("机关单位"),
                "value": totals["units"],
                "unit": pgettext("number of units", "个"),
                "url": _url("registry:unit_list"),
            },
            {
                "label": _("社区/村（现行）"),
                "value": totals["communities"],
                "unit": pgettext("number of communities", "个"),
                "url": communities_url(),
            },
        ],
    }


# The committee's charts: the households of a province's 25,000 communities rolled up to their
# districts, kept as a snapshot (core/snapshots.py) once counting them is slow.
CITY_CHARTS = "registry.city_charts"


def chart_counts(user) -> dict:
    """The households by today's district and the members of the ten largest units."""
    return {
        "by_district": selectors.household_counts_by_district(user),
        "by_unit": selectors.member_counts_by_unit(user, limit=TOP_UNITS),
    }


def register_snapshots() -> None:
    from guanqing.accounts.selectors import committee_reader
    from guanqing.core import snapshots

    snapshots.register(
        CITY_CHARTS,
        lambda *, today: chart_counts(committee_reader()),
        warm=lambda today: [{"today": today.isoformat()}],
    )


def city_charts(request) -> dict:
    """The committee: households by today's district, members of the ten largest units."""
    from guanqing.core import snapshots
    from guanqing.core.calendar.workdays import business_date

    user = request.user
    counted = snapshots.for_reader(
        Household.objects.visible_to(user),
        CITY_CHARTS,
        {"today": business_date().isoformat()},
        lambda: chart_counts(user),
    ).value
    by_district = _with_share([dict(row) for row in counted["by_district"]], "households")
    codes = dict(
        Division.objects.filter(pk__in=[row["district_id"] for row in by_district]).values_list(
            "pk", "code"
        )
    )
    for row in by_district:
        row["url"] = _url("registry:household_list", district=codes.get(row["district_id"], "")[:6])
    by_unit = _with_share([dict(row) for row in counted["by_unit"]], "members")
    for row in by_unit:
        row["url"] = _url("registry:member_list", unit=row["unit_id"])
    return {
        "template": "registry/home/charts.html",
        "by_district": by_district,
        "by_unit": by_unit,
    }


def _by_status(queryset, choices, list_name: str, *, total_label, unit, note="") -> dict:
    """A total and one figure per status (one query), each linked to the filtered list."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    stats = [
        {
            "label": total_label,
            "value": sum(counts.values()),
            "unit": unit,
            "url": _url(list_name),
            "tone": "accent",
        }
    ]
    for value, label in choices:
        stats.append(
            {
                "label": label,
                "value": counts.get(value, 0),
                "unit": unit,
                "url": _url(list_name, status=value),
            }
        )
    return {"stats": stats, "note": note}


def unit_figures(request) -> dict:
    """A unit administrator: its unit's members by status, and the households paired with it."""
    user = request.user
    members = _by_status(
        Member.objects.visible_to(user),
        MemberStatus.choices,
        "registry:member_list",
        total_label=_("本单位党员"),
        unit=_("人"),
    )
    paired = Household.objects.visible_to(user).count()
    members["stats"].append(
        {
            "label": _("结对困难家庭"),
            "value": paired,
            "unit": _("户"),
            "url": _url("registry:household_list"),
        }
    )
    return {"template": "core/home/stats.html", "title": _("本单位台账"), **members}


def community_figures(request) -> dict:
    """A community worker: its community's households by status."""
    households = _by_status(
        Household.objects.visible_to(request.user),
        HouseholdStatus.choices,
        "registry:household_list",
        total_label=_("本社区困难家庭"),
        unit=_("户"),
    )
    return {"template": "core/home/stats.html", "title": _("本社区台账"), **households}


COMING = {
    Role.WINDOW_CLERK: gettext_lazy(
        "办件在“满意窗口”的办件队列中受理和办理。这里还可以查阅机关单位、行政区划和工作日历。"
    ),
}


def coming_soon(request) -> dict | None:
    """The window clerk: where its work is, and what else it may open."""
    note = COMING.get(request.user.role)
    if note is None:
        return None
    return {
        "template": "core/home/tools.html",
        "note": note,
        "tools": [
            {
                "title": _("机关单位"),
                "text": _("市直机关单位及其党员人数。"),
                "url": _url("registry:unit_list"),
            },
            {
                "title": _("行政区划"),
                "text": _("区县、街道和社区/村，含撤并的历史。"),
                "url": _url("registry:division_list"),
            },
            {
                "title": _("工作日历"),
                "text": _("法定节假日和调休，办理时限按工作日计算。"),
                "url": _url("calendar:index"),
            },
        ],
    }


SECTIONS = [
    HomeSection("registry.city", city_figures, order=10, rule="registry.home_city"),
    HomeSection("registry.unit", unit_figures, order=60, rule="registry.home_unit"),
    HomeSection("registry.community", community_figures, order=60, rule="registry.home_community"),
    HomeSection("registry.coming", coming_soon, order=10, rule="registry.home_coming"),
    HomeSection("registry.city_charts", city_charts, order=80, rule="registry.home_city"),
]
