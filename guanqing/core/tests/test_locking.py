"""`core/scope/locking.py`: a row is locked for a write only within the queryset it is read from."""

from __future__ import annotations

import pytest
from django.db import transaction

from guanqing.core.scope.locking import NOT_IN_SCOPE, lock_in_scope
from guanqing.core.services import OutOfScope
from guanqing.registry.models import Household, Person


def test_the_row_in_scope_is_returned(world):
    worker = world.users.community_worker
    with transaction.atomic():
        row = lock_in_scope(Household.objects.visible_to(worker), world.household.pk)
    assert row == world.household
    assert isinstance(row, Household)


def test_a_row_outside_the_queryset_is_out_of_scope(world):
    worker = world.users.community_worker
    with pytest.raises(OutOfScope) as error, transaction.atomic():
        lock_in_scope(Household.objects.visible_to(worker), world.other_household.pk)
    assert str(error.value) == str(NOT_IN_SCOPE)


def test_a_missing_row_answers_like_one_outside_the_scope(world):
    with pytest.raises(OutOfScope), transaction.atomic():
        lock_in_scope(Household.objects.visible_to(world.users.committee), 999_999_999)


def test_a_role_seeing_nothing_cannot_lock_anything(world):
    with pytest.raises(OutOfScope), transaction.atomic():
        lock_in_scope(Household.objects.visible_to(world.users.member), world.household.pk)


def test_the_editable_rows_are_a_narrower_queryset(world):
    """A scope that joins the parent (a child queryset) still locks just the row."""
    worker = world.users.community_worker
    with transaction.atomic():
        assert lock_in_scope(Person.objects.editable_by(worker), world.person.pk) == world.person
    with pytest.raises(OutOfScope), transaction.atomic():
        lock_in_scope(Person.objects.editable_by(worker), world.other_person.pk)


def test_the_message_can_be_the_callers(world):
    with pytest.raises(OutOfScope, match="心愿不存在"), transaction.atomic():
        lock_in_scope(
            Household.objects.visible_to(world.users.member),
            world.household.pk,
            message="心愿不存在",
        )
