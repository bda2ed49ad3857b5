import time

from django.contrib.auth import logout

from guanqing.core.policy import request_policy

LAST_SEEN_KEY = "guanqing_last_seen"


class IdleTimeoutMiddleware:
    """Ends a browser session after the security policy's idle minutes without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(LAST_SEEN_KEY)
            idle_limit = request_policy(request).idle_minutes * 60
            if last is not None and now - last > idle_limit:
                logout(request)
                request.session["guanqing_idle_logout"] = True
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
