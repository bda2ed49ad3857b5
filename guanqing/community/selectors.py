"""Reads of 党员进社区: the unit's roster for a half-year (who registered where, hours, rating), a
member's hours and activities, a community's registrations and ratings to do, and the figures.
Pages, the API and the home page read through the same functions, so their numbers agree.
Everything is computed when asked from the requesting user's scope (`visible_to`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
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


def term_hours(queryset: QuerySet, term: Term, member=None) -> Coalesce:
    """The hours (of attendances or of hours added by hand: `queryset`, already scoped) of the
    member `member` (default: the outer row's `pk`) at activities that began in `term`, as an
    annotation; 0.0 when there are none."""
    member = member if member is not None else OuterRef("pk")
    rows = _in_days(queryset, "activity__", term.start, term.end)
    return Coalesce(
        Subquery(
            rows.filter(member_id=member)
            .order_by()
            .values("member_id")
            .annotate(total=Sum("hours"))
            .values("total")[:1]
        ),
        ZERO,
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
    return (
        members.filter(status=MemberStatus.ACTIVE)
        .select_related("unit")
        .annotate(
            registration_id=Subquery(registrations.values("pk")[:1]),
            registration_status=Subquery(registrations.values("status")[:1]),
            registration_role=Subquery(registrations.values("role")[:1]),
            registration_community=Subquery(registrations.values("community__name")[:1]),
            term_checkin_hours=term_hours(Attendance.objects.visible_to(user), term),
            term_manual_hours=term_hours(ManualHours.objects.visible_to(user), term),
            rating_grade=Subquery(ratings.order_by("community_id").values("grade")[:1]),
        )
        .order_by("unit__sort_order", "unit_id", "id")
    )


def roster_missing(rows: QuerySet) -> QuerySet:
    """The roster's members not registered in its term: no registration, or a rejected one."""
    return rows.filter(
        Q(registration_status__isnull=True) | Q(registration_status=RegistrationStatus.REJECTED)
    )


def roster_not_confirmed(rows: QuerySet) -> QuerySet:
    """The roster's members without a confirmed registration (pending ones too)."""
    # not `exclude(status=confirmed)`: that drops the members with no registration (NULL)
    return rows.filter(
        Q(registration_status__isnull=True)
        | Q(registration_status__in=[RegistrationStatus.PENDING, RegistrationStatus.REJECTED])
    )


def member_hours(user, member_id: int | None, term: Term):
    """The member's roster row of `term` (hours at check-in and by hand, registration, rating),
    or None: what 我的社区 and the member's home page show."""
    if member_id is None:
        return None
    row = roster(user, term, members=Member.objects.visible_to(user)).filter(pk=member_id).first()
    if row is not None:
        # SQLite sums decimals as floats (3.20000000000000): back to tenths of an hour.
        total = Decimal(row.term_checkin_hours or 0) + Decimal(row.term_manual_hours or 0)
        row.term_hours = total.quantize(rules.TENTH)
    return row


def member_activities(user, member: Member | None) -> QuerySet:
    """Published activities that have not ended, the member's community first, with whether the
    member signed up (`is_mine`), checked in and out. One query."""
    now = timezone.now()
    mine = ActivitySignup.objects.visible_to(user).filter(
        activity_id=OuterRef("pk"), status=SignupStatus.SIGNED_UP
    )
    attended = Attendance.objects.visible_to(user).filter(
        activity_id=OuterRef("pk"), member_id=member.pk if member else None
    )
    home_id = member.home_community_id if member else None
    return (
        Activity.objects.visible_to(user)
        .filter(status=ActivityStatus.PUBLISHED, ends_at__gt=now)
        .select_related("community")
        .annotate(
            is_mine=Exists(mine),
            checked_in=Exists(attended),
            checked_out=Exists(attended.filter(checked_out_at__isnull=False)),
            home_first=Case(
                When(community_id=home_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("home_first", "starts_at", "pk")
    )


def registration_counts(user, term: Term) -> dict[str, int]:
    """The registrations of `term` the user sees, by status (every status, 0 when none)."""
    found = dict(
        Registration.objects.visible_to(user)
        .for_term(term)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {value: found.get(value, 0) for value in RegistrationStatus.values}


def pending_by_term(user, terms: list[Term]) -> dict[Term, int]:
    """Registrations waiting for a decision, by term (only the terms that have some). One query."""
    term_q = Q(pk__in=[])
    for term in terms:
        term_q |= Q(year=term.year, half=term.half)
    rows = (
        Registration.objects.visible_to(user)
        .filter(term_q, status=RegistrationStatus.PENDING)
        .order_by()
        .values_list("year", "half")
        .annotate(n=Count("pk"))
    )
    return {Term(year, half): n for year, half, n in rows if n}


def rating_rows(user, term: Term) -> QuerySet:
    """The registrations confirmed at the worker's community in `term`, with the community's
    rating of the member (grade, comment) and the member's hours of the term."""
    ratings = Rating.objects.visible_to(user).filter(
        year=term.year,
        half=term.half,
        member_id=OuterRef("member_id"),
        community_id=user.community_id,
    )
    member = OuterRef("member_id")
    return (
        Registration.objects.visible_to(user)
        .for_term(term)
        .confirmed()
        .filter(community_id=user.community_id)
        .select_related("member", "member__unit")
        .annotate(
            rating_grade=Subquery(ratings.values("grade")[:1]),
            rating_comment=Subquery(ratings.values("comment")[:1]),
            checkin_hours=term_hours(Attendance.objects.visible_to(user), term, member),
            manual_hours=term_hours(ManualHours.objects.visible_to(user), term, member),
        )
        .order_by("member__name", "pk")
    )


def ratings_due(rows: QuerySet) -> QuerySet:
    """Of `rating_rows`, the members the community has not rated yet."""
    return rows.filter(rating_grade__isnull=True)


def _tenths(value) -> Decimal:
    return Decimal(value or 0).quantize(rules.TENTH)


def _counts(queryset: QuerySet, field: str, choices) -> list[dict]:
    found = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return [
        {"value": value, "label": str(label), "count": found.get(value, 0)}
        for value, label in choices
    ]


# The committee's figures of a date range (the whole city or one unit), kept as a snapshot.
CITY_FIGURES = "community.figures"


def figures_of(user, span, unit: Unit | None = None):
    """`community_figures` of `span` (a DateRange) as a `snapshots.Snapshot`: the committee's
    kept one, a unit administrator's its unit's kept one, anyone else's counted now (the page and
    the API read the same)."""
    from guanqing.core import snapshots
    from guanqing.core.calendar.workdays import business_date

    return snapshots.for_reader(
        Registration.objects.visible_to(user),
        CITY_FIGURES,
        {**snapshots.span_args(span, business_date()), "unit": unit.pk if unit else None},
        lambda: community_figures(user, span.first, span.last, unit=unit),
        reader=user,
    )


def register_snapshots() -> None:
    from guanqing.accounts.selectors import scope_reader
    from guanqing.core import snapshots

    def count(*, first: str, last: str, today: str, unit: int | None, scope: str | None = None):
        day = datetime.date.fromisoformat
        chosen = Unit.objects.get(pk=unit) if unit is not None else None
        return community_figures(scope_reader(scope), day(first), day(last), unit=chosen)

    def defaults(today: datetime.date) -> list[dict]:
        return [{**args, "unit": None} for args in snapshots.span_defaults(today)]

    snapshots.register(CITY_FIGURES, count, warm=defaults, scoped=True)


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
