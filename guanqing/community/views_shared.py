"""What the 党员进社区 pages share: the half-year picker, badges, service errors beside their fields,
the committee's choice of a unit and the units' short names."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from guanqing.community.access import access
from guanqing.community.choices import Grade, RegistrationStatus
from guanqing.community.rules import Term
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import parse_id
from guanqing.core.ui.htmx import add_service_errors
from guanqing.registry.models import Unit

# refused forms answered to htmx, swapped in place (see community/templates/community/head.html)
UNPROCESSABLE = 422
CONFLICT = 409

GRADE_TONES = {
    Grade.EXCELLENT: "ok",
    Grade.COMPETENT: "info",
    Grade.BASIC: "warn",
    Grade.INCOMPETENT: "accent",
}
STATUS_TONES = {
    RegistrationStatus.PENDING: "warn",
    RegistrationStatus.CONFIRMED: "ok",
    RegistrationStatus.REJECTED: "accent",
}


def service_errors(form, exc: ValidationError, aliases: dict | None = None) -> None:
    """The service's refusals next to the fields they name (`aliases`: service key → field)."""
    if hasattr(exc, "error_dict") and aliases:
        exc = ValidationError(
            {aliases.get(key, key): value for key, value in exc.message_dict.items()}
        )
    add_service_errors(form, exc)


def term_choices(today: datetime.date, *, back: int, ahead: int = 0) -> list[Term]:
    """The current half-year, `ahead` later ones and `back` earlier ones, newest first."""
    current = Term.of(today)
    terms = [current]
    for _i in range(ahead):
        terms.insert(0, terms[0].next())
    for _i in range(back):
        terms.append(terms[-1].previous())
    return terms


def chosen_term(request, choices: list[Term]) -> Term:
    """`?term=2026H1` among the choices; anything else: the current half-year."""
    current = Term.of(business_date())
    try:
        term = Term.parse(request.GET.get("term") or request.POST.get("term") or "")
    except ValueError:
        return current
    return term if term in choices else current


def term_label(term: Term) -> str:
    if term.half == 1:
        return _("%(year)d 年上半年") % {"year": term.year}
    return _("%(year)d 年下半年") % {"year": term.year}


def term_options(choices: list[Term], chosen: Term) -> list[dict]:
    return [{"value": t.label, "label": term_label(t), "selected": t == chosen} for t in choices]


def badge(tones: dict, value, label) -> dict | None:
    if not value:
        return None
    return {"tone": tones.get(value, "muted"), "label": label}


def pick_unit(request) -> tuple[list[Unit] | None, Unit | None]:
    """(the units to choose from, the chosen one): the committee chooses any unit (`?unit=`, none
    for the whole city; 404 outside its scope), a unit administrator sees its own."""
    user = request.user
    if access.allows(user, "all_units"):
        units = list(Unit.objects.visible_to(user).order_by("sort_order", "name"))
        wanted = request.GET.get("unit", "")
        unit = None
        if wanted:
            unit = get_object_or_404(Unit.objects.visible_to(user), pk=parse_id(wanted) or 0)
        return units, unit
    return None, None


def with_short_names(user, rows: list[dict]) -> list[dict]:
    """The units' short names (市纪委 for 中共宁波市纪律检查委员会) for the bars: one query."""
    short = dict(
        Unit.objects.visible_to(user)
        .filter(pk__in=[row["unit"]["id"] for row in rows])
        .values_list("pk", "short_name")
    )
    for row in rows:
        row["short_name"] = short.get(row["unit"]["id"]) or row["unit"]["name"]
    return rows
