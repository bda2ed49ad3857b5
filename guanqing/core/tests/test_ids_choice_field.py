"""Picking records by id on a form: a value that is no id is an invalid choice, never a query the
database cannot run (2^63 overflows PostgreSQL's bigint and SQLite's integer)."""

from __future__ import annotations

import pytest
from django import forms

from guanqing.core.ui.forms import IdsChoiceField
from guanqing.registry.models import Unit


class PickForm(forms.Form):
    units = IdsChoiceField(queryset=Unit.objects.all())


@pytest.mark.parametrize("bad", [str(2**63), "-1", "1.5", "１", "1e3", "\x00", ""])
def test_a_value_that_is_no_id_is_an_invalid_choice(world, bad):
    form = PickForm({"units": [str(world.unit.pk), bad]})
    assert not form.is_valid()
    assert "units" in form.errors


def test_known_ids_are_picked(world):
    form = PickForm({"units": [str(world.unit.pk), str(world.other_unit.pk)]})
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["units"]) == {world.unit, world.other_unit}


def test_an_unknown_but_valid_id_is_an_invalid_choice_too(world):
    form = PickForm({"units": [str(2**63 - 1)]})
    assert not form.is_valid()
    assert "units" in form.errors
