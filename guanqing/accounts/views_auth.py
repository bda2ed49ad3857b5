"""Sign-in and sign-out pages, the second factor at sign-in, and what each user does to their own
account (password, two-step verification).

Sign-in is in steps. The password is checked through `django.contrib.auth.authenticate` (so
django-axes counts failures and locks), then, when the account needs a second factor or has one,
the user id waits in the session (PENDING_KEY, a few minutes, a few tries) while the code is asked
for; an account that needs one and has none binds an authenticator first. Only then does
`login()` run. When the password must be changed (set by an administrator, or expired) the session
carries MUST_CHANGE_KEY and PasswordChangeRequiredMiddleware sends every request to the change
page until it is done."""

from __future__ import annotations

import time

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanqing.accounts import selfservice, twofactor
from guanqing.accounts.access import access
from guanqing.accounts.models import User
from guanqing.accounts.passwords import must_change
from guanqing.accounts.signin import sign_in_refusal
from guanqing.core.access import public, signed_in
from guanqing.core.policy import request_policy

IDLE_LOGOUT_KEY = "guanqing_idle_logout"
# The sign-in waiting for its second factor: {"user", "backend", "at", "next", "tries", "key"}.
PENDING_KEY = "guanqing_signin_pending"
PENDING_SECONDS = 5 * 60
PENDING_TRIES = 5
# Set at sign-in when the password has to be changed first (read by the middleware).
MUST_CHANGE_KEY = "guanqing_must_change_password"


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

    def form_valid(self, form):
        """The password was right (django-axes has seen it): refuse, ask for the second factor,
        or sign in."""
        user = form.get_user()
        refusal = sign_in_refusal(user)
        if refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        request = self.request
        request.session.pop(PENDING_KEY, None)
        if twofactor.otp_required_at_sign_in(user, request_policy(request)):
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": getattr(user, "backend", ""),
                "at": time.time(),
                "next": self.get_success_url(),
                "tries": 0,
                "key": "",
            }
            step = "login_otp" if twofactor.otp_enabled(user) else "login_enrol"
            return redirect(f"accounts:{step}")
        return redirect(sign_in_complete(request, user, next_url=self.get_success_url()))


def sign_in_complete(request, user, *, next_url: str, device=None, backend: str = "") -> str:
    """`login()` after every factor was proved; returns where to go next."""
    auth_login(request, user, backend=backend or getattr(user, "backend", None))
    if device is not None:
        django_otp.login(request, device)
    if must_change(user, policy=request_policy(request)):
        request.session[MUST_CHANGE_KEY] = True
        return reverse("accounts:password_change")
    return next_url or reverse("core:home")


def _pending(request):
    """The sign-in waiting for its second factor and its account, or (None, None) when there is
    none or it is too old."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, None
    if time.time() - float(pending.get("at") or 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None
    return pending, user


def _pending_save(request, pending) -> None:
    request.session[PENDING_KEY] = pending
    request.session.modified = True


def _start_again(request, message):
    request.session.pop(PENDING_KEY, None)
    messages.error(request, message)
    return redirect("accounts:login")


def _expired(request):
    return _start_again(request, _g("登录已超时，请重新输入用户名和密码"))


class CodeForm(forms.Form):
    otp = forms.CharField(
        label=_("动态口令或恢复码"),
        max_length=32,
        error_messages={"required": _("请输入动态口令")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "text",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


def _locked_response(request, username: str):
    request.session.pop(PENDING_KEY, None)
    request.axes_locked_out = False  # answered here, not again by AxesMiddleware
    return locked_out(request, credentials={"username": username}, username=username)


@public
@never_cache
def login_otp(request):
    """Sign-in, second step: the authenticator's code (or a recovery code)."""
    pending, user = _pending(request)
    if pending is None:
        return _expired(request) if request.method == "POST" else redirect("accounts:login")
    if not twofactor.otp_enabled(user):
        return redirect("accounts:login_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.is_locked(request, user.username):
            return _locked_response(request, user.username)
        try:
            device = twofactor.otp_verify(user, form.cleaned_data["otp"])
        except twofactor.Throttled as exc:
            form.add_error(
                "otp", _g("尝试过于频繁，请 %(seconds)s 秒后再试") % {"seconds": exc.seconds}
            )
        else:
            if device is None:
                pending["tries"] = int(pending.get("tries") or 0) + 1
                _pending_save(request, pending)
                if twofactor.otp_failure_record(username=user.username, request=request):
                    return _locked_response(request, user.username)
                if pending["tries"] >= PENDING_TRIES:
                    return _start_again(request, _g("动态口令错误次数过多，请重新登录"))
                form.add_error("otp", _g("动态口令不正确，请输入身份验证器上当前的 6 位数字"))
            else:
                refusal = sign_in_refusal(user)
                if refusal:
                    return _start_again(request, refusal)
                request.session.pop(PENDING_KEY, None)
                used_recovery = device == "recovery"
                target = sign_in_complete(
                    request,
                    user,
                    next_url=pending.get("next") or "",
                    device=None if used_recovery else device,
                    backend=pending.get("backend") or "",
                )
                if used_recovery:
                    messages.warning(
                        request,
                        _g("您使用了一个恢复码（每个只能用一次），还剩 %(left)s 个。")
                        % {"left": twofactor.recovery_codes_left(user)},
                    )
                return redirect(target)
    return render(
        request, "accounts/twofactor/verify.html", {"form": form, "account": user}, status=200
    )


def _enrol_context(user, key: str, form) -> dict:
    url = twofactor.config_url(user, key)
    return {
        "form": form,
        "account": user,
        "secret": twofactor.key_base32(key),
        "qr_svg": mark_safe(twofactor.qr_svg(url)),  # noqa: S308 - drawn by segno
        "otpauth_url": url,
    }


@public
@never_cache
def login_enrol(request):
    """Sign-in, second step for an account that needs a second factor and has none: bind an
    authenticator (QR code, or the secret typed in), confirm with its first code, then see the
    recovery codes once."""
    pending, user = _pending(request)
    if pending is None:
        return _expired(request) if request.method == "POST" else redirect("accounts:login")
    if twofactor.otp_enabled(user):
        return redirect("accounts:login_otp")
    if not pending.get("key"):
        pending["key"] = twofactor.new_key()
        _pending_save(request, pending)
    form = CodeForm(request.POST or None)
    form.fields["otp"].label = _("身份验证器上显示的 6 位数字")
    if request.method == "POST" and form.is_valid():
        if twofactor.is_locked(request, user.username):
            return _locked_response(request, user.username)
        try:
            codes = twofactor.device_confirm(
                user=user, key=pending["key"], code=form.cleaned_data["otp"]
            )
        except ValidationError as exc:
            pending["tries"] = int(pending.get("tries") or 0) + 1
            _pending_save(request, pending)
            if pending["tries"] >= PENDING_TRIES:
                return _start_again(request, _g("动态口令错误次数过多，请重新登录"))
            for message in exc.message_dict.get("otp", exc.messages):
                form.add_error("otp", message)
        else:
            refusal = sign_in_refusal(user)
            if refusal:
                return _start_again(request, refusal)
            request.session.pop(PENDING_KEY, None)
            target = sign_in_complete(
                request,
                user,
                next_url=pending.get("next") or "",
                device=twofactor.device_of(user),
                backend=pending.get("backend") or "",
            )
            return render(
                request,
                "accounts/twofactor/recovery_codes.html",
                {"codes": codes, "next_url": target, "at_sign_in": True},
            )
    return render(
        request, "accounts/twofactor/enrol.html", _enrol_context(user, pending["key"], form)
    )


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


# --- Every signed-in user: own password, own second factor ---------------------------------


class PasswordChangeForm(forms.Form):
    current = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请输入当前密码")},
    )
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("请输入新密码")},
    )
    repeat = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("请再次输入新密码")},
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("repeat") and data["password"] != data["repeat"]:
            self.add_error("repeat", _g("两次输入的新密码不一致"))
        return data


@signed_in
@never_cache
def password_change(request):
    """修改密码: the owner's own password (current, new, repeat; the history rule applies)."""
    form = PasswordChangeForm(request.POST or None)
    forced = bool(request.session.get(MUST_CHANGE_KEY))
    if request.method == "POST" and form.is_valid():
        try:
            selfservice.password_change_own(
                actor=request.user,
                current=form.cleaned_data["current"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            update_session_auth_hash(request, request.user)  # this session stays signed in
            request.session.pop(MUST_CHANGE_KEY, None)
            messages.success(request, _g("密码已修改"))
            return redirect("core:home" if forced else "accounts:password_change")
    policy = request_policy(request)
    return render(
        request,
        "accounts/password/change.html",
        {
            "form": form,
            "forced": forced,
            "expired": forced and not request.user.must_change_password,
            "policy": policy,
            "tab": "password",
        },
    )


@signed_in
@never_cache
def twofactor_manage(request):
    """两步验证: status; bind an authenticator; new recovery codes; turn it off where the role
    allows. Actions are POSTed with `action`."""
    user = request.user
    policy = request_policy(request)
    enabled = twofactor.otp_enabled(user)
    needed = twofactor.otp_needed(user, policy)
    form = CodeForm(request.POST or None)
    form.fields["otp"].widget.attrs.pop("autofocus", None)
    key = request.session.get("guanqing_otp_enrol_key") or ""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "start" and not enabled:
        request.session["guanqing_otp_enrol_key"] = twofactor.new_key()
        return redirect("accounts:twofactor")
    if action and action != "start" and form.is_valid():
        code = form.cleaned_data["otp"]
        try:
            if action == "confirm" and key and not enabled:
                codes = twofactor.device_confirm(user=user, key=key, code=code)
                request.session.pop("guanqing_otp_enrol_key", None)
                django_otp.login(request, twofactor.device_of(user))
                return _codes_page(request, codes)
            if action == "codes" and enabled:
                return _codes_page(
                    request, twofactor.recovery_codes_generate(actor=user, code=code)
                )
            if action == "disable" and enabled:
                twofactor.otp_disable(actor=user, code=code)
                messages.success(request, _g("已关闭两步验证"))
                return redirect("accounts:twofactor")
        except twofactor.Throttled as exc:
            form.add_error(
                "otp", _g("尝试过于频繁，请 %(seconds)s 秒后再试") % {"seconds": exc.seconds}
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("otp", exc.messages):
                form.add_error("otp", message)
    context = {
        "form": form,
        "enabled": enabled,
        "needed": needed,
        "codes_left": twofactor.recovery_codes_left(user) if enabled else 0,
        "action": action,
        "tab": "twofactor",
    }
    if key and not enabled:
        context.update(_enrol_context(user, key, form))
        context["enrolling"] = True
    return render(request, "accounts/twofactor/manage.html", context)


def _codes_page(request, codes):
    return render(
        request,
        "accounts/twofactor/recovery_codes.html",
        {"codes": codes, "next_url": reverse("accounts:twofactor"), "at_sign_in": False},
    )


# --- Security administrator: reset somebody's second factor ----------------------------------


@access.page("security")
def security_twofactor(request):
    """Accounts with a second factor, and the accounts that need one but have none yet."""
    if request.method == "POST":
        pk = request.POST.get("user", "")
        account = get_object_or_404(
            User.objects.visible_to(request.user),
            pk=int(pk) if pk.isdigit() and len(pk) < 12 else 0,
        )
        try:
            twofactor.otp_reset(actor=request.user, user=account)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request,
                _g("已重置 %(name)s 的两步验证，其下次登录时重新绑定") % {"name": account.username},
            )
        return redirect("accounts:security_twofactor")
    policy = request_policy(request)
    from guanqing.accounts.services import OTP_ALWAYS

    roles = {str(r) for r in OTP_ALWAYS} | set(policy.otp_roles or [])
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    qs = (
        User.objects.visible_to(request.user)
        .annotate(has_otp=Exists(devices))
        .filter(Q(has_otp=True) | Q(role__in=roles, is_active=True))
        .order_by("-has_otp", "username")
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/twofactor/security.html",
        {"page": page, "q": q, "roles": roles, "tab": "second_factor"},
    )
