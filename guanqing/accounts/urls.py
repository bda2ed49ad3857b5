from django.urls import path

from guanqing.accounts import views, views_auth
from guanqing.core.access import public

urlpatterns = [
    # --- Sign-in / sign-out (views_auth.py) ---------------------------------------------
    path("login/", public(views_auth.LoginView.as_view()), name="login"),
    path("logout/", public(views_auth.LogoutView.as_view()), name="logout"),
    path("locked/", views_auth.locked_out, name="locked"),
    path("login/verify/", views_auth.login_otp, name="login_otp"),
    path("login/enrol/", views_auth.login_enrol, name="login_enrol"),
    path("password/", views_auth.password_change, name="password_change"),
    path("two-factor/", views_auth.twofactor_manage, name="twofactor"),
    path("security/second-factor/", views_auth.security_twofactor, name="security_twofactor"),
    # --- end sign-in / sign-out ---------------------------------------------------------
    # --- Administrators: accounts (system admin), policy / grants / lockouts (security admin)
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/members/", views.member_search, name="member_search"),
    path("users/<id:pk>/", views.user_edit, name="user_edit"),
    path("users/<id:pk>/password/", views.user_password, name="user_password"),
    path(
        "users/requests/<id:pk>/withdraw/",
        views.user_request_withdraw,
        name="user_request_withdraw",
    ),
    path("security/", views.security_policy, name="security_policy"),
    path("security/grants/", views.security_grants, name="security_grants"),
    path("security/grants/<id:pk>/", views.security_grant_toggle, name="security_grant_toggle"),
    path("security/locked/", views.security_locked, name="security_locked"),
    path("security/requests/", views.security_requests, name="security_requests"),
    path(
        "security/requests/<id:pk>/approve/",
        views.security_request_approve,
        name="security_request_approve",
    ),
    path(
        "security/requests/<id:pk>/reject/",
        views.security_request_reject,
        name="security_request_reject",
    ),
    # --- end administrators -------------------------------------------------------------
]
