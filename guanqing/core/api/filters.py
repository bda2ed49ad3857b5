"""The filters every FilterSet uses for a record id and a year in a query string."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from guanqing.core.ids import ID_ERROR, MAX_ID, parse_id


class IdFormField(forms.Field):
    """A record id from a query string: 1 … 2^63−1 in ASCII digits, else a form error."""

    widget = forms.NumberInput
    default_error_messages = {"invalid": ID_ERROR}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.Filter):
    """Every filter by a record id (`?unit=`, `?member=`…) in every FilterSet: a value the
    database cannot hold is a 400 naming the parameter (a form error on the list pages)
    instead of an overflow in the query."""

    field_class = IdFormField


class YearFormField(IdFormField):
    """A year from a query string: 1–9999 in ASCII digits, else a form error (400 on the API)."""

    default_error_messages = {"invalid": _("应为年份，如 2026")}

    def to_python(self, value):
        year = super().to_python(value)
        if year is not None and year > 9999:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return year


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(django_filters.Filter):
    """A year (`?year=`): a value no date can have is a 400 naming the parameter."""

    field_class = YearFormField
