"""The system administrator's and the security administrator's pages."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanqing.accounts.models import AccountRequest, User
from guanqing.core.models import AuditEvent
from guanqing.core.policy import current_policy
from guanqing.testing import factories as f

PASSWORD = "Lianxi2024abc"
ROLES = [
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]
SYSTEM_PAGES = ["accounts:user_list", "accounts:user_create"]
SECURITY_PAGES = [
    "accounts:security_policy",
    "accounts:security_grants",
    "accounts:security_locked",
]


def as_user(client, user):
    client.force_login(user)
    return client


# --- who may open which page ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", SYSTEM_PAGES)
def test_account_pages_are_for_the_system_admin_only(client, world, role, name):
    response = as_user(client, getattr(world.users, role)).get(reverse(name))
    assert response.status_code == (200 if role == "system_admin" else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", SECURITY_PAGES)
def test_security_pages_are_for_the_security_admin_only(client, world, role, name):
    response = as_user(client, getattr(world.users, role)).get(reverse(name))
    assert response.status_code == (200 if role == "security_admin" else 403)


@pytest.mark.parametrize("name", SYSTEM_PAGES + SECURITY_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_other_roles_cannot_edit_or_reset_through_the_url(client, world):
    target = world.users.window_clerk
    as_user(client, world.users.security_admin)
    assert client.get(reverse("accounts:user_edit", args=[target.pk])).status_code == 403
    response = client.post(
        reverse("accounts:user_password", args=[target.pk]),
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert not target.check_password(PASSWORD)


# --- list, search, filters -----------------------------------------------------------------


def listed(client, **params) -> set[str]:
    response = client.get(reverse("accounts:user_list"), params)
    return {u.username for u in response.context["page"].object_list}


def test_user_list_searches_username_and_display_name(client, world):
    f.UserFactory(username="wupeng", display_name="吴鹏", role="window_clerk")
    as_user(client, world.users.system_admin)
    assert listed(client, q="吴鹏") == {"wupeng"}
    assert listed(client, q="WUP") == {"wupeng"}
    assert "吴鹏" in client.get(reverse("accounts:user_list"), {"q": "wup"}).content.decode()


def test_user_list_filters_by_role_and_active(client, world):
    f.UserFactory(username="retired_clerk", role="window_clerk", is_active=False)
    as_user(client, world.users.system_admin)
    assert listed(client, role="window_clerk") == {"window_clerk", "retired_clerk"}
    assert listed(client, is_active="0") == {"retired_clerk"}
    assert listed(client, role="window_clerk", is_active="1") == {"window_clerk"}
    assert len(listed(client)) == 10


def test_htmx_filter_answers_only_the_results(client, world):
    as_user(client, world.users.system_admin)
    response = client.get(
        reverse("accounts:user_list"),
        {"q": "committee"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="user-results",
    )
    body = response.content.decode()
    assert "<html" not in body and "committee" in body


def test_user_list_query_count_does_not_grow_with_rows(client, world):
    as_user(client, world.users.system_admin)
    client.get(reverse("accounts:user_list"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:user_list")).status_code == 200
        return len(ctx)

    before = count()
    for _ in range(10):
        f.UserFactory(role="community_worker", community=world.community)
        f.UserFactory(role="member", member=f.MemberFactory(unit=world.unit), unit=world.unit)
    assert count() == before


# --- create --------------------------------------------------------------------------------


def test_create_form_does_not_offer_the_administrator_roles(client, world):
    body = as_user(client, world.users.system_admin).get(reverse("accounts:user_create"))
    options = body.content.decode()
    assert 'value="unit_admin"' in options
    for role in ("system_admin", "security_admin", "audit_admin"):
        assert f'value="{role}"' not in options


def test_system_admin_creates_a_community_worker(client, world):
    as_user(client, world.users.system_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "xujiacao2",
            "display_name": "小徐",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": "community_worker",
            "community": world.community.pk,
            "unit": world.unit.pk,
        },
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
    user = User.objects.get(username="xujiacao2")
    assert (user.role, user.community) == ("", None), "nothing applies before approval"
    asked = AccountRequest.objects.get(user=user, status="pending")
    assert (asked.role, asked.community, asked.unit) == ("community_worker", world.community, None)
    event = AuditEvent.objects.get(
        action="create", object_type="accounts.user", object_id=str(user.pk)
    )
    assert event.ip_address == "10.1.1.1"
    listing = client.get(response["Location"]).content.decode()
    assert "待安全管理员审批" in listing
    assert "待授权：社区工作者" in listing


def post_create(client, **data):
    base = {
        "username": "newbie",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": "unit_admin",
    }
    return client.post(reverse("accounts:user_create"), {**base, **data})


def test_missing_scope_is_shown_next_to_the_unit_field(client, world):
    response = post_create(as_user(client, world.users.system_admin))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("password", ["Abc12345", "OnlyLettersHere", "12345678901234"])
def test_weak_password_is_shown_next_to_the_password_field(client, world, password):
    as_user(client, world.users.system_admin)
    response = post_create(client, password1=password, password2=password, unit=world.unit.pk)
    assert list(response.context["form"].errors) == ["password1"]
    assert not User.objects.filter(username="newbie").exists()


def test_different_passwords_are_refused_on_the_second_field(client, world):
    as_user(client, world.users.system_admin)
    response = post_create(client, password2="Lianxi2024abd", unit=world.unit.pk)
    assert "password2" in response.context["form"].errors


def test_posting_an_administrator_role_is_refused(client, world):
    as_user(client, world.users.system_admin)
    response = post_create(client, role="audit_admin")
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


def test_member_search_shows_masked_id_numbers_only(client, world):
    as_user(client, world.users.system_admin)
    response = client.get(reverse("accounts:member_search"), {"member_q": "李"})
    body = response.content.decode()
    assert "李四" in body
    assert world.other_member.id_number not in body
    assert world.other_member.masked_id_number() in body
    assert "张三" not in body


def test_member_search_marks_members_that_already_have_an_account(client, world):
    as_user(client, world.users.system_admin)
    body = client.get(reverse("accounts:member_search"), {"member_q": "张三"}).content.decode()
    assert "已有账号" in body
    assert f'data-member-id="{world.member.pk}"' not in body


def test_member_search_finds_by_exact_id_number(client, world):
    as_user(client, world.users.system_admin)
    response = client.get(
        reverse("accounts:member_search"), {"member_q": world.other_member.id_number}
    )
    assert f'data-member-id="{world.other_member.pk}"' in response.content.decode()


def test_creating_a_member_account_from_the_picker(client, world):
    as_user(client, world.users.system_admin)
    response = post_create(client, role="member", member=world.other_member.pk)
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    asked = AccountRequest.objects.get(user=user, status="pending")
    assert (asked.member, asked.unit) == (world.other_member, world.other_unit)
    assert user.member is None


# --- edit, disable, reset password ---------------------------------------------------------


def test_edit_disables_at_once_and_asks_for_the_role_change(client, world):
    target = world.users.window_clerk
    as_user(client, world.users.system_admin)
    response = client.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {
            "display_name": "吴鹏",
            "role": "unit_admin",
            "unit": world.other_unit.pk,
            "is_active": "0",
        },
        follow=True,
    )
    assert "待安全管理员审批" in response.content.decode()
    target.refresh_from_db()
    assert (target.display_name, target.is_active) == ("吴鹏", False)
    assert (target.role, target.unit) == ("window_clerk", None), "the role waits for approval"
    asked = AccountRequest.objects.get(user=target, status="pending")
    assert (asked.kind, asked.role, asked.unit) == ("role", "unit_admin", world.other_unit)
    # the form shows what was asked for, so saving the name again asks nothing new
    page = client.get(reverse("accounts:user_edit", args=[target.pk]))
    assert page.context["form"].initial["role"] == "unit_admin"
    assert "待授权：单位党务管理员" in page.content.decode()
    client.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {
            "display_name": "吴鹏鹏",
            "role": "unit_admin",
            "unit": world.other_unit.pk,
            "is_active": "0",
        },
    )
    assert AccountRequest.objects.filter(user=target).count() == 1


def test_saving_the_name_of_a_fund_officer_with_a_unit_asks_nothing(client, world):
    target = world.users.fund_officer
    User.objects.filter(pk=target.pk).update(unit=world.unit)
    as_user(client, world.users.system_admin)
    response = client.post(
        reverse("accounts:user_edit", args=[target.pk]),
        # what the browser sends: the hidden unit picker keeps its value
        {"display_name": "经办人", "role": "fund_officer", "unit": world.unit.pk, "is_active": "1"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.display_name, target.unit) == ("经办人", world.unit)
    assert not AccountRequest.objects.filter(user=target).exists()


def test_system_admin_withdraws_its_role_request_from_the_edit_page(client, world):
    target = world.users.window_clerk
    as_user(client, world.users.system_admin)
    client.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {"role": "committee", "is_active": "1"},
    )
    asked = AccountRequest.objects.get(user=target, status="pending")
    response = client.post(reverse("accounts:user_request_withdraw", args=[asked.pk]))
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "withdrawn"
    target.refresh_from_db()
    assert target.role == "window_clerk"


def test_edit_of_an_administrator_shows_a_notice_and_changes_nothing(client, world):
    target = world.users.audit_admin
    as_user(client, world.users.system_admin)
    page = client.get(reverse("accounts:user_edit", args=[target.pk]))
    assert "createadmins" in page.content.decode()
    client.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {"role": "committee", "is_active": "0"},
    )
    target.refresh_from_db()
    assert (target.role, target.is_active) == ("audit_admin", True)


def test_edit_of_a_missing_account_is_404(client, world):
    as_user(client, world.users.system_admin)
    assert client.get(reverse("accounts:user_edit", args=[99999])).status_code == 404


def test_reset_password(client, world):
    target = world.users.fund_officer
    as_user(client, world.users.system_admin)
    response = client.post(
        reverse("accounts:user_password", args=[target.pk]),
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert target.must_change_password
    listing = client.get(response["Location"]).content.decode()
    assert "须经安全管理员确认后方可登录" in listing
    assert "密码重设待确认" in listing


def test_reset_password_refuses_a_weak_one_on_the_field(client, world):
    target = world.users.fund_officer
    as_user(client, world.users.system_admin)
    response = client.post(
        reverse("accounts:user_password", args=[target.pk]),
        {"password1": "short1", "password2": "short1"},
    )
    assert "password1" in response.context["form"].errors


# --- security administrator ----------------------------------------------------------------


def test_security_admin_saves_the_policy(client, world):
    as_user(client, world.users.security_admin)
    data = {
        "failure_limit": 4,
        "lockout_minutes": 30,
        "idle_minutes": 20,
        "mask_head": 3,
        "mask_tail": 2,
    }
    response = client.post(reverse("accounts:security_policy"), data)
    assert response.status_code == 302
    policy = current_policy()
    assert (policy.failure_limit, policy.lockout_minutes, policy.mask_head) == (4, 30, 3)
    assert AuditEvent.objects.filter(action="policy_change").exists()


def test_policy_error_is_next_to_its_field(client, world):
    as_user(client, world.users.security_admin)
    data = {
        "failure_limit": 5,
        "lockout_minutes": 15,
        "idle_minutes": 15,
        "mask_head": 10,
        "mask_tail": 8,
    }
    response = client.post(reverse("accounts:security_policy"), data)
    assert response.status_code == 200
    assert "mask_tail" in response.context["form"].errors


def test_grant_toggle_with_htmx_returns_the_row(client, world):
    target = world.users.community_worker
    as_user(client, world.users.security_admin)
    response = client.post(
        reverse("accounts:security_grant_toggle", args=[target.pk]),
        {"allowed": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.strip().startswith("<tr") and "已授权" in body
    target.refresh_from_db()
    assert target.can_reveal_sensitive is True


def test_grant_list_shows_business_accounts_only(client, world):
    as_user(client, world.users.security_admin)
    body = client.get(reverse("accounts:security_grants")).content.decode()
    assert "community_worker" in body
    assert "auditadmin" not in body and ">audit_admin<" not in body


def test_locked_list_and_unlock(client, world):
    AccessAttempt.objects.create(
        username="committee",
        ip_address="10.0.0.9",
        user_agent="t",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    as_user(client, world.users.security_admin)
    body = client.get(reverse("accounts:security_locked")).content.decode()
    assert "committee" in body and "10.0.0.9" in body
    response = client.post(reverse("accounts:security_locked"), {"username": "committee"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.filter(action="update", message="unlock").exists()
