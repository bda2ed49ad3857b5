"""Home page: live figures in the user's scope; separated administrators get their tools."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from guanqing.conftest import client_for
from guanqing.registry import services
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_committee_sees_city_wide_counts(world):
    for _ in range(3):
        f.HouseholdFactory(community=world.other_community)
    response = client_for(world.users.committee).get("/")
    totals = response.context["totals"]
    assert totals["households"] == 5
    assert totals["members"] == 2
    assert totals["units"] == 2
    assert response.context["by_district"][0]["households"] == 5
    assert "海曙区" in response.content.decode()


def test_community_worker_sees_only_own_community_counts(world):
    for _ in range(3):
        f.HouseholdFactory(community=world.other_community)
    response = client_for(world.users.community_worker).get("/")
    assert response.context["totals"]["households"] == 1
    assert response.context["totals"]["members"] == 1  # 张三 lives in the community
    assert [r["households"] for r in response.context["by_district"]] == [1]


def test_counts_roll_old_district_into_its_successor(world):
    old = f.DistrictFactory(code="330204000000", name="江东区")
    new = f.DistrictFactory(code="330212000000", name="鄞州区")
    f.HouseholdFactory(community=f.CommunityFactory(parent=f.StreetFactory(parent=old)))
    f.HouseholdFactory(community=f.CommunityFactory(parent=f.StreetFactory(parent=new)))
    services.division_abolish(
        actor=world.users.committee, division=old, on=datetime.date(2016, 10, 1), successor=new
    )
    rows = client_for(world.users.committee).get("/").context["by_district"]
    by_name = {r["district"]: r["households"] for r in rows}
    assert by_name.get("鄞州区") == 2
    assert "江东区" not in by_name


@pytest.mark.parametrize(
    "role,link,absent",
    [
        ("system_admin", "/accounts/users/", "/audit/"),
        ("security_admin", "/accounts/security/", "/accounts/users/"),
        ("audit_admin", "/audit/", "/accounts/security/"),
    ],
)
def test_separated_admins_get_tool_links_not_business_data(world, role, link, absent):
    response = client_for(getattr(world.users, role)).get("/")
    assert response.status_code == 200
    assert "totals" not in response.context
    html = response.content.decode()
    assert f'href="{link}"' in html
    assert f'href="{absent}"' not in html


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
