"""What the 微心愿 pages share: the cards of the wall, a wish's page with the actions the viewer
may take, and the plumbing of an action's POST.

Reads start from `visible_to(request.user)`: a wish outside the user's scope answers 404 exactly
like a missing one. Writes go through `guanqing.wishes.services`; their refusals are shown beside
the field they name (a full wish: the service's 409 message on the card) and nothing is written.
Which buttons a page offers comes from the lifecycle (`rules.WISH.actions`) and, for claiming,
from the same predicate as the service (`selectors.claim_refusal`).

Privacy: the wall and every page a member or unit administrator sees name the resident by surname
only (张**), as the API's wall serializer does; the community's workers and the committee, who
keep the household register anyway, see the household on a wish's own page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from guanqing.core.calendar.workdays import business_date
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors
from guanqing.registry.models import Household
from guanqing.wishes import selectors
from guanqing.wishes.access import access
from guanqing.wishes.choices import WALL_STATUSES, ClaimStatus, WishStatus
from guanqing.wishes.forms import FulfilForm, NoteForm, ReasonForm
from guanqing.wishes.models import Wish, WishClaim, WishFulfilment
from guanqing.wishes.rules import WISH

STATUS_TONES = {
    WishStatus.PENDING: "warn",
    WishStatus.PUBLISHED: "info",
    WishStatus.FULL: "muted",
    WishStatus.FULFILLED: "accent",
    WishStatus.CONFIRMED: "ok",
    WishStatus.REJECTED: "muted",
    WishStatus.CANCELLED: "muted",
    WishStatus.EXPIRED: "muted",
}
CLAIM_TONES = {
    ClaimStatus.ACTIVE: "info",
    ClaimStatus.FULFILLED: "ok",
    ClaimStatus.WITHDRAWN: "muted",
    ClaimStatus.LAPSED: "warn",
}


def safe_next(request) -> str | None:
    """`next` when it is a path on this site (never another host, never a scheme)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


def is_member(user) -> bool:
    return access.allows(user, "claim") and user.member_id is not None


def held(position: selectors.ClaimPosition | None) -> dict | None:
    """我的认领 n/max: the member's active claims and how many may be held at once."""
    if position is None:
        return None
    return {"count": len(position.held), "max": position.limit}


# ---------------------------------------------------------------------------------------------
# Cards: what the wall shows of a wish (the resident by surname only)
# ---------------------------------------------------------------------------------------------


def card_rows(queryset):
    """The wall's columns: the head's name is read as one value, never the household row (its
    address, phone and ID number stay in the database)."""
    return queryset.select_related("community", "community__parent").annotate(
        resident_head=F("household__head_name")
    )


def decorate(request, wishes: list[Wish], position=None) -> list[Wish]:
    """Surname, today's district, and what the viewer may do with each card (two queries for
    the district names, three for a member's claim position, whatever the number of cards).
    `position` is the member's `selectors.claim_position`, when the caller has read it."""
    user = request.user
    if not wishes:
        return wishes
    names = selectors.district_names()
    member = is_member(user)
    if member and position is None:
        position = selectors.claim_position(user)
    today = business_date()
    for wish in wishes:
        wish.resident = selectors.surname_only(getattr(wish, "resident_head", "") or "")
        wish.district_name = names.get(wish.community.district_id, "")
        wish.mine = position is not None and wish.pk in position.held
        wish.tone = STATUS_TONES.get(wish.status, "muted")
        wish.on_wall = wish.status in WALL_STATUSES
        # the service's own answer: a member at its claim limit gets no 认领 button either
        wish.claimable = position is not None and selectors.claim_refusal(wish, position) is None
        wish.days_left = (wish.deadline - today).days
        wish.viewer_is_member = member
        wish.claimed_pct = min(round(wish.claimed_count * 100 / wish.capacity), 100)
    return wishes


def card(request, pk) -> Wish:
    wish = get_object_or_404(card_rows(Wish.objects.visible_to(request.user)), pk=pk)
    return decorate(request, [wish])[0]


# ---------------------------------------------------------------------------------------------
# A wish's whole story, with the actions the viewer may take
# ---------------------------------------------------------------------------------------------


def detail_context(request, wish: Wish) -> dict:
    user = request.user
    today = business_date()
    events = selectors.wish_story(wish)
    for event in events:
        event.tone = STATUS_TONES.get(event.to_status, "muted")
    claims = list(
        WishClaim.objects.visible_to(user)
        .filter(wish=wish)
        .select_related("member__unit")
        .order_by("created_at", "pk")
    )
    for c in claims:
        c.tone = CLAIM_TONES.get(c.status, "muted")
    fulfilment = (
        WishFulfilment.objects.visible_to(user)
        .filter(wish=wish)
        .select_related("fulfilled_by")
        .prefetch_related("photos")
        .first()
    )
    my_claim = None
    if is_member(user):
        my_claim = next(
            (c for c in claims if c.member_id == user.member_id and c.status == ClaimStatus.ACTIVE),
            None,
        )
    # what the lifecycle lets this role do from the wish's state; the page is read through the
    # scope, so a worker here is one of the wish's community
    allowed = {step.action for step in WISH.actions(wish.status, user)}
    own_post = wish.posted_by_id == user.pk
    household = None
    household_link = False
    if access.allows(user, "register") and wish.household_id:
        household = Household.objects.visible_to(user).filter(pk=wish.household_id).first()
        household_link = household is not None
        if household is None:  # the committee sees every household; a worker its community's
            household = Household.objects.filter(pk=wish.household_id).only("head_name").first()
    return {
        "wish": wish,
        "events": events,
        "claims": claims,
        "fulfilment": fulfilment,
        "my_claim": my_claim,
        "household": household,
        "household_link": household_link,
        "can_withdraw": my_claim is not None and "withdraw" in allowed,
        "can_fulfil": my_claim is not None and "fulfil" in allowed and my_claim.due_on >= today,
        "can_review": "approve" in allowed and not own_post,
        "awaiting_other": WISH.can(wish.status, "approve") and own_post,
        "can_cancel": "cancel" in allowed and not wish.claimed_count,
        "can_confirm": "confirm" in allowed,
        "approve_form": NoteForm(prefix="approve"),
        "reject_form": ReasonForm(prefix="reject"),
        "cancel_form": ReasonForm(prefix="cancel"),
        "withdraw_form": ReasonForm(prefix="withdraw"),
        "confirm_form": NoteForm(prefix="confirm"),
        "fulfil_form": FulfilForm(),
        "today": today,
    }


def render_detail(request, pk, *, status: int = 200, **extra):
    wish = get_object_or_404(
        card_rows(Wish.objects.visible_to(request.user)).select_related("posted_by", "approved_by"),
        pk=pk,
    )
    decorate(request, [wish])
    context = detail_context(request, wish)
    context.update(extra)
    return render(request, "wishes/detail.html", context, status=status)


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict") and hasattr(form, "field_for_service_key"):
        exc = ValidationError(
            {form.field_for_service_key(k): v for k, v in exc.message_dict.items()}
        )
    add_service_errors(form, exc)


def act(request, pk, *, form=None, form_key: str = "", write, success):
    """POST an action of a wish's page: the service writes, then back to the page (or `next`)
    with `success`; its refusal is shown next to the field on the wish's page (400)."""
    wish = get_object_or_404(Wish.objects.visible_to(request.user), pk=pk)
    if form is None or form.is_valid():
        try:
            write(wish, form.service_data() if form is not None else {})
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            if form is None:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect(reverse("wishes:detail", args=[pk]))
            _service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(safe_next(request) or reverse("wishes:detail", args=[pk]))
    return render_detail(request, pk, status=400, **{form_key: form, "open_form": form_key})
