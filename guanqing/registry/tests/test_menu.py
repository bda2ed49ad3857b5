"""The menu entries of the registry, the accounts and core's own pages, role by role: the same
entries, order and highlighting as the menu had when it was written by hand."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve

from guanqing.core.ui.nav import menu_for

pytestmark = pytest.mark.django_db

# The labels of the entries these apps register (other apps add their own groups in between).
OURS = {
    "首页",
    "困难家庭",
    "党员干部",
    "机关单位",
    "党组织",
    "行政区划",
    "工作日历",
    "Excel 导入",
    "账号管理",
    "安全策略",
    "审计日志",
}
OUR_GROUPS = {"", "registry", "calendar", "exchange", "admin"}

REGISTRY = ["困难家庭", "党员干部", "机关单位", "党组织", "行政区划"]

EXPECTED = {
    "committee": [
        ("", ["首页"]),
        ("基础台账", REGISTRY),
        ("", ["工作日历"]),
        ("数据交换", ["Excel 导入"]),
    ],
    "unit_admin": [
        ("", ["首页"]),
        ("基础台账", REGISTRY),
        ("", ["工作日历"]),
        ("数据交换", ["Excel 导入"]),
    ],
    "member": [("", ["首页"]), ("基础台账", REGISTRY), ("", ["工作日历"])],
    "community_worker": [
        ("", ["首页"]),
        ("基础台账", REGISTRY),
        ("", ["工作日历"]),
        ("数据交换", ["Excel 导入"]),
    ],
    "window_clerk": [("", ["首页"]), ("基础台账", REGISTRY), ("", ["工作日历"])],
    "fund_officer": [("", ["首页"]), ("基础台账", REGISTRY), ("", ["工作日历"])],
    "system_admin": [
        ("", ["首页"]),
        ("基础台账", ["党员干部", "机关单位", "行政区划"]),
        ("", ["工作日历"]),
        ("系统管理", ["账号管理"]),
    ],
    "security_admin": [("", ["首页"]), ("", ["工作日历"]), ("系统管理", ["安全策略"])],
    "audit_admin": [("", ["首页"]), ("", ["工作日历"]), ("系统管理", ["审计日志"])],
}


def _menu(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return menu_for(request)


def _ours(menu):
    shown = []
    for group in menu:
        if group["key"] not in OUR_GROUPS:
            continue
        labels = [str(e["label"]) for e in group["entries"] if str(e["label"]) in OURS]
        if labels:
            shown.append((str(group["label"]), labels))
    return shown


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_entries_in_order(world, role):
    assert _ours(_menu(getattr(world.users, role))) == EXPECTED[role]


def test_entries_open_the_pages_they_name(world):
    urls = {
        str(e["label"]): e["url"]
        for group in _menu(world.users.committee) + _menu(world.users.system_admin)
        for e in group["entries"]
    }
    assert urls["首页"] == "/"
    assert urls["困难家庭"] == "/registry/households/"
    assert urls["党员干部"] == "/registry/members/"
    assert urls["机关单位"] == "/registry/units/"
    assert urls["党组织"] == "/registry/party-orgs/"
    assert urls["行政区划"] == "/registry/divisions/"
    assert urls["工作日历"] == "/calendar/"
    assert urls["Excel 导入"] == "/registry/excel/"
    assert urls["账号管理"] == "/accounts/users/"
    menu = _menu(world.users.security_admin) + _menu(world.users.audit_admin)
    urls = {str(e["label"]): e["url"] for group in menu for e in group["entries"]}
    assert urls["安全策略"] == "/accounts/security/"
    assert urls["审计日志"] == "/audit/"


def _active(user, path):
    return [str(e["label"]) for group in _menu(user, path) for e in group["entries"] if e["active"]]


@pytest.mark.parametrize(
    "role,path,label",
    [
        ("committee", "/", "首页"),
        ("committee", "/registry/households/", "困难家庭"),
        ("committee", "/registry/households/new/", "困难家庭"),
        ("committee", "/registry/households/{household}/", "困难家庭"),
        ("committee", "/registry/households/{household}/people/new/", "困难家庭"),
        ("committee", "/registry/members/{member}/edit/", "党员干部"),
        ("committee", "/registry/units/{unit}/", "机关单位"),
        ("committee", "/registry/party-orgs/new/", "党组织"),
        ("committee", "/registry/divisions/", "行政区划"),
        ("committee", "/registry/excel/", "Excel 导入"),
        ("committee", "/registry/excel/jobs/1/", "Excel 导入"),
        ("committee", "/calendar/2026/", "工作日历"),
        ("system_admin", "/accounts/users/new/", "账号管理"),
        ("security_admin", "/accounts/security/grants/", "安全策略"),
        ("audit_admin", "/audit/", "审计日志"),
    ],
)
def test_the_entry_of_the_page_is_highlighted_alone(world, role, path, label):
    path = path.format(household=world.household.pk, member=world.member.pk, unit=world.unit.pk)
    assert _active(getattr(world.users, role), path) == [label]


def test_a_person_page_highlights_nothing_of_the_registry(world):
    # as before: only pages under /registry/households/ light up 困难家庭
    assert _active(world.users.committee, f"/registry/people/{world.person.pk}/edit/") == []
