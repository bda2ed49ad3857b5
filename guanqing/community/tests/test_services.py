"""The services of 党员进社区: registration per half-year, confirmation, activities, sign-ups,
check-in and out with the code, hours added by hand, ratings only for registered members."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanqing.community import services
from guanqing.community.models import Activity, ActivitySignup, Attendance, Rating, Registration
from guanqing.community.rules import Term
from guanqing.community.tests import code_now, community_world
from guanqing.community.tests import factories as cf
from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope, ScopeError
from guanqing.testing import factories as f


@pytest.fixture
def cw(world):
    return community_world(world)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _member_user(member):
    return f.UserFactory(role="member", member=member, unit=member.unit)


def _at(moment):
    """Freeze the services' clock at `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# ---------------------------------------------------------------------------------------------
# Registration per half-year
# ---------------------------------------------------------------------------------------------


def test_member_registers_at_its_home_community_for_the_current_half_year(world):
    registration = services.registration_submit(actor=world.users.member, role="policy")
    assert registration.community == world.community
    assert registration.term == Term.of(timezone.localdate())
    assert registration.status == "pending"
    event = AuditEvent.objects.get(object_type="community.registration")
    assert event.action == "create" and event.changes["role"][1] == "政策法规宣传员"


def test_a_second_registration_in_the_same_half_year_is_refused(world):
    services.registration_submit(actor=world.users.member, role="policy")
    with pytest.raises(ValidationError) as excinfo:
        services.registration_submit(actor=world.users.member, role="warmth")
    assert "term" in _errors(excinfo)
    assert Registration.objects.count() == 1


def test_the_database_refuses_two_registrations_of_a_member_in_one_half_year(world):
    from django.db import IntegrityError, transaction

    cf.RegistrationFactory(member=world.member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            member=world.member,
            community=world.community,
            role="policy",
            year=Term.of(timezone.localdate()).year,
            half=Term.of(timezone.localdate()).half,
        )


def test_renewal_for_the_next_half_year_copies_the_last_role(world):
    services.registration_submit(actor=world.users.member, role="civility")
    nxt = Term.of(timezone.localdate()).next()
    renewed = services.registration_submit(actor=world.users.member, term=nxt)
    assert (renewed.term, renewed.role) == (nxt, "civility")


def test_registration_for_a_past_or_far_term_is_refused(world):
    current = Term.of(timezone.localdate())
    for term in (current.previous(), current.next().next()):
        with pytest.raises(ValidationError) as excinfo:
            services.registration_submit(actor=world.users.member, role="policy", term=term)
        assert "term" in _errors(excinfo)


def test_first_registration_needs_a_role(world):
    with pytest.raises(ValidationError) as excinfo:
        services.registration_submit(actor=world.users.member)
    assert "role" in _errors(excinfo)


def test_member_without_a_home_community_is_told_which_field_is_missing(world):
    user = _member_user(world.other_member)  # 李四 has no home community in `world`
    with pytest.raises(ValidationError) as excinfo:
        services.registration_submit(actor=user, role="policy")
    assert "community" in _errors(excinfo)


def test_only_a_member_registers(world):
    with pytest.raises(ScopeError):
        services.registration_submit(actor=world.users.committee, role="policy")


def test_worker_of_the_community_confirms_and_another_community_gets_404(cw):
    with pytest.raises(OutOfScope):
        services.registration_confirm(actor=cw.other_worker, registration=cw.pending)
    confirmed = services.registration_confirm(
        actor=cw.users.community_worker, registration=cw.pending
    )
    assert confirmed.status == "confirmed" and confirmed.decided_by == cw.users.community_worker
    with pytest.raises(ValidationError) as excinfo:
        services.registration_confirm(actor=cw.users.community_worker, registration=cw.pending)
    assert "status" in _errors(excinfo)


def test_rejection_needs_a_reason_and_the_member_may_submit_again(cw):
    with pytest.raises(ValidationError) as excinfo:
        services.registration_reject(
            actor=cw.users.community_worker, registration=cw.pending, reason=" "
        )
    assert "reason" in _errors(excinfo)
    services.registration_reject(
        actor=cw.users.community_worker, registration=cw.pending, reason="不在本社区居住"
    )
    again = services.registration_submit(actor=_member_user(cw.colleague), role="welfare")
    assert again.pk == cw.pending.pk
    assert (again.status, again.role, again.reject_reason) == ("pending", "welfare", "")


# ---------------------------------------------------------------------------------------------
# Activities and sign-ups
# ---------------------------------------------------------------------------------------------


def _activity_data(**overrides):
    start = timezone.now() + datetime.timedelta(days=1)
    data = {
        "title": "平安巡逻",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "place": "小区东门",
        "places": 3,
        "role": "safety",
    }
    data.update(overrides)
    return data


def test_worker_posts_an_activity_of_its_community(world):
    activity = services.activity_create(actor=world.users.community_worker, **_activity_data())
    assert activity.community == world.community and activity.status == "published"
    assert activity.length_hours == Decimal("2.0")
    assert len(activity.code_secret) == 32


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"places": 0}, "places"),
        ({"title": ""}, "title"),
        ({"place": ""}, "place"),
        ({"role": "mayor"}, "role"),
        ({"ends_at": timezone.now()}, "ends_at"),  # before the start
        ({"starts_at": datetime.datetime(2030, 1, 1, 8, 0)}, "starts_at"),  # naive
    ],
)
def test_activity_errors_name_the_field(world, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.activity_create(actor=world.users.community_worker, **_activity_data(**overrides))
    assert field in _errors(excinfo)


def test_an_activity_longer_than_a_day_or_already_over_is_refused(world):
    start = timezone.now() + datetime.timedelta(days=1)
    long = _activity_data(ends_at=start + datetime.timedelta(hours=25), starts_at=start)
    past_start = timezone.now() - datetime.timedelta(hours=3)
    over = _activity_data(starts_at=past_start, ends_at=past_start + datetime.timedelta(hours=1))
    for data in (long, over):
        with pytest.raises(ValidationError) as excinfo:
            services.activity_create(actor=world.users.community_worker, **data)
        assert "ends_at" in _errors(excinfo)


def test_sign_up_takes_a_place_and_the_full_activity_answers_a_conflict(world):
    activity = cf.ActivityFactory(community=world.community, places=1)
    services.activity_signup(actor=world.users.member, activity=activity)
    with pytest.raises(Conflict) as excinfo:
        services.activity_signup(actor=_member_user(f.MemberFactory()), activity=activity)
    assert str(excinfo.value) == str(services.FULL)
    activity.refresh_from_db()
    assert activity.signed_up == 1


def test_signing_up_twice_is_refused_and_cancelling_frees_the_place(world):
    activity = cf.ActivityFactory(
        community=world.community, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    services.activity_signup(actor=world.users.member, activity=activity)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_signup(actor=world.users.member, activity=activity)
    assert "activity" in _errors(excinfo)
    services.signup_cancel(actor=world.users.member, activity=activity)
    activity.refresh_from_db()
    assert activity.signed_up == 0
    again = services.activity_signup(actor=world.users.member, activity=activity)
    activity.refresh_from_db()
    assert again.status == "signed_up" and activity.signed_up == 1
    assert ActivitySignup.objects.filter(activity=activity).count() == 1


def test_a_cancelled_activity_takes_no_sign_up(cw):
    services.activity_cancel(actor=cw.users.community_worker, activity=cw.upcoming, reason="下雨")
    # 张三 registered at the community, so it still sees the cancelled activity there
    with pytest.raises(ValidationError) as excinfo:
        services.activity_signup(actor=cw.users.member, activity=cw.upcoming)
    assert "activity" in _errors(excinfo)
    # a member of another community no longer finds it at all
    with pytest.raises(OutOfScope):
        services.activity_signup(actor=_member_user(cw.other_member), activity=cw.upcoming)


def test_an_activity_with_check_ins_cannot_be_cancelled(cw):
    with pytest.raises(ValidationError) as excinfo:
        services.activity_cancel(actor=cw.users.community_worker, activity=cw.activity, reason="x")
    assert "status" in _errors(excinfo)


# ---------------------------------------------------------------------------------------------
# Check-in and check-out with the code
# ---------------------------------------------------------------------------------------------


def _running(world, places=5, hours=2):
    start = timezone.now() + datetime.timedelta(minutes=10)
    activity = cf.ActivityFactory(
        community=world.community,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        places=places,
        created_by=world.users.community_worker,
    )
    services.activity_signup(actor=world.users.member, activity=activity)
    return activity


def test_check_in_and_out_gives_hours_clipped_to_the_activity(world):
    activity = _running(world)
    early = activity.starts_at - datetime.timedelta(minutes=20)  # within the 30-minute margin
    with _at(early):
        attendance = services.attendance_check_in(
            actor=world.users.member, activity=activity, code=code_now(activity, early)
        )
    late = activity.ends_at + datetime.timedelta(minutes=25)
    with _at(late):
        attendance = services.attendance_check_out(
            actor=world.users.member, activity=activity, code=code_now(activity, late)
        )
    assert attendance.checked_in_at == early and attendance.checked_out_at == late
    assert attendance.hours == Decimal("2.0")  # not 2 h 45 min


def test_check_out_hours_round_down_to_a_tenth(world):
    activity = _running(world)
    at_in = activity.starts_at
    at_out = at_in + datetime.timedelta(minutes=59, seconds=59)
    with _at(at_in):
        services.attendance_check_in(
            actor=world.users.member, activity=activity, code=code_now(activity, at_in)
        )
    with _at(at_out):
        attendance = services.attendance_check_out(
            actor=world.users.member, activity=activity, code=code_now(activity, at_out)
        )
    assert attendance.hours == Decimal("0.9")


@pytest.mark.parametrize(
    "offset",
    [
        datetime.timedelta(minutes=-31),  # before the window opens (start − 30 min)
        datetime.timedelta(hours=2, minutes=31),  # after it closes (end + 30 min)
    ],
)
def test_check_in_at_the_wrong_time_is_refused_even_with_the_right_code(world, offset):
    activity = _running(world)
    moment = activity.starts_at + offset
    with _at(moment), pytest.raises(ValidationError) as excinfo:
        services.attendance_check_in(
            actor=world.users.member, activity=activity, code=code_now(activity, moment)
        )
    assert "code" in _errors(excinfo)
    assert not Attendance.objects.exists()


def test_check_in_with_a_wrong_or_stale_code_is_refused(world):
    activity = _running(world)
    moment = activity.starts_at + datetime.timedelta(minutes=30)
    stale = code_now(activity, moment - datetime.timedelta(minutes=15))  # three steps ago
    right = code_now(activity, moment)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    other = cf.ActivityFactory(community=world.community)
    for code in (wrong, stale, code_now(other, moment), "", "abcdef"):
        if code == right:
            continue
        with _at(moment), pytest.raises(ValidationError) as excinfo:
            services.attendance_check_in(actor=world.users.member, activity=activity, code=code)
        assert "code" in _errors(excinfo), code
    assert not Attendance.objects.exists()


def test_the_previous_steps_code_is_still_accepted(world):
    activity = _running(world)
    moment = activity.starts_at + datetime.timedelta(minutes=30)
    previous = code_now(activity, moment - datetime.timedelta(minutes=5))
    with _at(moment):
        services.attendance_check_in(actor=world.users.member, activity=activity, code=previous)
    assert Attendance.objects.count() == 1


def test_too_many_wrong_codes_lock_the_member_out_for_a_while(world):
    activity = _running(world)
    moment = activity.starts_at
    right = code_now(activity, moment)
    wrong = f"{(int(right) + 7) % 1_000_000:06d}"
    with _at(moment):
        for _ in range(services.MAX_FAILED_CODES):
            with pytest.raises(ValidationError):
                services.attendance_check_in(
                    actor=world.users.member, activity=activity, code=wrong
                )
        with pytest.raises(ValidationError) as excinfo:
            services.attendance_check_in(actor=world.users.member, activity=activity, code=right)
    assert "10" in _errors(excinfo)["code"][0]


def test_check_in_needs_a_sign_up(world):
    activity = cf.ActivityFactory(community=world.community)
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_check_in(
            actor=world.users.member, activity=activity, code=code_now(activity)
        )
    assert "activity" in _errors(excinfo)


def test_the_code_is_shown_only_to_the_communitys_worker_during_the_window(cw):
    moment = cw.activity.starts_at + datetime.timedelta(minutes=7)
    with _at(moment):
        shown = services.activity_code(actor=cw.users.community_worker, activity=cw.activity)
    assert shown["code"] == code_now(cw.activity, moment)
    assert shown["qr"] == f"guanqing:checkin:{cw.activity.pk}:{shown['code']}"
    assert moment < shown["valid_until"] <= moment + datetime.timedelta(minutes=5)
    with pytest.raises(OutOfScope):
        services.activity_code(actor=cw.other_worker, activity=cw.activity)
    with pytest.raises(ValidationError):
        services.activity_code(actor=cw.users.community_worker, activity=cw.upcoming)


# ---------------------------------------------------------------------------------------------
# Hours added by hand
# ---------------------------------------------------------------------------------------------


def test_hours_added_by_hand_are_kept_apart_with_who_and_why(cw):
    entry = services.hours_add(
        actor=cw.users.community_worker,
        activity=cw.live,
        member=cw.member,
        hours=Decimal("1.5"),
        reason="手机没电，未能签到",
    )
    assert (entry.hours, entry.added_by, entry.reason) == (
        Decimal("1.5"),
        cw.users.community_worker,
        "手机没电，未能签到",
    )
    assert not Attendance.objects.filter(activity=cw.live).exists()


def test_hours_added_by_hand_never_exceed_the_activitys_length(cw):
    # `activity` lasts 3 h; 张三 has 0.5 h by hand already and is checked in, not out
    with pytest.raises(ValidationError) as excinfo:
        services.hours_add(
            actor=cw.users.community_worker,
            activity=cw.activity,
            member=cw.member,
            hours="2.6",
            reason="补录",
        )
    message = _errors(excinfo)["hours"][0]
    assert "2.5" in message and "3.0" in message
    services.hours_add(
        actor=cw.users.community_worker,
        activity=cw.activity,
        member=cw.member,
        hours="2.5",
        reason="补录",
    )


def test_check_out_after_hours_by_hand_credits_only_what_is_left(cw):
    services.hours_add(
        actor=cw.users.community_worker,
        activity=cw.activity,
        member=cw.member,
        hours="2.0",
        reason="提前到场布置",
    )
    moment = cw.activity.ends_at
    with _at(moment):
        attendance = services.attendance_check_out(
            actor=cw.users.member, activity=cw.activity, code=code_now(cw.activity, moment)
        )
    assert attendance.hours == Decimal("0.5")  # 3.0 − 0.5 − 2.0


@pytest.mark.parametrize(
    ("hours", "reason", "field"),
    [("0", "x", "hours"), ("-1", "x", "hours"), ("0.25", "x", "hours"), ("1", " ", "reason")],
)
def test_hours_errors_name_the_field(cw, hours, reason, field):
    with pytest.raises(ValidationError) as excinfo:
        services.hours_add(
            actor=cw.users.community_worker,
            activity=cw.live,
            member=cw.member,
            hours=hours,
            reason=reason,
        )
    assert field in _errors(excinfo)


def test_hours_only_for_a_member_who_signed_up_and_only_by_the_communitys_worker(cw):
    with pytest.raises(ValidationError) as excinfo:
        services.hours_add(
            actor=cw.users.community_worker,
            activity=cw.live,
            member=cw.neighbour,
            hours="1",
            reason="x",
        )
    assert "member" in _errors(excinfo)
    with pytest.raises(OutOfScope):
        services.hours_add(
            actor=cw.other_worker, activity=cw.live, member=cw.member, hours="1", reason="x"
        )
    with pytest.raises(ScopeError):
        services.hours_add(
            actor=cw.users.committee, activity=cw.live, member=cw.member, hours="1", reason="x"
        )


def test_no_hours_by_hand_before_the_activity_starts(cw):
    with pytest.raises(ValidationError) as excinfo:
        services.hours_add(
            actor=cw.users.community_worker,
            activity=cw.booked,
            member=cw.member,
            hours="1",
            reason="x",
        )
    assert "activity" in _errors(excinfo)


# ---------------------------------------------------------------------------------------------
# Ratings
# ---------------------------------------------------------------------------------------------


def test_rating_a_confirmed_member_then_changing_it(cw):
    rating, created = services.rating_set(
        actor=cw.users.community_worker, member=cw.neighbour, term=cw.term, grade="excellent"
    )
    assert created and rating.grade == "excellent"
    rating, created = services.rating_set(
        actor=cw.users.community_worker,
        member=cw.neighbour,
        term=cw.term,
        grade="competent",
        comment="按时参加巡逻",
    )
    assert not created and rating.grade == "competent"
    assert Rating.objects.filter(member=cw.neighbour).count() == 1
    assert AuditEvent.objects.filter(object_type="community.rating", action="update").exists()


@pytest.mark.parametrize("who", ["colleague", "other_member", "unregistered"])
def test_only_members_confirmed_at_the_community_that_half_year_are_rated(cw, who):
    member = f.MemberFactory(home_community=cw.community) if who == "unregistered" else None
    member = member or getattr(cw, who)  # 王五 pending; 李四 registered elsewhere
    with pytest.raises(ValidationError) as excinfo:
        services.rating_set(
            actor=cw.users.community_worker, member=member, term=cw.term, grade="competent"
        )
    assert "member" in _errors(excinfo)


def test_a_member_registered_last_half_year_is_not_rated_for_this_one(cw):
    previous = cw.term.previous()
    member = f.MemberFactory(home_community=cw.community)
    cf.RegistrationFactory(member=member, year=previous.year, half=previous.half)
    services.rating_set(
        actor=cw.users.community_worker, member=member, term=previous, grade="basic"
    )
    with pytest.raises(ValidationError):
        services.rating_set(
            actor=cw.users.community_worker, member=member, term=cw.term, grade="basic"
        )


def test_a_future_half_year_cannot_be_rated_and_grades_are_checked(cw):
    with pytest.raises(ValidationError) as excinfo:
        services.rating_set(
            actor=cw.users.community_worker, member=cw.member, term=cw.term.next(), grade="great"
        )
    assert {"term", "grade"} <= set(_errors(excinfo))


def test_activity_counter_matches_the_sign_ups(cw):
    for activity in Activity.objects.all():
        assert activity.signed_up == activity.signups.filter(status="signed_up").count()
