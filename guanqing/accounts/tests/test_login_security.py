"""Login security: lockout after the policy's failures, idle time-out, password rules, and the
sign-in events in the audit log."""

from __future__ import annotations

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from guanqing.accounts import services, twofactor
from guanqing.accounts.middleware import LAST_SEEN_KEY
from guanqing.accounts.models import User
from guanqing.core.models import AuditEvent
from guanqing.testing import otp
from guanqing.testing.factories import PASSWORD

IP = "10.20.30.40"


def login(client, username, password):
    """The login page, through the second factor where the account needs one."""
    user = User.objects.filter(username=username).first()
    if user is not None and twofactor.otp_needed(user) and not twofactor.otp_enabled(user):
        otp.enrol(user)
    response = client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=IP,
    )
    if response.status_code == 302 and response["Location"] == reverse("accounts:login_otp"):
        code = otp.fresh_code(twofactor.device_of(user))
        response = client.post(reverse("accounts:login_otp"), {"otp": code}, REMOTE_ADDR=IP)
    return response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def age_attempts(username: str, minutes: int) -> None:
    """Move the recorded failures back in time, as if `minutes` had passed."""
    for attempt in AccessAttempt.objects.filter(username=username):
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - datetime.timedelta(minutes=minutes)
        )


# --- lockout -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, world):
    for _ in range(5):
        login(client, "committee", "wrong-password-1")
    assert not signed_in(client)
    response = login(client, "committee", PASSWORD)
    assert not signed_in(client)
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="locked_out", actor_username="committee").exists()


def test_four_wrong_passwords_do_not_lock(client, world):
    for _ in range(4):
        login(client, "committee", "wrong-password-1")
    login(client, "committee", PASSWORD)
    assert signed_in(client)


@pytest.mark.parametrize(("minutes", "allowed"), [(14, False), (16, True)])
def test_lockout_ends_after_the_policy_minutes(client, world, minutes, allowed):
    for _ in range(5):
        login(client, "committee", "wrong-password-1")
    age_attempts("committee", minutes)
    login(client, "committee", PASSWORD)
    assert signed_in(client) is allowed


def test_trying_again_while_locked_restarts_the_lockout(client, world):
    for _ in range(5):
        login(client, "committee", "wrong-password-1")
    age_attempts("committee", 14)
    login(client, "committee", PASSWORD)
    age_attempts("committee", 2)
    login(client, "committee", PASSWORD)
    assert not signed_in(client)


@pytest.mark.parametrize(("minutes", "allowed"), [(59, False), (61, True)])
def test_lockout_follows_the_security_policy(client, world, minutes, allowed):
    services.policy_update(actor=world.users.security_admin, failure_limit=3, lockout_minutes=60)
    for _ in range(2):
        login(client, "committee", "wrong-password-1")
    login(client, "committee", PASSWORD)
    assert signed_in(client), "two failures are below a limit of three"
    client.post(reverse("accounts:logout"))
    for _ in range(3):
        login(client, "committee", "wrong-password-1")
    age_attempts("committee", minutes)
    login(client, "committee", PASSWORD)
    assert signed_in(client) is allowed


def test_lockout_of_one_account_does_not_lock_another(client, world):
    for _ in range(5):
        login(client, "committee", "wrong-password-1")
    login(client, "fund_officer", PASSWORD)
    assert signed_in(client)


def test_security_admin_unlock_lets_the_user_in_at_once(client, world):
    for _ in range(5):
        login(client, "committee", "wrong-password-1")
    services.user_unlock(actor=world.users.security_admin, username="committee")
    login(client, "committee", PASSWORD)
    assert signed_in(client)


# --- sign-in events in the audit log -------------------------------------------------------


def test_login_logout_and_failed_login_are_audited_with_ip(client, world):
    login(client, "committee", "wrong-password-1")
    failed = AuditEvent.objects.get(action="login_failed")
    assert (failed.actor_username, failed.ip_address, failed.actor) == ("committee", IP, None)
    login(client, "committee", PASSWORD)
    event = AuditEvent.objects.get(action="login")
    assert (event.actor, event.ip_address) == (world.users.committee, IP)
    client.post(reverse("accounts:logout"), REMOTE_ADDR=IP)
    event = AuditEvent.objects.get(action="logout")
    assert (event.actor, event.ip_address) == (world.users.committee, IP)
    assert not signed_in(client)


def test_failed_login_never_stores_the_password_tried(client, world):
    login(client, "committee", "Secret-guess-123")
    assert "Secret-guess-123" not in str(list(AuditEvent.objects.values()))


# --- idle time-out -------------------------------------------------------------------------


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - minutes * 60
    session.save()


def test_a_session_idle_longer_than_the_policy_is_logged_out(client, world):
    login(client, "committee", PASSWORD)
    client.get("/")
    idle_for(client, 16)
    response = client.get("/", REMOTE_ADDR=IP)
    assert not signed_in(client)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    event = AuditEvent.objects.get(action="logout", actor=world.users.committee)
    assert event.message == "idle"


def test_a_session_used_within_the_idle_limit_stays(client, world):
    login(client, "committee", PASSWORD)
    idle_for(client, 14)
    assert client.get("/").status_code == 200
    assert signed_in(client)


def test_idle_limit_follows_the_security_policy(client, world):
    services.policy_update(actor=world.users.security_admin, idle_minutes=60)
    login(client, "committee", PASSWORD)
    idle_for(client, 30)
    client.get("/")
    assert signed_in(client)
    idle_for(client, 61)
    client.get("/")
    assert not signed_in(client)


# --- password rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Abc12345", "OnlyLettersHere", "12345678901234"],
    ids=["shorter-than-10", "letters-only", "digits-only"],
)
def test_weak_passwords_are_refused_naming_the_password_field(world, password):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.user_set_password(
            actor=world.users.system_admin, user=world.users.committee, password=password
        )
    assert list(exc.value.message_dict) == ["password"]
    world.users.committee.refresh_from_db()
    assert world.users.committee.check_password(PASSWORD)
