"""The visit list with its Excel export, and the 走访记录 section of a household's page.

Every read starts from `visible_to(request.user)`; the list, its totals and its export read the
same filter (`VisitListFilter`: the parameters of `/api/v1/visits/`, with the unit and the
community chosen by id in searched pickers).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanqing.core import counters
from guanqing.core.excel import audited_export, too_many_to_export
from guanqing.core.ui.htmx import paginate, render_page, wants_partial
from guanqing.pairing import exports, selectors
from guanqing.pairing.access import access
from guanqing.pairing.choices import VisitKind
from guanqing.pairing.forms_manage import VisitListFilter
from guanqing.pairing.models import Visit
from guanqing.registry import pickers
from guanqing.registry.models import Division, Unit

# Hidden parameters: kept when the filters change (a link from a household or member page).
HIDDEN_FILTERS = ("pairing", "household", "member")
HOUSEHOLD_VISITS_SHOWN = 50
PICKER_SELECT_UP_TO = 30  # a unit or community filter lists this many at most; past it, a search


def _visit_filterset(request):
    base = Visit.objects.visible_to(request.user)
    filterset = VisitListFilter(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return filterset, qs


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", _("全部"))] + choices)


def _shape_filter_form(request, form) -> None:
    """Labels, date inputs and selects for the API's parameters; the unit and the community are
    chosen in pickers, searched past 30 (a province has thousands of units and some 25,000
    communities), and left out for a reader who has one (a unit administrator's unit)."""
    user = request.user
    fields = form.fields
    if access.allows(user, "filter_by_unit"):
        units = Unit.objects.visible_to(user).order_by("sort_order", "name")
        fields["unit"] = pickers.list_filter_field(
            "units", queryset=units, label=_("责任单位"), select_up_to=PICKER_SELECT_UP_TO
        )
    else:
        fields.pop("unit")
    if access.allows(user, "filter_by_place"):
        districts = Division.objects.districts().current().order_by("code")
        fields["district"] = _choice(_("区县"), [(d.code[:6], d.name) for d in districts])
        communities = pickers.kind("household-communities").queryset(user).order_by("code")
        fields["community"] = pickers.list_filter_field(
            "household-communities",
            queryset=communities,
            label=_("社区/村"),
            select_up_to=PICKER_SELECT_UP_TO,
        )
    else:
        fields.pop("district")
        fields.pop("community")
    fields["q"].label = _("户主姓名")
    fields["participant"].label = _("参加党员")
    fields["date_from"].label = _("走访日期起")
    fields["date_to"].label = _("走访日期止")
    for name in ("date_from", "date_to"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    fields["kind"] = _choice(_("走访类型"), [(k.value, k.label) for k in VisitKind])
    fields["helped"] = _choice(_("帮扶"), [("true", _("有帮扶")), ("false", _("无帮扶"))])
    for name in HIDDEN_FILTERS:
        fields[name].widget = forms.HiddenInput()
    # the selects follow the order the filter bar shows them in
    order = [
        "q",
        "participant",
        "unit",
        "district",
        "community",
        "date_from",
        "date_to",
        "kind",
        "helped",
        *HIDDEN_FILTERS,
    ]
    form.fields = {name: fields[name] for name in order if name in fields}
    # a bound form already validated (with the API's fields) cached its bound fields: show these
    form._bound_fields_cache = {}


def _export_query(request) -> str:
    """The current filters (without the page) for the 导出 Excel link."""
    params = request.GET.copy()
    for name in ("page", "per_page"):
        params.pop(name, None)
    return params.urlencode()


@access.page("visits")
def visit_list(request):
    filterset, qs = _visit_filterset(request)
    rows = qs.select_related(
        "pairing__household__community", "pairing__unit", "recorded_by"
    ).prefetch_related("participants")
    totals = selectors.visit_totals(qs, counted_span=counters.span_of_dates_alone(filterset))
    page = paginate(request, rows, count=totals["visits"])
    if not wants_partial(request):  # an htmx refresh replaces the results only
        _shape_filter_form(request, filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "totals": totals,
        "export_query": _export_query(request),
    }
    return render_page(
        request, "pairing/visit_list.html", "pairing/partials/visit_results.html", context
    )


@access.page("visits")
@require_GET
def visit_export(request):
    """Exactly the visits of the list page's filter, every row (not one page), audited."""
    filterset, qs = _visit_filterset(request)
    back = f"{reverse('pairing:visit_list')}?{_export_query(request)}"
    refused = too_many_to_export(request, qs, back=back)
    if refused is not None:
        return refused
    with translation.override(settings.LANGUAGE_CODE):
        content, count = exports.visits_workbook(qs)
    return audited_export(
        actor=request.user,
        content=content,
        title=exports.TITLE,
        object_type="pairing.visit",
        rows=count,
        filters={name: value for name, value in request.GET.items() if name in filterset.filters},
    )


def household_visits_section(request, household) -> dict | None:
    """The household page's 走访记录: the visits the viewer may see, newest first, and a
    记录走访 button for each pairing the viewer may record on."""
    user = request.user
    visits = Visit.objects.visible_to(user).filter(pairing__household=household)
    totals = selectors.visit_sums(visits)
    recordable = selectors.recordable_pairings(user, household)
    if not totals["count"] and not recordable:
        return None
    shown = list(
        visits.select_related("pairing__unit").prefetch_related("participants")[
            :HOUSEHOLD_VISITS_SHOWN
        ]
    )
    return {
        "template": "pairing/household_visits.html",
        "visits": shown,
        "count": totals["count"],
        "cash": totals["cash"],
        "in_kind": totals["in_kind"],
        "more": totals["count"] - len(shown),
        "recordable": recordable,
        "next": request.get_full_path(),
        "list_url": (
            f"{reverse('pairing:visit_list')}?household={household.pk}"
            if access.allows(user, "visits")
            else ""
        ),
    }
