"""The same seed builds the same demo: one pair of builds checks every work method's rows (a pair
of builds takes about as long as each method's own pair did, so they share one).

Each method's rows are listed by what a reader would see of them (names, dates, states, amounts),
never by primary keys; every other table is compared by its count."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction

from guanqing.community.models import Activity, Rating, Registration
from guanqing.core.demo import load_demo
from guanqing.pairing.models import Pairing, PartnershipProject, Visit
from guanqing.registry.models import Household, Member
from guanqing.window.models import Case, CaseEvent
from guanqing.wishes.models import Wish, WishClaim

# The demo is built around today: built on one fixed day, with the official calendar the window's
# deadlines are counted on.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


def _rows(model, *fields):
    return list(model.objects.order_by("pk").values_list(*fields))


FINGERPRINTS = {
    "households": lambda: _rows(
        Household, "head_name", "community__code", "id_number_hash", "needs"
    ),
    "members": lambda: _rows(Member, "name", "id_number_hash"),
    "pairings": lambda: _rows(
        Pairing, "household__head_name", "unit__short_name", "started_on", "ended_on"
    ),
    "visits": lambda: _rows(
        Visit, "pairing__household__head_name", "date", "cash_amount", "in_kind_value"
    ),
    "projects": lambda: _rows(
        PartnershipProject, "partnership__village_org__name", "title", "funds", "status"
    ),
    "registrations": lambda: _rows(Registration, "member__name", "role", "status", "year", "half"),
    "activities": lambda: _rows(
        Activity, "community__name", "title", "starts_at", "places", "signed_up"
    ),
    "ratings": lambda: _rows(Rating, "member__name", "grade"),
    "wishes": lambda: _rows(
        Wish, "title", "community__name", "status", "capacity", "deadline", "estimated_cost"
    ),
    "claims": lambda: _rows(WishClaim, "wish__title", "member__name", "status"),
    "cases": lambda: _rows(
        Case,
        "window__name",
        "version__matter__code",
        "applicant_name",
        "credit_code",
        "received_on",
        "accepted_on",
        "deadline",
        "state",
        "completed_on",
    ),
    "case events": lambda: CaseEvent.objects.count(),
}


def _build() -> dict:
    with transaction.atomic():
        load_demo(scale=0.02, seed=7)
        seen = {name: fingerprint() for name, fingerprint in FINGERPRINTS.items()}
        seen["counts"] = {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model.__module__.startswith("guanqing.")
        }
        transaction.set_rollback(True)
    return seen


def test_the_demo_is_deterministic_for_a_seed():
    first = _build()
    # every method built something worth comparing
    assert all(first[name] for name in FINGERPRINTS), [n for n in FINGERPRINTS if not first[n]]
    second = _build()
    assert [name for name in first if first[name] != second[name]] == []
    assert second == first
