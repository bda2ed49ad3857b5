"""In-app notifications under /api/v1/notifications/: each user reads its own, newest first, and
marks them read. They are written by the system (e.g. `guanqing tick`), never through the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from guanqing.core.api.viewsets import ScopedViewSet
from guanqing.core.models import Notification
from guanqing.core.notifications.services import notification_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("我的通知"),
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description=gettext_lazy("只看未读"))
        ],
    ),
    retrieve=extend_schema(summary=gettext_lazy("通知")),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """通知 Notifications: each signed-in user sees only its own."""

    model = Notification
    serializer_class = NotificationSerializer
    filter_backends = []
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-created_at", "-id")
        if self.action == "list" and self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.unread()
        return queryset

    @extend_schema(
        request=None, responses={200: NotificationSerializer}, summary=gettext_lazy("标为已读")
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification_mark_read(actor=request.user, notification=notification)
        return self.respond_with(notification)
