import time

from django.contrib.auth import logout

from guanqing.core.policy import request_policy

LAST_SEEN_KEY = "guanqing_last_seen"
# The session is written at most this often just to note activity: on SQLite every write
# would otherwise queue behind a long import transaction.
TOUCH_EVERY_SECONDS = 60


def passive(view_func):
    """Mark a view (a progress poll, say) whose requests are not user activity."""
    view_func.guanqing_passive = True
    return view_func


class IdleTimeoutMiddleware:
    """Ends a browser session after the security policy's idle minutes without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        now = time.time()
        last = request.session.get(LAST_SEEN_KEY)
        idle_limit = request_policy(request).idle_minutes * 60
        if last is not None and now - last > idle_limit:
            request.guanqing_idle_logout = True  # read by the logout audit signal
            logout(request)
            request.session["guanqing_idle_logout"] = True
            return None
        is_passive = getattr(view_func, "guanqing_passive", False) or getattr(
            getattr(view_func, "cls", None), "guanqing_passive", False
        )
        if not is_passive and (last is None or now - last >= TOUCH_EVERY_SECONDS):
            request.session[LAST_SEEN_KEY] = now
        return None


class PasswordChangeRequiredMiddleware:
    """A session signed in with a password an administrator set, or one past the policy's age,
    reaches nothing but the change-password page (and sign-out, static files, the language
    switch) until the password is changed; API requests with that session get 403 JSON.
    Sessions made without the sign-in page (force_login) never carry the flag."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.conf import settings
        from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from guanqing.accounts.views_auth import MUST_CHANGE_KEY

        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return None
        if not session.get(MUST_CHANGE_KEY):
            return None
        path = request.path_info
        allowed = (
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
            "/i18n/",
            settings.STATIC_URL or "/static/",
        )
        if any(path.startswith(prefix) for prefix in allowed):
            return None
        if path.startswith("/api/"):
            return JsonResponse({"detail": _("请先在网页上修改密码")}, status=403)
        target = reverse("accounts:password_change")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
