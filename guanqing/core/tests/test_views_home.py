"""Home page (工作台): each role sees the sections of its own work, with figures read through its
scope, every figure linked to the list behind it; the separated administrators get their tools."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from guanqing.conftest import client_for
from guanqing.registry import services
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

REGISTRY_SECTIONS = {
    "registry.city",
    "registry.city_charts",
    "registry.unit",
    "registry.community",
    "registry.coming",
    "accounts.admin_tools",
}
# Which of these sections each role sees.
SECTIONS_OF_ROLE = {
    "committee": {"registry.city", "registry.city_charts"},
    "unit_admin": {"registry.unit"},
    "member": set(),
    "community_worker": {"registry.community"},
    "window_clerk": {"registry.coming"},
    "fund_officer": set(),  # its work is the fund's own section
    "system_admin": {"accounts.admin_tools"},
    "security_admin": {"accounts.admin_tools"},
    "audit_admin": {"accounts.admin_tools"},
}


def _home(user):
    response = client_for(user).get("/")
    assert response.status_code == 200
    return response


def _sections(response) -> dict[str, dict]:
    return {s["key"]: s for s in response.context["sections"] if s["key"] in REGISTRY_SECTIONS}


def _stats(response, key) -> dict[str, dict]:
    return {str(stat["label"]): stat for stat in _sections(response)[key]["stats"]}


def _rows_behind(client, url) -> int:
    """How many rows the list behind a figure shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def test_anonymous_home_redirects_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", sorted(SECTIONS_OF_ROLE))
def test_each_role_sees_only_its_own_sections(world, role):
    assert set(_sections(_home(getattr(world.users, role)))) == SECTIONS_OF_ROLE[role]


def test_committee_sees_city_wide_counts_each_linked_to_its_list(world):
    for _ in range(3):
        f.HouseholdFactory(community=world.other_community)
    response = _home(world.users.committee)
    stats = _stats(response, "registry.city")
    assert stats["困难家庭"]["value"] == 5
    assert stats["党员干部"]["value"] == 2
    assert stats["机关单位"]["value"] == 2
    assert stats["社区/村（现行）"]["value"] == 2
    client = client_for(world.users.committee)
    for stat in stats.values():
        assert _rows_behind(client, stat["url"]) == stat["value"], stat["label"]
    html = response.content.decode()
    assert "海曙区" in html and "市纪委" in html


def test_committee_charts_link_each_bar_to_its_rows(world):
    f.MemberFactory(unit=world.unit)
    charts = _sections(_home(world.users.committee))["registry.city_charts"]
    client = client_for(world.users.committee)
    assert [row["households"] for row in charts["by_district"]] == [2]
    for row in charts["by_district"]:
        assert _rows_behind(client, row["url"]) == row["households"]
    assert [(row["unit"], row["members"]) for row in charts["by_unit"]] == [
        ("市纪委", 2),
        ("市发改委", 1),
    ]
    for row in charts["by_unit"]:
        assert _rows_behind(client, row["url"]) == row["members"]


def test_counts_roll_old_district_into_its_successor(world):
    old = f.DistrictFactory(code="330204000000", name="江东区")
    new = f.DistrictFactory(code="330212000000", name="鄞州区")
    f.HouseholdFactory(community=f.CommunityFactory(parent=f.StreetFactory(parent=old)))
    f.HouseholdFactory(community=f.CommunityFactory(parent=f.StreetFactory(parent=new)))
    services.division_abolish(
        actor=world.users.committee, division=old, on=datetime.date(2016, 10, 1), successor=new
    )
    rows = _sections(_home(world.users.committee))["registry.city_charts"]["by_district"]
    by_name = {r["district"]: r for r in rows}
    assert by_name["鄞州区"]["households"] == 2
    assert "江东区" not in by_name
    assert _rows_behind(client_for(world.users.committee), by_name["鄞州区"]["url"]) == 2


def test_community_worker_sees_its_own_community_by_status(world):
    for _ in range(3):
        f.HouseholdFactory(community=world.other_community)
    f.HouseholdFactory(community=world.community, status="lifted")
    response = _home(world.users.community_worker)
    stats = _stats(response, "registry.community")
    assert stats["本社区困难家庭"]["value"] == 2
    assert stats["帮扶中"]["value"] == 1
    assert stats["已脱困"]["value"] == 1
    assert stats["已迁出"]["value"] == 0
    client = client_for(world.users.community_worker)
    for stat in stats.values():
        assert _rows_behind(client, stat["url"]) == stat["value"], stat["label"]
    # nothing of the city: no city-wide figure, no other community's count
    assert "社区/村（现行）" not in response.content.decode()


def test_unit_admin_sees_its_members_by_status_and_its_paired_households(world):
    f.MemberFactory(unit=world.unit, status="retired")
    f.MemberFactory(unit=world.other_unit)
    f.PairingFactory(household=world.household, unit=world.unit)
    f.PairingFactory(household=world.other_household, unit=world.other_unit)
    stats = _stats(_home(world.users.unit_admin), "registry.unit")
    assert stats["本单位党员"]["value"] == 2
    assert stats["在职"]["value"] == 1
    assert stats["退休"]["value"] == 1
    assert stats["结对困难家庭"]["value"] == 1
    client = client_for(world.users.unit_admin)
    for stat in stats.values():
        assert _rows_behind(client, stat["url"]) == stat["value"], stat["label"]


def test_a_member_sees_no_registry_counts(world):
    html = _home(world.users.member).content.decode()
    assert "社区/村（现行）" not in html and "本社区困难家庭" not in html


def test_the_window_clerk_gets_a_card_with_what_it_may_open(world):
    user = world.users.window_clerk
    section = _sections(_home(user))["registry.coming"]
    assert section["note"]
    client = client_for(user)
    for tool in section["tools"]:
        assert client.get(tool["url"]).status_code == 200, tool["url"]


@pytest.mark.parametrize(
    "role,links,absent",
    [
        (
            "system_admin",
            ["/accounts/users/", "/registry/units/"],
            ["/audit/", "/accounts/security/"],
        ),
        ("security_admin", ["/accounts/security/"], ["/accounts/users/", "/audit/"]),
        ("audit_admin", ["/audit/"], ["/accounts/security/", "/accounts/users/"]),
    ],
)
def test_separated_admins_get_their_own_tools_not_business_data(world, role, links, absent):
    user = getattr(world.users, role)
    response = _home(user)
    tools = _sections(response)["accounts.admin_tools"]["tools"]
    assert [tool["url"] for tool in tools] == links
    html = response.content.decode()
    assert "三员分立" in html
    # the page's own content (the menu aside) links only to the admin's own tools
    content = html.split("<main", 1)[-1]
    hrefs = {unescape(h) for h in re.findall(r'href="([^"]+)"', content)}
    for link in links:
        assert link in hrefs
    for link in absent:
        assert link not in hrefs
    client = client_for(user)
    for link in links:
        assert client.get(link).status_code == 200


# A budget per role for the whole page ("/"), every app's sections included. The page itself
# (session, user, security policy, the bell) is about seven queries; each section keeps to a few,
# and none grows with the rows it counts.
HOME_QUERY_BUDGET = {
    # 轮训: the newest plan with its counts; 十件实事: the year by status; 难题派单: the open
    # problems' states, the 通报 and the extensions, each from its own index (three queries).
    # 41 when the test runs alone, its caches cold.
    "committee": 41,
    "unit_admin": 28,
    "member": 30,
    "community_worker": 26,
    "window_clerk": 10,
    "fund_officer": 14,  # the fund: waiting for it, to pay, the balance, the year's donations
    "system_admin": 10,
    "security_admin": 10,
    "audit_admin": 10,
}


@pytest.mark.parametrize("role", sorted(HOME_QUERY_BUDGET))
def test_home_page_query_count_stays_small(world, role, django_assert_max_num_queries):
    for _ in range(5):
        f.HouseholdFactory(community=world.community)
        f.MemberFactory(unit=world.unit)
    client = client_for(getattr(world.users, role))
    with django_assert_max_num_queries(HOME_QUERY_BUDGET[role]):
        assert client.get("/").status_code == 200


def test_registry_sections_keep_to_a_few_queries(world, django_assert_max_num_queries):
    from django.test import RequestFactory

    from guanqing.registry import home

    request = RequestFactory().get("/")
    budgets = {
        "committee": (home.city_figures, 4),
        "unit_admin": (home.unit_figures, 3),
        "community_worker": (home.community_figures, 2),
        "window_clerk": (home.coming_soon, 0),
    }
    for role, (provider, budget) in budgets.items():
        request.user = getattr(world.users, role)
        with django_assert_max_num_queries(budget):
            provider(request)
    request.user = world.users.committee
    with django_assert_max_num_queries(6):
        home.city_charts(request)


def test_menu_shows_only_what_the_role_may_use(world):
    html = client_for(world.users.community_worker).get("/").content.decode()
    assert "/registry/households/" in html and "/registry/excel/" in html
    assert "/accounts/users/" not in html and "/audit/" not in html
    html = client_for(world.users.audit_admin).get("/").content.decode()
    assert "/registry/households/" not in html and "/registry/excel/" not in html


def test_top_bar_shows_name_role_language_switch_and_logout(world):
    user = world.users.unit_admin
    user.display_name = "王主任"
    user.save(update_fields=["display_name"])
    html = client_for(user).get("/").content.decode()
    assert "王主任" in html and "单位党务管理员" in html
    assert 'action="/i18n/setlang/"' in html
    assert f'action="{reverse("accounts:logout")}" method="post"' in html


def test_language_switch_to_english_keeps_working(world):
    client = client_for(world.users.committee)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_fund_officer_finds_its_work_not_a_coming_soon_note(world):
    html = _home(world.users.fund_officer).content.decode()
    assert "即将上线" not in html
    assert "待我审批" in html and "已批准待发放" in html and "账户余额" in html
