"""`core/ui/nav.py`: the menu built from registered groups and entries.

Each test starts from an empty registry (the apps' own entries are put back afterwards) and runs
on the small URLconf below, so the menu's logic is tested apart from the apps' pages.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import include, path, resolve, reverse

from guanqing.core import access
from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role
from guanqing.core.ui import nav
from guanqing.core.ui.nav import NavEntry

RULES = AccessTable("coretest_nav", {"committee": allow(Role.COMMITTEE)})
access._tables.pop("coretest_nav")  # registered only inside these tests (fixture below)


def page(request):
    return HttpResponse("")


urlpatterns = [
    path("", include(([path("", page, name="home")], "core"))),
    path("accounts/", include(([path("login/", page, name="login")], "accounts"))),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def empty_menu(monkeypatch):
    monkeypatch.setattr(nav, "_groups", {})
    monkeypatch.setattr(nav, "_entries", {})
    monkeypatch.setattr(access, "_tables", {**access._tables, "coretest_nav": RULES})


def request_for(user, path="/"):
    return SimpleNamespace(user=user, resolver_match=resolve(path) if path else None)


def labels(menu):
    return [
        (group["key"], group["label"], [e["label"] for e in group["entries"]]) for group in menu
    ]


def test_groups_in_their_order_top_group_first_without_heading(world):
    nav.register_group("later", "后面", order=20)
    nav.register_group("earlier", "前面", order=10)
    nav.register(
        NavEntry(group="later", label="乙", url_name="core:home", order=2),
        NavEntry(group="later", label="甲", url_name="accounts:login", order=1),
        NavEntry(group="earlier", label="丙", url_name="core:home"),
        NavEntry(group="", label="首页", url_name="core:home", order=500),
    )
    menu = nav.menu_for(request_for(world.users.member))
    assert labels(menu) == [
        ("", "", ["首页"]),
        ("earlier", "前面", ["丙"]),
        ("later", "后面", ["甲", "乙"]),
    ]


def test_an_unregistered_group_comes_after_the_registered_ones(world):
    nav.register_group("known", "已知", order=900)
    nav.register(
        NavEntry(group="unknown", label="乙", url_name="core:home"),
        NavEntry(group="known", label="甲", url_name="core:home"),
    )
    assert labels(nav.menu_for(request_for(world.users.member))) == [
        ("known", "已知", ["甲"]),
        ("unknown", "", ["乙"]),
    ]


def test_entries_follow_the_rule_and_empty_groups_are_dropped(world):
    nav.register_group("open", "所有人", order=10)
    nav.register_group("committee", "工委", order=20)
    nav.register(
        NavEntry(group="open", label="首页", url_name="core:home"),
        NavEntry(
            group="committee", label="工委页", url_name="core:home", rule="coretest_nav.committee"
        ),
    )
    assert labels(nav.menu_for(request_for(world.users.committee))) == [
        ("open", "所有人", ["首页"]),
        ("committee", "工委", ["工委页"]),
    ]
    assert labels(nav.menu_for(request_for(world.users.member))) == [("open", "所有人", ["首页"])]


def test_nobody_signed_in_sees_no_menu():
    nav.register(NavEntry(group="", label="首页", url_name="core:home"))
    assert nav.menu_for(request_for(AnonymousUser())) == []
    assert nav.menu_for(SimpleNamespace()) == []


def test_an_entry_whose_url_does_not_reverse_is_skipped_and_its_group_dropped(world):
    nav.register_group("broken", "坏的", order=10)
    nav.register_group("fine", "好的", order=20)
    nav.register(
        NavEntry(group="broken", label="不存在", url_name="nowhere:page"),
        NavEntry(group="fine", label="首页", url_name="core:home"),
        NavEntry(group="fine", label="不存在", url_name="core:no-such-page"),
    )
    menu = nav.menu_for(request_for(world.users.member))
    assert labels(menu) == [("fine", "好的", ["首页"])]
    assert menu[0]["entries"][0]["url"] == reverse("core:home")


def test_active_by_own_url_name_by_default(world):
    nav.register(
        NavEntry(group="", label="首页", url_name="core:home"),
        NavEntry(group="", label="登录", url_name="accounts:login"),
    )
    menu = nav.menu_for(request_for(world.users.member, reverse("core:home")))
    assert [(e["label"], e["active"]) for e in menu[0]["entries"]] == [
        ("首页", True),
        ("登录", False),
    ]


def test_active_by_exact_name_and_by_namespace_star():
    home = resolve(reverse("core:home"))
    login = resolve(reverse("accounts:login"))
    exact = NavEntry(group="", label="甲", url_name="core:home", active=("accounts:login",))
    assert exact.is_active(login)
    assert not exact.is_active(home)  # `active` replaces the default
    star = NavEntry(group="", label="乙", url_name="core:home", active=("accounts:*",))
    assert star.is_active(login)
    assert not star.is_active(home)
    assert not NavEntry(group="", label="丙", url_name="core:home").is_active(None)


def test_registering_again_replaces_an_entry(world):
    nav.register(NavEntry(group="", label="旧", url_name="core:home"))
    nav.register(NavEntry(group="", label="新", url_name="core:home"))
    assert [e.label for e in nav.entries()] == ["新"]
    assert labels(nav.menu_for(request_for(world.users.member))) == [("", "", ["新"])]


def test_the_menu_addresses_follow_the_sites_prefix(world):
    """Each address is reversed once per prefix and URL configuration, then read again."""
    from django.urls import set_script_prefix

    nav.register(NavEntry("", "首页", "core:home"), NavEntry("", "没有的页", "core:missing"))
    request = request_for(world.users.member, path=None)
    try:
        set_script_prefix("/guanqing/")
        assert labels(nav.menu_for(request)) == [("", "", ["首页"])]  # no page: no entry
        assert nav.menu_for(request)[0]["entries"][0]["url"] == "/guanqing/"
    finally:
        set_script_prefix("/")
    assert nav.menu_for(request)[0]["entries"][0]["url"] == "/"
