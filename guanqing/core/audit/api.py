"""The audit log under /api/v1/audit-events/ (read-only, for the audit administrator only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers

from guanqing.core.api.base import RoleAllowed
from guanqing.core.api.fields import DisplayField
from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.audit.access import access
from guanqing.core.audit.filters import AuditEventFilter
from guanqing.core.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_username", read_only=True)
    action_display = DisplayField(source="get_action_display")

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
    list=extend_schema(summary=gettext_lazy("审计日志（审计管理员）")),
    retrieve=extend_schema(summary=gettext_lazy("审计记录")),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["at", "id", "actor_username", "action"]
    ordering = ["-at", "-id"]
    access = access
    access_rule = "read"
    permission_classes = [permissions.IsAuthenticated, AuditReadOnly]
