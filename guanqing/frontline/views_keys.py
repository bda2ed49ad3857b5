"""Open311 application keys: the system administrator's page to issue a key (shown once, on the
answer to the issuing request, never again) and to revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from guanqing.core.errors import Conflict
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors
from guanqing.frontline.access import access
from guanqing.frontline.models import Open311Key
from guanqing.frontline.open311.keys import open311_key_issue, open311_key_revoke

TEMPLATE = "frontline/open311_keys.html"


class KeyForm(forms.Form):
    application = forms.CharField(label=gettext_lazy("应用名称"), max_length=100)
    contact = forms.CharField(label=gettext_lazy("联系人"), max_length=100, required=False)


def _page(request, form, *, issued=None, raw_key="", status=200):
    keys = Open311Key.objects.visible_to(request.user).select_related("issued_by", "revoked_by")
    response = render(
        request,
        TEMPLATE,
        {
            "form": form,
            "keys": keys,
            "issued": issued,
            "raw_key": raw_key,
            "endpoint": request.build_absolute_uri("/open311/v2/"),
        },
        status=status,
    )
    # The key on the page must not stay in a cache nor travel in a Referer header.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@access.page("open311_keys")
@never_cache
@require_http_methods(["GET", "POST"])
def keys(request):
    if request.method == "GET":
        return _page(request, KeyForm())
    form = KeyForm(request.POST)
    if form.is_valid():
        try:
            issued, raw_key = open311_key_issue(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _page(request, KeyForm(), issued=issued, raw_key=raw_key)
    return _page(request, form, status=400)


@access.page("open311_keys")
@require_POST
def key_revoke(request, pk):
    key = get_object_or_404(Open311Key.objects.editable_by(request.user), pk=pk)
    try:
        open311_key_revoke(actor=request.user, key=key)
    except OutOfScope:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("密钥已吊销：%(key)s") % {"key": key})
    return redirect(reverse("frontline:open311_keys"))
