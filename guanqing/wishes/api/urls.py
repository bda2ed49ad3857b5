"""The wishes API under /api/v1/: ROUTES (prefix, viewset, basename) for the shared router,
urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.wishes.api import views

ROUTES = [
    ("wishes", views.WishViewSet, "wish"),
    ("wish-claims", views.WishClaimViewSet, "wish-claim"),
]

urlpatterns = [
    path("figures/wishes/", views.WishFiguresView.as_view(), name="figures-wishes"),
    path("wish-settings/", views.WishSettingsView.as_view(), name="wish-settings"),
]
