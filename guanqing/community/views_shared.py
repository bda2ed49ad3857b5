"""What the 党员进社区 pages share: the half-year picker, badges, service errors beside their fields,
the committee's choice of a unit and the units' short names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanqing.community.access import access
from guanqing.community.choices import Grade, RegistrationStatus
from guanqing.community.rules import Term
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ui import ranking
from guanqing.core.ui.htmx import add_service_errors
from guanqing.registry import pickers
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


@dataclass(frozen=True)
class UnitChoice:
    """The committee's unit filter: `picker` renders it ("" for a reader who cannot choose),
    `unit` is the chosen one (None: the whole city), `error` a whole name typed without
    JavaScript that names no unit or several."""

    picker: str
    unit: Unit | None
    error: str = ""

    @property
    def can_choose(self) -> bool:
        return bool(self.picker)


def pick_unit(request, *, empty_label) -> UnitChoice:
    """The committee chooses any unit (`?unit=`, none for the whole city; 404 outside its scope,
    like a missing one), searched past 30 units; anyone else chooses none."""
    user = request.user
    if not access.allows(user, "all_units"):
        return UnitChoice("", None)
    picker = pickers.unit_filter(user, empty_label=empty_label)
    unit, error = picker.chosen(request.GET)
    return UnitChoice(picker.render(unit), unit, error)


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


def rate_columns() -> list[ranking.Column]:
    """A half-year's 报到率 by unit (`report_rate[…]["by_unit"]` rows)."""
    return [
        ranking.name_column(_("单位"), lambda row: row["unit"]["name"]),
        ranking.Column("rate", _("报到率"), itemgetter("rate"), sheet_label=_("报到率（%）")),
        ranking.Column("confirmed", _("已确认报到（人）"), itemgetter("confirmed")),
        ranking.Column("members", _("在册党员（人）"), itemgetter("members")),
    ]
