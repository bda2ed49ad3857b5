"""党员进社区统计: the figures of a date range (`selectors.community_figures`, the same as the API's):
the committee all (or a unit), a unit its members, a community worker its community."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from guanqing.community import selectors
from guanqing.community.access import access
from guanqing.community.rules import Term
from guanqing.community.views_shared import (
    GRADE_TONES,
    pick_unit,
    rate_columns,
    term_label,
    with_short_names,
)
from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DATE_MESSAGE, DateRange
from guanqing.core.ui import ranking


def _date_param(request, name: str, errors: dict):
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors[name] = str(DATE_MESSAGE)
        return None


def _date_range(request, today: datetime.date) -> tuple[DateRange, dict[str, str]]:
    """`?from=&to=` read by `DateRange`; on an error, this year so far (the page says so)."""
    errors: dict[str, str] = {}
    first, last = _date_param(request, "from", errors), _date_param(request, "to", errors)
    try:
        span = DateRange.parse(first, last, today=today)
    except ValidationError as exc:
        errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
        span = DateRange.parse(None, None, today=today)
    return span, errors


@access.page("figures")
def figures(request):
    """党员进社区统计 from the API's figures: the committee all (or a unit), a unit its members, a
    community worker its community."""
    user = request.user
    span, errors = _date_range(request, business_date())
    first, last = span.first, span.last
    choice = pick_unit(request, empty_label=_("全市"))
    unit = choice.unit
    if choice.error:
        errors["unit"] = choice.error
    snapshot = selectors.figures_of(user, span, unit)
    data = snapshot.value
    terms = []
    for rate in reversed(data["report_rate"]):  # newest first
        label = term_label(Term.parse(rate["term"]))
        by_unit = ranking.rank(
            request,
            rate["by_unit"],
            rate_columns(),
            default="rate",
            table=f"rate-{rate['term']}",
            present=lambda rows: with_short_names(user, rows),
            anchor="",
        )
        if ranking.wants_export(request, f"rate-{rate['term']}"):
            title = _("%(term)s报到率（按单位）") % {"term": label}
            return ranking.export(by_unit, title=title[:31], stem=title)
        terms.append({**rate, "label": label, "by_unit": by_unit})
    if choice.can_choose:  # the committee: the whole city or the unit it chose
        scope = unit.name if unit else _("全市")
    elif access.allows(user, "own_unit"):  # a unit administrator: its unit's members
        scope = user.unit.name if user.unit_id else ""
    else:  # a community worker: its community
        scope = user.community.name if user.community_id else ""
    context = {
        "f": data,
        "snapshot": snapshot,
        "first": first,
        "last": last,
        "errors": errors,
        "unit_picker": choice.picker,
        "unit": unit,
        "scope": scope,
        "terms": terms,
        "latest": terms[0] if terms else None,
        "grade_max": max([g["count"] for g in data["ratings"]["by_grade"]] + [1]),
        "role_max": max([r["count"] for r in data["registrations"]["by_role"]] + [1]),
        "grade_tones": {k.value: v for k, v in GRADE_TONES.items()},
    }
    return render(request, "community/figures.html", context)
