"""The OpenAPI schema documents the errors every operation can answer, in one place.

DRF answers errors with two bodies: `{"detail": "…"}` (not signed in, role, scope, a full activity,
too many attempts) and `{field: [message, …]}` for a bad field or parameter
(`guanqing.core.api.exception_handler`). Rather than decorating each view, the schema class adds
the codes an operation can really give from what the view is: 403 for all (authentication runs even
on open endpoints, so a bad token is refused everywhere), 400 where there is input, 404 where there
is a record in the path or a page number, 429 where the view is throttled. 409 is declared by the
few actions that answer it; an explicit declaration keeps its description and gains the body.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_DETAIL = ResolvedComponent(
    name="ErrorDetail",
    type=ResolvedComponent.SCHEMA,
    object="ErrorDetail",
    schema={
        "type": "object",
        "description": "{detail: message}",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
)

VALIDATION_ERRORS = ResolvedComponent(
    name="ValidationErrors",
    type=ResolvedComponent.SCHEMA,
    object="ValidationErrors",
    schema={
        "type": "object",
        "description": (
            "{field: [message, …]} naming each bad field or parameter (`non_field_errors` for the "
            "record as a whole; a list of such objects for a list field); {detail: message} when "
            "the body cannot be read"
        ),
        "additionalProperties": {
            "anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}]
        },
    },
)

DESCRIPTIONS = {
    "400": gettext_lazy("输入有误：逐项指出错误的字段或参数，不写入任何数据"),
    "403": gettext_lazy("未登录或令牌无效，或角色无权使用此接口、无权修改此记录"),
    "404": gettext_lazy("记录不存在或不在权限范围内，或页码超出范围"),
    "409": gettext_lazy("名额已满"),
    "415": gettext_lazy("请求内容的类型不受支持，或内容无法按所述类型读取"),
    "429": gettext_lazy("尝试过于频繁，请稍后再试"),
}


def stored_values(field) -> tuple[bool, bool]:
    """(may be null, may be "") for what a read-only field shows, from the model column its source
    reaches: `source="home_community.name"` is null when the member has no home community, and a
    read-only choice field shows "" when the column allows blank, though DRF drops both hints."""
    meta = getattr(getattr(field, "parent", None), "Meta", None)
    model = getattr(meta, "model", None)
    attrs = getattr(field, "source_attrs", None)
    if model is None or not attrs:
        return False, False
    for attr in attrs:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False, False
        if model_field.one_to_many or model_field.many_to_many:
            return False, False  # a list, never null
        if model_field.null or (model_field.one_to_one and not model_field.concrete):
            # A null column or foreign key, or a reverse one-to-one that may have no row.
            return True, False
        if model_field.is_relation:
            model = model_field.related_model
            if model is None:
                return False, False
    blank = model_field.blank and isinstance(model_field, (models.CharField, models.TextField))
    return False, blank


# For the views that look up `?unit=<id>` themselves: a unit outside the user's scope is a 404.
UNIT_NOT_FOUND = OpenApiResponse(description=gettext_lazy("unit 指定的单位不存在或不在权限范围内"))


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the error answers each operation can give, and read-only
    fields that say when they can be null or blank."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if getattr(field, "read_only", False) and stored_values(field)[0]:
            meta["nullable"] = True
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and not field.allow_blank
            and stored_values(field)[1]
        ):
            field.allow_blank = True  # a fresh field of the schema's own serializer instance
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_codes(responses):
            component = VALIDATION_ERRORS if code == "400" else ERROR_DETAIL
            self.registry.register_on_missing(component)
            content = {"application/json": {"schema": component.ref}}
            declared = responses.get(code)
            if declared is None:
                responses[code] = {"description": DESCRIPTIONS[code], "content": content}
            elif not declared.get("content"):
                declared["content"] = content
        return dict(sorted(responses.items()))

    def error_codes(self, responses) -> list[str]:
        codes = ["403"]
        parameters = self._get_parameters()
        if self.method != "GET" or any(p.get("in") == "query" for p in parameters):
            codes.append("400")
        if "{" in self.path or any(p.get("name") == "page" for p in parameters):
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            # DRF's answer to a body it has no parser for (a content type not listed, or one whose
            # header it cannot read).
            codes.append("415")
        # Declared by the view itself: 409 (full), 404 for a record named in the query.
        codes += [code for code in responses if code.startswith("4") and code not in codes]
        if self.view.get_throttles():
            codes.append("429")
        return codes
