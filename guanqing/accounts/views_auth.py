"""Sign-in and sign-out pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from guanqing.core.access import public
from guanqing.core.policy import request_policy

IDLE_LOGOUT_KEY = "guanqing_idle_logout"


class LoginForm(AuthenticationForm):
    """Django's form with Chinese messages and placeholders."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续多次输错，账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].error_messages["required"] = _("请输入用户名")
        self.fields["password"].error_messages["required"] = _("请输入密码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The idle time-out middleware leaves this flag in the fresh session after logging out.
        context["idle_logout"] = bool(self.request.session.pop(IDLE_LOGOUT_KEY, False))
        context["idle_minutes"] = request_policy(self.request).idle_minutes
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""


@public
def locked_out(request, credentials=None, *args, **kwargs):
    """Shown by django-axes (AXES_LOCKOUT_TEMPLATE) and at accounts:locked."""
    policy = request_policy(request)
    return render(
        request,
        "accounts/locked_out.html",
        {"lockout_minutes": policy.lockout_minutes, "failure_limit": policy.failure_limit},
        status=403 if request.method == "POST" else 200,
    )
