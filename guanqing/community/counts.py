"""The community counters (core/counters.py): the registrations of each community and the ratings
of each year, whose sums are the lengths of the committee's whole registration and rating lists
(half a million members register every half-year at a province's scale, and are rated), and the
sign-ups and attendances of each day (the business date of the sign-up and of the check-in),
whose sums are the lengths of the committee's whole sign-up and attendance lists (millions at a
province's scale), and the activities of each day (the business date of the start), whose sum is
the length of the committee's whole activity list; kept by database triggers (migrations 0003,
0004, 0005 and 0007) and recounted from the records by `guanqing counters`."""

from __future__ import annotations

from guanqing.community.models import Activity, ActivitySignup, Attendance, Rating, Registration
from guanqing.core.counters import (
    Counter,
    GroupTrigger,
    RowTrigger,
    rows_by,
    rows_by_business_date,
)

REGISTRATIONS_BY_COMMUNITY = "community.registrations_by_community"
RATINGS_BY_YEAR = "community.ratings_by_year"
SIGNUPS = "community.signups"
ATTENDANCES = "community.attendances"
ACTIVITIES = "community.activities"

TRIGGERS = [
    GroupTrigger(
        "community_registration_count",
        "community_registration",
        REGISTRATIONS_BY_COMMUNITY,
        "community_id",
    )
]
RATING_TRIGGERS = [
    # by year: a handful of rows to sum for the list's length (by community, 25,000)
    GroupTrigger("community_rating_count", "community_rating", RATINGS_BY_YEAR, "year")
]

# by day: a few hundred rows a year to sum (by activity, a hundred thousand at a province's scale)
DAY_TRIGGERS = [
    RowTrigger(
        "community_signup_count", "community_activitysignup", SIGNUPS, day_of_time="signed_up_at"
    ),
    RowTrigger(
        "community_attendance_count",
        "community_attendance",
        ATTENDANCES,
        day_of_time="checked_in_at",
    ),
]

# by the day an activity starts (moved with it when it is rescheduled)
ACTIVITY_TRIGGERS = [
    RowTrigger(
        "community_activity_count", "community_activity", ACTIVITIES, day_of_time="starts_at"
    )
]

# counter → the triggers that keep it (registered from CommunityConfig.ready())
COUNTERS = (
    (
        Counter(
            REGISTRATIONS_BY_COMMUNITY,
            "guanqing.community.counts.recount_registrations",
            by_group=True,
            rows_of="community.Registration",
        ),
        TRIGGERS,
    ),
    (
        Counter(
            RATINGS_BY_YEAR,
            "guanqing.community.counts.recount_ratings",
            by_group=True,
            rows_of="community.Rating",
        ),
        RATING_TRIGGERS,
    ),
    (
        Counter(
            SIGNUPS, "guanqing.community.counts.recount_signups", rows_of="community.ActivitySignup"
        ),
        DAY_TRIGGERS[:1],
    ),
    (
        Counter(
            ATTENDANCES,
            "guanqing.community.counts.recount_attendances",
            rows_of="community.Attendance",
        ),
        DAY_TRIGGERS[1:],
    ),
    (
        Counter(
            ACTIVITIES, "guanqing.community.counts.recount_activities", rows_of="community.Activity"
        ),
        ACTIVITY_TRIGGERS,
    ),
)


def recount_registrations() -> dict:
    return rows_by(Registration.objects.all(), "community_id")


def recount_ratings() -> dict:
    return rows_by(Rating.objects.all(), "year")


def recount_signups() -> dict:
    return rows_by_business_date(ActivitySignup.objects.all(), "signed_up_at")


def recount_attendances() -> dict:
    return rows_by_business_date(Attendance.objects.all(), "checked_in_at")


def recount_activities() -> dict:
    return rows_by_business_date(Activity.objects.all(), "starts_at")
