"""core.validation.full_clean: Django's full_clean errors, field for field, in fewer queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.core.validation import full_clean
from guanqing.pairing.models import Pairing, Visit
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def _errors(clean) -> dict | None:
    try:
        clean()
    except ValidationError as error:
        return {name: sorted(map(str, messages)) for name, messages in error.message_dict.items()}
    return None


def _both(instance, **kwargs) -> tuple[dict | None, dict | None]:
    return _errors(lambda: full_clean(instance, **kwargs)), _errors(
        lambda: instance.full_clean(**kwargs)
    )


@pytest.fixture
def pairing(db):
    return f.PairingFactory(started_on=D(2025, 1, 1))


def _visit(pairing, **fields):
    values = {
        "pairing": pairing,
        "date": D(2025, 3, 1),
        "talk": True,
        "notes": "入户谈心",
        "recorded_by": f.UserFactory(),
    }
    values.update(fields)
    return Visit(**values)


@pytest.mark.parametrize(
    "fields",
    [
        {},  # valid
        {"talk": False},  # no kind: one check constraint
        {"cash_amount": Decimal("-1")},  # a negative amount: another
        {"talk": False, "cash_amount": Decimal("-1"), "in_kind_value": Decimal("-2")},  # three
        {"date": None},  # a field error: the constraints not naming it still checked
        {"cash_amount": None, "talk": False},  # the amount fails as a field, its check skipped
    ],
)
def test_check_constraints_give_djangos_errors(pairing, fields):
    mine, djangos = _both(_visit(pairing, **fields))
    assert mine == djangos
    if fields:
        assert mine  # every case but the first is refused


def test_an_excluded_field_skips_the_constraints_naming_it_as_django_does(pairing):
    visit = _visit(pairing, talk=False, cash_amount=Decimal("-1"))
    mine, djangos = _both(visit, exclude={"cash_amount"})
    assert mine == djangos
    assert len(mine["__all__"]) == 1  # the kind constraint still refuses it, the cash one skipped


def test_unique_and_check_constraints_together(pairing):
    twin = Pairing(household=pairing.household, unit=pairing.unit, started_on=D(2025, 2, 1))
    mine, djangos = _both(twin)
    assert mine == djangos and mine  # one active pairing per household and unit
    ended = Pairing(
        household=pairing.household,
        unit=pairing.unit,
        started_on=D(2025, 2, 1),
        ended_on=D(2025, 1, 1),
        end_reason="",
    )
    mine, djangos = _both(ended)
    assert mine == djangos
    assert len(mine["__all__"]) == 2  # ends before it starts, and no reason


def test_a_key_set_by_id_to_a_missing_row_is_refused_like_django(pairing):
    visit = _visit(pairing)
    visit.pairing_id = pairing.pk + 1000
    mine, djangos = _both(visit)
    assert mine == djangos and "pairing" in mine


def test_fewer_queries_for_the_same_answer(pairing):
    visit = _visit(pairing)
    with CaptureQueriesContext(connection) as djangos:
        visit.full_clean()
    with CaptureQueriesContext(connection) as mine:
        full_clean(visit)
    # Django: a lookup for each of the two keys, and a savepoint, a SELECT and a release for each
    # of the three check constraints; here the keys the visit holds are trusted and the three
    # checks are one SELECT in one savepoint.
    assert len(djangos) == 2 + 3 * 3
    assert len(mine) == 3
