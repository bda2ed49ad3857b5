"""The sign-up guards at their exact edges: the last place, the activity's last moment, its start.

The clock is pinned by hand to moments around one activity (Saturday 16 May 2026, 09:00–11:00 in
Ningbo), and each refused move names its exact error and leaves the place counter as it was.
"""

from __future__ import annotations

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from guanqing.community import services
from guanqing.community.models import ActivitySignup
from guanqing.community.tests import community_world
from guanqing.community.tests import factories as cf
from guanqing.core.errors import Conflict
from guanqing.testing import factories as f

NINGBO = ZoneInfo("Asia/Shanghai")
STARTS = datetime.datetime(2026, 5, 16, 9, 0, tzinfo=NINGBO)
ENDS = datetime.datetime(2026, 5, 16, 11, 0, tzinfo=NINGBO)
DAY_BEFORE = STARTS - datetime.timedelta(days=1)
TICK = datetime.timedelta(microseconds=1)


def at(moment):
    """Pin the services' clock at `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def member_user(world):
    member = f.MemberFactory(unit=world.unit, home_community=world.community)
    return f.UserFactory(role="member", member=member, unit=member.unit)


def activity(world, places=2):
    return cf.ActivityFactory(
        community=world.community, starts_at=STARTS, ends_at=ENDS, places=places, signed_up=0
    )


def errors(excinfo):
    return {field: [str(m) for m in ms] for field, ms in excinfo.value.message_dict.items()}


def counter(row):
    row.refresh_from_db()
    return row.signed_up


def test_the_last_place_is_taken_and_the_next_member_gets_a_conflict(world):
    event = activity(world, places=2)
    first, second, third = member_user(world), member_user(world), member_user(world)
    with at(DAY_BEFORE):
        services.activity_signup(actor=first, activity=event)
        assert counter(event) == 1
        services.activity_signup(actor=second, activity=event)
        assert counter(event) == 2
        with pytest.raises(Conflict) as excinfo:
            services.activity_signup(actor=third, activity=event)
    assert str(excinfo.value) == "名额已满，请选择其他活动"
    assert counter(event) == 2
    assert not ActivitySignup.objects.filter(activity=event, member=third.member).exists()


def test_a_place_given_back_is_the_next_members(world):
    event = activity(world, places=1)
    first, second = member_user(world), member_user(world)
    with at(DAY_BEFORE):
        services.activity_signup(actor=first, activity=event)
        with pytest.raises(Conflict):
            services.activity_signup(actor=second, activity=event)
        services.signup_cancel(actor=first, activity=event)
        assert counter(event) == 0
        signup = services.activity_signup(actor=second, activity=event)
    assert signup.status == "signed_up"
    assert counter(event) == 1


def test_a_sign_up_is_taken_until_the_last_moment_and_refused_at_the_end(world):
    event = activity(world)
    late, too_late = member_user(world), member_user(world)
    with at(ENDS - TICK):
        services.activity_signup(actor=late, activity=event)
    assert counter(event) == 1
    with at(ENDS), pytest.raises(ValidationError) as excinfo:
        services.activity_signup(actor=too_late, activity=event)
    assert errors(excinfo) == {"activity": ["活动已结束"]}
    assert counter(event) == 1


def test_a_cancelled_activity_refuses_a_sign_up_before_its_places_are_counted(world):
    cw = community_world(world)  # 张三 is registered there: a cancelled activity stays in view
    event = activity(cw, places=1)
    with at(DAY_BEFORE):
        services.activity_cancel(actor=cw.users.community_worker, activity=event, reason="天气原因")
        with pytest.raises(ValidationError) as excinfo:
            services.activity_signup(actor=cw.users.member, activity=event)
    assert errors(excinfo) == {"activity": ["活动已取消"]}
    assert counter(event) == 0


def test_a_place_is_given_back_until_the_start_and_not_at_it(world):
    event = activity(world)
    member = member_user(world)
    with at(DAY_BEFORE):
        services.activity_signup(actor=member, activity=event)
    with at(STARTS), pytest.raises(ValidationError) as excinfo:
        services.signup_cancel(actor=member, activity=event)
    assert errors(excinfo) == {"activity": ["活动已开始，不能取消报名"]}
    assert counter(event) == 1
    with at(STARTS - TICK):
        signup = services.signup_cancel(actor=member, activity=event)
    assert (signup.status, signup.cancelled_at) == ("cancelled", STARTS - TICK)
    assert counter(event) == 0


def test_a_place_given_back_twice_frees_one_place(world):
    event = activity(world)
    member, other = member_user(world), member_user(world)
    with at(DAY_BEFORE):
        services.activity_signup(actor=member, activity=event)
        services.activity_signup(actor=other, activity=event)
        services.signup_cancel(actor=member, activity=event)
        with pytest.raises(ValidationError) as excinfo:
            services.signup_cancel(actor=member, activity=event)
    assert errors(excinfo) == {"activity": ["您未报名此活动"]}
    assert counter(event) == 1


def test_a_member_who_never_signed_up_has_no_place_to_give_back(world):
    event = activity(world)
    with at(DAY_BEFORE):
        services.activity_signup(actor=member_user(world), activity=event)
        with pytest.raises(ValidationError) as excinfo:
            services.signup_cancel(actor=member_user(world), activity=event)
    assert errors(excinfo) == {"activity": ["您未报名此活动"]}
    assert counter(event) == 1


def test_signing_up_twice_takes_one_place(world):
    event = activity(world)
    member = member_user(world)
    with at(DAY_BEFORE):
        services.activity_signup(actor=member, activity=event)
        with pytest.raises(ValidationError) as excinfo:
            services.activity_signup(actor=member, activity=event)
    assert errors(excinfo) == {"activity": ["您已报名此活动"]}
    assert counter(event) == 1
