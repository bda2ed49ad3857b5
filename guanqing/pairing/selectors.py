"""Reads of the pairing module: scope extensions for households, the holder of a pairing on a
date (relay credit, derived, never stored), the compliance settings in force."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Q, Subquery

from guanqing.core.scope.querysets import register_scope_extension
from guanqing.pairing.models import ComplianceSettings, Pairing, PairingTerm, Visit


def _households_of_my_unit(user) -> Q:
    """A unit administrator sees every household its unit is or was paired with."""
    return Q(pk__in=Pairing.objects.filter(unit_id=user.unit_id).values("household_id"))


def _households_i_hold(user) -> Q:
    """A member sees the households it holds a pairing with today."""
    held = PairingTerm.objects.filter(member_id=user.member_id, ends_on__isnull=True)
    return Q(pk__in=held.values("pairing__household_id"))


def register_household_scope() -> None:
    register_scope_extension("registry.household", "unit_admin", _households_of_my_unit)
    register_scope_extension("registry.household", "member", _households_i_hold)


def term_on(pairing: Pairing, day: datetime.date) -> PairingTerm | None:
    """The term covering `day`: whose duty and credit that day is."""
    return pairing.terms.on(day).select_related("member").first()


def current_term(pairing: Pairing) -> PairingTerm | None:
    return pairing.terms.filter(ends_on__isnull=True).select_related("member").first()


def _holder_on_visit_date(field: str):
    terms = (
        PairingTerm.objects.filter(
            pairing_id=OuterRef("pairing_id"), starts_on__lte=OuterRef("date")
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("date")))
        .order_by("-starts_on")
    )
    return Subquery(terms.values(field)[:1])


def with_holder(visits):
    """Annotate each visit with the member who held its pairing on its date (`holder_id`,
    `holder_name`): visits before a handover count for the predecessor, after it for the successor.
    A whole-unit term gives None."""
    return visits.annotate(
        holder_id=_holder_on_visit_date("member_id"),
        holder_name=_holder_on_visit_date("member__name"),
    )


def visits_credited_to(member_id: int, queryset=None):
    """The visits that count for `member_id`: those dated within its terms."""
    queryset = Visit.objects.all() if queryset is None else queryset
    return with_holder(queryset).filter(holder_id=member_id)


def compliance_settings() -> ComplianceSettings:
    """The settings in force: the committee's row, or the defaults until it saves one."""
    return ComplianceSettings.objects.order_by("pk").first() or ComplianceSettings()


COMPLIANCE_FIELDS = [
    "quarterly_talk_minimum",
    "new_year_window_start_month",
    "new_year_window_start_day",
    "new_year_window_ends_at_lantern",
    "new_year_window_end_month",
    "new_year_window_end_day",
    "july_window_start_month",
    "july_window_start_day",
    "july_window_end_month",
    "july_window_end_day",
    "grace_days",
    "due_soon_days",
]


def compliance_settings_values() -> dict:
    """The settings as plain data, for the pure rules in `guanqing.pairing.rules`."""
    current = compliance_settings()
    return {name: getattr(current, name) for name in COMPLIANCE_FIELDS}
