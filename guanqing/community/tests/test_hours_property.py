"""Hours cannot be inflated: on random sequences of check-ins, check-outs (right and wrong codes)
and hours added by hand at random moments, a member's hours on an activity (check-in + by hand)
never exceed the activity's length, an addition is accepted exactly when it fits, and a refused
addition names the `hours` field."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guanqing.community import rules, services
from guanqing.community.models import Attendance, ManualHours
from guanqing.community.tests import code_now
from guanqing.community.tests import factories as cf
from guanqing.testing import factories as f

BASE = datetime.datetime(2026, 5, 9, 8, 0, tzinfo=datetime.UTC)  # 16:00 in Ningbo


@st.composite
def scenarios(draw):
    """An activity's length in minutes and operations at moments around it (mostly inside the
    check-in window, some outside), in the order they happen."""
    length = draw(st.integers(1, 600))
    moment = st.integers(-45, length + 45)
    tenths = st.integers(1, max(1, length // 6) + 5)  # up to about the length, sometimes more
    op = st.one_of(
        st.tuples(st.just("in"), moment),
        st.tuples(st.just("out"), moment),
        st.tuples(st.just("wrong_in"), moment),
        st.tuples(st.just("add"), moment, tenths),
    )
    ops = draw(st.lists(op, max_size=10))
    return length, sorted(ops, key=lambda o: o[1])  # time only moves forward


@pytest.fixture
def people(db):
    community = f.CommunityFactory()
    worker = f.UserFactory(role="community_worker", community=community)
    member = f.MemberFactory(home_community=community)
    user = f.UserFactory(role="member", member=member)
    return community, worker, member, user


def _hours(activity, member) -> tuple[Decimal, Decimal]:
    checkin = (
        Attendance.objects.filter(activity=activity, member=member)
        .values_list("hours", flat=True)
        .first()
    ) or Decimal("0.0")
    manual = ManualHours.objects.filter(activity=activity, member=member).aggregate(s=Sum("hours"))[
        "s"
    ] or Decimal("0.0")
    return checkin, manual


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
# hours by hand while checked in, then a full check-out: the check-out credits only what is left
@example(scenario=(60, [("in", 0), ("add", 10, 5), ("out", 60)]))
# a check-out first, then an addition that would go over by a tenth
@example(scenario=(90, [("in", -10), ("out", 80), ("add", 85, 3), ("add", 86, 2)]))
def test_hours_on_an_activity_never_exceed_its_length(people, scenario):
    length_minutes, ops = scenario
    community, worker, member, user = people
    with transaction.atomic():
        activity = cf.ActivityFactory(
            community=community,
            created_by=worker,
            starts_at=BASE,
            ends_at=BASE + datetime.timedelta(minutes=length_minutes),
        )
        cf.SignupFactory(activity=activity, member=member)
        length = activity.length_hours
        for step in ops:
            kind, minutes = step[0], step[1]
            moment = BASE + datetime.timedelta(minutes=minutes)
            checkin, manual = _hours(activity, member)
            with mock.patch("django.utils.timezone.now", return_value=moment):
                if kind == "add":
                    hours = Decimal(step[2]) / 10
                    allowance = rules.manual_allowance(length, checkin, manual)
                    try:
                        services.hours_add(
                            actor=worker,
                            activity=activity,
                            member=member,
                            hours=hours,
                            reason="补录",
                        )
                        accepted = True
                    except ValidationError as error:
                        accepted = False
                        fields = set(error.message_dict)
                        if moment >= activity.starts_at:
                            assert fields == {"hours"}, error.message_dict
                        else:
                            assert fields == {"activity"}, error.message_dict
                    assert accepted == (moment >= activity.starts_at and hours <= allowance)
                else:
                    code = code_now(activity, moment)
                    if kind == "wrong_in":
                        code = f"{(int(code) + 1) % 1_000_000:06d}"
                    service = (
                        services.attendance_check_out
                        if kind == "out"
                        else services.attendance_check_in
                    )
                    try:
                        service(actor=user, activity=activity, code=code)
                    except ValidationError as error:
                        if kind == "wrong_in":
                            assert "code" in error.message_dict
            checkin, manual = _hours(activity, member)
            assert checkin + manual <= length, (checkin, manual, length)
        transaction.set_rollback(True)
