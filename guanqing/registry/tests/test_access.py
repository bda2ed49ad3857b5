"""The registry's access table: every page says who may open it, and the table decides what each
role is offered (create buttons, Excel kinds), the same way for pages, API and services."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver

from guanqing.conftest import client_for
from guanqing.core.access import PUBLIC, SIGNED_IN
from guanqing.registry import imports
from guanqing.registry.access import access

pytestmark = pytest.mark.django_db


def _views(namespace):
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == namespace:
            for inner in pattern.url_patterns:
                yield str(inner.pattern), inner.callback


@pytest.mark.parametrize("namespace", ["registry", "excel"])
def test_every_page_carries_an_access_mark(namespace):
    for route, view in _views(namespace):
        mark = getattr(view, "access", None)
        assert mark in (SIGNED_IN, PUBLIC) or (mark or "").startswith("registry."), route


@pytest.mark.parametrize(
    "role,kinds",
    [
        ("committee", ["units", "members", "households"]),
        ("unit_admin", ["members"]),
        ("community_worker", ["households"]),
        ("member", []),
        ("window_clerk", []),
        ("system_admin", []),
    ],
)
def test_excel_kinds_follow_the_create_rules(world, role, kinds):
    user = getattr(world.users, role)
    assert imports.import_kinds_for(user) == kinds
    assert access.allows(user, "excel") == bool(kinds)


@pytest.mark.parametrize(
    "url,rule",
    [
        ("/registry/units/", "create_unit"),
        ("/registry/members/", "create_member"),
        ("/registry/households/", "create_household"),
        ("/registry/party-orgs/", "create_partyorg"),
    ],
)
def test_create_buttons_follow_the_table(world, url, rule):
    for role in ("committee", "unit_admin", "community_worker", "member"):
        user = getattr(world.users, role)
        response = client_for(user).get(url)
        if response.status_code != 200:
            continue
        assert response.context["can_create"] == access.allows(user, rule), (role, url)


def test_create_pages_refuse_other_roles_with_the_rules_message(world):
    response = client_for(world.users.unit_admin).get("/registry/units/new/")
    assert response.status_code == 403
    assert "只有机关工委可以新增单位" in response.content.decode()
    # the registry's own gate comes first: the audit administrator does not use the registry
    response = client_for(world.users.audit_admin).get("/registry/households/new/")
    assert response.status_code == 403
    assert "您的角色不使用基础台账" in response.content.decode()
