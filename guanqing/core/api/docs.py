"""Who may read the OpenAPI schema and its documentation page (/api/schema/, /api/docs/).

Signed-in users only, by session or token, unless GUANQING_PUBLIC_API_DOCS publishes both: the
schema names every endpoint and field of the platform. This module imports no drf-spectacular
view, since drf-spectacular reads SERVE_PERMISSIONS (this class) while its views are defined.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from rest_framework.permissions import BasePermission


class SignedInOrPublished(BasePermission):
    def has_permission(self, request, view) -> bool:
        if settings.PUBLIC_API_DOCS:
            return True
        return bool(request.user and request.user.is_authenticated)


def sign_in_first(view):
    """The documentation page, opened in a browser without a session, goes to the sign-in page
    and comes back; everything else (a token, the page's script) is the view's to answer."""

    @wraps(view)
    def page(request, *args, **kwargs):
        if (
            not settings.PUBLIC_API_DOCS
            and not request.user.is_authenticated
            and "HTTP_AUTHORIZATION" not in request.META
            and "script" not in request.GET
        ):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return page
