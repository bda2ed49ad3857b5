"""Account services: who may provision, grant, set policy and unlock, and what the audit log keeps."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError

from guanqing.accounts import services
from guanqing.accounts.models import AccountRequest, User
from guanqing.core.context import RequestInfo, reset_request_info, set_request_info
from guanqing.core.models import AuditEvent, Notification, SecurityPolicy
from guanqing.core.policy import current_policy
from guanqing.core.services import ScopeError
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


@pytest.fixture
def from_ip():
    token = set_request_info(RequestInfo(ip_address="10.8.0.7"))
    yield "10.8.0.7"
    reset_request_info(token)


def last_event(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).order_by("-id").first()


def pending(user, kind=None) -> AccountRequest | None:
    rows = AccountRequest.objects.filter(user=user, status="pending")
    if kind:
        rows = rows.filter(kind=kind)
    return rows.first()


def approved(world, user) -> User:
    """The security administrator approves the account's pending role request."""
    services.account_request_approve(
        actor=world.users.security_admin, request=pending(user, kind=None)
    )
    user.refresh_from_db()
    return user


# --- user_create ---------------------------------------------------------------------------


def test_system_admin_creates_unit_admin_and_the_audit_row_has_new_values_and_ip(world, from_ip):
    user = services.user_create(
        actor=world.users.system_admin,
        username="wang_jiwei",
        display_name="王纪委",
        password=PASSWORD,
        role="unit_admin",
        unit=world.unit.pk,
    )
    user.refresh_from_db()
    # no role and no scope until the security administrator approves what was asked for
    assert (user.role, user.unit) == ("", None)
    assert user.check_password(PASSWORD)
    assert user.must_change_password
    asked = pending(user)
    assert (asked.kind, asked.role, asked.unit, asked.requested_by) == (
        "create",
        "unit_admin",
        world.unit,
        world.users.system_admin,
    )
    event = last_event(action="create", object_type="accounts.user", object_id=str(user.pk))
    assert event.actor == world.users.system_admin
    assert event.ip_address == from_ip
    assert event.changes["username"] == [None, "wang_jiwei"]
    assert "password" not in event.changes
    request_event = last_event(object_type="accounts.accountrequest", object_id=str(asked.pk))
    assert request_event.changes["role"] == [None, "单位党务管理员"]
    assert request_event.changes["unit"] == [None, "市纪委"]
    assert request_event.root_id == str(user.pk)
    assert approved(world, user).unit == world.unit


@pytest.mark.parametrize("role", [r for r in ROLES if r != "system_admin"])
def test_only_the_system_admin_creates_accounts(world, role):
    with pytest.raises(ScopeError):
        services.user_create(
            actor=getattr(world.users, role),
            username="someone",
            password=PASSWORD,
            role="window_clerk",
        )
    assert not User.objects.filter(username="someone").exists()


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_system_admin_cannot_create_a_separated_administrator(world, role):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=world.users.system_admin, username="boss", password=PASSWORD, role=role
        )
    assert "role" in exc.value.message_dict
    assert not User.objects.filter(username="boss").exists()


@pytest.mark.parametrize(
    ("role", "field"),
    [("unit_admin", "unit"), ("community_worker", "community"), ("member", "member")],
)
def test_a_scoped_role_without_its_scope_is_refused_naming_the_field(world, role, field):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=world.users.system_admin, username="noscope", password=PASSWORD, role=role
        )
    assert field in exc.value.message_dict
    assert not User.objects.filter(username="noscope").exists()


def test_community_worker_scope_must_be_a_community_not_a_street(world):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=world.users.system_admin,
            username="street_worker",
            password=PASSWORD,
            role="community_worker",
            community=world.street.pk,
        )
    assert "community" in exc.value.message_dict


def test_member_account_takes_its_unit_from_the_member(world):
    member = f.MemberFactory(unit=world.other_unit)
    user = services.user_create(
        actor=world.users.system_admin,
        username="li_member",
        password=PASSWORD,
        role="member",
        member=member.pk,
    )
    assert pending(user).unit == world.other_unit
    assert user.display_name == member.name
    user = approved(world, user)
    assert (user.role, user.member, user.unit) == ("member", member, world.other_unit)


def test_a_member_gets_at_most_one_account(world):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=world.users.system_admin,
            username="second",
            password=PASSWORD,
            role="member",
            member=world.member.pk,
        )
    assert "member" in exc.value.message_dict


def test_scope_the_role_does_not_need_is_dropped(world):
    user = services.user_create(
        actor=world.users.system_admin,
        username="clerk2",
        password=PASSWORD,
        role="committee",
        community=world.community.pk,
    )
    assert pending(user).community is None
    assert approved(world, user).community is None


def test_a_member_asked_for_by_a_pending_request_is_not_asked_for_twice(world):
    member = f.MemberFactory(unit=world.other_unit)
    services.user_create(
        actor=world.users.system_admin,
        username="first",
        password=PASSWORD,
        role="member",
        member=member.pk,
    )
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=world.users.system_admin,
            username="second",
            password=PASSWORD,
            role="member",
            member=member.pk,
        )
    assert "member" in exc.value.message_dict


def test_duplicate_username_is_refused_case_insensitively(world):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=world.users.system_admin,
            username="COMMITTEE",
            password=PASSWORD,
            role="committee",
        )
    assert "username" in exc.value.message_dict


@pytest.mark.parametrize("password", ["Ab1234567", "abcdefghijkl", "123456789012"])
def test_weak_passwords_are_refused_on_the_password_field(world, password):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=world.users.system_admin,
            username="weakling",
            password=password,
            role="committee",
        )
    assert list(exc.value.message_dict) == ["password"]
    assert not User.objects.filter(username="weakling").exists()


# --- user_update ---------------------------------------------------------------------------


def test_changing_role_and_scope_is_audited_as_role_change_with_old_and_new(world, from_ip):
    target = world.users.unit_admin
    saved = services.user_update(
        actor=world.users.system_admin,
        user=target,
        role="community_worker",
        unit=None,
        community=world.community,
    )
    assert saved.submitted_request == pending(target, "role")
    target.refresh_from_db()
    assert (target.role, target.unit) == ("unit_admin", world.unit), "nothing applies yet"
    approved(world, target)
    assert (target.role, target.unit, target.community) == (
        "community_worker",
        None,
        world.community,
    )
    event = last_event(object_type="accounts.user", object_id=str(target.pk))
    assert event.action == "role_change"
    assert event.actor == world.users.security_admin
    assert event.ip_address == from_ip
    assert event.changes["role"] == ["单位党务管理员", "社区工作者"]
    assert event.changes["unit"] == ["市纪委", None]
    assert event.changes["community"][0] is None


def test_renaming_is_an_update_and_no_change_writes_nothing(world):
    target = world.users.window_clerk
    services.user_update(actor=world.users.system_admin, user=target, display_name="吴鹏")
    event = last_event(object_id=str(target.pk), object_type="accounts.user")
    assert event.action == "update"
    assert event.changes == {"display_name": ["", "吴鹏"]}
    count = AuditEvent.objects.count()
    services.user_update(actor=world.users.system_admin, user=target, display_name="吴鹏")
    assert AuditEvent.objects.count() == count


def test_disabling_an_account_ends_its_api_tokens(world):
    from guanqing.accounts.models import ApiToken
    from guanqing.accounts.tokens import token_create

    target = world.users.fund_officer
    token_create(user=target)
    services.user_update(actor=world.users.system_admin, user=target, is_active=False)
    target.refresh_from_db()
    assert target.is_active is False
    assert not ApiToken.objects.filter(user=target).exists()
    assert last_event(object_id=str(target.pk)).changes["is_active"] == [True, False]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "system_admin"])
def test_only_the_system_admin_changes_accounts(world, role):
    with pytest.raises(ScopeError):
        services.user_update(
            actor=getattr(world.users, role), user=world.users.window_clerk, display_name="x"
        )


@pytest.mark.parametrize("target", ["security_admin", "audit_admin"])
def test_system_admin_cannot_change_the_other_administrators(world, target):
    with pytest.raises(ValidationError):
        services.user_update(
            actor=world.users.system_admin,
            user=getattr(world.users, target),
            is_active=False,
        )
    assert User.objects.get(username=target).is_active


def test_system_admin_cannot_promote_a_business_account_to_administrator(world):
    with pytest.raises(ValidationError) as exc:
        services.user_update(
            actor=world.users.system_admin, user=world.users.committee, role="audit_admin"
        )
    assert "role" in exc.value.message_dict
    world.users.committee.refresh_from_db()
    assert world.users.committee.role == "committee"


def test_password_reset_by_system_admin_is_audited_without_the_password(world):
    target = world.users.committee
    services.user_set_password(actor=world.users.system_admin, user=target, password=PASSWORD)
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert target.must_change_password
    event = last_event(object_type="accounts.user", object_id=str(target.pk))
    assert event.action == "password_change"
    assert PASSWORD not in str(event.changes)
    assert pending(target, "password_reset") is not None


def test_a_user_changing_its_own_password_needs_no_approval(world):
    me = world.users.committee
    services.user_set_password(actor=me, user=me, password="Own-choice-2026")
    me.refresh_from_db()
    assert me.check_password("Own-choice-2026")
    assert not me.must_change_password
    assert not AccountRequest.objects.filter(user=me).exists()


# --- user_grant_reveal ---------------------------------------------------------------------


def test_security_admin_grants_and_withdraws_reveal_with_audit(world, from_ip):
    target = world.users.community_worker
    services.user_grant_reveal(actor=world.users.security_admin, user=target, allowed=True)
    target.refresh_from_db()
    assert target.can_reveal_sensitive is True
    event = last_event(object_id=str(target.pk))
    assert (event.action, event.changes) == (
        "role_change",
        {"can_reveal_sensitive": [False, True]},
    )
    assert event.ip_address == from_ip
    services.user_grant_reveal(actor=world.users.security_admin, user=target, allowed=False)
    target.refresh_from_db()
    assert target.can_reveal_sensitive is False
    assert last_event(object_id=str(target.pk)).changes == {"can_reveal_sensitive": [True, False]}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "security_admin"])
def test_only_the_security_admin_grants_reveal(world, role):
    with pytest.raises(ScopeError):
        services.user_grant_reveal(
            actor=getattr(world.users, role), user=world.users.committee, allowed=True
        )
    world.users.committee.refresh_from_db()
    assert world.users.committee.can_reveal_sensitive is False


def test_administrators_never_get_the_reveal_grant(world):
    with pytest.raises(ValidationError):
        services.user_grant_reveal(
            actor=world.users.security_admin, user=world.users.audit_admin, allowed=True
        )


# --- policy_update -------------------------------------------------------------------------


def test_security_admin_changes_policy_with_old_and_new_in_the_log(world, from_ip):
    policy = services.policy_update(
        actor=world.users.security_admin, failure_limit=3, idle_minutes=30
    )
    assert SecurityPolicy.objects.get(pk=policy.pk).failure_limit == 3
    assert current_policy().idle_minutes == 30
    event = last_event(action="policy_change")
    assert event.changes == {"failure_limit": [5, 3], "idle_minutes": [15, 30]}
    assert event.ip_address == from_ip


@pytest.mark.parametrize(
    ("field", "value"),
    [("failure_limit", 0), ("failure_limit", 21), ("lockout_minutes", 0), ("mask_tail", 9)],
)
def test_policy_out_of_range_is_refused_naming_the_field(world, field, value):
    with pytest.raises(ValidationError) as exc:
        services.policy_update(actor=world.users.security_admin, **{field: value})
    assert field in exc.value.message_dict
    assert not SecurityPolicy.objects.exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "security_admin"])
def test_only_the_security_admin_changes_policy(world, role):
    with pytest.raises(ScopeError):
        services.policy_update(actor=getattr(world.users, role), failure_limit=3)
    assert not SecurityPolicy.objects.exists()


# --- user_unlock ---------------------------------------------------------------------------


def lock(username: str, failures: int = 5) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address="10.0.0.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=failures,
    )


def test_security_admin_unlocks_an_account_and_it_is_audited(world, from_ip):
    lock("committee")
    assert [a.username for a in services.locked_usernames()] == ["committee"]
    removed = services.user_unlock(actor=world.users.security_admin, username="committee")
    assert removed == 1
    assert not AccessAttempt.objects.filter(username="committee").exists()
    assert services.locked_usernames() == []
    event = last_event(message="unlock")
    assert event.action == "update"
    assert event.object_id == str(world.users.committee.pk)
    assert event.changes == {"failures_since_start": [5, 0]}
    assert event.ip_address == from_ip


def test_attempts_below_the_limit_are_not_listed_as_locked(world):
    lock("committee", failures=4)
    assert services.locked_usernames() == []


@pytest.mark.parametrize("role", [r for r in ROLES if r != "security_admin"])
def test_only_the_security_admin_unlocks(world, role):
    lock("committee")
    with pytest.raises(ScopeError):
        services.user_unlock(actor=getattr(world.users, role), username="committee")
    assert AccessAttempt.objects.filter(username="committee").exists()


def test_unlocking_an_account_that_is_not_locked_names_the_username(world):
    with pytest.raises(ValidationError) as exc:
        services.user_unlock(actor=world.users.security_admin, username="committee")
    assert "username" in exc.value.message_dict
    assert not AuditEvent.objects.filter(message="unlock").exists()


# --- installation --------------------------------------------------------------------------


def test_separated_admin_is_created_by_the_installer_and_audited(db):
    user = services.separated_admin_create(
        username="sysadmin2", password=PASSWORD, role="system_admin"
    )
    assert user.role == "system_admin"
    assert not user.is_superuser and not user.is_staff
    event = last_event(object_id=str(user.pk))
    assert (event.action, event.actor_username, event.actor) == ("create", "installer", None)


def test_installer_only_creates_administrator_roles(db):
    with pytest.raises(ValidationError):
        services.separated_admin_create(username="x", password=PASSWORD, role="committee")


# --- guanqing createadmins / createsuperuser -----------------------------------------------

ADMIN_OPTIONS = {
    "system_password": "Xitong2024abc",
    "security_password": "Anquan2024abc",
    "audit_password": "Shenji2024abc",
    "interactive": False,
}


def test_createadmins_creates_the_three_administrators_audited_by_installer(db):
    from django.core.management import call_command

    call_command("createadmins", **ADMIN_OPTIONS, audit_username="shenji")
    admins = {u.role: u for u in User.objects.all()}
    assert set(admins) == {"system_admin", "security_admin", "audit_admin"}
    assert admins["system_admin"].username == "sysadmin"
    assert admins["audit_admin"].username == "shenji"
    assert admins["security_admin"].check_password("Anquan2024abc")
    assert not any(u.is_superuser or u.is_staff for u in admins.values())
    events = AuditEvent.objects.filter(action="create", actor_username="installer")
    assert {e.object_id for e in events} == {str(u.pk) for u in admins.values()}


def test_createadmins_refuses_when_administrators_exist(db):
    from django.core.management import CommandError, call_command

    call_command("createadmins", **ADMIN_OPTIONS)
    with pytest.raises(CommandError, match="--skip-existing"):
        call_command("createadmins", **ADMIN_OPTIONS)
    assert User.objects.count() == 3


def test_createadmins_skip_existing_creates_only_the_missing_ones(db):
    from django.core.management import call_command

    services.separated_admin_create(
        username="oldsys", password="Xitong2024abc", role="system_admin"
    )
    call_command("createadmins", **ADMIN_OPTIONS, skip_existing=True)
    assert sorted(User.objects.values_list("username", flat=True)) == [
        "auditadmin",
        "oldsys",
        "secadmin",
    ]


def test_createadmins_validates_passwords_and_writes_nothing_on_error(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--audit-password"):
        call_command("createadmins", **{**ADMIN_OPTIONS, "audit_password": "onlyletters"})
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_createadmins_without_password_and_without_input_is_refused(db):
    from django.core.management import CommandError, call_command

    options = {**ADMIN_OPTIONS, "security_password": None}
    with pytest.raises(CommandError, match="--security-password"):
        call_command("createadmins", **options)
    assert not User.objects.exists()


@pytest.mark.parametrize("args", [[], ["--noinput", "--username", "root", "--email", "r@x.cn"]])
def test_createsuperuser_is_refused_pointing_to_createadmins(db, args):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="createadmins"):
        call_command("createsuperuser", *args)
    assert not User.objects.exists()


def test_the_database_refuses_an_all_powerful_user(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="root", role="system_admin", is_superuser=True)


def test_a_password_reset_revokes_the_users_api_token(world):
    from guanqing.accounts.models import ApiToken
    from guanqing.accounts.tokens import digest

    user = world.users.committee
    token = services.token_issue(actor=user)
    services.user_set_password(actor=world.users.system_admin, user=user, password="Brand-new-2026")
    assert not ApiToken.objects.filter(digest=digest(token)).exists()


def test_a_role_change_drops_the_scope_the_new_role_does_not_carry(world):
    admin = world.users.system_admin
    user = services.user_create(
        actor=admin,
        username="zhuanyi",
        password="Lake-Dongqian-77",
        role="unit_admin",
        unit=world.unit,
    )
    user = approved(world, user)
    services.user_update(actor=admin, user=user, role="fund_officer")
    user = approved(world, user)
    assert user.unit_id == world.unit.pk  # a fund officer may keep a unit
    services.user_update(actor=admin, user=user, role="committee")
    user = approved(world, user)
    assert (user.unit_id, user.community_id, user.member_id) == (None, None, None)
    event = AuditEvent.objects.filter(action="role_change", object_id=str(user.pk)).latest("id")
    assert event.changes["unit"][1] is None


# --- account requests: approve, reject, withdraw -------------------------------------------


def test_approval_rechecks_the_member_and_names_it_when_taken_meanwhile(world):
    member = f.MemberFactory(unit=world.other_unit)
    user = services.user_create(
        actor=world.users.system_admin,
        username="late",
        password=PASSWORD,
        role="member",
        member=member.pk,
    )
    f.UserFactory(username="first_come", role="member", member=member, unit=world.other_unit)
    with pytest.raises(ValidationError) as exc:
        services.account_request_approve(actor=world.users.security_admin, request=pending(user))
    assert "member" in exc.value.message_dict
    user.refresh_from_db()
    assert (user.role, pending(user).status) == ("", "pending")


def test_nobody_decides_a_request_about_its_own_account(world):
    me = world.users.security_admin
    own = AccountRequest.objects.create(
        user=me, kind="role", role="committee", requested_by=world.users.system_admin
    )
    with pytest.raises(ValidationError) as exc:
        services.account_request_approve(actor=me, request=own)
    assert "user" in exc.value.message_dict
    me.refresh_from_db()
    assert me.role == "security_admin"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "security_admin"])
def test_only_the_security_admin_approves(world, role):
    services.user_update(
        actor=world.users.system_admin, user=world.users.window_clerk, role="committee"
    )
    asked = pending(world.users.window_clerk)
    with pytest.raises(ScopeError):
        services.account_request_approve(actor=getattr(world.users, role), request=asked)
    world.users.window_clerk.refresh_from_db()
    assert world.users.window_clerk.role == "window_clerk"


def test_a_second_decision_is_a_conflict(world):
    from guanqing.core.errors import Conflict

    services.user_update(
        actor=world.users.system_admin, user=world.users.window_clerk, role="committee"
    )
    asked = pending(world.users.window_clerk)
    services.account_request_approve(actor=world.users.security_admin, request=asked)
    with pytest.raises(Conflict):
        services.account_request_reject(
            actor=world.users.security_admin, request=asked, reason="晚了"
        )
    asked.refresh_from_db()
    assert asked.status == "approved"


def test_a_new_change_replaces_the_pending_one_and_the_old_is_kept_as_withdrawn(world):
    admin, target = world.users.system_admin, world.users.window_clerk
    services.user_update(actor=admin, user=target, role="committee")
    services.user_update(actor=admin, user=target, role="unit_admin", unit=world.unit)
    rows = list(AccountRequest.objects.filter(user=target).order_by("pk"))
    assert [(r.role, r.status) for r in rows] == [
        ("committee", "withdrawn"),
        ("unit_admin", "pending"),
    ]
    # asking for what the account already has takes the request back
    services.user_update(actor=admin, user=target, role="window_clerk", unit=None)
    assert pending(target) is None


def test_only_the_asking_system_admin_withdraws_and_never_a_password_reset(world):
    admin, target = world.users.system_admin, world.users.window_clerk
    services.user_update(actor=admin, user=target, role="committee")
    other_admin = f.UserFactory(username="system_admin_2", role="system_admin")
    with pytest.raises(ScopeError):
        services.account_request_withdraw(actor=other_admin, request=pending(target))
    services.account_request_withdraw(actor=admin, request=pending(target))
    assert pending(target) is None
    services.user_set_password(actor=admin, user=target, password="Temp-2026-reset")
    with pytest.raises(ValidationError):
        services.account_request_withdraw(actor=admin, request=pending(target, "password_reset"))
    assert pending(target, "password_reset") is not None


def test_a_second_reset_replaces_the_waiting_one_and_the_account_stays_held(world):
    admin, target = world.users.system_admin, world.users.window_clerk
    services.user_set_password(actor=admin, user=target, password="Temp-2026-first")
    services.user_set_password(actor=admin, user=target, password="Temp-2026-second")
    resets = list(AccountRequest.objects.filter(user=target, kind="password_reset").order_by("pk"))
    assert [r.status for r in resets] == ["withdrawn", "pending"]
    assert Notification.objects.filter(recipient=target, kind="password_reset").count() == 2
