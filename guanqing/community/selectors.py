"""Reads of 党员进社区: the unit's roster for a half-year (who registered where, hours, rating) and
the figures. Everything is computed when asked from the requesting user's scope (`visible_to`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanqing.community import rules
from guanqing.community.choices import (
    ActivityRole,
    ActivityStatus,
    Grade,
    RegistrationStatus,
    ServiceRole,
    SignupStatus,
)
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member, Unit

ZERO = Value(Decimal("0.0"), output_field=DecimalField(max_digits=9, decimal_places=1))


def day_bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, ...]:
    """[first 00:00, the day after last 00:00) in Asia/Shanghai, as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _in_days(queryset: QuerySet, prefix: str, first: datetime.date, last: datetime.date):
    start, end = day_bounds(first, last)
    return queryset.filter(**{f"{prefix}starts_at__gte": start, f"{prefix}starts_at__lt": end})


def _sum_per_member(queryset: QuerySet) -> Subquery:
    return Subquery(
        queryset.filter(member_id=OuterRef("pk"))
        .order_by()
        .values("member_id")
        .annotate(total=Sum("hours"))
        .values("total")[:1]
    )


def roster(user, term: Term, members: QuerySet | None = None) -> QuerySet:
    """The active members the user sees (a unit's, for its administrator) with, for `term`: their
    registration (status, role, community), check-in and hand-added hours at activities that began
    in the term, and their rating. One query, however many members."""
    members = members if members is not None else Member.objects.visible_to(user)
    registrations = (
        Registration.objects.visible_to(user).for_term(term).filter(member_id=OuterRef("pk"))
    )
    ratings = Rating.objects.visible_to(user).filter(
        year=term.year, half=term.half, member_id=OuterRef("pk")
    )
    attendances = _in_days(Attendance.objects.visible_to(user), "activity__", term.start, term.end)
    manual = _in_days(ManualHours.objects.visible_to(user), "activity__", term.start, term.end)
    return (
        members.filter(status=MemberStatus.ACTIVE)
        .select_related("unit")
        .annotate(
            registration_id=Subquery(registrations.values("pk")[:1]),
            registration_status=Subquery(registrations.values("status")[:1]),
            registration_role=Subquery(registrations.values("role")[:1]),
            registration_community=Subquery(registrations.values("community__name")[:1]),
            term_checkin_hours=Coalesce(_sum_per_member(attendances), ZERO),
            term_manual_hours=Coalesce(_sum_per_member(manual), ZERO),
            rating_grade=Subquery(ratings.order_by("community_id").values("grade")[:1]),
        )
        .order_by("unit__sort_order", "unit_id", "id")
    )


def _tenths(value) -> Decimal:
    return Decimal(value or 0).quantize(rules.TENTH)


def _counts(queryset: QuerySet, field: str, choices) -> list[dict]:
    found = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return [
        {"value": value, "label": str(label), "count": found.get(value, 0)}
        for value, label in choices
    ]


def community_figures(
    user, first: datetime.date, last: datetime.date, unit: Unit | None = None
) -> dict:
    """Registrations, 报到率 by unit, hours (check-in and by hand apart), activities, ratings and
    volunteer person-times of [first, last], within the user's scope (and of `unit`, if given).

    Registrations, 报到率 and ratings count the half-year terms with a day in the range; hours,
    activities and person-times the activities that began in it. 报到率 = members with a confirmed
    registration in the term / active members today (the committee: every unit's; a unit: its
    own; a community: the members who live there)."""
    terms = rules.terms_between(first, last)
    term_q = Q()
    for term in terms:
        term_q |= Q(year=term.year, half=term.half)
    members = Member.objects.visible_to(user).filter(status=MemberStatus.ACTIVE)
    registrations = Registration.objects.visible_to(user).filter(term_q)
    ratings = Rating.objects.visible_to(user).filter(term_q)
    activities = _in_days(Activity.objects.visible_to(user), "", first, last)
    attendances = _in_days(Attendance.objects.visible_to(user), "activity__", first, last)
    manual = _in_days(ManualHours.objects.visible_to(user), "activity__", first, last)
    signups = _in_days(ActivitySignup.objects.visible_to(user), "activity__", first, last)
    if unit is not None:
        members = members.filter(unit_id=unit.pk)
        registrations = registrations.filter(member__unit_id=unit.pk)
        ratings = ratings.filter(member__unit_id=unit.pk)
        attendances = attendances.filter(member__unit_id=unit.pk)
        manual = manual.filter(member__unit_id=unit.pk)
        signups = signups.filter(member__unit_id=unit.pk)
        activities = activities.filter(pk__in=signups.values("activity_id"))

    # quantized: SQLite sums decimals without their scale (1 for 1.0)
    checkin_hours = _tenths(attendances.aggregate(total=Sum("hours"))["total"])
    manual_hours = _tenths(manual.aggregate(total=Sum("hours"))["total"])
    return {
        "from": first,
        "to": last,
        "terms": [term.label for term in terms],
        "registrations": {
            "total": registrations.count(),
            "by_status": _counts(registrations, "status", RegistrationStatus.choices),
            "by_role": _counts(registrations, "role", ServiceRole.choices),
        },
        "report_rate": [_report_rate(members, registrations, term) for term in terms],
        "activities": {
            "total": activities.count(),
            "by_status": _counts(activities, "status", ActivityStatus.choices),
            "by_role": _counts(activities, "role", ActivityRole.choices),
            "signups": signups.filter(status=SignupStatus.SIGNED_UP).count(),
        },
        "hours": {
            "checkin": checkin_hours,
            "manual": manual_hours,
            "total": checkin_hours + manual_hours,
        },
        "volunteer_person_times": attendances.count(),
        "volunteers": attendances.values("member_id").distinct().count(),
        "ratings": {
            "total": ratings.count(),
            "by_grade": _counts(ratings, "grade", Grade.choices),
        },
    }


def _report_rate(members: QuerySet, registrations: QuerySet, term: Term) -> dict:
    """报到率 of one term, in total and by unit (units with active members in scope)."""
    confirmed = (
        registrations.filter(year=term.year, half=term.half, status=RegistrationStatus.CONFIRMED)
        .filter(member__in=members.values("pk"))
        .order_by()
    )
    by_unit_members = dict(members.order_by().values_list("unit_id").annotate(n=Count("pk")))
    by_unit_confirmed = dict(
        confirmed.values_list("member__unit_id").annotate(n=Count("member_id", distinct=True))
    )
    units = Unit.objects.filter(pk__in=by_unit_members).order_by("sort_order", "name")
    rows = []
    for unit in units:
        active, done = by_unit_members.get(unit.pk, 0), by_unit_confirmed.get(unit.pk, 0)
        rows.append(
            {
                "unit": {"id": unit.pk, "name": unit.name},
                "members": active,
                "confirmed": done,
                "unregistered": active - done,
                "rate": rules.report_rate(done, active),
            }
        )
    total_members = sum(by_unit_members.values())
    total_confirmed = sum(by_unit_confirmed.get(pk, 0) for pk in by_unit_members)
    return {
        "term": term.label,
        "members": total_members,
        "confirmed": total_confirmed,
        "rate": rules.report_rate(total_confirmed, total_members),
        "by_unit": rows,
    }
