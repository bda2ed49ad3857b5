"""微心愿 pages of the community's workers and the committee: the management list, the post form,
reviewing, taking a wish back, confirming with the resident and the resident's one-time code.

Besides its status tabs, the management list takes the filters behind the home page's numbers:
`mine=others` (pending wishes a colleague posted: what the viewer may review), `waiting=stale`
(pending longer than `selectors.STALE_PENDING_DAYS` days) and `claims=lapsing` (the wishes with
an active claim overdue or due within `selectors.LAPSING_DAYS` days, whatever the tab).
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanqing.core.calendar.workdays import business_date
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.registry.models import Division, Household
from guanqing.wishes import selectors, services
from guanqing.wishes.access import access
from guanqing.wishes.choices import WishStatus
from guanqing.wishes.forms import NoteForm, ReasonForm, WishPostForm
from guanqing.wishes.models import Wish
from guanqing.wishes.rules import WISH
from guanqing.wishes.views_common import STATUS_TONES, act

# The management list's tabs, in the order a worker deals with them.
MANAGE_TABS = (
    WishStatus.PENDING,
    WishStatus.FULFILLED,
    WishStatus.PUBLISHED,
    WishStatus.FULL,
    WishStatus.CONFIRMED,
    WishStatus.REJECTED,
    WishStatus.CANCELLED,
    WishStatus.EXPIRED,
)


def _narrowed(request, rows, status: str):
    """The home page's filters on top of the tab (see the module's docstring): the rows, the
    filters applied (kept by the search box) and what they show, in words."""
    user = request.user
    applied: dict[str, str] = {}
    labels = []
    if status == WishStatus.PENDING and request.GET.get("mine") == "others":
        rows = selectors.awaiting_my_review(user, rows)
        applied["mine"] = "others"
        labels.append(_("同事发布、待我审核"))
    if status == WishStatus.PENDING and request.GET.get("waiting") == "stale":
        rows = selectors.stale_pending(rows, business_date())
        applied["waiting"] = "stale"
        labels.append(_("已等待审核 %(days)s 天以上") % {"days": selectors.STALE_PENDING_DAYS})
    return rows, applied, "，".join(labels)


@access.page("manage")
def manage(request):
    user = request.user
    base = Wish.objects.visible_to(user)
    counts = selectors.counts_by_status(base)
    lapsing = request.GET.get("claims") == "lapsing"
    status = request.GET.get("status") or WishStatus.PENDING
    if status not in WishStatus.values:
        status = WishStatus.PENDING
    if lapsing:
        status = ""
        rows = selectors.with_claims(base, selectors.lapsing_claims(user, business_date()))
        applied = {"claims": "lapsing"}
        narrowed = _("有认领已逾期或 %(days)s 天内到期") % {"days": selectors.LAPSING_DAYS}
    else:
        rows, applied, narrowed = _narrowed(request, base.filter(status=status), status)
    q = (request.GET.get("q") or "").strip()
    if q:
        rows = rows.filter(title__icontains=q)
    rows = rows.select_related("community", "community__parent", "household", "posted_by")
    order = ("-fulfilled_at", "-id") if status == WishStatus.FULFILLED else ("deadline", "id")
    page = paginate(request, rows.order_by(*order))
    wishes = list(page.object_list)
    for wish in wishes:
        wish.tone = STATUS_TONES.get(wish.status, "muted")
        # the lifecycle's buttons; the list is read through the scope, so a worker here is one
        # of the wish's community
        allowed = {step.action for step in WISH.actions(wish.status, user)}
        wish.awaiting_other = WISH.can(wish.status, "approve") and wish.posted_by_id == user.pk
        wish.can_review = "approve" in allowed and not wish.awaiting_other
        wish.can_confirm = "confirm" in allowed
    tabs = [
        {
            "status": s,
            "label": _("待确认") if s == WishStatus.FULFILLED else s.label,
            "count": counts.get(s, 0),
        }
        for s in MANAGE_TABS
    ]
    context = {
        "tabs": tabs,
        "status": status,
        "q": q,
        "wishes": wishes,
        "page_obj": page,
        "applied": applied,
        "narrowed": narrowed,
        "can_post": access.allows(user, "post"),
        "next": request.get_full_path(),
    }
    return render_page(
        request, "wishes/manage.html", "wishes/partials/manage_results.html", context
    )


@access.page("post")
def wish_create(request):
    user = request.user
    households = Household.objects.visible_to(user).filter(community_id=user.community_id)
    posted = request.method == "POST"
    form = WishPostForm(request.POST if posted else None, households=households)
    if posted and form.is_valid():
        community = Division.objects.filter(pk=user.community_id).first()
        try:
            if community is None:
                raise ValidationError({"community": [_("您的账号没有所属社区，请联系系统管理员")]})
            wish = services.wish_post(actor=user, community=community, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("心愿已发布，待本社区另一位社区工作者审核后上墙"))
            return redirect(reverse("wishes:detail", args=[wish.pk]))
    community = Division.objects.filter(pk=user.community_id).first()
    return render(request, "wishes/form.html", {"form": form, "community": community})


@access.page("wall")
@require_POST
def approve(request, pk):
    return act(
        request,
        pk,
        form=NoteForm(request.POST, prefix="approve"),
        form_key="approve_form",
        write=lambda wish, data: services.wish_approve(actor=request.user, wish=wish, **data),
        success=_("审核通过，心愿已上墙"),
    )


@access.page("wall")
@require_POST
def reject(request, pk):
    return act(
        request,
        pk,
        form=ReasonForm(request.POST, prefix="reject"),
        form_key="reject_form",
        write=lambda wish, data: services.wish_reject(actor=request.user, wish=wish, **data),
        success=_("已退回，心愿不上墙"),
    )


@access.page("wall")
@require_POST
def cancel(request, pk):
    return act(
        request,
        pk,
        form=ReasonForm(request.POST, prefix="cancel"),
        form_key="cancel_form",
        write=lambda wish, data: services.wish_cancel(actor=request.user, wish=wish, **data),
        success=_("心愿已撤回"),
    )


@access.page("wall")
@require_POST
def confirm(request, pk):
    return act(
        request,
        pk,
        form=NoteForm(request.POST, prefix="confirm"),
        form_key="confirm_form",
        write=lambda wish, data: services.wish_confirm(actor=request.user, wish=wish, **data),
        success=_("已确认心愿实现"),
    )


def _qr_data_uri(url: str) -> str:
    """A QR code of `url` as an inline SVG image (made here, nothing fetched)."""
    return segno.make(url, error="m").svg_data_uri(scale=8, border=2)


@access.page("wall")
@require_POST
@never_cache
def confirmation_code(request, pk):
    """生成确认码: the resident's one-time link and its QR code, shown once (only its hash is
    stored); a new code replaces the old one."""
    wish = get_object_or_404(Wish.objects.visible_to(request.user), pk=pk)
    try:
        token = services.wish_confirmation_code(actor=request.user, wish=wish)
    except OutOfScope:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse("wishes:detail", args=[pk]))
    url = request.build_absolute_uri(reverse("wishes:confirm_by_token", args=[token]))
    context = {"wish": wish, "url": url, "qr": _qr_data_uri(url)}
    return render(request, "wishes/code.html", context)
