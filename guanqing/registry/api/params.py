"""Query parameters that name a registry record, read the same way by every app's API."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import exceptions

from guanqing.core.ids import parse_id
from guanqing.registry.models import Unit


def unit_param(request) -> Unit | None:
    """`?unit=<id>` among the units the user sees: malformed is 400, outside scope 404."""
    value = request.query_params.get("unit", "").strip()
    if not value:
        return None
    unit_id = parse_id(value)
    if unit_id is None:
        raise exceptions.ValidationError({"unit": [_("单位编号应为整数")]})
    return get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_id)
