"""The accounts API under /api/v1/: ROUTES (prefix, viewset, basename) for the shared router,
urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.accounts.api import views

ROUTES = [
    ("users", views.UserViewSet, "user"),
]

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("security-policy/", views.SecurityPolicyView.as_view(), name="security-policy"),
]
