"""The API's choice labels (`*_display`) are read by `DisplayField`: the text `get_<field>_display()`
gives, in the reader's language, without DRF inspecting the bound method on every row."""

from __future__ import annotations

import re
import types

import pytest
from django.utils import translation
from rest_framework import serializers

from guanqing.accounts.models import User
from guanqing.core.api.fields import DisplayField
from guanqing.core.roles import Role
from guanqing.frontline.choices import ProblemState, Urgency
from guanqing.frontline.models import Problem

DISPLAY = re.compile(r"(^|\.)get_\w+_display$")


def _serializers(base=serializers.BaseSerializer):
    for cls in base.__subclasses__():
        yield cls
        yield from _serializers(cls)


def test_every_display_field_of_the_api_is_a_display_field():
    import config.api_urls  # noqa: F401 - imports every app's serializers

    found, plain = 0, []
    for cls in _serializers():
        if not cls.__module__.startswith("guanqing.") or ".tests." in cls.__module__:
            continue
        for name, field in getattr(cls, "_declared_fields", {}).items():
            if DISPLAY.search(field.source or ""):
                found += 1
                if not isinstance(field, DisplayField):
                    plain.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert found >= 50  # the walk reached the apps' serializers
    assert plain == []


class ProblemLabels(serializers.Serializer):
    state_display = DisplayField(source="get_state_display")
    urgency_display = DisplayField(source="get_urgency_display")


class Owned(serializers.Serializer):
    role_display = DisplayField(source="owner.get_role_display")
    own_display = DisplayField(source="get_own_display")


class OwnedByDrf(serializers.Serializer):
    """The same fields as DRF reads them: DisplayField gives the same data."""

    role_display = serializers.CharField(source="owner.get_role_display", read_only=True)
    own_display = serializers.CharField(source="get_own_display", read_only=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_labels_are_the_models_in_the_readers_language(language):
    problem = Problem(state=ProblemState.HANDLING, urgency=Urgency.COMPLAINT)
    with translation.override(language):
        data = ProblemLabels(problem).data
        assert data["state_display"] == problem.get_state_display()
        assert data["urgency_display"] == problem.get_urgency_display()
    assert data["state_display"] != ProblemState.HANDLING.value  # a label, not the stored value


def test_through_a_relation_outside_the_choices_and_a_method_of_its_own():
    row = types.SimpleNamespace(
        owner=User(role=Role.COMMITTEE), get_own_display=lambda: "自定义 custom"
    )
    assert Owned(row).data == {
        "role_display": User(role=Role.COMMITTEE).get_role_display(),
        "own_display": "自定义 custom",
    }
    for owner, shown in [
        (User(role="retired"), "retired"),  # a value no choice has: shown as stored
        (User(role=""), ""),
    ]:
        row.owner = owner
        assert Owned(row).data["role_display"] == shown
        assert Owned(row).data == OwnedByDrf(row).data


def test_a_relation_that_is_missing_leaves_the_field_out_as_drf_does():
    row = types.SimpleNamespace(owner=None, get_own_display=lambda: "x")
    assert Owned(row).data == OwnedByDrf(row).data == {"own_display": "x"}
