"""The second factor: the sign-in steps of the login page, enrolment, recovery codes, the token
endpoint's `otp`, the owner's own page and the security administrator's reset."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from guanqing.accounts import twofactor
from guanqing.accounts.models import ApiToken, RecoveryCode
from guanqing.accounts.tokens import token_create
from guanqing.accounts.views_auth import PENDING_KEY
from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent, Notification, SecurityPolicy
from guanqing.testing import otp
from guanqing.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
IP = "10.20.30.41"


def password_step(client, username, password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=IP)


def code_step(client, code):
    return client.post(reverse("accounts:login_otp"), {"otp": code}, REMOTE_ADDR=IP)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def committee(world):
    user = world.users.committee
    user.device = otp.enrol(user)
    return user


# --- the login page ------------------------------------------------------------------------


def test_the_password_alone_does_not_sign_in_an_account_with_a_second_factor(client, committee):
    response = password_step(client, "committee")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_otp")
    assert not signed_in(client)
    # nothing but the code step is open yet
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("accounts:login"))
    page = client.get(reverse("accounts:login_otp")).content.decode()
    assert "动态口令" in page and "恢复码" in page

    response = code_step(client, otp.code(committee.device))
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(committee.pk)
    assert client.session["otp_device_id"] == committee.device.persistent_id
    assert PENDING_KEY not in client.session
    assert client.get(reverse("core:home")).status_code == 200


def test_the_code_step_keeps_the_next_address(client, committee):
    password_step(client, "committee", next_url="/registry/households/")
    response = code_step(client, otp.code(committee.device))
    assert response["Location"] == "/registry/households/"


def test_a_wrong_code_is_refused_audited_and_counted_like_a_wrong_password(client, committee):
    password_step(client, "committee")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        right = otp.code(committee.device)
        wrong = "000000" if right != "000000" else "111111"
        response = code_step(client, wrong)
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert not signed_in(client)
    event = AuditEvent.objects.get(action="login_failed", message="otp")
    assert event.actor_username == "committee"
    assert AccessAttempt.objects.get(username="committee").failures_since_start == 1


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, committee):
    SecurityPolicy.objects.create(failure_limit=3, lockout_minutes=30, idle_minutes=15)
    key = token_create(user=committee)
    start = timezone.now()
    password_step(client, "committee")
    response = None
    for n in range(3):
        # the authenticator makes a caller wait 1, 2, 4… seconds after wrong codes
        with time_machine.travel(start + datetime.timedelta(seconds=10 * (n + 1)), tick=False):
            response = code_step(
                client, "999999" if otp.code(committee.device) != "999999" else "0"
            )
    assert response.status_code in (403, 429)
    assert "锁定 30 分钟" in response.content.decode()
    assert not signed_in(client)
    assert AuditEvent.objects.filter(action="locked_out", actor_username="committee").exists()
    # the locked account's API tokens end at once
    assert not ApiToken.objects.filter(user=committee).exists()
    assert APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (
        401,
        403,
    )
    # and even the right password and code are refused while locked
    fresh = Client()
    response = password_step(fresh, "committee")
    assert not signed_in(fresh) and "锁定" in response.content.decode()


def test_a_pending_sign_in_allows_only_a_few_codes(client, committee):
    SecurityPolicy.objects.create(failure_limit=20, lockout_minutes=30, idle_minutes=15)
    start = timezone.now()
    password_step(client, "committee")
    for n in range(5):
        with time_machine.travel(start + datetime.timedelta(seconds=20 * (n + 1)), tick=False):
            response = code_step(client, "12345x")  # never a code
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert PENDING_KEY not in client.session
    with time_machine.travel(start + datetime.timedelta(seconds=200), tick=False):
        response = code_step(client, otp.code(committee.device))
    assert not signed_in(client)


def test_the_pending_sign_in_ends_after_five_minutes(client, committee):
    with time_machine.travel(NOON, tick=False):
        password_step(client, "committee")
    with time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False):
        response = code_step(client, otp.code(committee.device))
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login")
        assert not signed_in(client)


def test_a_code_works_once(committee):
    first = Client()
    password_step(first, "committee")
    code = otp.code(committee.device)
    code_step(first, code)
    assert signed_in(first)
    second = Client()
    password_step(second, "committee")
    code_step(second, code)
    assert not signed_in(second)


def test_a_recovery_code_signs_in_once(client, committee):
    codes = twofactor._recovery_codes_replace(committee)
    assert len(codes) == 10 and len(set(codes)) == 10
    # only digests are kept
    stored = list(RecoveryCode.objects.filter(user=committee).values_list("digest", flat=True))
    assert not any(
        code in digest or code.replace("-", "") in digest for code in codes for digest in stored
    )

    password_step(client, "committee")
    response = code_step(client, codes[3].upper())
    assert signed_in(client)
    assert response["Location"] == reverse("core:home")
    assert "还剩 9 个" in client.get(reverse("core:home")).content.decode()
    assert AuditEvent.objects.filter(message="recovery_used", actor=committee).exists()

    again = Client()
    password_step(again, "committee")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        code_step(again, codes[3])
    assert not signed_in(again)


def test_an_account_that_needs_a_factor_and_has_none_binds_one_at_sign_in(client, world):
    response = password_step(client, "security_admin")
    assert response["Location"] == reverse("accounts:login_enrol")
    assert not signed_in(client)
    page = client.get(reverse("accounts:login_enrol")).content.decode()
    assert "<svg" in page  # the QR code, drawn in the page
    secret = re.search(r"data-otp-secret[^>]*>([A-Z2-7]+)<", page).group(1)
    key = twofactor.key_from_base32(secret)
    assert client.session[PENDING_KEY]["key"] == key

    wrong = client.post(reverse("accounts:login_enrol"), {"otp": "12345"}, REMOTE_ADDR=IP)
    assert wrong.status_code == 200 and not signed_in(client)

    response = client.post(
        reverse("accounts:login_enrol"), {"otp": otp.code_for(key)}, REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    assert signed_in(client)
    shown = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(shown) == 10
    device = TOTPDevice.objects.get(user=world.users.security_admin)
    assert device.confirmed and device.key == key
    assert RecoveryCode.objects.filter(user=world.users.security_admin).count() == 10
    assert AuditEvent.objects.filter(message="otp_enrol", actor=world.users.security_admin).exists()
    # next time: the code step
    other = Client()
    assert password_step(other, "security_admin")["Location"] == reverse("accounts:login_otp")


def test_a_role_that_does_not_need_a_factor_signs_in_with_the_password(client, world):
    response = password_step(client, "community_worker")
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert signed_in(client)


def test_the_policy_can_require_a_factor_of_more_roles(client, world):
    SecurityPolicy.objects.create(otp_roles=["community_worker"])
    response = password_step(client, "community_worker")
    assert response["Location"] == reverse("accounts:login_enrol")
    assert not signed_in(client)


def test_an_account_without_role_is_refused_after_the_right_password(client, world):
    user = world.users.window_clerk
    user.role = ""
    user.save()
    response = password_step(client, "window_clerk")
    assert response.status_code == 200
    assert "账号未获授权" in response.content.decode()
    assert not signed_in(client)


# --- the owner's page ----------------------------------------------------------------------


def test_a_role_that_may_turns_the_factor_on_and_off_itself(world):
    user = world.users.community_worker
    client = client_for(user)
    page = client.get(reverse("accounts:twofactor")).content.decode()
    assert "可自愿开启" in page
    client.post(reverse("accounts:twofactor"), {"action": "start"})
    page = client.get(reverse("accounts:twofactor")).content.decode()
    secret = re.search(r"data-otp-secret[^>]*>([A-Z2-7]+)<", page).group(1)
    key = twofactor.key_from_base32(secret)
    response = client.post(
        reverse("accounts:twofactor"), {"action": "confirm", "otp": otp.code_for(key)}
    )
    assert len(re.findall(r"<code>[a-z0-9-]{11}</code>", response.content.decode())) == 10
    assert twofactor.otp_enabled(user)

    # from now on the sign-in asks for the code
    assert password_step(Client(), "community_worker")["Location"] == reverse("accounts:login_otp")

    device = twofactor.device_of(user)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        client.post(reverse("accounts:twofactor"), {"action": "disable", "otp": otp.code(device)})
    assert not twofactor.otp_enabled(user)
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(message="otp_disable", actor=user).exists()


def test_a_role_that_must_cannot_turn_it_off(committee):
    client = client_for(committee)
    page = client.get(reverse("accounts:twofactor")).content.decode()
    assert "关闭两步验证" not in page
    client.post(
        reverse("accounts:twofactor"), {"action": "disable", "otp": otp.code(committee.device)}
    )
    assert twofactor.otp_enabled(committee)


def test_new_recovery_codes_need_a_current_code_and_end_the_old_ones(committee):
    old = twofactor._recovery_codes_replace(committee)
    client = client_for(committee)
    response = client.post(reverse("accounts:twofactor"), {"action": "codes", "otp": "000001"})
    assert "<code>" not in response.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        response = client.post(
            reverse("accounts:twofactor"), {"action": "codes", "otp": otp.code(committee.device)}
        )
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert twofactor._recovery_use(committee, old[0]) is None
    assert twofactor._recovery_use(committee, new[0]) == "recovery"


# --- the token endpoint --------------------------------------------------------------------


def token(body):
    return APIClient().post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR=IP)


def test_the_token_endpoint_needs_the_code_of_an_account_with_a_factor(committee):
    response = token({"username": "committee", "password": PASSWORD})
    assert response.status_code == 400 and "otp" in response.json()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        right = otp.code(committee.device)
        response = token(
            {
                "username": "committee",
                "password": PASSWORD,
                "otp": "123456" if right != "123456" else "654321",
            }
        )
    assert response.status_code == 400 and "otp" in response.json()
    assert AuditEvent.objects.filter(action="login_failed", message="otp").count() == 1
    assert AccessAttempt.objects.get(username="committee").failures_since_start == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60), tick=False):
        response = token(
            {"username": "committee", "password": PASSWORD, "otp": otp.code(committee.device)}
        )
        assert response.status_code == 200
        key = response.json()["token"]
        me = APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert me.status_code == 200
    # the right code resets the failures, as the right password does
    assert not AccessAttempt.objects.filter(username="committee", failures_since_start__gt=0)


def test_the_token_endpoint_sends_an_account_without_its_factor_to_the_web(world):
    response = token({"username": "committee", "password": PASSWORD, "otp": "123456"})
    assert response.status_code == 400
    assert "网页" in response.json()["otp"][0]


def test_the_token_endpoint_takes_a_recovery_code(committee):
    codes = twofactor._recovery_codes_replace(committee)
    response = token({"username": "committee", "password": PASSWORD, "otp": codes[0]})
    assert response.status_code == 200
    response = token({"username": "committee", "password": PASSWORD, "otp": codes[0]})
    assert response.status_code == 400


def test_the_token_endpoint_asks_nothing_more_of_other_roles(world):
    response = token({"username": "community_worker", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_the_token_endpoint_refuses_an_account_awaiting_approval(world):
    user = world.users.window_clerk
    user.role = ""
    user.save()
    response = token({"username": "window_clerk", "password": PASSWORD})
    assert response.status_code == 403
    assert "授权" in response.json()["detail"]


# --- the security administrator's reset ----------------------------------------------------


def test_the_security_administrator_resets_a_lost_factor(world, committee):
    twofactor._recovery_codes_replace(committee)
    key = token_create(user=committee)
    admin = client_for(world.users.security_admin)
    page = admin.get(reverse("accounts:security_twofactor")).content.decode()
    assert "committee" in page and "重置两步验证" in page
    response = admin.post(reverse("accounts:security_twofactor"), {"user": committee.pk})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=committee).exists()
    assert not RecoveryCode.objects.filter(user=committee).exists()
    assert not ApiToken.objects.filter(user=committee).exists()
    event = AuditEvent.objects.get(message="otp_reset")
    assert event.actor == world.users.security_admin and event.object_id == str(committee.pk)
    assert Notification.objects.filter(recipient=committee, kind="otp_reset").exists()
    assert APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (
        401,
        403,
    )
    # the owner binds a new authenticator at the next sign-in
    assert password_step(Client(), "committee")["Location"] == reverse("accounts:login_enrol")


@pytest.mark.parametrize("role", ["system_admin", "audit_admin", "committee"])
def test_only_the_security_administrator_resets(world, committee, role):
    other = getattr(world.users, role)
    assert client_for(other).get(reverse("accounts:security_twofactor")).status_code == 403
    assert (
        client_for(other)
        .post(reverse("accounts:security_twofactor"), {"user": committee.pk})
        .status_code
        == 403
    )
    api = APIClient()
    api.force_authenticate(other)
    response = api.post(f"/api/v1/security/second-factor/{committee.pk}/reset/")
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=committee).exists()
    assert not AuditEvent.objects.filter(message="otp_reset").exists()


def test_the_reset_endpoint(world, committee):
    api = APIClient()
    api.force_authenticate(world.users.security_admin)
    response = api.post(f"/api/v1/security/second-factor/{committee.pk}/reset/")
    assert response.status_code == 204
    assert not twofactor.otp_enabled(committee)
    assert AuditEvent.objects.filter(message="otp_reset").count() == 1
    # nothing left to reset
    again = api.post(f"/api/v1/security/second-factor/{committee.pk}/reset/")
    assert again.status_code == 400
    assert api.post("/api/v1/security/second-factor/987654/reset/").status_code == 404


# --- the security administrator's own lost factor: the server's command line -------------------


def test_the_command_line_resets_an_administrators_lost_factor_audited(world):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from guanqing.accounts import twofactor
    from guanqing.core.models import AuditEvent
    from guanqing.testing.otp import enrol

    secadmin = world.users.security_admin
    enrol(secadmin)
    assert twofactor.otp_enabled(secadmin)
    with pytest.raises(CommandError, match="reason"):
        call_command("otp_reset_admin", secadmin.username, "--reason", " ")
    call_command(
        "otp_reset_admin",
        secadmin.username,
        "--reason",
        "手机遗失 工单 2026-118",
        stdout=StringIO(),
    )
    assert not twofactor.otp_enabled(secadmin)
    event = AuditEvent.objects.filter(object_id=str(secadmin.pk)).latest("id")
    assert event.actor_username == "installer"
    assert event.changes == {"second_factor": [True, False]}
    assert "手机遗失" in event.message
    # never a business account: those are the security administrator's to reset, in the platform
    with pytest.raises(CommandError, match="三员"):
        call_command("otp_reset_admin", world.users.committee.username, "--reason", "x")
