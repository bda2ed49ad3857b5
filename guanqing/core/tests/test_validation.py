"""core.validation.full_clean: Django's full_clean errors, field for field, in fewer queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial

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


# --- clean_fields: each field's value accepted, converted or refused exactly as Django does ----


def _probes(field) -> list:
    """Values a service may hand a field: of its type or not, valid or not."""
    values = [None, "", "文本", "x" * 300, "a\x00b", "行\n二", 0, 7, -1, True, False, 3.5]
    values += [D(2025, 3, 1), datetime.datetime(2025, 3, 1, 8, 30, tzinfo=datetime.UTC)]
    values += ["2025-03-01", "2025-02-30", Decimal("1.50"), "1.5", [], {}]
    if field.choices:
        values += [value for value, _label in field.flatchoices]
        values += [str(label) for _value, label in field.flatchoices[:2]]
    max_length = getattr(field, "max_length", None)
    if isinstance(max_length, int):
        values += ["字" * max_length, "字" * (max_length + 1)]
    return values


def _cleaned(clean, instance, attname) -> tuple:
    try:
        clean()
    except ValidationError as error:
        return "refused", {k: sorted(map(str, v)) for k, v in error.message_dict.items()}
    except (TypeError, ValueError, AttributeError) as error:  # Django's own, for nonsense
        return "raised", type(error)
    value = getattr(instance, attname)
    return "accepted", type(value), value


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_clean_fields_gives_djangos_values_and_errors_for_every_field_of_every_model():
    from django.apps import apps

    from guanqing.core.validation import clean_fields

    compared = 0
    for model in [m for m in apps.get_models() if m.__module__.startswith("guanqing.")]:
        keys = {f.name for f in model._meta.fields if f.is_relation}
        for field in model._meta.fields:
            if field.is_relation or field.primary_key or field.generated:
                continue
            others = {f.name for f in model._meta.fields} - {field.name}
            for value in _probes(field):
                ours, django = model(), model()
                setattr(ours, field.attname, value)
                setattr(django, field.attname, value)
                exclude = keys | others
                mine = _cleaned(partial(clean_fields, ours, exclude), ours, field.attname)
                theirs = _cleaned(
                    partial(django.clean_fields, exclude=exclude), django, field.attname
                )
                assert mine == theirs, (model.__name__, field.name, value)
                compared += 1
    assert compared > 5000


def test_text_errors_quick_answer_matches_the_field_by_field_check():
    from guanqing.core import text
    from guanqing.registry.models import Household

    def by_field(instance):
        errors = {}
        for name, attname, multiline, max_length in text._text_fields(type(instance)):
            value = getattr(instance, attname)
            message = text.control_message(value, multiline=multiline)
            if message is not None:
                errors[name] = [message]
            elif multiline and max_length and isinstance(value, str) and len(value) > max_length:
                errors[name] = [text.TOO_LONG_MESSAGE % {"limit": max_length, "length": len(value)}]
        return errors

    for field in ("head_name", "address", "situation", "needs"):
        for value in ["清白", "", "a\tb", "a\nb", "a\x00b", "x\x7f", "长" * 2001, None, 5]:
            household = Household(head_name="王", address="路", situation="", needs="")
            setattr(household, field, value)
            assert text.text_errors(household) == by_field(household), (field, value)
