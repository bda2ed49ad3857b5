"""The report API under /api/v1/reports/: ROUTES for the shared router, urlpatterns for the live
report. Included by config/api_urls.py."""

from django.urls import path

from guanqing.reports.api import views

ROUTES = [
    ("reports/publications", views.PublicationViewSet, "reports-publication"),
]

urlpatterns: list = [
    path("reports/live/", views.LiveReportView.as_view(), name="reports-live"),
]
