"""The 进社区 menu entries each role sees (written out by hand, not derived from the access table),
and which entry each page lights up: the same as the hard-coded menu they replace."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve

from guanqing.core.ui import nav

MINE, CHECKIN, REGISTRATIONS, ACTIVITIES, RATINGS, ROSTER, FIGURES = (
    "我的社区",
    "活动签到",
    "报到确认",
    "社区活动",
    "党员评价",
    "党员进社区情况",
    "进社区统计",
)

EXPECTED = {
    "committee": [ROSTER, FIGURES],
    "unit_admin": [ROSTER, FIGURES],
    "member": [MINE, CHECKIN],
    "community_worker": [REGISTRATIONS, ACTIVITIES, RATINGS, FIGURES],
    "window_clerk": [],
    "fund_officer": [],
    "system_admin": [],
    "security_admin": [],
    "audit_admin": [],
}


def _menu(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return nav.menu_for(request)


def _group(menu):
    return next((group for group in menu if group["key"] == "community"), None)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_its_community_entries(world, role):
    group = _group(_menu(getattr(world.users, role)))
    shown = [str(entry["label"]) for entry in group["entries"]] if group else []
    assert shown == EXPECTED[role]
    if group:
        assert str(group["label"]) == "进社区"


def test_the_community_group_follows_the_wishes(world):
    keys = [group["key"] for group in _menu(world.users.committee)]
    assert "community" in keys
    around = [key for key in keys if key in ("wishes", "community", "exchange")]
    assert around == sorted(around, key=["wishes", "community", "exchange"].index)


# page -> the entry it lights up, for a user who sees that entry (today's menu lights an entry up
# for every page under its path, and 我的社区 only on /community/ itself)
ACTIVE = [
    ("member", "/community/", MINE),
    ("member", "/community/checkin/", CHECKIN),
    ("member", "/community/activities/1/signup/", None),
    ("community_worker", "/community/registrations/", REGISTRATIONS),
    ("community_worker", "/community/registrations/1/confirm/", REGISTRATIONS),
    ("community_worker", "/community/registrations/1/reject/", REGISTRATIONS),
    ("community_worker", "/community/activities/", ACTIVITIES),
    ("community_worker", "/community/activities/new/", ACTIVITIES),
    ("community_worker", "/community/activities/1/", ACTIVITIES),
    ("community_worker", "/community/activities/1/hours/", ACTIVITIES),
    ("community_worker", "/community/activities/1/cancel/", ACTIVITIES),
    ("community_worker", "/community/activities/1/code/", ACTIVITIES),
    ("community_worker", "/community/ratings/", RATINGS),
    ("community_worker", "/community/ratings/save/", RATINGS),
    ("community_worker", "/community/ratings/1/", RATINGS),
    ("community_worker", "/community/figures/", FIGURES),
    ("unit_admin", "/community/roster/", ROSTER),
    ("committee", "/community/figures/", FIGURES),
    ("member", "/", None),
    ("community_worker", "/", None),
]


@pytest.mark.parametrize(("role", "path", "lit"), ACTIVE)
def test_the_page_lights_up_its_entry(world, role, path, lit):
    group = _group(_menu(getattr(world.users, role), path))
    active = [str(entry["label"]) for entry in group["entries"] if entry["active"]]
    assert active == ([lit] if lit else [])


@pytest.mark.parametrize(
    ("role", "urls"),
    [
        ("member", ["/community/", "/community/checkin/"]),
        (
            "community_worker",
            [
                "/community/registrations/",
                "/community/activities/",
                "/community/ratings/",
                "/community/figures/",
            ],
        ),
        ("unit_admin", ["/community/roster/", "/community/figures/"]),
    ],
)
def test_the_menu_links_to_the_pages(world, role, urls):
    group = _group(_menu(getattr(world.users, role)))
    assert [entry["url"] for entry in group["entries"]] == urls
