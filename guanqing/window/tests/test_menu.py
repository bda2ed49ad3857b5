"""The 满意窗口 menu entry for cases (办件) each role sees (written out by hand), above 事项目录,
and the case pages that light it up."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve

from guanqing.core.ui import nav

CASES = "办件"
CATALOGUE = "事项目录"

# whether each role sees 办件 in the window group
SEES_CASES = {
    "committee": True,
    "unit_admin": True,
    "member": False,
    "community_worker": False,
    "window_clerk": True,
    "fund_officer": False,
    "system_admin": False,
    "security_admin": False,
    "audit_admin": False,
}


def _menu(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return nav.menu_for(request)


def _window_group(menu):
    return next((group for group in menu if group["key"] == "window"), None)


@pytest.mark.parametrize("role", list(SEES_CASES))
def test_each_role_sees_the_cases_entry_above_the_catalogue(world, role):
    group = _window_group(_menu(getattr(world.users, role)))
    shown = [str(entry["label"]) for entry in group["entries"]] if group else []
    assert (CASES in shown) == SEES_CASES[role]
    if CASES in shown:
        assert shown.index(CASES) < shown.index(CATALOGUE)
        assert shown[0] == CASES


@pytest.mark.parametrize("path", ["/window/cases/", "/window/cases/new/"])
def test_the_case_pages_light_up_the_cases_entry(world, path):
    group = _window_group(_menu(world.users.window_clerk, path))
    active = [str(entry["label"]) for entry in group["entries"] if entry["active"]]
    assert active == [CASES]
