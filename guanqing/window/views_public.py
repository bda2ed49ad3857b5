"""What the applicant is given: the status page (no account: the receipt number and the phone's
last four digits), the 受理回执 (page and PDF) and the 容缺受理通知书 (PDF) the clerk prints.

The status page answers a wrong pair exactly like a missing receipt number: one query looks for
both at once, so either way the same page, the same status and the same work. Guesses count
against a limit per client address (`StatusThrottle`, in the cache like the API's throttles).
"""

from __future__ import annotations

from django import forms
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.settings import api_settings

from guanqing.core import sensitive
from guanqing.core.access import public
from guanqing.core.api.base import ClientAddressThrottle
from guanqing.window.access import access
from guanqing.window.choices import ApplicantKind, CaseState
from guanqing.window.models import Case, CaseMissingMaterial, CasePause, WindowSettings
from guanqing.window.pdf import pdf_response
from guanqing.window.selectors import case_clock

# ---------------------------------------------------------------------------------------------
# The applicant's status page
# ---------------------------------------------------------------------------------------------


class StatusThrottle(ClientAddressThrottle):
    """Guessing receipt numbers costs time: `window_status` in REST_FRAMEWORK's
    DEFAULT_THROTTLE_RATES (30 look-ups an hour per client address when it is not set)."""

    scope = "window_status"
    default_rate = "30/hour"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate


class StatusForm(forms.Form):
    receipt_no = forms.CharField(
        label=_("受理编号"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    phone_tail = forms.CharField(
        label=_("手机号后四位"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9０-９]{4}"}
        ),
    )

    def clean_receipt_no(self):
        return "".join(sensitive.fold_width(self.cleaned_data["receipt_no"]).split()).upper()

    def clean_phone_tail(self):
        # full-width digits typed on a phone's Chinese keyboard are digits too
        value = sensitive.fold_width(self.cleaned_data["phone_tail"]).strip()
        if len(value) != 4 or not value.isascii() or not value.isdigit():
            raise forms.ValidationError(_("请输入手机号码的后四位数字"))
        return value


def _case_for_status(receipt_no: str, phone_tail: str) -> Case | None:
    """The case with this receipt number and phone tail, or None: one query for both, so a wrong
    phone and a missing number cost the same."""
    return (
        Case.objects.filter(receipt_no=receipt_no, phone_tail=phone_tail)
        .select_related("version__matter", "window__unit")
        .first()
    )


def _status_context(case: Case) -> dict:
    pauses = list(case.pauses.order_by("started_on", "id"))
    outstanding = list(
        case.missing_materials.filter(supplied_on__isnull=True)
        .select_related("material")
        .order_by("material__sort_order", "id")
    )
    clock = case_clock(case, pauses=[(p.started_on, p.ended_on) for p in pauses])
    return {
        "case": case,
        "matter": case.version.matter,
        "clock": clock,
        "outstanding": outstanding,
        "paused": case.state == CaseState.PAUSED,
        "correction_items": [
            line.strip() for line in case.correction_note.splitlines() if line.strip()
        ],
    }


def _private(response):
    # What was looked up must not travel in a Referer header nor stay in a shared cache.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public
@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """办件查询: the form (GET), and the case for the receipt number and phone tail (POST)."""
    if request.method == "GET":
        return _private(render(request, "window/public_status.html", {"form": StatusForm()}))
    throttle = StatusThrottle()
    if not throttle.allow_request(request, None):
        minutes = max(1, round((throttle.wait() or 60) / 60))
        response = render(
            request,
            "window/public_status.html",
            {"form": StatusForm(), "throttled": True, "minutes": minutes},
            status=429,
        )
        response["Retry-After"] = str(minutes * 60)
        return _private(response)
    form = StatusForm(request.POST)
    context: dict = {"form": form}
    if form.is_valid():
        case = _case_for_status(form.cleaned_data["receipt_no"], form.cleaned_data["phone_tail"])
        if case is not None:
            context.update(_status_context(case))
        context["not_found"] = case is None
        # the answer never repeats the phone tail back into the page
        context["form"] = StatusForm(initial={"receipt_no": form.cleaned_data["receipt_no"]})
    return _private(render(request, "window/public_status.html", context))


# ---------------------------------------------------------------------------------------------
# The 受理回执 and the 容缺受理通知书
# ---------------------------------------------------------------------------------------------


def _document_context(request, pk: int, *, deferred_only: bool = False) -> dict:
    """A case the user may see (404 otherwise, like a missing one), accepted (a receipt is for
    an accepted case), with what its documents print."""
    case = get_object_or_404(
        Case.objects.visible_to(request.user)
        .filter(accepted_on__isnull=False)
        .select_related("version__matter__item", "window__unit", "handled_by")
        .prefetch_related(
            Prefetch("pauses", queryset=CasePause.objects.order_by("started_on", "id")),
            Prefetch(
                "missing_materials",
                queryset=CaseMissingMaterial.objects.select_related("material").order_by(
                    "material__sort_order", "id"
                ),
            ),
        ),
        pk=pk,
    )
    deferred = list(case.missing_materials.all())
    if deferred_only and not deferred:
        raise Http404
    if case.applicant_kind == ApplicantKind.ENTERPRISE:
        applicant_id = case.credit_code  # public information
    else:
        applicant_id = case.masked_id_number()
    return {
        "case": case,
        "matter": case.version.matter,
        "version": case.version,
        "window": case.window,
        "unit": case.window.unit,
        "clock": case_clock(case),
        "applicant_id": applicant_id,
        "deferred": deferred,
        "outstanding": [row for row in deferred if row.supplied_on is None],
        "status_url": request.build_absolute_uri(reverse("window:status")),
        "bar_months": WindowSettings.current().deferral_bar_months,
    }


@access.page("cases")
@require_GET
def receipt(request, pk):
    """受理回执: the page the clerk prints or hands over as PDF."""
    return render(request, "window/receipt.html", _document_context(request, pk))


@access.page("cases")
@require_GET
def receipt_pdf(request, pk):
    context = _document_context(request, pk)
    return pdf_response(
        request,
        "window/receipt_pdf.html",
        context,
        filename=f"受理回执_{context['case'].receipt_no}.pdf",
    )


@access.page("cases")
@require_GET
def deferral_pdf(request, pk):
    """容缺受理通知书: only for a case accepted with materials missing."""
    context = _document_context(request, pk, deferred_only=True)
    return pdf_response(
        request,
        "window/deferral_pdf.html",
        context,
        filename=f"容缺受理通知书_{context['case'].receipt_no}.pdf",
    )
