"""The base of every API viewset."""

from __future__ import annotations

from rest_framework import viewsets

from guanqing.core.api.base import ScopedViewSetMixin


class ScopedViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The base of every API viewset: see `guanqing.core.api.base.ScopedViewSetMixin`."""


def photo_action(summary):
    """A viewset's `GET <pk>/photos/<photo_pk>/`: the method finds the record through the scope
    (`self.get_object()`), the photo among the record's own, and answers
    `core.uploads.stored_file_response(photo)`."""
    from django.utils.translation import gettext_lazy
    from drf_spectacular.utils import OpenApiResponse, extend_schema
    from rest_framework.decorators import action

    def decorator(method):
        method = action(
            detail=True,
            methods=["get"],
            url_path=r"photos/(?P<photo_pk>[0-9]+)",
            url_name="photo",
            filter_backends=[],
        )(method)
        return extend_schema(
            responses={
                (200, "image/*"): OpenApiResponse(description=gettext_lazy("照片文件")),
                404: OpenApiResponse(description=gettext_lazy("不存在或不在权限范围内")),
            },
            summary=summary,
        )(method)

    return decorator
