"""The resident's confirmation, without an account: the one-time code in the path is the key."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from guanqing.core.access import public
from guanqing.core.uploads import stored_file_response
from guanqing.wishes import selectors, services
from guanqing.wishes.api.views import WishConfirmThrottle


def _same_origin_referrer(response):
    # the one-time code is in the path: it must not travel in a Referer header to another site.
    # Not "no-referrer": the browser would then send `Origin: null` with the form, which the
    # CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


@public
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_by_token(request, token):
    """确认已收到: the wish's title and what was done; a wrong and a spent code get the same
    page. CSRF-protected like every form here (the token in the path is not enough).
    Guesses count against the same limit per client address as the API's."""
    throttle = WishConfirmThrottle()
    if not throttle.allow_request(request, None):
        minutes = max(1, round((throttle.wait() or 60) / 60))
        response = render(
            request, "wishes/confirm.html", {"throttled": True, "minutes": minutes}, status=429
        )
        response["Retry-After"] = str(minutes * 60)
        return _same_origin_referrer(response)
    if request.method == "POST":
        try:
            wish = services.wish_confirm_by_token(token=token)
        except ValidationError:
            return _same_origin_referrer(
                render(request, "wishes/confirm.html", {"invalid": True}, status=400)
            )
        return _same_origin_referrer(
            render(request, "wishes/confirm.html", {"done": True, "wish": wish})
        )
    data = selectors.wish_for_confirmation(token)
    context = {"invalid": data is None, "token": token, **(data or {})}
    return _same_origin_referrer(render(request, "wishes/confirm.html", context))


@public
@never_cache
@require_GET
def confirm_photo(request, token, photo_pk):
    """A photo of the fulfilment, for the resident holding a valid code (nobody else)."""
    data = selectors.wish_for_confirmation(token)
    if data is None or data["fulfilment"] is None:
        raise Http404
    row = next((p for p in data["fulfilment"].photos.all() if p.pk == photo_pk), None)
    if row is None:
        raise Http404
    return _same_origin_referrer(stored_file_response(row))
