"""The service window API under /api/v1/window/: ROUTES (prefix, viewset, basename) for the shared
router, urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.window.api import views

ROUTES = [
    ("window/matters", views.MatterViewSet, "window-matter"),
    ("window/cases", views.CaseViewSet, "window-case"),
]

urlpatterns: list = [
    path("window/figures/", views.WindowFiguresView.as_view(), name="window-figures"),
]
