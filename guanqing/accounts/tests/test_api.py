"""Accounts API: the system administrator's users, the security administrator's grants and
policy, token sign-in with lockout, and the current user."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from guanqing.accounts.models import User
from guanqing.conftest import api_as
from guanqing.core.models import AuditEvent
from guanqing.testing.factories import PASSWORD

NEW_PASSWORD = "Ningbo2024safe"


def _user_payload(**overrides):
    data = {"username": "new_user", "password": NEW_PASSWORD, "display_name": "新用户"}
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# /users/
# ---------------------------------------------------------------------------------------------


def test_sysadmin_creates_a_unit_admin_with_its_unit(world):
    before = AuditEvent.objects.count()
    response = api_as(world.users.system_admin).post(
        "/api/v1/users/",
        _user_payload(role="unit_admin", unit=world.unit.pk),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # no role until the security administrator approves the one asked for
    assert (body["role"], body["unit"]) == ("", None)
    [asked] = body["pending_requests"]
    assert (asked["kind"], asked["role"], asked["unit"]) == ("create", "unit_admin", world.unit.pk)
    assert body["can_reveal_sensitive"] is False
    assert "password" not in body
    user = User.objects.get(username="new_user")
    assert user.check_password(NEW_PASSWORD)
    events = AuditEvent.objects.order_by("id")[before:]
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "accounts.user"),
        ("create", "accounts.accountrequest"),
    ]
    assert events[0].object_id == str(user.pk)
    assert all(user.password not in str(e.changes) for e in events)


def test_community_worker_without_community_is_refused_naming_community(world):
    before = (User.objects.count(), AuditEvent.objects.count())
    response = api_as(world.users.system_admin).post(
        "/api/v1/users/", _user_payload(role="community_worker"), format="json"
    )
    assert response.status_code == 400
    assert "community" in response.json()
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_sysadmin_creates_a_member_account_bound_to_a_member(world):
    response = api_as(world.users.system_admin).post(
        "/api/v1/users/",
        _user_payload(role="member", member=world.other_member.pk),
        format="json",
    )
    assert response.status_code == 201, response.content
    [asked] = response.json()["pending_requests"]
    assert (asked["member"], asked["unit"]) == (world.other_member.pk, world.other_unit.pk)


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_sysadmin_cannot_create_the_separated_administrators(world, role):
    before = User.objects.count()
    response = api_as(world.users.system_admin).post(
        "/api/v1/users/", _user_payload(role=role), format="json"
    )
    assert response.status_code == 400
    assert "role" in response.json()
    assert User.objects.count() == before


def test_weak_password_is_refused_naming_password(world):
    response = api_as(world.users.system_admin).post(
        "/api/v1/users/", _user_payload(role="committee", password="short"), format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()


@pytest.mark.parametrize(
    "role", ["committee", "unit_admin", "community_worker", "security_admin", "audit_admin"]
)
def test_other_roles_cannot_list_or_create_users(world, role):
    client = api_as(getattr(world.users, role))
    assert client.get("/api/v1/users/").status_code == 403
    response = client.post("/api/v1/users/", _user_payload(role="committee"), format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="new_user").exists()


def test_sysadmin_lists_every_user_without_password_hashes(world):
    response = api_as(world.users.system_admin).get("/api/v1/users/", {"page_size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == User.objects.count()
    text = response.content.decode()
    assert "password" not in text
    assert "md5$" not in text and "pbkdf2" not in text


def test_role_change_waits_for_approval_and_is_audited_as_role_change(world):
    target = world.users.window_clerk
    response = api_as(world.users.system_admin).patch(
        f"/api/v1/users/{target.pk}/",
        {"role": "unit_admin", "unit": world.other_unit.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "window_clerk"
    [asked] = response.json()["pending_requests"]
    assert (asked["kind"], asked["role"]) == ("role", "unit_admin")
    target.refresh_from_db()
    assert (target.role, target.unit) == ("window_clerk", None)
    response = api_as(world.users.security_admin).post(
        f"/api/v1/account-requests/{asked['id']}/approve/", {}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    target.refresh_from_db()
    assert (target.role, target.unit) == ("unit_admin", world.other_unit)
    event = AuditEvent.objects.filter(object_type="accounts.user").latest("id")
    assert (event.action, event.actor) == ("role_change", world.users.security_admin)
    assert event.changes["role"] == ["窗口受理员", "单位党务管理员"]


def test_role_change_without_needed_scope_changes_nothing(world):
    target = world.users.window_clerk
    before = AuditEvent.objects.count()
    response = api_as(world.users.system_admin).patch(
        f"/api/v1/users/{target.pk}/", {"role": "community_worker"}, format="json"
    )
    assert response.status_code == 400
    assert "community" in response.json()
    target.refresh_from_db()
    assert target.role == "window_clerk"
    assert AuditEvent.objects.count() == before


def test_sysadmin_disables_an_account_and_its_token_stops_working(world):
    target = world.users.fund_officer
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "fund_officer", "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200
    response = api_as(world.users.system_admin).patch(
        f"/api/v1/users/{target.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/v1/auth/me/").status_code in (401, 403)


def test_password_cannot_be_changed_by_patch(world):
    response = api_as(world.users.system_admin).patch(
        f"/api/v1/users/{world.users.committee.pk}/", {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()


def test_sysadmin_sets_a_password_audited(world):
    target = world.users.fund_officer
    response = api_as(world.users.system_admin).post(
        f"/api/v1/users/{target.pk}/set-password/", {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 204
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.filter(object_type="accounts.user").latest("id")
    assert (event.action, event.object_id) == ("password_change", str(target.pk))
    body = api_as(world.users.system_admin).get(f"/api/v1/users/{target.pk}/").json()
    assert [r["kind"] for r in body["pending_requests"]] == ["password_reset"]


def test_sysadmin_cannot_change_its_own_account(world):
    me = world.users.system_admin
    response = api_as(me).patch(f"/api/v1/users/{me.pk}/", {"display_name": "改名"}, format="json")
    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------
# Reveal grants and the security policy
# ---------------------------------------------------------------------------------------------


def test_security_admin_grants_reveal(world):
    target = world.users.community_worker
    response = api_as(world.users.security_admin).post(
        f"/api/v1/users/{target.pk}/grant-reveal/", {"allowed": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["can_reveal_sensitive"] is True
    target.refresh_from_db()
    assert target.can_reveal_sensitive
    event = AuditEvent.objects.latest("id")
    assert event.changes == {"can_reveal_sensitive": [False, True]}


@pytest.mark.parametrize("role", ["system_admin", "committee", "audit_admin"])
def test_only_the_security_admin_grants_reveal(world, role):
    target = world.users.community_worker
    response = api_as(getattr(world.users, role)).post(
        f"/api/v1/users/{target.pk}/grant-reveal/", {"allowed": True}, format="json"
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert not target.can_reveal_sensitive


def test_can_reveal_sensitive_is_read_only_for_the_sysadmin(world):
    target = world.users.community_worker
    api_as(world.users.system_admin).patch(
        f"/api/v1/users/{target.pk}/", {"can_reveal_sensitive": True}, format="json"
    )
    target.refresh_from_db()
    assert not target.can_reveal_sensitive


def test_security_admin_reads_and_changes_the_policy(world):
    client = api_as(world.users.security_admin)
    assert client.get("/api/v1/security-policy/").json()["mask_head"] == 6
    response = client.patch("/api/v1/security-policy/", {"mask_head": 4}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["mask_head"] == 4
    event = AuditEvent.objects.latest("id")
    assert event.action == "policy_change"
    assert event.changes == {"mask_head": [6, 4]}


def test_policy_out_of_range_is_refused_naming_the_field(world):
    response = api_as(world.users.security_admin).patch(
        "/api/v1/security-policy/", {"failure_limit": 50}, format="json"
    )
    assert response.status_code == 400
    assert "failure_limit" in response.json()


def test_sysadmin_cannot_change_the_policy(world):
    response = api_as(world.users.system_admin).patch(
        "/api/v1/security-policy/", {"mask_head": 2}, format="json"
    )
    assert response.status_code == 403


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def _token(client, username, password):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_token_is_issued_audited_and_works(world):
    client = APIClient()
    response = _token(client, "community_worker", PASSWORD)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert AuditEvent.objects.filter(action="token", actor=world.users.community_worker).exists()
    # a second sign-in issues a second token; both work until they end (a script and a laptop)
    second = _token(client, "community_worker", PASSWORD).json()["token"]
    assert second != token
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get("/api/v1/auth/me/").status_code == 200

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/auth/me/").json()
    assert me["role"] == "community_worker"
    assert me["community"]["code"] == world.community.code
    rows = client.get("/api/v1/households/").json()["results"]
    assert [r["id"] for r in rows] == [world.household.pk]


def test_wrong_password_is_400_non_field_errors_and_audited(world):
    response = _token(APIClient(), "committee", "wrong-password-1")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert event.actor_username == "committee"


def test_missing_fields_are_named(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "committee"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_disabled_account_gets_no_token(world):
    User.objects.filter(pk=world.users.fund_officer.pk).update(is_active=False)
    response = _token(APIClient(), "fund_officer", PASSWORD)
    assert response.status_code == 400
    assert "token" not in response.json()


def test_five_failures_lock_the_account_even_for_the_right_password(world):
    client = APIClient()
    statuses = [_token(client, "unit_admin", f"wrong-{i}-password").status_code for i in range(5)]
    assert statuses[:4] == [400, 400, 400, 400]
    assert statuses[4] == 403  # the fifth failure locks
    response = _token(client, "unit_admin", PASSWORD)
    assert response.status_code == 403
    assert "锁定" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action="token").exists()
    failed = AuditEvent.objects.filter(action="login_failed", actor_username="unit_admin")
    assert failed.count() >= 5
    assert AuditEvent.objects.filter(action="locked_out", actor_username="unit_admin").exists()
    # other accounts are not affected
    assert _token(client, "community_worker", PASSWORD).status_code == 200


def test_a_success_before_the_limit_resets_the_count(world):
    client = APIClient()
    for i in range(4):
        assert _token(client, "member", f"wrong-{i}-password").status_code == 400
    assert _token(client, "member", PASSWORD).status_code == 200
    for i in range(4):
        assert _token(client, "member", f"wrong-{i}-again").status_code == 400
    assert _token(client, "member", PASSWORD).status_code == 200


def test_me_shows_role_and_scope(world):
    me = api_as(world.users.unit_admin).get("/api/v1/auth/me/").json()
    assert me["role"] == "unit_admin"
    assert me["unit"] == {"id": world.unit.pk, "name": "市纪委"}
    assert me["community"] is None
    assert me["can_reveal_sensitive"] is False


def test_sysadmin_filters_users_by_role_and_unit(world):
    client = api_as(world.users.system_admin)
    rows = client.get("/api/v1/users/", {"role": "unit_admin"}).json()["results"]
    assert [r["username"] for r in rows] == ["unit_admin"]
    rows = client.get("/api/v1/users/", {"unit": world.unit.pk}).json()["results"]
    assert {r["username"] for r in rows} == {"unit_admin", "member"}
