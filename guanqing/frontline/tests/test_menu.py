"""The system administrator finds the Open311 keys in the 系统管理 group, beside the accounts;
nobody else sees the entry."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve

from guanqing.core.roles import Role
from guanqing.core.ui import nav

KEYS = "Open311 接入密钥"


def _admin_entries(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    group = next((g for g in nav.menu_for(request) if g["key"] == "admin"), None)
    return [(str(e["label"]), e["active"]) for e in group["entries"]] if group else []


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_the_system_administrator_sees_the_keys_entry(world, role):
    labels = [label for label, _active in _admin_entries(getattr(world.users, role))]
    assert (KEYS in labels) == (role == Role.SYSTEM_ADMIN)
    if KEYS in labels:
        assert labels == ["账号管理", KEYS]


def test_the_keys_page_lights_up_its_entry(world):
    entries = _admin_entries(world.users.system_admin, "/frontline/keys/")
    assert [label for label, active in entries if active] == [KEYS]
