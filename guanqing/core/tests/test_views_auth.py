"""Sign-in, sign-out, lockout and the idle time-out message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanqing.core.models import SecurityPolicy
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    # a role that signs in with the password alone (the second factor: accounts/tests)
    return f.UserFactory(username="zhangsan", role="fund_officer", display_name="张三")


def test_login_page_is_in_chinese_and_uses_local_assets(db):
    html = Client().get(reverse("accounts:login")).content.decode()
    assert "用户名" in html and "密码" in html and "登录" in html
    assert "http://" not in html and "https://" not in html


def test_wrong_password_shows_chinese_error_and_stays_signed_out(user):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "zhangsan", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_named(db):
    response = Client().post(reverse("accounts:login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert "请输入用户名" in html and "请输入密码" in html


def test_good_password_signs_in_and_goes_home(user):
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "zhangsan", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_five_failures_lock_the_account_for_policy_minutes(user):
    SecurityPolicy.objects.create(failure_limit=5, lockout_minutes=30, idle_minutes=15)
    client = Client()
    for _ in range(4):
        response = client.post(reverse("accounts:login"), {"username": "zhangsan", "password": "x"})
        assert "已锁定" not in response.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "zhangsan", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 429 or response.status_code == 403
    assert "锁定 30 分钟" in html
    # even the right password is refused while locked
    response = client.post(
        reverse("accounts:login"), {"username": "zhangsan", "password": f.PASSWORD}
    )
    assert "锁定 30 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(user):
    client = Client()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_idle_logout_shows_a_message_on_the_login_page(user):
    client = Client()
    session = client.session
    session["guanqing_idle_logout"] = True
    session.save()
    html = client.get(reverse("accounts:login")).content.decode()
    assert "未操作" in html and "自动退出" in html
    # shown once
    assert "自动退出" not in client.get(reverse("accounts:login")).content.decode()


def test_locked_page_names_policy_minutes(db):
    SecurityPolicy.objects.create(failure_limit=5, lockout_minutes=45, idle_minutes=15)
    html = Client().get(reverse("accounts:locked")).content.decode()
    assert "锁定 45 分钟" in html
