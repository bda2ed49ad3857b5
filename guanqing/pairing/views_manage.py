"""Pairing management pages: the list of pairings, one pairing's whole story (its relay, this
year's duties, its visits), and the forms that create, hand over (接力棒) and end a pairing; the
organ–village partnerships (结对共建), read only.

Reads start from `visible_to(request.user)`: a record outside the user's scope answers 404 exactly
like a missing one. Writes go through `services.pairing_create / pairing_handover / pairing_end`;
their refusals are shown beside the field they name and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import parse_id, parse_year
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.pairing import compliance, rules, selectors, services
from guanqing.pairing.access import access
from guanqing.pairing.badges import badge
from guanqing.pairing.forms_manage import (
    EndForm,
    HandoverForm,
    PairingCreateForm,
    PairingListFilter,
    PartnershipListFilter,
    household_search,
)
from guanqing.pairing.models import (
    Pairing,
    PairingTerm,
    Partnership,
    PartnershipProject,
    Visit,
)
from guanqing.registry import pickers
from guanqing.registry.models import Household, Unit

DETAIL_VISITS_SHOWN = 20
HOUSEHOLDS_SHOWN = 30  # search results on the create form
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _tidy(form) -> None:
    """Selects start with 全部 (all) instead of dashes."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("全部")
        elif isinstance(field, forms.ChoiceField):
            field.widget.choices = [("", _("全部"))] + [
                c for c in field.widget.choices if c[0] != ""
            ]


def _filtered(filterset, queryset):
    return filterset.qs if filterset.is_bound and filterset.is_valid() else queryset


def _latest_term(field: str):
    """The newest term's `field`: the current holder, or the last one of an ended pairing."""
    terms = PairingTerm.objects.filter(pairing_id=OuterRef("pk")).order_by("-starts_on")
    return Subquery(terms.values(field)[:1])


def _visible_household_ids(user, household_ids) -> set[int]:
    """Which of these households the user may open (a member no longer holding one may not)."""
    return set(
        Household.objects.visible_to(user).filter(pk__in=household_ids).values_list("pk", flat=True)
    )


def _can_manage(user, pairing) -> bool:
    return Pairing.objects.editable_by(user).filter(pk=pairing.pk).exists()


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


@access.page("pairings")
def pairing_list(request):
    user = request.user
    base = (
        Pairing.objects.visible_to(user)
        .select_related("household", "household__community", "household__community__parent", "unit")
        .annotate(
            holder_name=_latest_term("member__name"),
            holder_id=_latest_term("member_id"),
            holder_since=_latest_term("starts_on"),
        )
        .order_by("-started_on", "-id")
    )
    filterset = PairingListFilter(request.GET or None, queryset=base, request=request, user=user)
    page = paginate(request, _filtered(filterset, base))
    rows = list(page.object_list)
    openable = _visible_household_ids(user, [p.household_id for p in rows])
    for row in rows:
        row.household_link = row.household_id in openable
    _tidy(filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": rows,
        "can_create": access.allows(user, "create"),
    }
    return render_page(
        request, "pairing/pairing_list.html", "pairing/pairing_list_results.html", context
    )


# ---------------------------------------------------------------------------------------------
# One pairing
# ---------------------------------------------------------------------------------------------


def _scoped_pairing(request, pk) -> Pairing:
    return get_object_or_404(
        Pairing.objects.visible_to(request.user).select_related(
            "household", "household__community", "household__community__parent", "unit"
        ),
        pk=pk,
    )


def _year_choices(pairing: Pairing, today) -> list[int]:
    last = (pairing.ended_on or today).year
    return list(range(max(last, pairing.started_on.year), pairing.started_on.year - 1, -1))


@access.page("pairings")
def pairing_detail(request, pk):
    user = request.user
    pairing = _scoped_pairing(request, pk)
    today = business_date()
    terms = list(pairing.terms.select_related("member").order_by("-starts_on"))
    current = next((t for t in terms if t.ends_on is None), None)
    years = _year_choices(pairing, today)
    year = request.GET.get("year", "")
    year = parse_year(year) if parse_year(year) in years else years[0]
    duties = compliance.pairing_year(pairing, year, today)
    for row in duties:
        row["badge"] = badge(row["status"])
    visits = Visit.objects.visible_to(user).filter(pairing=pairing)
    totals = visits.aggregate(
        count=Count("pk"),
        cash=Coalesce(Sum("cash_amount"), Value(0), output_field=MONEY),
        in_kind=Coalesce(Sum("in_kind_value"), Value(0), output_field=MONEY),
    )
    shown = list(
        selectors.with_holder(visits).prefetch_related("participants")[:DETAIL_VISITS_SHOWN]
    )
    manages = _can_manage(user, pairing)
    holds = (
        access.allows(user, "mine") and current is not None and current.member_id == user.member_id
    )
    # the buttons the pairing's state offers the user's role (the lifecycle table), on a pairing
    # the user manages
    actions = rules.PAIRING.actions(rules.pairing_state(pairing), user) if manages else []
    context = {
        "pairing": pairing,
        "terms": terms,
        "current": current,
        "last_term": terms[0] if terms else None,
        "household_link": Household.objects.visible_to(user)
        .filter(pk=pairing.household_id)
        .exists(),
        "year": year,
        "years": years,
        "duties": duties,
        "visits": shown,
        "visit_totals": totals,
        "more_visits": totals["count"] - len(shown),
        "actions": {step.action for step in actions},
        "can_manage": bool(actions),
        "can_record": pairing.is_active and access.allows(user, "record") and (manages or holds),
        "today": today,
    }
    return render(request, "pairing/pairing_detail.html", context)


# ---------------------------------------------------------------------------------------------
# Create, hand over, end
# ---------------------------------------------------------------------------------------------


def _service_errors(form, exc: ValidationError) -> None:
    """The service's errors beside their fields; `pairing` is about the whole record."""
    if hasattr(exc, "error_dict") and "pairing" in exc.error_dict:
        for message in exc.message_dict["pairing"]:
            form.add_error(None, message)
        exc = ValidationError({k: v for k, v in exc.message_dict.items() if k != "pairing"})
        if not exc.error_dict:
            return
    add_service_errors(form, exc)


def _managed_pairing(request, pk) -> Pairing:
    """The pairing if the user may manage it; 404 outside its scope, 403 if it may only read."""
    pairing = _scoped_pairing(request, pk)
    if not _can_manage(request.user, pairing):
        raise PermissionDenied(_("您只能查看、不能管理此结对"))
    return pairing


def _run(request, form, write, *, message, pairing_pk=None):
    """Call the service on a valid POST: redirect to the pairing on success, else None.
    `message` is the success text, or a function of what the service returned."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write(form.service_data())
    except OutOfScope:
        raise Http404 from None
    except ValidationError as exc:
        _service_errors(form, exc)
        return None
    messages.success(request, message(result) if callable(message) else message)
    return redirect("pairing:pairing_detail", pk=pairing_pk or result.pk)


@access.page("create")
def pairing_create(request):
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    unit = None
    if parse_id(source.get("unit")):
        unit = Unit.objects.visible_to(user).filter(pk=parse_id(source["unit"])).first()
    refresh = request.method == "POST" and "refresh" in request.POST
    if request.method == "POST" and not refresh:
        form = PairingCreateForm(request.POST, user=user, unit=unit)
    else:
        initial = {k: source.get(k) for k in ("household", "unit", "member", "started_on")}
        form = PairingCreateForm(
            initial={k: v for k, v in initial.items() if v}, user=user, unit=unit
        )
    if not refresh:
        done = _run(
            request,
            form,
            lambda data: services.pairing_create(actor=user, **data),
            message=_("已新建结对"),
        )
        if done:
            return done
    q = request.GET.get("q", "")
    community = request.GET.get("community", "")
    # the communities are searched past 30 (a province has some 25,000)
    community_picker = pickers.FilterPicker(
        "household-communities",
        queryset=pickers.kind("household-communities").queryset(user).order_by("code"),
        name="community",
        empty_label=_("全部"),
        search_help=_("点选一个社区/村，列出其中的困难家庭；点“重新选择”并清空后不限社区/村。"),
    )
    typed, community_error = community_picker.typed(request.GET)
    if typed is not None:
        community = str(typed.pk)
    found = list(household_search(user, q, community, limit=HOUSEHOLDS_SHOWN + 1))
    truncated = len(found) > HOUSEHOLDS_SHOWN
    found = found[:HOUSEHOLDS_SHOWN]
    chosen_id = str(source.get("household") or "")
    chosen = None
    if parse_id(chosen_id):
        chosen = (
            Household.objects.visible_to(user)
            .select_related("community", "community__parent")
            .filter(pk=parse_id(chosen_id))
            .first()
        )
    if chosen is not None and all(h.pk != chosen.pk for h in found):
        found.insert(0, chosen)
    paired_units = _active_units_by_household([h.pk for h in found])
    for h in found:
        h.paired_units = paired_units.get(h.pk, [])
    chosen_community = None
    if parse_id(community):
        chosen_community = (
            pickers.kind("household-communities").queryset(user).filter(pk=parse_id(community))
        ).first()
    context = {
        "form": form,
        "q": q,
        "community": community,
        "community_picker": community_picker.render(chosen_community),
        "community_error": community_error,
        "households": found,
        "searched": bool(q.strip() or community),
        "truncated": truncated,
        "chosen_id": chosen.pk if chosen else None,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target in ("household-choices", "member-field"):
        return render(request, "pairing/pairing_form_choices.html", context)
    return render(request, "pairing/pairing_create.html", context)


def _active_units_by_household(household_ids) -> dict[int, list[str]]:
    """Which units already serve these households (one query), so the committee sees it."""
    rows = (
        Pairing.objects.active()
        .filter(household_id__in=household_ids)
        .values_list("household_id", "unit__name")
    )
    result: dict[int, list[str]] = {}
    for household_id, unit_name in rows:
        result.setdefault(household_id, []).append(unit_name)
    return result


@access.page("manage")
def pairing_handover(request, pk):
    pairing = _managed_pairing(request, pk)
    current = selectors.current_term(pairing)
    if not rules.PAIRING.can(rules.pairing_state(pairing), "handover") or current is None:
        messages.warning(request, _("该结对已结束，不能交接"))
        return redirect("pairing:pairing_detail", pk=pairing.pk)
    form = HandoverForm(
        request.POST or None, user=request.user, pairing=pairing, holder_id=current.member_id
    )
    done = _run(
        request,
        form,
        lambda data: services.pairing_handover(actor=request.user, pairing=pairing, **data),
        message=lambda term: (
            _("已交接：自 %(date)s 起由%(name)s负责")
            % {"date": term.starts_on, "name": term.member.name}
        ),
        pairing_pk=pairing.pk,
    )
    if done:
        return done
    return render(
        request,
        "pairing/pairing_handover.html",
        {"form": form, "pairing": pairing, "current": current},
    )


@access.page("manage")
def pairing_end(request, pk):
    pairing = _managed_pairing(request, pk)
    if not rules.PAIRING.can(rules.pairing_state(pairing), "end"):
        messages.warning(request, _("该结对已于 %(date)s 结束") % {"date": pairing.ended_on})
        return redirect("pairing:pairing_detail", pk=pairing.pk)
    form = EndForm(request.POST or None)
    done = _run(
        request,
        form,
        lambda data: services.pairing_end(actor=request.user, pairing=pairing, **data),
        message=_("已结束结对"),
        pairing_pk=pairing.pk,
    )
    if done:
        return done
    return render(request, "pairing/pairing_end.html", {"form": form, "pairing": pairing})


# ---------------------------------------------------------------------------------------------
# Partnerships (结对共建), read only
# ---------------------------------------------------------------------------------------------


def _project_totals(field: str):
    projects = (
        PartnershipProject.objects.filter(partnership_id=OuterRef("pk"))
        .order_by()
        .values("partnership_id")
    )
    if field == "count":
        value = projects.annotate(v=Count("pk")).values("v")
        return Coalesce(Subquery(value), Value(0))
    value = projects.annotate(v=Sum("funds")).values("v")
    return Coalesce(Subquery(value, output_field=MONEY), Value(0), output_field=MONEY)


@access.page("manage")
def partnership_list(request):
    user = request.user
    base = (
        Partnership.objects.visible_to(user)
        .select_related(
            "unit_org", "unit_org__unit", "village_org", "village_org__division__parent"
        )
        .annotate(project_count=_project_totals("count"), funds=_project_totals("funds"))
        .order_by("unit_org__unit__sort_order", "unit_org__unit__name", "-started_on", "id")
    )
    filterset = PartnershipListFilter(
        request.GET or None, queryset=base, request=request, user=user
    )
    page = paginate(request, _filtered(filterset, base))
    _tidy(filterset.form)
    context = {"filterset": filterset, "page_obj": page, "rows": page.object_list}
    return render_page(
        request, "pairing/partnership_list.html", "pairing/partnership_list_results.html", context
    )


@access.page("manage")
def partnership_detail(request, pk):
    partnership = get_object_or_404(
        Partnership.objects.visible_to(request.user).select_related(
            "unit_org", "unit_org__unit", "village_org", "village_org__division__parent"
        ),
        pk=pk,
    )
    projects = list(
        PartnershipProject.objects.visible_to(request.user)
        .filter(partnership=partnership)
        .order_by("-started_on", "id")
    )
    context = {
        "partnership": partnership,
        "projects": projects,
        "funds": sum((p.funds for p in projects), 0),
    }
    return render(request, "pairing/partnership_detail.html", context)
