from django.urls import path

from guanqing.core import views, views_notifications

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        views_notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<id:pk>/open/",
        views_notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<id:pk>/read/",
        views_notifications.notification_read,
        name="notification_read",
    ),
]
