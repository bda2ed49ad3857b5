"""微心愿 pages of a member: claiming from the wall, withdrawing, recording the fulfilment, and
我的认领 (its claims, the ones to fulfil first, due soonest first)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import paginate, render_page
from guanqing.wishes import selectors, services
from guanqing.wishes.access import access
from guanqing.wishes.choices import ClaimStatus
from guanqing.wishes.forms import FulfilForm, ReasonForm
from guanqing.wishes.models import Wish, WishClaim
from guanqing.wishes.views_common import (
    CLAIM_TONES,
    act,
    card,
    held,
    is_member,
    render_detail,
    safe_next,
)


@access.page("wall")
@require_POST
def claim(request, pk):
    """认领 from a card: 201 and the card again; a full wish answers 409 with the service's
    message on the card (htmx swaps it in place), any other refusal 400 likewise."""
    wish = get_object_or_404(Wish.objects.visible_to(request.user), pk=pk)
    status, message, outcome = 201, "", "claimed"
    try:
        services.wish_claim(actor=request.user, wish=wish)
    except OutOfScope:
        raise Http404 from None
    except Conflict as exc:
        status, message, outcome = 409, str(exc.message), "full"
    except ValidationError as exc:
        status, message, outcome = 400, " ".join(exc.messages), "refused"
    if request.htmx:
        context = {"wish": card(request, pk), "claim_message": message, "outcome": outcome}
        response = render(request, "wishes/partials/card.html", context, status=status)
        if is_member(request.user):
            # the header's 我的认领 n/max follows the claim without a reload
            badge = render_to_string(
                "wishes/partials/held_badge.html",
                {"held": held(selectors.claim_position(request.user)), "oob": True},
                request=request,
            )
            response.content += badge.encode()
        return response
    if status == 201:
        messages.success(request, _("已认领“%(title)s”") % {"title": wish.title})
        return redirect(safe_next(request) or reverse("wishes:detail", args=[pk]))
    return render_detail(request, pk, status=status, claim_message=message, outcome=outcome)


@access.page("wall")
@require_POST
def withdraw(request, pk):
    access.check(request.user, "withdraw")

    def write(wish, data):
        mine = (
            WishClaim.objects.visible_to(request.user)
            .active()
            .filter(wish=wish, member_id=request.user.member_id)
            .first()
        )
        if mine is None:
            raise ValidationError({"wish": [_("您没有认领这个心愿")]})
        services.claim_withdraw(actor=request.user, claim=mine, **data)

    return act(
        request,
        pk,
        form=ReasonForm(request.POST, prefix="withdraw"),
        form_key="withdraw_form",
        write=write,
        success=_("已退出认领，心愿回到心愿墙"),
    )


@access.page("wall")
@require_POST
def fulfil(request, pk):
    return act(
        request,
        pk,
        form=FulfilForm(request.POST, request.FILES),
        form_key="fulfil_form",
        write=lambda wish, data: services.wish_fulfil(actor=request.user, wish=wish, **data),
        success=_("已登记心愿实现，等待社区与居民确认"),
    )


@access.page("claim")
def mine(request):
    user = request.user
    today = business_date()
    claims = WishClaim.objects.visible_to(user).select_related("wish", "wish__community")
    active = list(claims.filter(status=ClaimStatus.ACTIVE).order_by("due_on", "pk"))
    for c in active:
        c.days_left = (c.due_on - today).days
    page = paginate(request, claims.exclude(status=ClaimStatus.ACTIVE).order_by("-created_at"))
    history = list(page.object_list)
    for c in history:
        c.tone = CLAIM_TONES.get(c.status, "muted")
    context = {
        "active": active,
        "history": history,
        "page_obj": page,
        "max_claims": selectors.wish_settings().max_unfulfilled_claims,
        "today": today,
    }
    return render_page(request, "wishes/mine.html", "wishes/partials/mine_history.html", context)
