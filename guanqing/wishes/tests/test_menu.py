"""The 微心愿 menu entries each role sees (written out by hand, not derived from the access table),
and which entry each page lights up: the same as the hard-coded menu they replace."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve

from guanqing.core.ui import nav

WALL, MINE, MANAGE, FIGURES = "心愿墙", "我的认领", "心愿管理", "心愿统计"

EXPECTED = {
    "committee": [WALL, MANAGE, FIGURES],
    "unit_admin": [WALL, FIGURES],
    "member": [WALL, MINE],
    "community_worker": [WALL, MANAGE, FIGURES],
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


def _wishes_group(menu):
    return next((group for group in menu if group["key"] == "wishes"), None)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_its_wish_entries(world, role):
    group = _wishes_group(_menu(getattr(world.users, role)))
    shown = [str(entry["label"]) for entry in group["entries"]] if group else []
    assert shown == EXPECTED[role]
    if group:
        assert str(group["label"]) == "微心愿"


def test_the_wish_group_sits_between_pairing_and_community(world):
    keys = [group["key"] for group in _menu(world.users.committee)]
    assert "wishes" in keys
    after = [key for key in keys if key in ("pairing", "wishes", "community")]
    assert after == sorted(after, key=["pairing", "wishes", "community"].index)


# page -> the entry it lights up, for a user who sees that entry
ACTIVE = [
    ("committee", "/wishes/", WALL),
    ("committee", "/wishes/{pk}/", WALL),
    ("member", "/wishes/mine/", MINE),
    ("committee", "/wishes/manage/", MANAGE),
    ("community_worker", "/wishes/new/", MANAGE),
    ("unit_admin", "/wishes/figures/", FIGURES),
    ("member", "/", None),
]


@pytest.mark.parametrize(("role", "path", "lit"), ACTIVE)
def test_the_page_lights_up_its_entry(world, role, path, lit):
    group = _wishes_group(_menu(getattr(world.users, role), path.format(pk=1)))
    active = [str(entry["label"]) for entry in group["entries"] if entry["active"]]
    assert active == ([lit] if lit else [])


def test_the_menu_links_to_the_pages(world):
    group = _wishes_group(_menu(world.users.committee))
    assert [entry["url"] for entry in group["entries"]] == [
        "/wishes/",
        "/wishes/manage/",
        "/wishes/figures/",
    ]
