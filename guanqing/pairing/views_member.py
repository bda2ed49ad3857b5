"""Pages of the people who go on the visits: a member's own pairings (我的结对) and the visit form,
where a member records its own visit and the committee or a unit administrator one on behalf of
the unit's members.

Every read starts from `visible_to(request.user)`: a pairing outside the user's scope answers 404
exactly like a missing one. The only write is `services.visit_record`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from guanqing.core.calendar.workdays import business_date
from guanqing.core.ui.htmx import add_service_errors
from guanqing.pairing import selectors, services
from guanqing.pairing.access import access
from guanqing.pairing.badges import with_badge
from guanqing.pairing.forms import VisitForm
from guanqing.pairing.models import Pairing


@access.page("mine")
def mine(request):
    today = business_date()
    cards = [
        {
            "pairing": pairing,
            "quarter": with_badge(quarter),
            "festival": with_badge(festival),
        }
        for pairing, quarter, festival in selectors.my_pairings_now(request.user, today)
    ]
    return render(request, "pairing/mine.html", {"cards": cards, "today": today})


def _visit_errors(form, exc: ValidationError) -> None:
    """The service's refusals, each next to the form field it is about."""
    if not hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
        return
    for key, messages_ in exc.message_dict.items():
        add_service_errors(form, ValidationError({form.field_for_service_key(key): messages_}))


def _safe_next(request) -> str | None:
    """`next` when it is a path on this site (never another host, never a scheme)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


@access.page("record")
def visit_create(request, pk):
    """Record a visit. A member records its own (it is always a participant, colleagues may be
    added); the committee and a unit administrator record on behalf of the unit's members."""
    user = request.user
    pairing = get_object_or_404(
        Pairing.objects.visible_to(user).select_related(
            "household", "household__community", "unit"
        ),
        pk=pk,
    )
    if not pairing.is_active:
        raise PermissionDenied(_("该结对已结束，不能再记录走访"))
    on_behalf = not access.allows(user, "mine")
    colleagues = selectors.unit_colleagues(pairing)
    if not on_behalf:
        colleagues = colleagues.exclude(pk=user.member_id)
    term = selectors.current_term(pairing)
    holder = term.member if term is not None else None
    posted = request.method == "POST"
    form = VisitForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        household=pairing.household,
        colleagues=colleagues,
        holder=holder,
        on_behalf=on_behalf,
        unit_name=pairing.unit.name,
        unit_id=pairing.unit_id,
    )
    household_url = reverse("registry:household_detail", args=[pairing.household_id])
    back = reverse("pairing:mine") if not on_behalf else (_safe_next(request) or household_url)
    if posted and form.is_valid():
        chosen = list(form.cleaned_data.get("participants") or [])
        participants = chosen if on_behalf else [user.member, *chosen]
        try:
            services.visit_record(
                actor=user, pairing=pairing, participants=participants, **form.service_data()
            )
        except ValidationError as exc:
            _visit_errors(form, exc)
        else:
            messages.success(
                request,
                _("已记录对%(name)s户的走访") % {"name": pairing.household.head_name},
            )
            return redirect(back)
    context = {
        "form": form,
        "pairing": pairing,
        "holder": holder,
        "on_behalf": on_behalf,
        "back": back,
        "next": _safe_next(request) or "",
        "household_url": household_url,
    }
    return render(request, "pairing/visit_form.html", context)
