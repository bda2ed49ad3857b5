from django.urls import path

from guanqing.core.notifications import views as notifications
from guanqing.core.ui import home

urlpatterns = [
    path("", home.home, name="home"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<id:pk>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<id:pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
]
