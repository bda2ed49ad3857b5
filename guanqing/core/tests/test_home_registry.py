"""`core/ui/home.py`: the home page's sections, from an empty registry in each test."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from guanqing.conftest import client_for
from guanqing.core import access
from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role
from guanqing.core.ui import home
from guanqing.core.ui.home import HomeSection

RULES = AccessTable("coretest_home", {"committee": allow(Role.COMMITTEE)})
access._tables.pop("coretest_home")  # registered only inside these tests (fixture below)


@pytest.fixture(autouse=True)
def empty_home(monkeypatch):
    monkeypatch.setattr(home, "_sections", {})
    monkeypatch.setattr(access, "_tables", {**access._tables, "coretest_home": RULES})


def tools(title):
    """A provider showing one tools section."""

    def provider(request):
        return {"template": "core/home/tools.html", "title": title, "tools": []}

    return provider


def keys(request):
    return [section["key"] for section in home.sections_for(request)]


def test_sections_in_order_then_key(world):
    home.register(
        HomeSection("coretest.c", tools("丙"), order=20),
        HomeSection("coretest.b", tools("乙"), order=10),
        HomeSection("coretest.a", tools("甲"), order=20),
    )
    assert [s.key for s in home.sections()] == ["coretest.b", "coretest.a", "coretest.c"]
    assert keys(SimpleNamespace(user=world.users.member)) == [
        "coretest.b",
        "coretest.a",
        "coretest.c",
    ]


def test_a_section_with_a_rule_is_shown_to_its_roles_only(world):
    home.register(
        HomeSection("coretest.all", tools("所有人")),
        HomeSection("coretest.committee", tools("工委"), rule="coretest_home.committee"),
    )
    assert keys(SimpleNamespace(user=world.users.committee)) == [
        "coretest.all",
        "coretest.committee",
    ]
    assert keys(SimpleNamespace(user=world.users.member)) == ["coretest.all"]


def test_the_provider_is_not_asked_for_a_user_the_rule_refuses(world):
    asked = []

    def provider(request):
        asked.append(request.user)
        return {"template": "core/home/tools.html", "title": "工委", "tools": []}

    home.register(HomeSection("coretest.committee", provider, rule="coretest_home.committee"))
    home.sections_for(SimpleNamespace(user=world.users.member))
    assert asked == []


def test_a_provider_returning_nothing_hides_its_section(world):
    home.register(
        HomeSection("coretest.none", lambda request: None, order=1),
        HomeSection("coretest.empty", lambda request: {}, order=2),
        HomeSection("coretest.shown", tools("有"), order=3),
    )
    shown = home.sections_for(SimpleNamespace(user=world.users.member))
    assert shown == [
        {"key": "coretest.shown", "template": "core/home/tools.html", "title": "有", "tools": []}
    ]


def test_registering_a_key_again_replaces_the_section(world):
    home.register(HomeSection("coretest.x", tools("旧")))
    home.register(HomeSection("coretest.x", tools("新")))
    (section,) = home.sections_for(SimpleNamespace(user=world.users.member))
    assert section["title"] == "新"


def test_the_home_page_renders_the_sections_the_user_may_see(world):
    home.register(
        HomeSection(
            "coretest.stats",
            lambda request: {
                "template": "core/home/stats.html",
                "title": "测试统计",
                "stats": [{"label": "测试数", "value": 7, "unit": "个", "url": "/coretest/"}],
            },
            rule="coretest_home.committee",
        ),
    )
    html = client_for(world.users.committee).get("/").content.decode()
    assert "测试统计" in html and 'href="/coretest/"' in html
    html = client_for(world.users.member).get("/").content.decode()
    assert "测试统计" not in html
