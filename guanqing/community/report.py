"""党员进社区's section of the period report (工作情况统计).

City-wide and for one unit the numbers are `selectors.community_figures` (the module's figures page
and API), so they agree. A district's report counts with the same definitions what happened at its
communities (old districts merged into it included): registrations, activities, attendances, hours
and ratings there, and 报到率 over the active members who live in it (as a community's figures
count the members who live there).

报到 and 报到率 are those of the latest half-year term with a day in the period (the one the
module's figures page shows first); activities, 人次 and hours those of the activities that began in
the period (cancelled activities are not counted as held); ratings those of the period's terms.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

from guanqing.community import rules, selectors
from guanqing.community.choices import (
    ActivityRole,
    ActivityStatus,
    Grade,
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
from guanqing.registry.models import Division, Member, Unit
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


def _district_figures(ctx: reports.ReportContext) -> dict:
    """`community_figures`' numbers for the communities of one district."""
    user, first, last = ctx.user, ctx.first, ctx.last
    rolling_up = district_ids_rolling_up_to(Division(pk=ctx.where.district_id))
    terms = rules.terms_between(first, last)
    term_q = Q()
    for term in terms:
        term_q |= Q(year=term.year, half=term.half)
    members = Member.objects.visible_to(user).filter(
        status=MemberStatus.ACTIVE, home_community__district_id__in=rolling_up
    )
    here = {"community__district_id__in": rolling_up}
    there = {"activity__community__district_id__in": rolling_up}
    registrations = Registration.objects.visible_to(user).filter(term_q, **here)
    ratings = Rating.objects.visible_to(user).filter(term_q, **here)
    activities = selectors._in_days(Activity.objects.visible_to(user), "", first, last).filter(
        **here
    )
    attendances = selectors._in_days(
        Attendance.objects.visible_to(user), "activity__", first, last
    ).filter(**there)
    manual = selectors._in_days(
        ManualHours.objects.visible_to(user), "activity__", first, last
    ).filter(**there)
    checkin = selectors._tenths(attendances.aggregate(total=Sum("hours"))["total"])
    by_hand = selectors._tenths(manual.aggregate(total=Sum("hours"))["total"])
    return {
        "registrations": {
            "by_role": selectors._counts(registrations, "role", ServiceRole.choices),
        },
        "report_rate": [selectors._report_rate(members, registrations, term) for term in terms],
        "activities": {
            "by_status": selectors._counts(activities, "status", ActivityStatus.choices),
            "by_role": selectors._counts(activities, "role", ActivityRole.choices),
        },
        "hours": {"total": checkin + by_hand},
        "volunteer_person_times": attendances.count(),
        "volunteers": attendances.values("member_id").distinct().count(),
        "ratings": {
            "total": ratings.count(),
            "by_grade": selectors._counts(ratings, "grade", Grade.choices),
        },
    }


def _monthly(ctx: reports.ReportContext) -> tuple[list[int], list[int]]:
    """Activities held and service 人次 in each month of the period (by the activity's start),
    narrowed as the figures are: two queries."""
    months = ctx.period.months_in()
    if not ctx.begun:
        return [0] * len(months), [0] * len(months)
    activities = selectors._in_days(
        Activity.objects.visible_to(ctx.user), "", ctx.first, ctx.last
    ).exclude(status=ActivityStatus.CANCELLED)
    attendances = selectors._in_days(
        Attendance.objects.visible_to(ctx.user), "activity__", ctx.first, ctx.last
    )
    if ctx.where.unit_id is not None:
        signups = selectors._in_days(
            ActivitySignup.objects.visible_to(ctx.user), "activity__", ctx.first, ctx.last
        ).filter(member__unit_id=ctx.where.unit_id)
        activities = activities.filter(pk__in=signups.values("activity_id"))
        attendances = attendances.filter(member__unit_id=ctx.where.unit_id)
    if ctx.where.district_id is not None:
        rolling_up = district_ids_rolling_up_to(Division(pk=ctx.where.district_id))
        activities = activities.filter(community__district_id__in=rolling_up)
        attendances = attendances.filter(activity__community__district_id__in=rolling_up)
    out = []
    for queryset, field in ((activities, "starts_at"), (attendances, "activity__starts_at")):
        rows = (
            queryset.order_by()
            .annotate(month=ExtractMonth(field))
            .values("month")
            .annotate(n=Count("pk"))
        )
        counts = {row["month"]: row["n"] for row in rows}
        out.append([counts.get(month.month, 0) for month in months])
    return out[0], out[1]


def _empty() -> dict:
    zero_counts = [{"value": value, "count": 0} for value, _label in ServiceRole.choices]
    return {
        "registrations": {"by_role": zero_counts},
        "report_rate": [],
        "activities": {
            "by_status": [],
            "by_role": [{"value": value, "count": 0} for value, _label in ActivityRole.choices],
        },
        "hours": {"total": Decimal("0.0")},
        "volunteer_person_times": 0,
        "volunteers": 0,
        "ratings": {"total": 0, "by_grade": []},
    }


def _figures(ctx: reports.ReportContext) -> dict:
    if not ctx.begun:
        return _empty()
    if ctx.where.district_id is not None:
        return _district_figures(ctx)
    unit = None
    if ctx.where.unit_id is not None:
        unit = Unit.objects.filter(pk=ctx.where.unit_id).first() or Unit(pk=ctx.where.unit_id)
    return selectors.community_figures(ctx.user, ctx.first, ctx.last, unit=unit)


def build(ctx: reports.ReportContext) -> reports.SectionData:
    data = _figures(ctx)
    latest = data["report_rate"][-1] if data["report_rate"] else None
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

    activities, person_times = _monthly(ctx)
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
