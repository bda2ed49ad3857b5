"""Serializer fields shared by every app's API."""

from __future__ import annotations

import functools
import inspect

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from rest_framework import serializers
from rest_framework.fields import SkipField


@functools.cache
def choice_labels(model, method: str) -> tuple[str, dict] | None:
    """(attribute name, {value: label}) of the field behind Django's own `get_<field>_display`
    on `model`; None where the model defines the method itself."""
    display = inspect.getattr_static(model, method, None)
    if not (
        isinstance(display, functools.partialmethod)
        and display.func is models.Model._get_FIELD_display
    ):
        return None
    field = display.keywords["field"]
    return field.attname, dict(make_hashable(field.flatchoices))


class DisplayField(serializers.CharField):
    """The label of a choice, read-only: `source` names the model's `get_<field>_display`
    (through relations: "current.get_kind_display"). The same value as calling it, in the
    reader's language, without DRF's generic attribute walk, which inspects the method's
    signature on every row (0.1 ms a field and row: 15 ms of a page of 50 problems), and without
    Django's, which rebuilds the field's choices on every call. Every `*_display` field of the
    API is one (`core/tests/test_api_display_fields.py`)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        *path, method = self.source_attrs
        try:
            for name in path:
                instance = getattr(instance, name)
            choices = choice_labels(type(instance), method)
            if choices is None:
                return getattr(instance, method)()
        except ObjectDoesNotExist:
            return None
        except AttributeError:
            raise SkipField() from None  # as DRF leaves out a read-only field it cannot reach
        attname, labels = choices
        value = getattr(instance, attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
