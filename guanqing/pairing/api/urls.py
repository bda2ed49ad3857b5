"""The pairing API under /api/v1/: ROUTES (prefix, viewset, basename) for the shared router,
urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.pairing.api import compliance_views as compliance
from guanqing.pairing.api import views

ROUTES = [
    ("pairings", views.PairingViewSet, "pairing"),
    ("visits", views.VisitViewSet, "visit"),
    ("partnerships", views.PartnershipViewSet, "partnership"),
    ("partnership-projects", views.PartnershipProjectViewSet, "partnership-project"),
]

urlpatterns = [
    path(
        "compliance-settings/",
        views.ComplianceSettingsView.as_view(),
        name="compliance-settings",
    ),
    path(
        "pairings/<id:pk>/compliance/",
        compliance.PairingComplianceView.as_view(),
        name="pairing-compliance",
    ),
    path("compliance/todo/", compliance.TodoView.as_view(), name="compliance-todo"),
    path("compliance/board/", compliance.BoardView.as_view(), name="compliance-board"),
    path("figures/pairing/", compliance.PairingFiguresView.as_view(), name="figures-pairing"),
]
