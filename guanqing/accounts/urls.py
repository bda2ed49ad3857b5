from django.urls import path

from guanqing.accounts import views, views_auth
from guanqing.core.access import public

urlpatterns = [
    # --- Sign-in / sign-out (views_auth.py) ---------------------------------------------
    path("login/", public(views_auth.LoginView.as_view()), name="login"),
    path("logout/", public(views_auth.LogoutView.as_view()), name="logout"),
    path("locked/", views_auth.locked_out, name="locked"),
    # --- end sign-in / sign-out ---------------------------------------------------------
    # --- Administrators: accounts (system admin), policy / grants / lockouts (security admin)
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/members/", views.member_search, name="member_search"),
    path("users/<id:pk>/", views.user_edit, name="user_edit"),
    path("users/<id:pk>/password/", views.user_password, name="user_password"),
    path("security/", views.security_policy, name="security_policy"),
    path("security/grants/", views.security_grants, name="security_grants"),
    path("security/grants/<id:pk>/", views.security_grant_toggle, name="security_grant_toggle"),
    path("security/locked/", views.security_locked, name="security_locked"),
    # --- end administrators -------------------------------------------------------------
]
