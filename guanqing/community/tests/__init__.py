"""Tests of 党员进社区. `community_world(world)` adds registrations, activities, sign-ups, check-ins,
hours and ratings to the shared `world`."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guanqing.community import rules, services
from guanqing.community.tests import factories as cf
from guanqing.testing import factories as f


def code_now(activity, at=None) -> str:
    """The code the organiser's screen shows at `at` (default: now)."""
    return rules.current_code(
        services._code_key(), activity.pk, activity.code_secret, at or timezone.now()
    )


def community_world(world):
    """`world` plus, in the current half-year:

    - 张三 (world.member, 市纪委, lives in 徐家漕社区) confirmed there; 李四 (world.other_member,
      市发改委) now lives in 别的社区 and is confirmed there; both rated by their community.
    - 王五 (市纪委, 徐家漕社区) pending (`pending`); 赵六 (市发改委, 别的社区) pending (`other_pending`);
      钱七 (市纪委, 徐家漕社区) confirmed and not yet rated (`unrated`).
    - `activity` / `other_activity`: running now in each community; 张三 / 李四 signed up, checked
      in at the start and not out yet, with 0.5 h added by hand.
    - `live` / `other_live`: running now, 张三 / 李四 signed up, nobody checked in.
    - `upcoming` / `other_upcoming`: in two days; 王五 signed up for `upcoming` (so 市纪委 sees it).
    - `booked` / `other_booked`: in three days; 张三 / 李四 signed up.
    - a worker of 别的社区 (`world.other_worker`)."""
    world.term = rules.Term.of(timezone.localdate())
    world.other_member.home_community = world.other_community
    world.other_member.save(update_fields=["home_community"])
    world.other_worker = f.UserFactory(
        username="other_worker", role="community_worker", community=world.other_community
    )
    world.colleague = f.MemberFactory(
        unit=world.unit, branch=world.org, home_community=world.community, name="王五"
    )
    world.other_colleague = f.MemberFactory(
        unit=world.other_unit,
        branch=world.other_org,
        home_community=world.other_community,
        name="赵六",
    )
    world.neighbour = f.MemberFactory(
        unit=world.unit, branch=world.org, home_community=world.community, name="钱七"
    )
    world.registration = cf.RegistrationFactory(member=world.member)
    world.other_registration = cf.RegistrationFactory(member=world.other_member)
    world.pending = cf.RegistrationFactory(member=world.colleague, status="pending")
    world.other_pending = cf.RegistrationFactory(member=world.other_colleague, status="pending")
    world.unrated = cf.RegistrationFactory(member=world.neighbour, role="safety")

    worker, other_worker = world.users.community_worker, world.other_worker
    now = timezone.now()

    def activity(community, creator, start, **kwargs):
        return cf.ActivityFactory(
            community=community, created_by=creator, starts_at=start, **kwargs
        )

    # Started an hour ago, but within this half-year: at 00:30 on 1 July an hour ago is June's.
    term_start = datetime.datetime.combine(
        world.term.start, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    started = max(now - datetime.timedelta(hours=1), term_start)
    world.activity = activity(world.community, worker, started)
    world.other_activity = activity(world.other_community, other_worker, started)
    world.live = activity(world.community, worker, now - datetime.timedelta(minutes=20))
    world.other_live = activity(
        world.other_community, other_worker, now - datetime.timedelta(minutes=20)
    )
    world.upcoming = activity(world.community, worker, now + datetime.timedelta(days=2))
    world.other_upcoming = activity(
        world.other_community, other_worker, now + datetime.timedelta(days=2)
    )
    world.booked = activity(world.community, worker, now + datetime.timedelta(days=3))
    world.other_booked = activity(
        world.other_community, other_worker, now + datetime.timedelta(days=3)
    )

    world.signup = cf.SignupFactory(activity=world.activity, member=world.member)
    world.other_signup = cf.SignupFactory(activity=world.other_activity, member=world.other_member)
    world.live_signup = cf.SignupFactory(activity=world.live, member=world.member)
    world.other_live_signup = cf.SignupFactory(activity=world.other_live, member=world.other_member)
    world.upcoming_signup = cf.SignupFactory(activity=world.upcoming, member=world.colleague)
    world.booked_signup = cf.SignupFactory(activity=world.booked, member=world.member)
    world.other_booked_signup = cf.SignupFactory(
        activity=world.other_booked, member=world.other_member
    )

    world.attendance = cf.AttendanceFactory(activity=world.activity, member=world.member)
    world.other_attendance = cf.AttendanceFactory(
        activity=world.other_activity, member=world.other_member
    )
    world.manual = cf.ManualHoursFactory(
        activity=world.activity, member=world.member, hours="0.5", added_by=worker
    )
    world.other_manual = cf.ManualHoursFactory(
        activity=world.other_activity,
        member=world.other_member,
        hours="0.5",
        added_by=other_worker,
    )
    world.rating = cf.RatingFactory(member=world.member, rated_by=worker, grade="excellent")
    world.other_rating = cf.RatingFactory(member=world.other_member, rated_by=other_worker)
    for name in (
        "activity",
        "other_activity",
        "live",
        "other_live",
        "upcoming",
        "other_upcoming",
        "booked",
        "other_booked",
    ):
        getattr(world, name).refresh_from_db()
    return world
