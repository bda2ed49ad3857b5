"""The core API under /api/v1/: the audit log, the calendar and notifications."""

from django.urls import path

from guanqing.core.audit.api import AuditEventViewSet
from guanqing.core.calendar.api import DaysView, DeadlineView
from guanqing.core.notifications.api import NotificationViewSet

ROUTES = [
    ("audit-events", AuditEventViewSet, "audit-event"),
    ("notifications", NotificationViewSet, "notification"),
]

urlpatterns = [
    path("calendar/deadline/", DeadlineView.as_view(), name="calendar-deadline"),
    path("calendar/days/", DaysView.as_view(), name="calendar-days"),
]
