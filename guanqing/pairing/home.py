"""What 结对帮困 puts on the home page (工作台), by role: a member's visits due now, a unit
administrator's overdue and due-soon duties, the committee's city headline, a community worker's
visits this month. Every number links to the page that lists it, filtered to give that number."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core import counters
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ui.home import HomeSection
from guanqing.pairing import compliance, counts, selectors
from guanqing.pairing.badges import badge
from guanqing.pairing.forms_manage import STATUS_ACTIVE
from guanqing.pairing.models import Pairing


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def _visits_url(first, last) -> str:
    return _url("pairing:visit_list", date_from=first.isoformat(), date_to=last.isoformat())


def member_duties(request) -> dict | None:
    """The member's open visit duties (the compliance to-do), most pressing first."""
    user = request.user
    if user.member_id is None:
        return None
    today = business_date()
    duties = compliance.member_todo(user.member, today, Pairing.objects.visible_to(user))
    items = []
    for duty in duties:
        shown = badge(duty["status"])
        items.append(
            {
                "text": _("%(household)s户 · %(period)s")
                % {"household": duty["household"], "period": duty["label"]},
                "url": reverse("pairing:pairing_detail", args=[duty["pairing"]]),
                "count": None,
                "meta": _("%(status)s，截止 %(deadline)s")
                % {"status": shown["label"], "deadline": duty["deadline"].isoformat()},
                "tone": shown["tone"],
            }
        )
    return {
        "template": "core/home/todo.html",
        "title": _("我的走访待办"),
        "items": items,
        "more_url": reverse("pairing:mine"),
        "empty": _("本期走访都已完成"),
    }


def unit_duties(request) -> dict | None:
    """The unit's overdue and due-soon duties of the open periods, each linking to the board of
    that period showing only those pairings."""
    today = business_date()
    config = compliance.current_config()
    items = []
    for row in selectors.unit_open_duties(request.user, today, config):
        shown = badge(row["status"])
        items.append(
            {
                "text": _("%(period)s · %(status)s")
                % {"period": row["label"], "status": shown["label"]},
                "url": _url("pairing:board", period=row["period"], status=row["status"]),
                "count": row["count"],
                "meta": "",
                "tone": shown["tone"],
            }
        )
    return {
        "template": "core/home/todo.html",
        "title": _("本单位结对走访"),
        "items": items,
        "more_url": reverse("pairing:board"),
        "empty": _("本单位暂无逾期或即将到期的走访"),
    }


def city_headline(request) -> dict | None:
    """The city's pairings, its visits this quarter, the units with overdue duties in the last
    ended period, and this year's 人次: the board and the figures behind them."""
    user = request.user
    today = business_date()
    config = compliance.current_config()
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    year_start = today.replace(month=1, day=1)
    keys = [key for key, _label in selectors.board_period_choices(today, config)]
    period_key = selectors.default_board_period(keys, today, config)
    period = compliance.parse_period(period_key, config)
    return {
        "template": "core/home/stats.html",
        "title": _("结对帮困"),
        "note": _("逾期单位按%(period)s统计") % {"period": compliance.period_label(period)},
        "stats": [
            {
                "label": _("在结对"),
                "value": selectors.active_pairings(user),
                "unit": _("对"),
                "url": _url("pairing:pairing_list", status=STATUS_ACTIVE),
            },
            {
                "label": _("本季度走访"),
                # The committee sees every visit: its headlines read the day counts (the same
                # numbers, whatever the history's length).
                "value": counters.total(counts.VISITS, quarter_start, today),
                "unit": pgettext("visits", "次"),
                "url": _visits_url(quarter_start, today),
            },
            {
                "label": _("逾期单位"),
                "value": selectors.units_with(user, "overdue", period, today, config),
                "unit": pgettext("number of units", "个"),
                "url": _url("pairing:board", period=period_key, status="overdue"),
                "tone": "accent",
            },
            {
                "label": _("本年走访人次"),
                "value": counters.total(counts.PERSON_TIMES, year_start, today),
                "unit": _("人次"),
                "url": _url("pairing:figures", preset=str(today.year)),
            },
        ],
    }


def community_visits(request) -> dict | None:
    """The visits to the community's households this month, and its pairings."""
    user = request.user
    today = business_date()
    month_start = today.replace(day=1)
    return {
        "template": "core/home/stats.html",
        "title": _("本社区结对帮困"),
        "note": "",
        "stats": [
            {
                "label": _("本月走访"),
                "value": selectors.visits_between(user, month_start, today),
                "unit": pgettext("visits", "次"),
                "url": _visits_url(month_start, today),
            },
            {
                "label": _("在结对"),
                "value": selectors.active_pairings(user),
                "unit": _("对"),
                "url": _url("pairing:pairing_list", status=STATUS_ACTIVE),
            },
        ],
    }


# Registered from `PairingConfig.ready()`.
SECTIONS = (
    HomeSection("pairing.member_duties", member_duties, order=20, rule="pairing.mine"),
    HomeSection("pairing.unit_duties", unit_duties, order=20, rule="pairing.unit_duties"),
    HomeSection("pairing.city_headline", city_headline, order=20, rule="pairing.any_unit"),
    HomeSection(
        "pairing.community_visits",
        community_visits,
        order=20,
        rule="pairing.community_visits",
    ),
)
