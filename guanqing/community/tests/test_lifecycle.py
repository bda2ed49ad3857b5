"""The lifecycles of 党员进社区 (`rules.REGISTRATION`, `rules.ACTIVITY`, `rules.SIGNUP`) checked cell by
cell against the services: every move the table allows succeeds and lands in the table's target
state; every move it does not allow is refused with the message the service gives for it; and the
roles the table does not name are refused by the service whatever the state."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanqing.community import services
from guanqing.community.choices import ActivityStatus, RegistrationStatus, SignupStatus
from guanqing.community.models import Activity, ActivitySignup, Registration
from guanqing.community.rules import ACTIVITY, REGISTRATION, SIGNUP, Term
from guanqing.community.tests import code_now
from guanqing.community.tests import factories as cf
from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope

REFUSED = (PermissionDenied, OutOfScope, ValidationError)


def _refused(excinfo, field: str, message: str) -> None:
    assert excinfo.value.message_dict == {field: [message]}


# ---------------------------------------------------------------------------------------------
# Registrations
# ---------------------------------------------------------------------------------------------


def _registration(world, state: str) -> Registration:
    return cf.RegistrationFactory(member=world.member, status=state)


def test_the_registration_table(world):
    assert REGISTRATION.table() == [
        ("pending", "confirm", "confirmed", frozenset({Role.COMMUNITY_WORKER})),
        ("pending", "reject", "rejected", frozenset({Role.COMMUNITY_WORKER})),
        ("rejected", "resubmit", "pending", frozenset({Role.MEMBER})),
    ]


def _decide(world, registration, action):
    worker = world.users.community_worker
    if action == "confirm":
        return services.registration_confirm(actor=worker, registration=registration)
    return services.registration_reject(
        actor=worker, registration=registration, reason="不在此居住"
    )


@pytest.mark.parametrize("action", ["confirm", "reject"])
@pytest.mark.parametrize("state", RegistrationStatus.values)
def test_a_decision_follows_the_table(world, state, action):
    registration = _registration(world, state)
    if REGISTRATION.can(state, action, world.users.community_worker):
        done = _decide(world, registration, action)
        assert done.status == REGISTRATION.target(state, action)
        return
    with pytest.raises(ValidationError) as excinfo:
        _decide(world, registration, action)
    label = RegistrationStatus(state).label
    _refused(excinfo, "status", f"该报到{label}，不能再次处理")
    registration.refresh_from_db()
    assert registration.status == state


@pytest.mark.parametrize("state", RegistrationStatus.values)
def test_submitting_again_follows_the_table(world, state):
    registration = _registration(world, state)
    term = Term(registration.year, registration.half)
    member = world.users.member
    if REGISTRATION.can(state, "resubmit", member):
        done = services.registration_submit(actor=member, role="policy", term=term)
        assert done.pk == registration.pk
        assert done.status == REGISTRATION.target(state, "resubmit")
        return
    with pytest.raises(ValidationError) as excinfo:
        services.registration_submit(actor=member, role="policy", term=term)
    label = RegistrationStatus(state).label
    _refused(excinfo, "term", f"您已于 {term} 报到（{label}）")


@pytest.mark.parametrize("action", ["confirm", "reject"])
@pytest.mark.parametrize("role", [r for r in Role if r != Role.COMMUNITY_WORKER])
def test_only_the_tables_roles_decide(world, role, action):
    registration = _registration(world, RegistrationStatus.PENDING)
    user = getattr(world.users, role.value)
    assert not REGISTRATION.can(RegistrationStatus.PENDING, action, user)
    with pytest.raises(REFUSED):
        if action == "confirm":
            services.registration_confirm(actor=user, registration=registration)
        else:
            services.registration_reject(actor=user, registration=registration, reason="不在此居住")


# ---------------------------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------------------------


def test_the_activity_table(world):
    member, worker = frozenset({Role.MEMBER}), frozenset({Role.COMMUNITY_WORKER})
    assert ACTIVITY.table() == [
        ("published", "cancel", "cancelled", worker),
        ("published", "signup", "published", member),
        ("published", "check_in", "published", member),
        ("published", "check_out", "published", member),
        ("published", "show_code", "published", worker),
        ("published", "add_hours", "published", worker),
    ]


def _activity(world, state: str, *, signed: bool = True, checked_in: bool = False) -> Activity:
    """An activity of the worker's community running now, 张三 signed up (and checked in), in
    `state`."""
    activity = cf.ActivityFactory(community=world.community, places=5)
    if signed:
        cf.SignupFactory(activity=activity, member=world.member)
    else:  # registered there, so that it still sees the activity once cancelled
        cf.RegistrationFactory(member=world.member)
    if state == ActivityStatus.CANCELLED:
        services.activity_cancel(
            actor=world.users.community_worker, activity=activity, reason="下雨"
        )
    if checked_in:
        cf.AttendanceFactory(activity=activity, member=world.member)
    activity.refresh_from_db()
    return activity


def _take(world, action: str, activity: Activity):
    member, worker = world.users.member, world.users.community_worker
    if action == "cancel":
        return services.activity_cancel(actor=worker, activity=activity, reason="下雨")
    if action == "signup":
        return services.activity_signup(actor=member, activity=activity)
    if action == "check_in":
        return services.attendance_check_in(
            actor=member, activity=activity, code=code_now(activity)
        )
    if action == "check_out":
        return services.attendance_check_out(
            actor=member, activity=activity, code=code_now(activity)
        )
    if action == "show_code":
        return services.activity_code(actor=worker, activity=activity)
    return services.hours_add(
        actor=worker, activity=activity, member=world.member, hours="0.5", reason="忘记签到"
    )


# the field and message each action's refusal names when the state does not allow it
ACTIVITY_REFUSALS = {
    "cancel": ("status", "活动已取消"),
    "signup": ("activity", "活动已取消"),
    "check_in": ("activity", "活动已取消"),
    "check_out": ("activity", "活动已取消"),
    "show_code": ("status", "活动已取消"),
    "add_hours": ("activity", "活动已取消，不能补录时长"),
}


@pytest.mark.parametrize("action", list(ACTIVITY_REFUSALS))
@pytest.mark.parametrize("state", ActivityStatus.values)
def test_an_activity_move_follows_the_table(world, state, action):
    activity = _activity(world, state, signed=action != "signup", checked_in=action == "check_out")
    role = Role.COMMUNITY_WORKER if action in ("cancel", "show_code", "add_hours") else Role.MEMBER
    user = getattr(world.users, role.value)
    if ACTIVITY.can(state, action, user):
        _take(world, action, activity)
        activity.refresh_from_db()
        assert activity.status == ACTIVITY.target(state, action)
        return
    with pytest.raises(ValidationError) as excinfo:
        _take(world, action, activity)
    field, message = ACTIVITY_REFUSALS[action]
    assert excinfo.value.message_dict.get(field) == [message]
    activity.refresh_from_db()
    assert activity.status == state


# ---------------------------------------------------------------------------------------------
# Sign-ups
# ---------------------------------------------------------------------------------------------


def test_the_signup_table(world):
    member = frozenset({Role.MEMBER})
    assert SIGNUP.table() == [
        ("signed_up", "withdraw", "cancelled", member),
        ("cancelled", "sign_up_again", "signed_up", member),
    ]


def _signup(world, state: str) -> ActivitySignup:
    """张三's sign-up, in `state`, for an activity of its community in two days."""
    start = timezone.now() + datetime.timedelta(days=2)
    activity = cf.ActivityFactory(community=world.community, starts_at=start, places=5)
    signup = cf.SignupFactory(activity=activity, member=world.member)
    if state == SignupStatus.CANCELLED:
        services.signup_cancel(actor=world.users.member, activity=activity)
        signup.refresh_from_db()
    return signup


SIGNUP_REFUSALS = {"withdraw": "您未报名此活动", "sign_up_again": "您已报名此活动"}


@pytest.mark.parametrize("action", list(SIGNUP_REFUSALS))
@pytest.mark.parametrize("state", SignupStatus.values)
def test_a_signup_move_follows_the_table(world, state, action):
    signup = _signup(world, state)
    member = world.users.member
    move = services.signup_cancel if action == "withdraw" else services.activity_signup
    if SIGNUP.can(state, action, member):
        done = move(actor=member, activity=signup.activity)
        assert done.pk == signup.pk
        assert done.status == SIGNUP.target(state, action)
        return
    with pytest.raises(ValidationError) as excinfo:
        move(actor=member, activity=signup.activity)
    _refused(excinfo, "activity", SIGNUP_REFUSALS[action])
    signup.refresh_from_db()
    assert signup.status == state
