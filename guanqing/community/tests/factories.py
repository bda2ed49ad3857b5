"""factory-boy factories of the 党员进社区 models (fast fixtures; behaviour tests call services)."""

from __future__ import annotations

import datetime
import secrets

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term
from guanqing.testing import factories as f


def current_term() -> Term:
    return Term.of(timezone.localdate())


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    member = factory.SubFactory(f.MemberFactory)
    community = factory.LazyAttribute(lambda o: o.member.home_community)
    role = "warmth"
    year = factory.LazyFunction(lambda: current_term().year)
    half = factory.LazyFunction(lambda: current_term().half)
    status = "confirmed"
    decided_at = factory.LazyAttribute(lambda o: None if o.status == "pending" else timezone.now())
    reject_reason = factory.LazyAttribute(
        lambda o: "不在本社区居住" if o.status == "rejected" else ""
    )


class ActivityFactory(DjangoModelFactory):
    """An activity running now: it began an hour ago and ends in two hours."""

    class Meta:
        model = Activity

    community = factory.SubFactory(f.CommunityFactory)
    title = factory.Sequence(lambda n: f"社区活动{n}")
    role = "all"
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    place = "社区活动室"
    places = 10
    signed_up = 0
    code_secret = factory.LazyFunction(lambda: secrets.token_hex(16))
    created_by = factory.SubFactory(
        f.UserFactory,
        role="community_worker",
        community=factory.SelfAttribute("..community"),
    )


class SignupFactory(DjangoModelFactory):
    """A sign-up that also takes its place on the activity's counter."""

    class Meta:
        model = ActivitySignup
        skip_postgeneration_save = True

    activity = factory.SubFactory(ActivityFactory)
    member = factory.SubFactory(f.MemberFactory)
    status = "signed_up"
    signed_up_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def take_place(obj, create, extracted, **kwargs):
        if create and obj.status == "signed_up":
            Activity.objects.filter(pk=obj.activity_id).update(
                signed_up=obj.activity.signups.filter(status="signed_up").count()
            )


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    activity = factory.SubFactory(ActivityFactory)
    member = factory.SubFactory(f.MemberFactory)
    checked_in_at = factory.LazyAttribute(lambda o: o.activity.starts_at)
    checked_out_at = None
    hours = None


class ManualHoursFactory(DjangoModelFactory):
    class Meta:
        model = ManualHours

    activity = factory.SubFactory(ActivityFactory)
    member = factory.SubFactory(f.MemberFactory)
    hours = "1.0"
    reason = "忘记签到"
    added_by = factory.LazyAttribute(lambda o: o.activity.created_by)


class RatingFactory(DjangoModelFactory):
    class Meta:
        model = Rating

    member = factory.SubFactory(f.MemberFactory)
    community = factory.LazyAttribute(lambda o: o.member.home_community)
    year = factory.LazyFunction(lambda: current_term().year)
    half = factory.LazyFunction(lambda: current_term().half)
    grade = "competent"
    comment = "积极参加社区活动"
    rated_by = factory.SubFactory(
        f.UserFactory, role="community_worker", community=factory.SelfAttribute("..community")
    )
