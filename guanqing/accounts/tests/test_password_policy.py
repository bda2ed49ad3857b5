"""The password lifecycle (expiry, history, the forced change after an administrator set it) and
the API tokens' lifetime (fixed from issue, idle end, revoked on lock-out)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from guanqing.accounts import selfservice
from guanqing.accounts.models import ApiToken
from guanqing.accounts.passwords import password_apply
from guanqing.accounts.tokens import token_create
from guanqing.accounts.views_auth import MUST_CHANGE_KEY
from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent, SecurityPolicy
from guanqing.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
IP = "10.20.30.42"


def sign_in(client, username, password=PASSWORD):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=IP
    )


def change(client, current, new, repeat=None):
    return client.post(
        reverse("accounts:password_change"),
        {"current": current, "password": new, "repeat": repeat or new},
    )


@pytest.fixture
def worker(world):
    """An account that signs in with its password alone (its role needs no second factor)."""
    return world.users.community_worker


# --- expiry --------------------------------------------------------------------------------


def test_an_expired_password_must_be_changed_before_anything_else(worker):
    worker.password_changed_at = T0
    worker.save()
    client = Client()
    with time_machine.travel(T0 + datetime.timedelta(days=91), tick=False):
        response = sign_in(client, "community_worker")
        assert response["Location"] == reverse("accounts:password_change")
        assert client.session[MUST_CHANGE_KEY] is True
        # every page leads to the change page; the API with this session answers 403
        assert client.get("/registry/households/")["Location"] == reverse(
            "accounts:password_change"
        )
        api = client.get("/api/v1/auth/me/")
        assert api.status_code == 403 and "修改密码" in api.json()["detail"]
        page = client.get(reverse("accounts:password_change")).content.decode()
        assert "超过 90 天" in page
        # signing out still works
        assert client.post(reverse("accounts:logout")).status_code == 302

        sign_in(client, "community_worker")
        response = change(client, PASSWORD, "Neues-Passw0rt-1")
        assert response["Location"] == reverse("core:home")
        assert MUST_CHANGE_KEY not in client.session
        assert client.get("/registry/households/").status_code == 200
    worker.refresh_from_db()
    assert worker.password_changed_at == T0 + datetime.timedelta(days=91)
    assert worker.check_password("Neues-Passw0rt-1")
    assert AuditEvent.objects.filter(action="password_change", actor=worker, message="self")


def test_a_password_younger_than_the_policy_age_signs_in_as_usual(worker):
    SecurityPolicy.objects.create(password_max_age_days=30)
    worker.password_changed_at = T0
    worker.save()
    with time_machine.travel(T0 + datetime.timedelta(days=29), tick=False):
        client = Client()
        assert sign_in(client, "community_worker")["Location"] == reverse("core:home")
    with time_machine.travel(T0 + datetime.timedelta(days=31), tick=False):
        client = Client()
        assert sign_in(client, "community_worker")["Location"] == reverse(
            "accounts:password_change"
        )


def test_the_token_endpoint_refuses_an_expired_password(worker):
    worker.password_changed_at = T0
    worker.save()
    with time_machine.travel(T0 + datetime.timedelta(days=91), tick=False):
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"username": "community_worker", "password": PASSWORD},
            format="json",
        )
    assert response.status_code == 403
    assert response.json()["detail"] == "请先在网页上修改密码"


# --- set by an administrator ---------------------------------------------------------------


def test_a_password_an_administrator_set_is_changed_at_the_first_sign_in(worker):
    password_apply(worker, "Admin-Set-0001", by_admin=True)
    client = Client()
    response = sign_in(client, "community_worker", "Admin-Set-0001")
    assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "由管理员设置" in page
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:password_change")
    # the new password must differ from the one the administrator chose
    response = change(client, "Admin-Set-0001", "Admin-Set-0001")
    assert "不能使用最近" in response.content.decode()
    response = change(client, "Admin-Set-0001", "Mine-Only-0002")
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    worker.refresh_from_db()
    assert not worker.must_change_password


def test_a_session_made_without_the_login_page_is_never_held_up(worker):
    worker.must_change_password = True
    worker.save()
    assert client_for(worker).get(reverse("core:home")).status_code == 200


def test_the_change_page_checks_the_current_password_and_the_repeat(worker):
    client = client_for(worker)
    response = change(client, "not-my-password-1", "Brand-New-0003")
    assert "当前密码不正确" in response.content.decode()
    response = change(client, PASSWORD, "Brand-New-0003", "Brand-New-0004")
    assert "不一致" in response.content.decode()
    response = change(client, PASSWORD, "short1")
    assert "至少需要" in response.content.decode()
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    # the header's link leads here
    assert reverse("accounts:password_change") in client.get(reverse("core:home")).content.decode()


def test_a_changed_password_keeps_this_session_and_ends_the_api_tokens(worker):
    key = token_create(user=worker)
    client = client_for(worker)
    assert change(client, PASSWORD, "Brand-New-0005").status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert not ApiToken.objects.filter(user=worker).exists()
    me = APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code in (401, 403)


# --- history -------------------------------------------------------------------------------


def test_none_of_the_last_five_passwords_may_be_used_again_the_sixth_may(worker):
    SecurityPolicy.objects.create(password_history=5)
    passwords = [PASSWORD] + [f"Rotation-{n:04d}" for n in range(1, 6)]
    current = PASSWORD
    for new in passwords[1:]:
        selfservice.password_change_own(actor=worker, current=current, password=new)
        current = new
    # the current one and the four before it: the last five
    for reused in passwords[1:]:
        with pytest.raises(ValidationError) as exc:
            selfservice.password_change_own(actor=worker, current=current, password=reused)
        assert "password" in exc.value.message_dict
    # the sixth ago is free again
    selfservice.password_change_own(actor=worker, current=current, password=passwords[0])
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


# --- API tokens ----------------------------------------------------------------------------


def me(key):
    return APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_ends_a_fixed_seven_days_after_issue_however_often_it_is_used(worker):
    """Fixed, not sliding: use keeps a token from ending by idleness, never beyond its end."""
    with time_machine.travel(T0, tick=False):
        key = token_create(user=worker)
    used = ApiToken.objects.filter(user=worker)
    end = T0 + datetime.timedelta(days=7)
    with time_machine.travel(end - datetime.timedelta(minutes=5), tick=False):
        # in use all along, last 10 minutes ago: idle until 15 minutes later, but never past the end
        used.update(last_used_at=end - datetime.timedelta(minutes=10), idle_until=end)
        assert me(key).status_code == 200
    assert used.get().idle_until == end  # using it did not move the end
    with time_machine.travel(end + datetime.timedelta(minutes=1), tick=False):
        assert me(key).status_code in (401, 403)
    assert not ApiToken.objects.filter(user=worker).exists()


def test_an_unused_token_ends_after_the_idle_minutes(worker):
    SecurityPolicy.objects.create(idle_minutes=15)
    with time_machine.travel(T0, tick=False):
        key = token_create(user=worker)
    with time_machine.travel(T0 + datetime.timedelta(minutes=14), tick=False):
        assert me(key).status_code == 200  # in use: the idle clock starts again
    with time_machine.travel(T0 + datetime.timedelta(minutes=28), tick=False):
        assert me(key).status_code == 200
    with time_machine.travel(T0 + datetime.timedelta(minutes=44), tick=False):
        response = me(key)
        assert response.status_code in (401, 403)
        assert "过期" in response.json()["detail"]


def test_a_lock_out_ends_the_accounts_tokens(worker):
    SecurityPolicy.objects.create(failure_limit=3, lockout_minutes=15)
    key = token_create(user=worker)
    assert me(key).status_code == 200
    client = Client()
    for _ in range(3):
        sign_in(client, "community_worker", "wrong-password-9")
    assert not ApiToken.objects.filter(user=worker).exists()
    assert me(key).status_code in (401, 403)


# --- the policy page -----------------------------------------------------------------------


def test_the_security_administrator_sets_password_token_and_second_factor_rules(world):
    from guanqing.core.policy import current_policy

    client = client_for(world.users.security_admin)
    page = client.get(reverse("accounts:security_policy")).content.decode()
    assert "密码有效期" in page and "另须动态口令的角色" in page
    data = {
        "failure_limit": 5,
        "lockout_minutes": 15,
        "idle_minutes": 15,
        "mask_head": 6,
        "mask_tail": 4,
        "password_max_age_days": 60,
        "password_history": 8,
        "token_days": 3,
        "otp_roles": ["fund_officer", "unit_admin"],
        "otp_roles_shown": "1",
    }
    assert client.post(reverse("accounts:security_policy"), data).status_code == 302
    policy = current_policy()
    assert (policy.password_max_age_days, policy.password_history, policy.token_days) == (60, 8, 3)
    assert policy.otp_roles == ["fund_officer", "unit_admin"]
    event = AuditEvent.objects.filter(action="policy_change").latest("id")
    assert event.changes["token_days"] == [7, 3]
    # none ticked: no extra role
    data["otp_roles"] = []
    client.post(reverse("accounts:security_policy"), data)
    assert current_policy().otp_roles == []
