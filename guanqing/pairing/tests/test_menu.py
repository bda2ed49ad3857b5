"""The 结对帮困 menu entries each role sees, and the pages that light each entry up: written out
by hand from the menu as it was before the entries moved to `PairingConfig.ready()`."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from guanqing.core.roles import Role
from guanqing.core.ui.nav import menu_for

MANAGE = [
    ("结对管理", "/pairing/"),
    ("结对共建", "/pairing/partnerships/"),
    ("走访记录", "/pairing/visits/"),
    ("结对走访情况", "/pairing/board/"),
    ("结对统计", "/pairing/figures/"),
]
EXPECTED = {
    Role.COMMITTEE: MANAGE,
    Role.UNIT_ADMIN: MANAGE,
    Role.MEMBER: [("我的结对", "/pairing/mine/"), ("走访记录", "/pairing/visits/")],
    Role.COMMUNITY_WORKER: [("走访记录", "/pairing/visits/")],
    Role.WINDOW_CLERK: [],
    Role.FUND_OFFICER: [],
    Role.SYSTEM_ADMIN: [],
    Role.SECURITY_ADMIN: [],
    Role.AUDIT_ADMIN: [],
}


def _menu(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    with translation.override("zh-hans"):
        return [
            {
                "label": str(group["label"]),
                "entries": [(str(e["label"]), e["url"], e["active"]) for e in group["entries"]],
            }
            for group in menu_for(request)
        ]


def _pairing_group(menu):
    found = [group for group in menu if group["label"] == "结对帮困"]
    return found[0] if found else None


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_pairing_entries_in_order(world, role):
    group = _pairing_group(_menu(getattr(world.users, role.value)))
    expected = EXPECTED[role]
    if not expected:
        assert group is None  # no heading without entries
        return
    assert [(label, url) for label, url, _active in group["entries"]] == expected


def test_the_group_comes_after_the_registry_and_before_the_wishes(world):
    """Other apps register their groups on their own; those already registered keep the order
    基础台账, 结对帮困, 微心愿."""
    labels = [group["label"] for group in _menu(world.users.committee)]
    order = [label for label in ("基础台账", "结对帮困", "微心愿") if label in labels]
    assert [label for label in labels if label in order] == order


@pytest.mark.parametrize(
    "path, lit",
    [
        ("/pairing/", "结对管理"),
        ("/pairing/new/", "结对管理"),
        ("/pairing/7/", "结对管理"),
        ("/pairing/7/handover/", "结对管理"),
        ("/pairing/7/end/", "结对管理"),
        ("/pairing/partnerships/", "结对共建"),
        ("/pairing/partnerships/7/", "结对共建"),
        ("/pairing/visits/", "走访记录"),
        ("/pairing/visits/export/", "走访记录"),
        ("/pairing/board/", "结对走访情况"),
        ("/pairing/figures/", "结对统计"),
        ("/pairing/7/visit/", None),
        ("/", None),
    ],
)
def test_the_entry_of_the_page_is_lit(world, path, lit):
    group = _pairing_group(_menu(world.users.committee, path))
    active = [label for label, _url, is_active in group["entries"] if is_active]
    assert active == ([lit] if lit else [])


def test_my_pairings_is_lit_for_the_member(world):
    group = _pairing_group(_menu(world.users.member, "/pairing/mine/"))
    assert [label for label, _url, active in group["entries"] if active] == ["我的结对"]
