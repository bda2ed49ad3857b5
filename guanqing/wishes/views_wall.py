"""微心愿 pages of everyone who works with wishes: the wall, a wish's whole story, its photos.

Besides the API's filters, the wall takes two of its own, for the home page's numbers:
`claimable=1` (a member: only what it may claim now, `selectors.claimable_wishes`) and
`claims=active` (only the wishes with an active claim the viewer sees: a unit administrator's
members' claims).
"""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanqing.core.ui.htmx import paginate, render_page, wants_partial
from guanqing.core.uploads import stored_file_response
from guanqing.registry import pickers
from guanqing.registry.models import Division
from guanqing.wishes import selectors
from guanqing.wishes.access import access
from guanqing.wishes.choices import WishCategory
from guanqing.wishes.filters import WallFilter
from guanqing.wishes.models import Wish, WishClaim, WishPhoto, wall_order
from guanqing.wishes.views_common import card_rows, decorate, held, is_member, render_detail


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", _("全部"))] + choices)


PICKER_SELECT_UP_TO = 30  # the communities listed in a select at most; past it, a search


def _shape_wall_form(request, form, base) -> None:
    """The API's parameters as selects, and the community in a picker of the communities with
    wishes on the wall (searched past 30: a province has some 25,000); the place filters are
    left out when the wall holds one community's wishes."""
    fields = form.fields
    communities = selectors.wall_communities(base)
    fields["q"].label = _("搜索心愿")
    if communities[:2].count() > 1:
        districts = Division.objects.districts().current().order_by("code")
        fields["district"] = _choice(_("区（县、市）"), [(d.code[:6], d.name) for d in districts])
        fields["community"] = pickers.list_filter_field(
            "wall-communities",
            queryset=communities,
            label=_("社区/村"),
            select_up_to=PICKER_SELECT_UP_TO,
        )
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


@access.page("wall")
def wall(request):
    user = request.user
    member = is_member(user)
    position = selectors.claim_position(user) if member else None
    base = Wish.objects.visible_to(user).on_wall()
    filterset = WallFilter(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    claimable_only = member and request.GET.get("claimable") == "1"
    if claimable_only:
        # 只看我能认领的: what the 认领 button is shown for (nothing at the claim limit)
        qs = qs.filter(pk__in=selectors.claimable_wishes(user, position).values("pk"))
    with_active_claims = request.GET.get("claims") == "active"
    if with_active_claims:
        qs = selectors.with_claims(qs, WishClaim.objects.visible_to(user).active())
    # counted before the cards' columns are added: the head's name joins every wish counted to
    # its household (16 ms of 43,000 wishes at a province, against an index-only count)
    listed = qs.order_by().count()
    # what may still be claimed first, then the soonest deadline
    qs = card_rows(qs).order_by(*wall_order())
    page = paginate(request, qs, count=listed)
    cards = decorate(request, list(page.object_list), position)
    if not wants_partial(request):
        _shape_wall_form(request, filterset.form, base)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "cards": cards,
        "claimable_only": claimable_only,
        "at_limit": claimable_only and position is not None and position.at_limit,
        "with_active_claims": with_active_claims,
        "is_member": member,
        "held": held(position),
    }
    return render_page(request, "wishes/wall.html", "wishes/partials/wall_results.html", context)


@access.page("wall")
@require_GET
def detail(request, pk):
    return render_detail(request, pk)


@access.page("wall")
@require_GET
def photo(request, pk, photo_pk):
    """A photo of a fulfilled wish, to whoever may see the wish."""
    wish = get_object_or_404(Wish.objects.visible_to(request.user), pk=pk)
    row = get_object_or_404(WishPhoto.objects.filter(fulfilment__wish=wish), pk=photo_pk)
    return stored_file_response(row)
