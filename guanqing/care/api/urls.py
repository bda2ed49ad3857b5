"""The care API under /api/v1/care/: ROUTES for the shared router, urlpatterns for the figures.
Included by config/api_urls.py."""

from django.urls import path

from guanqing.care.api import views

ROUTES = [
    ("care/rules", views.RuleViewSet, "care-rule"),
    ("care/events", views.EventViewSet, "care-event"),
    ("care/obligations", views.ObligationViewSet, "care-obligation"),
]

urlpatterns: list = [
    path("care/figures/", views.FiguresView.as_view(), name="care-figures"),
]
