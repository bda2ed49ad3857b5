"""三员分立 (GB/T 22239 level 3): no single administrator reaches business data alone.

The system administrator creates accounts and sets passwords but grants nothing: a role, a scope
and a reset password take effect only when the security administrator approves them. The security
administrator grants but creates no account and knows no password. The audit administrator reads
the audit log and nothing else, and the security administrator's decisions are in it.

Each test tries one administrator's every path to business data, through the API and the pages,
and checks it ends in a refusal; the last ones walk the legitimate path end to end.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from config.api_urls import router
from guanqing.accounts import services
from guanqing.accounts.models import AccountRequest, ApiToken, User
from guanqing.accounts.tokens import token_create
from guanqing.conftest import api_as, client_for
from guanqing.core.models import AuditEvent, Notification
from guanqing.core.ui import nav
from guanqing.testing import factories as f

TEMPORARY = "Linshi-2026-mima"
CHOSEN = "Ziji-xuan-2026"


@pytest.fixture
def xujiacao(world):
    """A community worker who holds the grant to read full ID numbers: what a system
    administrator would want to become."""
    user = f.UserFactory(
        username="community_xujiacao",
        role="community_worker",
        community=world.community,
        can_reveal_sensitive=True,
    )
    return user


def sign_in(username: str, password: str) -> tuple[Client, object]:
    """The login page, as a person uses it: (the client, the answer to the POST)."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def token_for(username: str, password: str):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def pending(user, kind: str) -> AccountRequest | None:
    return AccountRequest.objects.filter(user=user, kind=kind, status="pending").first()


def api_lists(user) -> dict[str, tuple[int, int | None]]:
    """Every list endpoint of the API: prefix -> (status, row count when it answers 200)."""
    client = api_as(user)
    answers = {}
    for prefix, _viewset, _basename in router.registry:
        response = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
        count = response.json().get("count") if response.status_code == 200 else None
        answers[prefix] = (response.status_code, count)
    return answers


def menu_pages(user) -> dict[str, int]:
    """Every page of the menu (whoever it is for): url name -> status for `user`."""
    client = client_for(user)
    return {
        entry.url_name: client.get(reverse(entry.url_name)).status_code for entry in nav.entries()
    }


# --- The system administrator ---------------------------------------------------------------


def test_an_account_the_system_admin_creates_has_no_role_and_cannot_sign_in(world):
    admin = api_as(world.users.system_admin)
    response = admin.post(
        "/api/v1/users/",
        {"username": "shadow", "password": TEMPORARY, "role": "committee"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"] == ""
    assert [r["role"] for r in response.json()["pending_requests"]] == ["committee"]
    shadow = User.objects.get(username="shadow")
    assert shadow.role == "" and not shadow.can_reveal_sensitive

    client, answer = sign_in("shadow", TEMPORARY)
    assert not signed_in(client)
    assert "安全管理员" in answer.content.decode()
    assert token_for("shadow", TEMPORARY).status_code == 403
    # and even signed in somehow, a role-less account sees no row and opens no business page
    assert api_as(shadow).get("/api/v1/households/").status_code in (403, 404)
    assert client_for(shadow).get(reverse("registry:household_list")).status_code == 403


def test_the_create_page_also_leaves_the_account_without_a_role(world):
    client = client_for(world.users.system_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "shadow2",
            "password1": TEMPORARY,
            "password2": TEMPORARY,
            "role": "community_worker",
            "community": world.community.pk,
        },
    )
    assert response.status_code == 302
    shadow = User.objects.get(username="shadow2")
    assert (shadow.role, shadow.community) == ("", None)
    client, _answer = sign_in("shadow2", TEMPORARY)
    assert not signed_in(client)


def test_a_role_change_by_the_system_admin_only_asks(world, xujiacao):
    target = world.users.window_clerk
    response = api_as(world.users.system_admin).patch(
        f"/api/v1/users/{target.pk}/", {"role": "committee"}, format="json"
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.role == "window_clerk"
    assert pending(target, "role").role == "committee"
    # the page does the same
    client_for(world.users.system_admin).post(
        reverse("accounts:user_edit", args=[xujiacao.pk]),
        {"role": "committee", "is_active": "1"},
    )
    xujiacao.refresh_from_db()
    assert (xujiacao.role, xujiacao.community) == ("community_worker", world.community)
    assert pending(xujiacao, "role").role == "committee"


def test_the_system_admin_cannot_change_its_own_account(world):
    me = world.users.system_admin
    for data in ({"role": "committee"}, {"display_name": "我"}, {"is_active": False}):
        response = api_as(me).patch(f"/api/v1/users/{me.pk}/", data, format="json")
        assert response.status_code == 400
    page = client_for(me).post(
        reverse("accounts:user_edit", args=[me.pk]), {"role": "committee", "is_active": "1"}
    )
    assert page.status_code == 200
    me.refresh_from_db()
    assert me.role == "system_admin"
    assert not AccountRequest.objects.filter(user=me).exists()


def test_a_password_the_system_admin_sets_does_not_let_it_in(world, xujiacao):
    token = token_create(user=xujiacao)
    response = api_as(world.users.system_admin).post(
        f"/api/v1/users/{xujiacao.pk}/set-password/", {"password": TEMPORARY}, format="json"
    )
    assert response.status_code == 204
    xujiacao.refresh_from_db()
    assert xujiacao.must_change_password
    assert not ApiToken.objects.filter(user=xujiacao).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/auth/me/").status_code in (401, 403)

    client, answer = sign_in("community_xujiacao", TEMPORARY)
    assert not signed_in(client)
    assert "待安全管理员确认" in answer.content.decode()
    assert token_for("community_xujiacao", TEMPORARY).status_code == 403
    # the owner is told, with the time and whom to call
    [note] = Notification.objects.filter(recipient=xujiacao, kind="password_reset")
    assert "系统管理员重设" in note.text and "联系安全管理员" in note.text
    # the system administrator cannot lift the hold itself: not by withdrawing, not by approving
    held = pending(xujiacao, "password_reset")
    admin = api_as(world.users.system_admin)
    assert admin.post(f"/api/v1/account-requests/{held.pk}/withdraw/").status_code == 400
    assert admin.post(f"/api/v1/account-requests/{held.pk}/approve/", {}).status_code == 403
    page = client_for(world.users.system_admin)
    assert (
        page.post(reverse("accounts:security_request_approve", args=[held.pk])).status_code == 403
    )
    assert pending(xujiacao, "password_reset") is not None


def test_the_reset_page_holds_the_account_too(world, xujiacao):
    client_for(world.users.system_admin).post(
        reverse("accounts:user_password", args=[xujiacao.pk]),
        {"password1": TEMPORARY, "password2": TEMPORARY},
    )
    client, _answer = sign_in("community_xujiacao", TEMPORARY)
    assert not signed_in(client)


def test_the_system_admin_cannot_grant_or_read_business_data(world, xujiacao):
    admin = world.users.system_admin
    api = api_as(admin)
    response = api.post(
        f"/api/v1/users/{world.users.window_clerk.pk}/grant-reveal/", {"allowed": True}
    )
    assert response.status_code == 403
    page = client_for(admin)
    assert (
        page.post(
            reverse("accounts:security_grant_toggle", args=[world.users.window_clerk.pk]),
            {"allowed": "1"},
        ).status_code
        == 403
    )
    world.users.window_clerk.refresh_from_db()
    assert not world.users.window_clerk.can_reveal_sensitive
    # households and people: no row through the API, no page
    assert api.get("/api/v1/households/").json()["count"] == 0
    assert api.get(f"/api/v1/households/{world.household.pk}/").status_code == 404
    assert api.get(f"/api/v1/people/{world.person.pk}/").status_code in (403, 404)
    assert page.get(reverse("registry:household_list")).status_code == 403
    household = reverse("registry:household_detail", args=[world.household.pk])
    assert page.get(household).status_code == 403
    # members are shown masked (for binding accounts); the full number is refused
    response = api.post(f"/api/v1/members/{world.member.pk}/reveal/")
    assert response.status_code == 403
    assert world.member.id_number not in str(api.get("/api/v1/members/").content)
    response = page.post(reverse("registry:reveal_id_number", args=["member", world.member.pk]))
    assert response.status_code == 403
    assert world.member.id_number not in response.content.decode()
    # the security policy and the audit log are the other administrators'
    assert api.patch("/api/v1/security-policy/", {"mask_head": 18}).status_code == 403
    assert api.get("/api/v1/audit-events/").status_code == 403
    assert page.get(reverse("accounts:security_policy")).status_code == 403
    assert page.get(reverse("accounts:security_requests")).status_code == 403
    assert page.get(reverse("audit:event_list")).status_code == 403


def test_every_api_list_and_menu_page_of_the_system_admin(world):
    answers = api_lists(world.users.system_admin)
    readable = {prefix for prefix, (code, _n) in answers.items() if code == 200}
    # the registry it binds accounts to, the accounts and their requests, its own notifications
    assert readable <= {
        "divisions",
        "units",
        "members",
        "party-orgs",
        "households",
        "users",
        "account-requests",
        "notifications",
    }, readable
    assert answers["households"] == (200, 0)
    assert answers["party-orgs"] == (200, 0)
    pages = {name for name, code in menu_pages(world.users.system_admin).items() if code == 200}
    assert "registry:household_list" not in pages
    assert "audit:event_list" not in pages
    assert "accounts:security_policy" not in pages


# --- The security administrator --------------------------------------------------------------


def test_the_security_admin_creates_no_account_and_sets_no_password(world, xujiacao):
    security = world.users.security_admin
    api = api_as(security)
    response = api.post(
        "/api/v1/users/",
        {"username": "mine", "password": TEMPORARY, "role": "committee"},
        format="json",
    )
    assert response.status_code == 403
    response = api.post(f"/api/v1/users/{xujiacao.pk}/set-password/", {"password": TEMPORARY})
    assert response.status_code == 403
    page = client_for(security)
    assert page.get(reverse("accounts:user_create")).status_code == 403
    response = page.post(
        reverse("accounts:user_password", args=[xujiacao.pk]),
        {"password1": TEMPORARY, "password2": TEMPORARY},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="mine").exists()
    xujiacao.refresh_from_db()
    assert not xujiacao.check_password(TEMPORARY)


def test_the_security_admin_reads_no_business_data_and_no_audit_log(world):
    security = world.users.security_admin
    answers = api_lists(security)
    readable = {prefix for prefix, (code, _n) in answers.items() if code == 200}
    assert readable <= {"account-requests", "notifications"}, readable
    pages = {name for name, code in menu_pages(security).items() if code == 200}
    assert pages <= {"core:home", "calendar:index", "accounts:security_policy"}, pages
    page = client_for(security)
    assert page.get(reverse("registry:household_list")).status_code == 403
    assert page.get(reverse("registry:member_list")).status_code == 403
    assert page.get(reverse("audit:event_list")).status_code == 403
    assert api_as(security).get("/api/v1/audit-events/").status_code == 403


def test_the_security_admins_decisions_are_in_the_audit_log_the_audit_admin_reads(world):
    shadow = services.user_create(
        actor=world.users.system_admin, username="shadow", password=TEMPORARY, role="committee"
    )
    asked = pending(shadow, "create")
    response = api_as(world.users.security_admin).post(
        f"/api/v1/account-requests/{asked.pk}/reject/", {"reason": "无此人事安排"}
    )
    assert response.status_code == 200, response.content
    client_for(world.users.security_admin).post(
        reverse("accounts:security_policy"),
        {
            "failure_limit": 4,
            "lockout_minutes": 30,
            "idle_minutes": 15,
            "mask_head": 6,
            "mask_tail": 4,
        },
    )
    events = api_as(world.users.audit_admin).get(
        "/api/v1/audit-events/", {"actor": "security_admin", "page_size": 100}
    )
    assert events.status_code == 200
    seen = {(e["action"], e["object_type"], e["message"]) for e in events.json()["results"]}
    assert ("role_change", "accounts.accountrequest", "request_rejected") in seen
    assert any(action == "policy_change" for action, _type, _message in seen)
    page = client_for(world.users.audit_admin).get(
        reverse("audit:event_list"), {"actor": "security_admin"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "安全管理员驳回授权申请" in body and "无此人事安排" in body


# --- The audit administrator -----------------------------------------------------------------


def test_the_audit_admin_reads_the_audit_log_and_nothing_else(world):
    audit_admin = world.users.audit_admin
    answers = api_lists(audit_admin)
    for prefix, (code, count) in answers.items():
        if prefix == "audit-events":
            assert code == 200
        elif prefix == "notifications":
            assert (code, count) == (200, 0), "its own notifications only"
        else:
            assert code in (403, 404), (prefix, code)
    pages = menu_pages(audit_admin)
    assert pages["audit:event_list"] == 200
    opened = {name for name, code in pages.items() if code == 200}
    assert opened <= {"core:home", "calendar:index", "audit:event_list"}, opened
    page = client_for(audit_admin)
    for name, args in [
        ("registry:household_detail", [world.household.pk]),
        ("registry:member_detail", [world.member.pk]),
        ("accounts:user_edit", [world.users.committee.pk]),
        ("accounts:security_requests", []),
    ]:
        assert page.get(reverse(name, args=args)).status_code in (403, 404), name


# --- The legitimate path ---------------------------------------------------------------------


def test_created_approved_signed_in_and_working_in_its_community(world):
    system = client_for(world.users.system_admin)
    system.post(
        reverse("accounts:user_create"),
        {
            "username": "xiaoxu",
            "display_name": "小徐",
            "password1": TEMPORARY,
            "password2": TEMPORARY,
            "role": "community_worker",
            "community": world.community.pk,
        },
    )
    newcomer = User.objects.get(username="xiaoxu")
    asked = pending(newcomer, "create")

    security = client_for(world.users.security_admin)
    listing = security.get(reverse("accounts:security_requests")).content.decode()
    assert "xiaoxu" in listing and "徐家漕社区" in listing
    home = security.get(reverse("core:home")).content.decode()
    assert "待审批 1 项" in home
    response = security.post(reverse("accounts:security_request_approve", args=[asked.pk]))
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.role, newcomer.community) == ("community_worker", world.community)
    assert Notification.objects.filter(
        recipient=world.users.system_admin, kind="account_request_decided"
    ).exists()

    # first sign-in with the password the system administrator chose: it must be changed
    client, response = sign_in("xiaoxu", TEMPORARY)
    assert signed_in(client)
    assert response.status_code == 302
    services.user_set_password(actor=newcomer, user=newcomer, password=CHOSEN)
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password

    client, response = sign_in("xiaoxu", CHOSEN)
    assert signed_in(client)
    rows = client.get(reverse("registry:household_list")).content.decode()
    assert "张国宝" in rows and "邵国樑" not in rows


def test_a_reset_confirmed_by_the_security_admin_lets_the_owner_in(world, xujiacao):
    services.user_set_password(actor=world.users.system_admin, user=xujiacao, password=TEMPORARY)
    held = pending(xujiacao, "password_reset")
    response = api_as(world.users.security_admin).post(
        f"/api/v1/account-requests/{held.pk}/approve/", {"reason": "本人来电核实"}
    )
    assert response.status_code == 200, response.content
    client, _answer = sign_in("community_xujiacao", TEMPORARY)
    assert signed_in(client)
    # a second decision on the same request is refused, whoever makes it
    again = api_as(world.users.security_admin).post(
        f"/api/v1/account-requests/{held.pk}/reject/", {"reason": "重复"}
    )
    assert again.status_code == 409


def test_a_rejected_reset_leaves_the_chosen_password_useless(world, xujiacao):
    services.user_set_password(actor=world.users.system_admin, user=xujiacao, password=TEMPORARY)
    held = pending(xujiacao, "password_reset")
    response = api_as(world.users.security_admin).post(
        f"/api/v1/account-requests/{held.pk}/reject/", {}
    )
    assert response.status_code == 400 and "reason" in response.json()
    services.account_request_reject(
        actor=world.users.security_admin, request=held, reason="本人未申请"
    )
    client, _answer = sign_in("community_xujiacao", TEMPORARY)
    assert not signed_in(client)
    assert token_for("community_xujiacao", TEMPORARY).status_code == 400


def test_the_security_admin_page_rejects_with_a_reason(world):
    services.user_update(
        actor=world.users.system_admin, user=world.users.window_clerk, role="committee"
    )
    asked = pending(world.users.window_clerk, "role")
    security = client_for(world.users.security_admin)
    security.post(reverse("accounts:security_request_reject", args=[asked.pk]), {"reason": ""})
    asked.refresh_from_db()
    assert asked.status == "pending", "a rejection needs a reason"
    response = security.post(
        reverse("accounts:security_request_reject", args=[asked.pk]),
        {"reason": "岗位未变动"},
        follow=True,
    )
    assert "已驳回" in response.content.decode()
    asked.refresh_from_db()
    assert (asked.status, asked.reason, asked.decided_by) == (
        "rejected",
        "岗位未变动",
        world.users.security_admin,
    )
    world.users.window_clerk.refresh_from_db()
    assert world.users.window_clerk.role == "window_clerk"
    assert AuditEvent.objects.filter(
        object_type="accounts.accountrequest", object_id=str(asked.pk), message="request_rejected"
    ).exists()


def test_account_requests_api_is_for_the_two_administrators(world):
    services.user_update(
        actor=world.users.system_admin, user=world.users.window_clerk, role="committee"
    )
    for role in ("committee", "community_worker", "member", "audit_admin"):
        assert (
            api_as(getattr(world.users, role)).get("/api/v1/account-requests/").status_code == 403
        )
    for role in ("system_admin", "security_admin"):
        body = api_as(getattr(world.users, role)).get("/api/v1/account-requests/").json()
        assert [r["username"] for r in body["results"]] == ["window_clerk"]
