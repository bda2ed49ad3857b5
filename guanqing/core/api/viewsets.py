"""The base of every API viewset."""

from __future__ import annotations

from rest_framework import viewsets

from guanqing.core.api.base import ScopedViewSetMixin


class ScopedViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The base of every API viewset: see `guanqing.core.api.base.ScopedViewSetMixin`."""
