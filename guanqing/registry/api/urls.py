"""The registry API under /api/v1/: ROUTES (prefix, viewset, basename) for the shared router,
urlpatterns for the other endpoints. Included by config/api_urls.py."""

from guanqing.registry.api import views

ROUTES = [
    ("divisions", views.DivisionViewSet, "division"),
    ("units", views.UnitViewSet, "unit"),
    ("party-orgs", views.PartyOrgViewSet, "party-org"),
    ("members", views.MemberViewSet, "member"),
    ("households", views.HouseholdViewSet, "household"),
    ("people", views.PersonViewSet, "person"),
]

urlpatterns: list = []
