"""The accounts API under /api/v1/: ROUTES (prefix, viewset, basename) for the shared router,
urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.accounts.api import auth_views, views

ROUTES = [
    ("users", views.UserViewSet, "user"),
    ("account-requests", views.AccountRequestViewSet, "account-request"),
]

urlpatterns = [
    path("auth/token/", auth_views.TokenView.as_view(), name="auth-token"),
    path(
        "security/second-factor/<int:user_id>/reset/",
        auth_views.SecondFactorResetView.as_view(),
        name="second-factor-reset",
    ),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("security-policy/", views.SecurityPolicyView.as_view(), name="security-policy"),
]
