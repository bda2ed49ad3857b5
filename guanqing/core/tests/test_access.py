"""`core/access.py`: rules, tables and the page decorator, on a table made for these tests.

The module's table is taken out of the global registry as soon as it is made, so the checks that
walk every app's table never see it; the tests that need it registered put it back for their run.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path

from guanqing.conftest import client_for
from guanqing.core import access
from guanqing.core.access import PUBLIC, ROLE_FORBIDDEN, SIGNED_IN, AccessTable, allow
from guanqing.core.roles import Role

APP = "coretest_access"
DENIED = "只有机关工委可以打开测试页面"

table = AccessTable(
    APP,
    {
        "committee_only": allow(Role.COMMITTEE, denied=DENIED),
        "two_roles": allow([Role.COMMITTEE, Role.UNIT_ADMIN]),
    },
)
access._tables.pop(APP)


@table.page("committee_only")
def committee_page(request):
    return HttpResponse("committee page")


@access.signed_in
def signed_in_page(request):
    return HttpResponse("signed in page")


@access.public
def public_page(request):
    return HttpResponse("public page")


# The project's URLs (for the layout of the 403 page and the sign-in URL) plus the three pages.
urlpatterns = [
    path("coretest/committee/", committee_page),
    path("coretest/signed-in/", signed_in_page),
    path("coretest/public/", public_page),
    path("", include("config.urls")),
]


@pytest.fixture
def registered(monkeypatch):
    """The test table in the registry (for `access.rule("app.name")`), for this test only."""
    monkeypatch.setattr(access, "_tables", {**access._tables, APP: table})
    return table


# ---------------------------------------------------------------------------------------------
# allow / Rule
# ---------------------------------------------------------------------------------------------


def test_allow_flattens_roles_and_iterables_and_keeps_the_message():
    rule = allow(Role.COMMITTEE, [Role.MEMBER, "unit_admin"], denied=DENIED)
    assert rule.roles == frozenset({Role.COMMITTEE, Role.MEMBER, Role.UNIT_ADMIN})
    assert rule.denied == DENIED
    assert allow(Role.MEMBER).denied == ROLE_FORBIDDEN


def test_allow_refuses_a_role_that_does_not_exist():
    with pytest.raises(ValueError):
        allow("chairman")


def test_a_rule_allows_only_active_signed_in_users_of_its_roles(world):
    rule = table.rule("committee_only")
    assert rule.allows(world.users.committee)
    assert not rule.allows(world.users.unit_admin)
    assert not rule.allows(AnonymousUser())
    assert not rule.allows(None)
    world.users.committee.is_active = False
    assert not rule.allows(world.users.committee)


# ---------------------------------------------------------------------------------------------
# AccessTable
# ---------------------------------------------------------------------------------------------


def test_table_answers_roles_allows_and_check(world):
    assert table.roles("two_roles") == frozenset({Role.COMMITTEE, Role.UNIT_ADMIN})
    assert table.allows(world.users.unit_admin, "two_roles")
    assert not table.allows(world.users.member, "two_roles")
    table.check(world.users.committee, "committee_only")  # no exception
    with pytest.raises(PermissionDenied) as denied:
        table.check(world.users.unit_admin, "committee_only")
    assert str(denied.value) == DENIED
    with pytest.raises(PermissionDenied) as default:
        table.check(world.users.member, "two_roles")
    assert str(default.value) == str(ROLE_FORBIDDEN)


def test_an_unknown_rule_name_is_a_lookup_error():
    with pytest.raises(LookupError, match="no access rule 'nope'"):
        table.rule("nope")
    with pytest.raises(LookupError):
        table.allows(None, "nope")


def test_a_table_registers_under_its_app_label(monkeypatch):
    monkeypatch.setattr(access, "_tables", {})
    made = AccessTable("coretest_other", {"x": allow(Role.MEMBER)})
    assert access.table("coretest_other") is made
    assert access.tables() == {"coretest_other": made}


def test_module_level_rule_and_allows_read_app_dot_name(registered, world):
    assert access.rule(f"{APP}.committee_only") is table.rule("committee_only")
    assert access.allows(world.users.committee, f"{APP}.committee_only")
    assert not access.allows(world.users.member, f"{APP}.committee_only")
    with pytest.raises(LookupError):
        access.rule(f"{APP}.nope")
    with pytest.raises(KeyError):
        access.rule("no_such_app.rule")


def test_the_may_filter_reads_the_same_rule(registered, world):
    from guanqing.core.templatetags.guanqing import may

    assert may(world.users.committee, f"{APP}.committee_only")
    assert not may(world.users.unit_admin, f"{APP}.committee_only")


# ---------------------------------------------------------------------------------------------
# The page decorator and the marks
# ---------------------------------------------------------------------------------------------


def test_a_misspelt_rule_fails_when_the_view_is_decorated():
    with pytest.raises(LookupError, match="committe_only"):
        table.page("committe_only")


def test_the_views_carry_their_mark():
    assert committee_page.access == f"{APP}.committee_only"
    assert signed_in_page.access == SIGNED_IN
    assert public_page.access == PUBLIC
    assert committee_page.__name__ == "committee_page"  # functools.wraps kept


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    for url in ("/coretest/committee/", "/coretest/signed-in/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert url in response["Location"]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_public_page_needs_no_account(client):
    response = client.get("/coretest/public/")
    assert response.status_code == 200
    assert response.content == b"public page"


@pytest.mark.urls(__name__)
def test_the_rule_role_gets_the_page_and_others_a_403_with_the_rule_message(world):
    response = client_for(world.users.committee).get("/coretest/committee/")
    assert response.status_code == 200
    assert response.content == b"committee page"

    for user in (world.users.unit_admin, world.users.member, world.users.system_admin):
        response = client_for(user).get("/coretest/committee/")
        assert response.status_code == 403
        assert DENIED in response.content.decode()

    response = client_for(world.users.member).get("/coretest/signed-in/")
    assert response.status_code == 200


def test_an_inactive_user_is_refused_by_the_page(world):
    """Signed in (a session that outlived the account) but inactive: the rule refuses it."""
    user = world.users.committee
    user.is_active = False
    request = RequestFactory().get("/coretest/committee/")
    request.user = user
    with pytest.raises(PermissionDenied):
        committee_page(request)
    with pytest.raises(PermissionDenied):
        table.check(user, "committee_only")
