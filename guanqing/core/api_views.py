"""The scoped base viewset, and the audit log under /api/v1/audit-events/ (read-only, for the
audit administrator only)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets

from guanqing.accounts.choices import Role
from guanqing.core.api import RoleAllowed, ScopedViewSetMixin
from guanqing.core.models import AuditAction, AuditEvent


class ScopedViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The base of every API viewset: see `guanqing.core.api.ScopedViewSetMixin`."""


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a business date (Asia/Shanghai, the project's time zone)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


class IPAddressFilter(django_filters.Filter):
    """An exact IP address; anything else is a 400 naming the parameter, not a database error."""

    field_class = forms.GenericIPAddressField


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_username", label="操作账号 / username")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label="操作 / action")
    object_type = django_filters.CharFilter(label="对象类型，如 registry.household")
    object_id = django_filters.CharFilter(label="对象编号 / object id")
    since = django_filters.DateFilter(method="filter_since", label="起始日期（含）/ from (date)")
    until = django_filters.DateFilter(method="filter_until", label="截止日期（含）/ to (date)")
    ip = IPAddressFilter(field_name="ip_address", label="IP 地址")

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "since", "until", "ip"]

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_username", read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "action_display",
            "object_type",
            "object_id",
            "object_repr",
            "root_type",
            "root_id",
            "changes",
            "message",
            "ip_address",
        ]
        read_only_fields = fields


class AuditReadOnly(RoleAllowed):
    """Reading is the audit administrator's; writing is nobody's, so a write answers 405."""

    def has_permission(self, request, view):
        if request.method not in permissions.SAFE_METHODS:
            return True  # no handler for writes: the view answers 405 Method Not Allowed
        return super().has_permission(request, view)


@extend_schema_view(
    list=extend_schema(summary="审计日志（审计管理员）/ the audit log (audit administrator)"),
    retrieve=extend_schema(summary="审计记录 / one audit event"),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["at", "id", "actor_username", "action"]
    ordering = ["-at", "-id"]
    allowed_roles = frozenset({Role.AUDIT_ADMIN})
    permission_classes = [permissions.IsAuthenticated, AuditReadOnly]
