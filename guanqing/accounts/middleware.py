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
