"""微心愿 pages: the wall, a wish's whole story with the actions the viewer may take, a member's
claims, the community's management list and post form, the figures, and the resident's
confirmation page (no account).

Reads start from `visible_to(request.user)`: a wish outside the user's scope answers 404 exactly
like a missing one. Writes go through `guanqing.wishes.services`; their refusals are shown beside
the field they name (a full wish: the service's 409 message on the card) and nothing is written.

Privacy: the wall and every page a member or unit administrator sees name the resident by surname
only (张**), as the API's wall serializer does; the community's workers and the committee, who
keep the household register anyway, see the household on a wish's own page.
"""

from __future__ import annotations

import datetime
from functools import wraps

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page, wants_partial
from guanqing.registry.models import Division, Household
from guanqing.wishes import figures, selectors, services
from guanqing.wishes.api.views import WishConfirmThrottle, district_names
from guanqing.wishes.choices import ClaimStatus, WishCategory, WishStatus
from guanqing.wishes.filters import WishFilter
from guanqing.wishes.forms import FulfilForm, NoteForm, ReasonForm, WishPostForm
from guanqing.wishes.models import Wish, WishClaim, WishFulfilment, WishPhoto

WISH_ROLES = (Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER, Role.COMMUNITY_WORKER)
# They keep the household register: they see which household a wish is for.
REGISTER_ROLES = (Role.COMMITTEE, Role.COMMUNITY_WORKER)
MANAGE_ROLES = (Role.COMMITTEE, Role.COMMUNITY_WORKER)
FIGURE_ROLES = (Role.COMMITTEE, Role.UNIT_ADMIN, Role.COMMUNITY_WORKER)
MAX_FIGURE_DAYS = 3660

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


def _roles(*roles, message):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


wish_view = _roles(*WISH_ROLES, message=gettext_lazy("您的角色不使用微心愿"))
member_view = _roles(Role.MEMBER, message=gettext_lazy("只有党员认领心愿"))
manage_view = _roles(*MANAGE_ROLES, message=gettext_lazy("只有社区工作者和机关工委管理心愿"))
post_view = _roles(Role.COMMUNITY_WORKER, message=gettext_lazy("只有社区工作者可以发布心愿"))
figures_view = _roles(
    *FIGURE_ROLES, message=gettext_lazy("只有机关工委、单位管理员和社区工作者查看微心愿数据")
)


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


def _is_member(user) -> bool:
    return user.role == Role.MEMBER and user.member_id is not None


def _worker_of(user, wish) -> bool:
    return user.role == Role.COMMUNITY_WORKER and user.community_id == wish.community_id


# ---------------------------------------------------------------------------------------------
# Cards: what the wall shows of a wish (the resident by surname only)
# ---------------------------------------------------------------------------------------------


def _card_rows(queryset):
    """The wall's columns: the head's name is read as one value, never the household row (its
    address, phone and ID number stay in the database)."""
    return queryset.select_related("community", "community__parent").annotate(
        resident_head=F("household__head_name")
    )


def _decorate(request, wishes: list[Wish]) -> list[Wish]:
    """Surname, today's district, and what the viewer may do with each card (two queries for
    the district names, one for the viewer's claims, whatever the number of cards)."""
    user = request.user
    if not wishes:
        return wishes
    names = district_names()
    mine: set[int] = set()
    if _is_member(user):
        mine = set(
            WishClaim.objects.visible_to(user)
            .active()
            .filter(wish_id__in=[w.pk for w in wishes])
            .values_list("wish_id", flat=True)
        )
    today = business_date()
    for wish in wishes:
        wish.resident = selectors.surname_only(getattr(wish, "resident_head", "") or "")
        wish.district_name = names.get(wish.community.district_id, "")
        wish.mine = wish.pk in mine
        wish.tone = STATUS_TONES.get(wish.status, "muted")
        wish.on_wall = wish.status in (WishStatus.PUBLISHED, WishStatus.FULL)
        wish.claimable = (
            _is_member(user)
            and not wish.mine
            and wish.status == WishStatus.PUBLISHED
            and wish.deadline >= today
        )
        wish.days_left = (wish.deadline - today).days
        wish.viewer_is_member = _is_member(user)
        wish.claimed_pct = min(round(wish.claimed_count * 100 / wish.capacity), 100)
    return wishes


def _card(request, pk) -> Wish:
    wish = get_object_or_404(_card_rows(Wish.objects.visible_to(request.user)), pk=pk)
    return _decorate(request, [wish])[0]


# ---------------------------------------------------------------------------------------------
# The wall
# ---------------------------------------------------------------------------------------------


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", _("全部"))] + choices)


def _shape_wall_form(request, form, base) -> None:
    """The API's code parameters as selects of what is on the wall (one query each); a select
    with a single choice is left out."""
    fields = form.fields
    communities = (
        Division.objects.filter(pk__in=base.values("community_id"))
        .select_related("parent")
        .order_by("code")
    )
    community_choices = [
        (c.code, f"{c.parent.name} · {c.name}" if c.parent_id else c.name) for c in communities
    ]
    fields["q"].label = _("搜索心愿")
    if len(community_choices) > 1:
        districts = Division.objects.districts().current().order_by("code")
        fields["district"] = _choice(_("区（县、市）"), [(d.code[:6], d.name) for d in districts])
        fields["community"] = _choice(_("社区/村"), community_choices)
    else:
        fields.pop("district")
        fields.pop("community")
    fields["category"] = _choice(_("类别"), list(WishCategory.choices))
    for name, label in (("cost_min", _("费用从（元）")), ("cost_max", _("费用到（元）"))):
        fields[name].label = label
        fields[name].widget = forms.NumberInput(
            attrs={"min": "0", "step": "1", "inputmode": "numeric", "placeholder": "0"}
        )
    fields.pop("status")
    fields.pop("wall")
    form._bound_fields_cache = {}


def _claimable_only(request, queryset):
    """只看我能认领的: open places, before the deadline, not already claimed by the member."""
    user = request.user
    claimed = WishClaim.objects.visible_to(user).active().values("wish_id")
    return queryset.filter(status=WishStatus.PUBLISHED, deadline__gte=business_date()).exclude(
        pk__in=claimed
    )


def _held(user) -> dict:
    """我的认领 n/max: the member's active claims and how many may be held at once."""
    return {
        "count": WishClaim.objects.visible_to(user).active().count(),
        "max": selectors.wish_settings().max_unfulfilled_claims,
    }


@wish_view
def wall(request):
    user = request.user
    base = Wish.objects.visible_to(user).on_wall()
    filterset = WishFilter(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    claimable_only = _is_member(user) and request.GET.get("claimable") == "1"
    if claimable_only:
        qs = _claimable_only(request, qs)
    # what may still be claimed first, then the soonest deadline
    qs = _card_rows(qs).order_by(
        Case(
            When(status=WishStatus.FULL, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        "deadline",
        "id",
    )
    page = paginate(request, qs)
    cards = _decorate(request, list(page.object_list))
    if not wants_partial(request):
        _shape_wall_form(request, filterset.form, base)
    held = _held(user) if _is_member(user) else None
    context = {
        "filterset": filterset,
        "page_obj": page,
        "cards": cards,
        "claimable_only": claimable_only,
        "is_member": _is_member(user),
        "held": held,
    }
    return render_page(request, "wishes/wall.html", "wishes/partials/wall_results.html", context)


@wish_view
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
    except services.Conflict as exc:
        status, message, outcome = 409, str(exc.message), "full"
    except ValidationError as exc:
        status, message, outcome = 400, " ".join(exc.messages), "refused"
    if request.htmx:
        context = {"wish": _card(request, pk), "claim_message": message, "outcome": outcome}
        response = render(request, "wishes/partials/card.html", context, status=status)
        if _is_member(request.user):
            # the header's 我的认领 n/max follows the claim without a reload
            badge = render_to_string(
                "wishes/partials/held_badge.html",
                {"held": _held(request.user), "oob": True},
                request=request,
            )
            response.content += badge.encode()
        return response
    if status == 201:
        messages.success(request, _("已认领“%(title)s”") % {"title": wish.title})
        return redirect(_safe_next(request) or reverse("wishes:detail", args=[pk]))
    return _render_detail(request, pk, status=status, claim_message=message, outcome=outcome)


# ---------------------------------------------------------------------------------------------
# A wish's whole story
# ---------------------------------------------------------------------------------------------


def _detail_context(request, wish: Wish) -> dict:
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
    if _is_member(user):
        my_claim = next(
            (c for c in claims if c.member_id == user.member_id and c.status == ClaimStatus.ACTIVE),
            None,
        )
    reviewer = user.is_committee or _worker_of(user, wish)
    pending = wish.status == WishStatus.PENDING
    household = None
    household_link = False
    if user.role in REGISTER_ROLES and wish.household_id:
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
        "can_withdraw": my_claim is not None,
        "can_fulfil": my_claim is not None and my_claim.due_on >= today,
        "can_review": pending and reviewer and wish.posted_by_id != user.pk,
        "awaiting_other": pending and wish.posted_by_id == user.pk,
        "can_cancel": reviewer
        and wish.status in (WishStatus.PENDING, WishStatus.PUBLISHED)
        and not wish.claimed_count,
        "can_confirm": wish.status == WishStatus.FULFILLED and _worker_of(user, wish),
        "approve_form": NoteForm(prefix="approve"),
        "reject_form": ReasonForm(prefix="reject"),
        "cancel_form": ReasonForm(prefix="cancel"),
        "withdraw_form": ReasonForm(prefix="withdraw"),
        "confirm_form": NoteForm(prefix="confirm"),
        "fulfil_form": FulfilForm(),
        "today": today,
    }


def _render_detail(request, pk, *, status: int = 200, **extra):
    wish = get_object_or_404(
        _card_rows(Wish.objects.visible_to(request.user)).select_related(
            "posted_by", "approved_by"
        ),
        pk=pk,
    )
    _decorate(request, [wish])
    context = _detail_context(request, wish)
    context.update(extra)
    return render(request, "wishes/detail.html", context, status=status)


@wish_view
@require_GET
def detail(request, pk):
    return _render_detail(request, pk)


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict") and hasattr(form, "field_for_service_key"):
        exc = ValidationError(
            {form.field_for_service_key(k): v for k, v in exc.message_dict.items()}
        )
    add_service_errors(form, exc)


def _act(request, pk, *, form=None, form_key: str = "", write, success):
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
            return redirect(_safe_next(request) or reverse("wishes:detail", args=[pk]))
    return _render_detail(request, pk, status=400, **{form_key: form, "open_form": form_key})


@wish_view
@require_POST
def approve(request, pk):
    return _act(
        request,
        pk,
        form=NoteForm(request.POST, prefix="approve"),
        form_key="approve_form",
        write=lambda wish, data: services.wish_approve(actor=request.user, wish=wish, **data),
        success=_("审核通过，心愿已上墙"),
    )


@wish_view
@require_POST
def reject(request, pk):
    return _act(
        request,
        pk,
        form=ReasonForm(request.POST, prefix="reject"),
        form_key="reject_form",
        write=lambda wish, data: services.wish_reject(actor=request.user, wish=wish, **data),
        success=_("已退回，心愿不上墙"),
    )


@wish_view
@require_POST
def cancel(request, pk):
    return _act(
        request,
        pk,
        form=ReasonForm(request.POST, prefix="cancel"),
        form_key="cancel_form",
        write=lambda wish, data: services.wish_cancel(actor=request.user, wish=wish, **data),
        success=_("心愿已撤回"),
    )


@wish_view
@require_POST
def withdraw(request, pk):
    if request.user.role != Role.MEMBER:
        raise PermissionDenied(_("只有认领的党员本人可以退出认领"))

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

    return _act(
        request,
        pk,
        form=ReasonForm(request.POST, prefix="withdraw"),
        form_key="withdraw_form",
        write=write,
        success=_("已退出认领，心愿回到心愿墙"),
    )


@wish_view
@require_POST
def fulfil(request, pk):
    return _act(
        request,
        pk,
        form=FulfilForm(request.POST, request.FILES),
        form_key="fulfil_form",
        write=lambda wish, data: services.wish_fulfil(actor=request.user, wish=wish, **data),
        success=_("已登记心愿实现，等待社区与居民确认"),
    )


@wish_view
@require_POST
def confirm(request, pk):
    return _act(
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


@wish_view
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


@wish_view
@require_GET
def photo(request, pk, photo_pk):
    """A photo of a fulfilled wish, to whoever may see the wish."""
    wish = get_object_or_404(Wish.objects.visible_to(request.user), pk=pk)
    row = get_object_or_404(WishPhoto.objects.filter(fulfilment__wish=wish), pk=photo_pk)
    return _photo_response(row)


def _photo_response(row: WishPhoto):
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------
# A member's claims
# ---------------------------------------------------------------------------------------------


@member_view
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


# ---------------------------------------------------------------------------------------------
# The community's management list and the post form
# ---------------------------------------------------------------------------------------------


@manage_view
def manage(request):
    user = request.user
    base = Wish.objects.visible_to(user)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    status = request.GET.get("status") or WishStatus.PENDING
    if status not in WishStatus.values:
        status = WishStatus.PENDING
    rows = base.filter(status=status)
    q = (request.GET.get("q") or "").strip()
    if q:
        rows = rows.filter(title__icontains=q)
    rows = rows.select_related("community", "community__parent", "household", "posted_by")
    order = ("-fulfilled_at", "-id") if status == WishStatus.FULFILLED else ("deadline", "id")
    page = paginate(request, rows.order_by(*order))
    wishes = list(page.object_list)
    for wish in wishes:
        wish.tone = STATUS_TONES.get(wish.status, "muted")
        pending = wish.status == WishStatus.PENDING
        wish.awaiting_other = pending and wish.posted_by_id == user.pk
        wish.can_review = (
            pending and (user.is_committee or _worker_of(user, wish)) and not wish.awaiting_other
        )
        wish.can_confirm = wish.status == WishStatus.FULFILLED and _worker_of(user, wish)
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
        "can_post": user.role == Role.COMMUNITY_WORKER,
        "next": request.get_full_path(),
    }
    return render_page(
        request, "wishes/manage.html", "wishes/partials/manage_results.html", context
    )


@post_view
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


# ---------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------


class FiguresForm(forms.Form):
    """From and to (inclusive); by default 1 January of `to`'s year to today."""

    to = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "from": forms.DateField(
                label=gettext_lazy("开始日期"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            ),
            **self.fields,
        }

    def clean(self):
        data = super().clean()
        last = data.get("to") or business_date()
        first = data.get("from") or datetime.date(last.year, 1, 1)
        if last < first:
            self.add_error("to", _("结束日期早于开始日期"))
        elif (last - first).days + 1 > MAX_FIGURE_DAYS:
            self.add_error("to", _("一次最多查询十年"))
        data["from"], data["to"] = first, last
        return data


def _with_pct(rows: list[dict], key: str) -> list[dict]:
    top = max((r[key] for r in rows), default=0)
    for row in rows:
        row["pct"] = round(row[key] * 100 / top, 1) if top else 0
    return rows


@figures_view
@require_GET
def figures_page(request):
    form = FiguresForm(request.GET or None)
    result = None
    if not form.is_bound or form.is_valid():
        if form.is_bound:
            first, last = form.cleaned_data["from"], form.cleaned_data["to"]
        else:
            # by default this year to date, as on the pairing and community figures pages
            last = business_date()
            first = datetime.date(last.year, 1, 1)
            form = FiguresForm(initial={"from": first, "to": last})
        result = figures.wish_figures(request.user, first, last)
        _with_pct(result["ranking"], "fulfilled")
        _with_pct(result["by_district"], "fulfilled")
        top = max((max(r["posted"], r["fulfilled"]) for r in result["by_category"]), default=0)
        for row in result["by_category"]:
            row["posted_pct"] = round(row["posted"] * 100 / top, 1) if top else 0
            row["fulfilled_pct"] = round(row["fulfilled"] * 100 / top, 1) if top else 0
    return render(request, "wishes/figures.html", {"form": form, "result": result})


# ---------------------------------------------------------------------------------------------
# The resident's confirmation, without an account
# ---------------------------------------------------------------------------------------------


def _same_origin_referrer(response):
    # the one-time code is in the path: it must not travel in a Referer header to another site.
    # Not "no-referrer": the browser would then send `Origin: null` with the form, which the
    # CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


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
    return _same_origin_referrer(_photo_response(row))
