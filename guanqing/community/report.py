"""党员进社区's section of the period report (工作情况统计).

City-wide and for one unit the numbers are counted as `selectors.community_figures` counts them
(the module's figures page and API), so they agree; the section asks only for the numbers it
shows, in seven queries (the by-month series among them). A district's report counts with the
same definitions what happened at its communities (old districts merged into it included):
registrations, activities, attendances, hours and ratings there, and 报到率 over the active members
who live in it (as a community's figures count the members who live there).

报到 and 报到率 are those of the latest half-year term with a day in the period (the one the
module's figures page shows first); activities, 人次 and hours those of the activities that began in
the period (cancelled activities are not counted as held); ratings those of the period's terms.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from guanqing.community import rules, selectors
from guanqing.community.choices import (
    ActivityRole,
    ActivityStatus,
    Grade,
    RegistrationStatus,
    ServiceRole,
)
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.core import reports
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Division, Member
from guanqing.registry.selectors import district_ids_rolling_up_to

TENTH = Decimal("0.1")
TOP = 15

U_PEOPLE = _("人")
U_PERSON_TIMES = _("人次")
U_TIMES = _("次")
U_HOURS = _("小时")
U_PERCENT = _("%")


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _scoped(ctx: reports.ReportContext) -> dict:
    """The querysets the section counts, as the module's figures read them (`community_figures`
    for the city and a unit, the same definitions at the communities of a district)."""
    user, first, last = ctx.user, ctx.first, ctx.last
    terms = rules.terms_between(first, last)
    term_q = Q()
    for term in terms:
        term_q |= Q(year=term.year, half=term.half)
    members = Member.objects.visible_to(user).filter(status=MemberStatus.ACTIVE)
    registrations = Registration.objects.visible_to(user).filter(term_q)
    ratings = Rating.objects.visible_to(user).filter(term_q)
    activities = selectors._in_days(Activity.objects.visible_to(user), "", first, last)
    attendances = selectors._in_days(Attendance.objects.visible_to(user), "activity__", first, last)
    manual = selectors._in_days(ManualHours.objects.visible_to(user), "activity__", first, last)
    if ctx.where.unit_id is not None:
        unit_id = ctx.where.unit_id
        signups = selectors._in_days(
            ActivitySignup.objects.visible_to(user), "activity__", first, last
        ).filter(member__unit_id=unit_id)
        members = members.filter(unit_id=unit_id)
        registrations = registrations.filter(member__unit_id=unit_id)
        ratings = ratings.filter(member__unit_id=unit_id)
        attendances = attendances.filter(member__unit_id=unit_id)
        manual = manual.filter(member__unit_id=unit_id)
        activities = activities.filter(pk__in=signups.values("activity_id"))
    if ctx.where.district_id is not None:
        rolling_up = ctx.shared(
            reports.DISTRICT_IDS,
            lambda: district_ids_rolling_up_to(Division(pk=ctx.where.district_id)),
        )
        here = {"community__district_id__in": rolling_up}
        there = {"activity__community__district_id__in": rolling_up}
        members = members.filter(home_community__district_id__in=rolling_up)
        registrations = registrations.filter(**here)
        ratings = ratings.filter(**here)
        activities = activities.filter(**here)
        attendances = attendances.filter(**there)
        manual = manual.filter(**there)
    return {
        "term": terms[-1],
        "members": members.order_by(),
        "registrations": registrations.order_by(),
        "ratings": ratings.order_by(),
        "activities": activities.order_by(),
        "attendances": attendances.order_by(),
        "manual": manual.order_by(),
    }


def _report_rate(members, registrations, term) -> dict:
    """`selectors._report_rate` of one term: the units' names come with their members' count."""
    confirmed = (
        registrations.filter(year=term.year, half=term.half, status=RegistrationStatus.CONFIRMED)
        .filter(member__in=members.values("pk"))
        .order_by()
    )
    by_unit_members: dict = {}
    units = []
    for row in members.values("unit_id", "unit__name", "unit__sort_order").annotate(n=Count("pk")):
        by_unit_members[row["unit_id"]] = row["n"]
        if row["unit_id"] is not None:
            units.append((row["unit__sort_order"], row["unit__name"], row["unit_id"]))
    by_unit_confirmed = dict(
        confirmed.values_list("member__unit_id").annotate(n=Count("member_id", distinct=True))
    )
    rows = []
    for _order, name, pk in sorted(units):
        active, done = by_unit_members.get(pk, 0), by_unit_confirmed.get(pk, 0)
        rows.append(
            {
                "unit": {"id": pk, "name": name},
                "members": active,
                "confirmed": done,
                "rate": rules.report_rate(done, active),
            }
        )
    total_members = sum(by_unit_members.values())
    total_confirmed = sum(by_unit_confirmed.get(pk, 0) for pk in by_unit_members)
    return {
        "members": total_members,
        "confirmed": total_confirmed,
        "rate": rules.report_rate(total_confirmed, total_members),
        "by_unit": rows,
    }


def _grouped(queryset, field: str, choices) -> list[dict]:
    counts = dict(queryset.values_list(field).annotate(n=Count("pk")))
    return [{"value": value, "count": counts.get(value, 0)} for value, _label in choices]


def _figures(ctx: reports.ReportContext) -> dict:
    """The numbers the section shows, and the by-month series: seven queries.

    报到率 is that of the latest term with a day in the period (the one the module's figures page
    shows first); activities, 人次 and hours those of the activities that began in the period; the
    by-month series count the activities held (not cancelled) and the check-ins by the activity's
    start."""
    months = ctx.period.months_in()
    if not ctx.begun:
        zero_counts = [{"value": value, "count": 0} for value, _label in ServiceRole.choices]
        return {
            "registrations": {"by_role": zero_counts},
            "report_rate": None,
            "activities": {
                "by_status": [],
                "by_role": [{"value": value, "count": 0} for value, _label in ActivityRole.choices],
            },
            "hours": {"total": Decimal("0.0")},
            "volunteer_person_times": 0,
            "volunteers": 0,
            "ratings": {"total": 0, "by_grade": []},
            "monthly": ([0] * len(months), [0] * len(months)),
        }
    q = _scoped(ctx)
    held = ~Q(status=ActivityStatus.CANCELLED)
    activity_months = reports.month_filters(ctx, "starts_at", timestamp=True)
    by_status: dict = {}
    by_role: dict = {}
    held_by_month = [0] * len(months)
    for row in (
        q["activities"]
        .values("status", "role")
        .annotate(
            n=Count("pk"),
            **{f"m{i}": Count("pk", filter=held & f) for i, f in enumerate(activity_months)},
        )
    ):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_role[row["role"]] = by_role.get(row["role"], 0) + row["n"]
        for i, n in enumerate(reports.month_values(row, "m", len(months))):
            held_by_month[i] += n
    attended = q["attendances"].aggregate(
        hours=Sum("hours"),
        n=Count("pk"),
        volunteers=Count("member_id", distinct=True),
        **{
            f"m{i}": Count("pk", filter=f)
            for i, f in enumerate(reports.month_filters(ctx, "activity__starts_at", timestamp=True))
        },
    )
    checkin = selectors._tenths(attended["hours"])
    by_hand = selectors._tenths(q["manual"].aggregate(total=Sum("hours"))["total"])
    grades = dict(q["ratings"].values_list("grade").annotate(n=Count("pk")))
    return {
        "registrations": {
            "by_role": _grouped(q["registrations"], "role", ServiceRole.choices),
        },
        "report_rate": _report_rate(q["members"], q["registrations"], q["term"]),
        "activities": {
            "by_status": [
                {"value": value, "count": by_status.get(value, 0)}
                for value, _label in ActivityStatus.choices
            ],
            "by_role": [
                {"value": value, "count": by_role.get(value, 0)}
                for value, _label in ActivityRole.choices
            ],
        },
        "hours": {"total": checkin + by_hand},
        "volunteer_person_times": attended["n"],
        "volunteers": attended["volunteers"],
        "ratings": {
            "total": sum(grades.values()),
            "by_grade": [
                {"value": value, "count": grades.get(value, 0)} for value, _label in Grade.choices
            ],
        },
        "monthly": (held_by_month, reports.month_values(attended, "m", len(months))),
    }


def build(ctx: reports.ReportContext) -> reports.SectionData:
    data = _figures(ctx)
    latest = data["report_rate"]
    activity_status = {row["value"]: row["count"] for row in data["activities"]["by_status"]}
    grades = {row["value"]: row["count"] for row in data["ratings"]["by_grade"]}
    rated = data["ratings"]["total"]
    excellent = grades.get(Grade.EXCELLENT, 0)
    competent_or_better = excellent + grades.get(Grade.COMPETENT, 0)
    F = reports.Figure
    section = reports.SectionData(
        figures=[
            F(
                "registered",
                _("进社区报到党员"),
                latest["confirmed"] if latest else 0,
                U_PEOPLE,
                _("期内最近一个半年度已确认报到的党员"),
            ),
            F("members", _("在册党员"), latest["members"] if latest else 0, U_PEOPLE),
            F(
                "report_rate",
                _("报到率"),
                latest["rate"] if latest else None,
                U_PERCENT,
                _("已确认报到的党员 ÷ 在册党员"),
            ),
            F(
                "activities",
                _("社区活动"),
                activity_status.get(ActivityStatus.PUBLISHED, 0),
                U_TIMES,
                _("期内开始的活动，不含已取消的"),
            ),
            F(
                "service_person_times",
                _("参加服务"),
                data["volunteer_person_times"],
                U_PERSON_TIMES,
                _("活动签到人次"),
            ),
            F("volunteers", _("参加服务党员"), data["volunteers"], U_PEOPLE),
            F(
                "volunteer_hours",
                _("志愿服务时长"),
                Decimal(data["hours"]["total"]).quantize(TENTH),
                U_HOURS,
                _("签到时长与补录时长合计"),
            ),
            F("ratings", _("社区评价"), rated, U_PERSON_TIMES),
            F("ratings_excellent", _("评为优秀"), excellent, U_PERSON_TIMES),
            F("ratings_excellent_rate", _("优秀率"), _share(excellent, rated), U_PERCENT),
            F(
                "ratings_competent_rate",
                _("称职及以上比例"),
                _share(competent_or_better, rated),
                U_PERCENT,
            ),
        ]
    )

    registrations_by_role = {row["value"]: row["count"] for row in data["registrations"]["by_role"]}
    activities_by_role = {row["value"]: row["count"] for row in data["activities"]["by_role"]}
    section.tables.append(
        reports.Table(
            key="by_role",
            title=_("六员岗位报到与活动"),
            columns=[_("岗位"), _("报到"), _("活动")],
            rows=[
                [
                    label,
                    registrations_by_role.get(value) if value != ActivityRole.ALL else None,
                    activities_by_role.get(value, 0),
                ]
                for value, label in ActivityRole.choices
            ],
        )
    )
    ranked = []
    if latest and ctx.where.unit_id is None:
        ranked = sorted(
            latest["by_unit"],
            key=lambda r: (r["rate"] is None, -(r["rate"] or 0), -r["members"], r["unit"]["name"]),
        )
        section.tables.append(
            reports.Table(
                key="by_unit",
                title=_("各单位进社区报到率"),
                columns=[_("单位"), _("在册党员"), _("已报到"), _("报到率（%）")],
                rows=[[r["unit"]["name"], r["members"], r["confirmed"], r["rate"]] for r in ranked],
            )
        )

    activities, person_times = data["monthly"]
    months = [m.strftime("%Y-%m") for m in ctx.period.months_in()]
    section.charts.append(
        reports.Chart(
            key="by_month",
            title=_("逐月社区活动与服务人次"),
            kind="column",
            categories=months,
            series=[
                reports.Series(_("活动（次）"), activities),
                reports.Series(_("服务（人次）"), person_times),
            ],
        )
    )
    if ranked:
        top = [r for r in ranked if r["rate"] is not None][:TOP]
        section.charts.append(
            reports.Chart(
                key="units_by_report_rate",
                title=_("报到率前十五位单位"),
                kind="bar",
                categories=[r["unit"]["name"] for r in top],
                series=[reports.Series(_("报到率"), [r["rate"] for r in top])],
                unit=U_PERCENT,
            )
        )
    return section
