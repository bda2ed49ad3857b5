"""走访 pages: the visit list, the entry form (made for a phone: the cadres picked from the unit's
members with a filter, the place searched or added inline — an existing one is found, not
entered twice), a visit's page; the places (走访对象) list with its own add form.

Every read starts from `visible_to(request.user)`; a record outside it answers 404. Writes go
through `outreach_services`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanqing.core import counters
from guanqing.core.ids import parse_id
from guanqing.core.roles import Role
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.frontline import counts, outreach_services
from guanqing.frontline.access import access
from guanqing.frontline.choices import PlaceKind
from guanqing.frontline.figures import wan_yuan, yuan
from guanqing.frontline.forms_outreach import (
    OutreachFilter,
    OutreachForm,
    OutreachUnitForm,
    PlaceFilter,
    PlaceForm,
)
from guanqing.frontline.models import Outreach, Place, Problem
from guanqing.registry.models import Unit

RECENT_PLACES = 8
SEARCH_RESULTS = 20
NEW_PLACE_FIELDS = {name: f"new_{name}" for name in ("kind", "name", "division", "credit_code")}


# --- the visit list ---------------------------------------------------------------------------


def _filtered(request, model, filter_class):
    base = model.objects.visible_to(request.user)
    filterset = filter_class(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return filterset, qs


def outreach_totals(visits, *, counted_span: tuple | None = None) -> dict:
    """Visits, person-times and donations of a filtered visit list (two queries); with
    `counted_span` (first, last) — the list is every visit of those days — from the day counts
    instead (`frontline/counts.py`), a row a day rather than every visit."""
    if counted_span is not None:
        first, last = counted_span
        n = counters.total(counts.VISITS, first, last)
        person_times = counters.total(counts.PERSON_TIMES, first, last)
        money = counters.yuan_total(counts.MONEY_FEN, first, last)
        goods = counters.yuan_total(counts.GOODS_FEN, first, last)
    else:
        sums = visits.order_by().aggregate(
            n=Count("pk"), money=Sum("donated_money"), goods=Sum("donated_goods")
        )
        n, money, goods = sums["n"], sums["money"] or 0, sums["goods"] or 0
        person_times = Outreach.cadres.through.objects.filter(
            outreach_id__in=visits.order_by().values("pk")
        ).count()
    return {
        "visits": n,
        "person_times": person_times,
        "money_yuan": yuan(money),
        "goods_yuan": yuan(goods),
        "total_wan_yuan": wan_yuan(money + goods),
    }


@access.page("outreach")
@require_GET
def outreach_list(request):
    filterset, qs = _filtered(request, Outreach, OutreachFilter)
    rows = qs.select_related("unit", "place__division").prefetch_related("cadres")
    totals = outreach_totals(qs, counted_span=counters.span_of_dates_alone(filterset))
    page = paginate(request, rows, count=totals["visits"])
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "totals": totals,
        "kinds": PlaceKind.choices,
    }
    return render_page(
        request, "frontline/outreach_list.html", "frontline/partials/outreach_results.html", context
    )


@access.page("outreach")
@require_GET
def outreach_detail(request, pk):
    outreach = get_object_or_404(
        Outreach.objects.visible_to(request.user)
        .select_related("unit", "place__division", "recorded_by")
        .prefetch_related("cadres"),
        pk=pk,
    )
    problems = (
        Problem.objects.visible_to(request.user)
        .filter(outreach=outreach)
        .select_related("category", "unit")
        .order_by("received_on", "pk")
    )
    total = outreach.donated_money + outreach.donated_goods
    return render(
        request,
        "frontline/outreach_detail.html",
        {"outreach": outreach, "problems": problems, "total_yuan": yuan(total)},
    )


# --- the entry form -----------------------------------------------------------------------------


def _unit_for(request) -> Unit | None:
    """The unit the visit is recorded for: a unit administrator's own; the committee's choice."""
    user = request.user
    if user.role != Role.COMMITTEE:
        return Unit.objects.filter(pk=user.unit_id).first()
    pk = parse_id(request.POST.get("unit") or request.GET.get("unit") or "")
    if pk is None:
        return None
    unit = Unit.objects.visible_to(user).filter(pk=pk, is_active=True).first()
    if unit is None:
        raise Http404
    return unit


def recent_places(unit: Unit) -> list[Place]:
    """The places the unit visited last, newest first (one query)."""
    ids = list(
        Outreach.objects.filter(unit=unit)
        .order_by("-visited_on", "-pk")
        .values_list("place_id", flat=True)[: RECENT_PLACES * 4]
    )
    ordered = list(dict.fromkeys(ids))[:RECENT_PLACES]
    found = Place.objects.select_related("division").in_bulk(ordered)
    return [found[pk] for pk in ordered if pk in found]


def _register_new_place(request, form) -> Place:
    """The place added inline, or the registered one it repeats (and say so)."""
    try:
        place, created = outreach_services.place_register(
            actor=request.user, **form.new_place_data()
        )
    except ValidationError as exc:
        raise ValidationError(
            {NEW_PLACE_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}
        ) from None
    if not created:
        messages.info(
            request,
            _("“%(name)s”已经登记过（%(division)s），本次走访记在已登记的走访对象上")
            % {"name": place.name, "division": place.division.name},
        )
    return place


@access.page("outreach_record")
def outreach_new(request):
    user = request.user
    unit = _unit_for(request)
    if unit is None and user.role != Role.COMMITTEE:
        raise Http404
    units = None
    if user.role == Role.COMMITTEE:
        # the unit step: chosen from the search (its id), or its full name typed and sent
        asked = request.method == "GET" and ("unit" in request.GET or "unit_q" in request.GET)
        units = OutreachUnitForm(
            request.GET if asked and unit is None else None,
            initial={"unit": unit.pk if unit else None},
            user=user,
        )
        if units.is_bound and units.is_valid():
            unit = units.cleaned_data["unit"]
    if unit is None:
        return render(request, "frontline/outreach_form.html", {"units": units, "unit": None})
    members = outreach_services.unit_cadres(unit)
    posted = request.method == "POST"
    form = OutreachForm(request.POST if posted else None, members=members, unit=unit)
    if posted and form.is_valid():
        try:
            with transaction.atomic():
                place = form.cleaned_data["place"]
                if place is None:
                    place = _register_new_place(request, form)
                outreach = outreach_services.outreach_record(
                    actor=user, unit=unit, place=place, **form.service_data()
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录对“%(name)s”的走访") % {"name": outreach.place.name})
            return redirect("frontline:outreach_detail", pk=outreach.pk)
    selected = form.cleaned_data.get("place") if posted and hasattr(form, "cleaned_data") else None
    places = recent_places(unit)
    if selected is not None and selected not in places:
        places.insert(0, selected)
    context = {
        "form": form,
        "unit": unit,
        "units": units,
        "places": places,
        "selected_place": selected.pk if selected is not None else None,
        "adding_place": form.adding_place
        or bool(form.errors.keys() & set(NEW_PLACE_FIELDS.values())),
    }
    return render(request, "frontline/outreach_form.html", context)


@access.page("places")
@require_GET
def place_search(request):
    """The places matching `place_q` (name or credit code), as the entry form's choices."""
    text = (request.GET.get("place_q") or "").strip()
    places = []
    if text:
        filterset = PlaceFilter(
            {"q": text}, queryset=Place.objects.visible_to(request.user), request=request
        )
        if filterset.is_valid():
            places = list(filterset.qs.select_related("division")[:SEARCH_RESULTS])
    return render(
        request,
        "frontline/partials/place_options.html",
        {"places": places, "searched": bool(text), "selected_place": None},
    )


# --- the places -------------------------------------------------------------------------------


@access.page("places")
def place_list(request):
    user = request.user
    may_add = access.allows(user, "places_edit")
    add_form = PlaceForm(request.POST if request.method == "POST" and may_add else None)
    if request.method == "POST":
        if not may_add:
            access.check(user, "places_edit")
        if add_form.is_valid():
            try:
                place, created = outreach_services.place_register(
                    actor=user, **add_form.service_data()
                )
            except ValidationError as exc:
                add_service_errors(add_form, exc)
            else:
                if created:
                    messages.success(request, _("已登记走访对象“%(name)s”") % {"name": place.name})
                else:
                    messages.info(
                        request,
                        _("“%(name)s”已经登记过（%(division)s），没有重复登记")
                        % {"name": place.name, "division": place.division.name},
                    )
                return redirect(f"{reverse('frontline:places')}?{urlencode({'q': place.name})}")
    filterset, qs = _filtered(request, Place, PlaceFilter)
    page = paginate(request, qs.select_related("division"))
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "add_form": add_form if may_add else None,
        "add_open": add_form.is_bound,
    }
    return render_page(
        request, "frontline/places.html", "frontline/partials/place_results.html", context
    )
