"""党员进社区, the unit's roster (双评价 back to the unit): a unit administrator sees its members in a
half-year, the committee picks a unit or sees the city's 报到率 by unit. The list is filtered by
`filters.RosterFilter`, the same as the API's roster endpoint."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.community import rules, selectors
from guanqing.community.access import access
from guanqing.community.choices import Grade, RegistrationStatus, ServiceRole
from guanqing.community.filters import ROSTER_SHOW, RosterFilter
from guanqing.community.views_shared import (
    GRADE_TONES,
    STATUS_TONES,
    badge,
    chosen_term,
    pick_unit,
    rate_columns,
    term_choices,
    term_label,
    term_options,
    with_short_names,
)
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.ui import ranking
from guanqing.core.ui.htmx import paginate, render_page
from guanqing.registry.models import Unit

SHOW_OPTIONS = (("", gettext_lazy("全部")), *ROSTER_SHOW)
MISSING_FIRST = Case(
    When(registration_status=RegistrationStatus.CONFIRMED, then=Value(2)),
    When(registration_status=RegistrationStatus.PENDING, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


@access.page("roster")
def roster(request):
    """单位党员进社区情况: the unit's members in a half-year — registered or not (报到率), role,
    community, hours (check-in / by hand) and the community's rating. The committee picks a unit,
    or sees the city's 报到率 by unit."""
    user = request.user
    choices = term_choices(business_date(), back=3)
    term = chosen_term(request, choices)
    choice = pick_unit(request, empty_label=_("全市（按单位汇总）"))
    unit = choice.unit
    if not choice.can_choose:
        unit = Unit.objects.visible_to(user).filter(pk=user.unit_id).first()
    context = {
        "term": term,
        "term_options": term_options(choices, term),
        "unit_picker": choice.picker,
        "unit_error": choice.error,
        "unit": unit,
        "show_options": SHOW_OPTIONS,
    }
    if unit is None:  # the committee without a unit chosen: the city's 报到率 by unit
        snapshot = selectors.figures_of(user, DateRange(term.start, term.end))
        rate = snapshot.value["report_rate"][0]
        # the lowest first: the units to push
        by_unit = ranking.rank(
            request,
            rate["by_unit"],
            rate_columns(),
            default="-rate",
            table="rate",
            present=lambda rows: with_short_names(user, rows),
            anchor="",
        )
        if ranking.wants_export(request, "rate"):
            title = _("%(term)s报到率（按单位）") % {"term": term_label(term)}
            return ranking.export(by_unit, title=title[:31], stem=title)
        context.update({"city": rate, "by_unit": by_unit, "snapshot": snapshot})
        return render(request, "community/roster_city.html", context)

    base = selectors.roster(user, term).filter(unit_id=unit.pk)
    total = base.count()
    confirmed = base.filter(registration_status=RegistrationStatus.CONFIRMED).count()
    filterset = RosterFilter(request.GET, queryset=base, request=request)
    rows = filterset.qs.annotate(missing_first=MISSING_FIRST).order_by(
        "missing_first", "name", "pk"
    )
    page = paginate(request, rows)
    context.update(
        {
            "page_obj": page,
            "rows": [_roster_row(m) for m in page.object_list],
            "total": total,
            "confirmed": confirmed,
            "missing": total - confirmed,
            "rate": rules.report_rate(confirmed, total),
            "show": request.GET.get("show", ""),
            "q": (request.GET.get("q") or "").strip(),
        }
    )
    return render_page(
        request, "community/roster.html", "community/partials/roster_results.html", context
    )


def _roster_row(member) -> dict:
    status = member.registration_status
    grade = member.rating_grade
    return {
        "m": member,
        "badge": badge(STATUS_TONES, status, RegistrationStatus(status).label) if status else None,
        "role": member.registration_role and _role_label(member.registration_role),
        "grade": grade and badge(GRADE_TONES, grade, Grade(grade).label),
        "total": member.term_checkin_hours + member.term_manual_hours,
    }


def _role_label(value: str) -> str:
    return str(ServiceRole(value).label) if value in ServiceRole.values else value
