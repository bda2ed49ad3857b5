"""The instructors API under /api/v1/instructors/: ROUTES for the shared router, urlpatterns for
the figures. Included by config/api_urls.py."""

from django.urls import path

from guanqing.instructors.api import views

ROUTES = [
    ("instructors/terms", views.TermViewSet, "instructors-term"),
    ("instructors/logs", views.LogViewSet, "instructors-log"),
]

urlpatterns: list = [
    path("instructors/figures/", views.FiguresView.as_view(), name="instructors-figures"),
]
