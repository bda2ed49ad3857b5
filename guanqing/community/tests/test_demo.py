"""The 党员进社区 part of the demo at scale 0.05, loaded once and shared
(`pytest.mark.shared_demo`): the person-times scaled, hours that keep the rules, and work left for
the demo accounts. The full demo (the article's 27,820 volunteer person-times, 报到率 around 85%
varying by unit, ratings of the last completed half-year) is checked in test_demo_full.py, and
determinism for a seed in core/tests/test_demo_determinism.py."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from guanqing.accounts.models import User
from guanqing.community import rules, selectors, services
from guanqing.community.choices import ActivityStatus, Grade, RegistrationStatus, SignupStatus
from guanqing.community.demo import demo_period
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term

SCALE = 0.05

# The demo is built around today: its figures are checked on one fixed day.
pytestmark = [
    pytest.mark.shared_demo(scale=SCALE),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today"),
]


def _check_the_rules() -> None:
    """What the services would refuse never appears in the generated rows."""
    today = timezone.localdate()
    now = timezone.now()
    first, _last = demo_period(today)
    current = Term.of(today)
    terms = {current, current.previous()}

    # registrations: at the member's home community, by an active member, for the two terms
    registrations = Registration.objects.select_related("member", "decided_by")
    assert registrations.exists()
    for registration in registrations:
        assert registration.community_id == registration.member.home_community_id
        assert registration.member.status == "active"
        assert registration.term in terms
        assert registration.created_at <= now
        if registration.status == RegistrationStatus.PENDING:
            assert registration.term == current and registration.decided_by_id is None
        else:
            decider = registration.decided_by
            assert decider.community_id == registration.community_id
            assert registration.created_at <= registration.decided_at <= now
    assert not registrations.filter(status="rejected", reject_reason="").exists()

    # activities: sign-ups within the places, the counter right, cancelled ones without check-ins
    active_signups = Count("signups", filter=Q(signups__status=SignupStatus.SIGNED_UP))
    for activity in Activity.objects.annotate(n=active_signups).select_related("created_by"):
        assert activity.signed_up == activity.n <= activity.places, activity.pk
        assert activity.created_by.community_id == activity.community_id
        assert activity.created_at < activity.starts_at
        assert activity.ends_at - activity.starts_at <= datetime.timedelta(hours=24)
    assert not Attendance.objects.filter(activity__status=ActivityStatus.CANCELLED).exists()
    assert not Attendance.objects.filter(activity__starts_at__gt=now).exists()

    # check-ins: signed up, inside the code window, hours clipped to the activity's time
    signed = set(
        ActivitySignup.objects.filter(status=SignupStatus.SIGNED_UP).values_list(
            "activity_id", "member_id"
        )
    )
    hours = defaultdict(Decimal)
    for attendance in Attendance.objects.select_related("activity"):
        activity = attendance.activity
        assert (activity.pk, attendance.member_id) in signed
        assert rules.in_code_window(attendance.checked_in_at, activity.starts_at, activity.ends_at)
        assert timezone.localtime(activity.starts_at).date() >= first
        if attendance.checked_out_at is not None:
            assert rules.in_code_window(
                attendance.checked_out_at, activity.starts_at, activity.ends_at
            )
            measured = rules.checkin_hours(
                attendance.checked_in_at,
                attendance.checked_out_at,
                activity.starts_at,
                activity.ends_at,
            )
            assert attendance.hours == measured
            hours[(activity.pk, attendance.member_id)] += attendance.hours
        else:
            assert attendance.hours is None
    # hours by hand: a reason, someone who signed up, after the start, never above the length
    for entry in ManualHours.objects.select_related("activity", "added_by"):
        activity = entry.activity
        assert entry.reason and entry.hours > 0
        assert (activity.pk, entry.member_id) in signed
        assert activity.starts_at <= entry.added_at <= now
        assert entry.added_by.community_id == activity.community_id
        hours[(activity.pk, entry.member_id)] += entry.hours
    lengths = {a.pk: a.length_hours for a in Activity.objects.all()}
    for (activity_id, _member_id), total in hours.items():
        assert total <= lengths[activity_id]

    # ratings: members confirmed at the community in that half-year, by one of its workers
    confirmed = set(
        Registration.objects.confirmed().values_list("member_id", "community_id", "year", "half")
    )
    for rating in Rating.objects.select_related("rated_by"):
        assert (rating.member_id, rating.community_id, rating.year, rating.half) in confirmed
        assert rating.term == current.previous()
        assert rating.rated_by.community_id == rating.community_id
        assert timezone.localtime(rating.created_at).date() > rating.term.end


def test_demo_member_serves_its_community_and_its_unit_sees_it():
    today = timezone.localdate()
    demo = User.objects.get(username="member_demo")
    member = demo.member
    previous = Term.of(today).previous()
    mine = Registration.objects.visible_to(demo)
    assert mine.count() == 2
    assert set(mine.values_list("status", flat=True)) == {RegistrationStatus.CONFIRMED}
    assert set(mine.values_list("community_id", flat=True)) == {member.home_community_id}
    assert Rating.objects.visible_to(demo).get().grade == Grade.EXCELLENT
    assert (
        ActivitySignup.objects.visible_to(demo)
        .filter(activity__starts_at__gt=timezone.now(), status=SignupStatus.SIGNED_UP)
        .exists()
    )
    # the unit's roster shows its hours and rating of the last half-year
    unit_admin = User.objects.get(username="unit_jiwei")
    row = selectors.roster(unit_admin, previous).get(pk=member.pk)
    assert row.registration_status == RegistrationStatus.CONFIRMED
    assert row.term_checkin_hours + row.term_manual_hours > 0
    assert row.rating_grade == Grade.EXCELLENT


def test_demo_leaves_registrations_for_community_xujiacao_to_confirm():
    worker = User.objects.get(username="community_xujiacao")
    waiting = Registration.objects.visible_to(worker).filter(status=RegistrationStatus.PENDING)
    assert waiting.count() >= 3
    confirmed = services.registration_confirm(actor=worker, registration=waiting.first())
    assert confirmed.status == RegistrationStatus.CONFIRMED


def test_small_demo_scales_the_person_times_and_keeps_the_rules(shared_demo):
    first, last = demo_period(timezone.localdate())
    committee = User.objects.get(username="committee")
    figures = selectors.community_figures(committee, first, last)
    assert figures["volunteer_person_times"] == round(27820 * SCALE)
    assert shared_demo.parts["community"].person_times == round(27820 * SCALE)
    _check_the_rules()
