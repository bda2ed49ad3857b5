"""Donation pages under /fund/donations/: the list (within scope: the fund officer and the
committee all, a unit's administrator its unit's, a member its own gifts), recording a gift,
importing a unit's payroll list from Excel, a donation with its receipt (PDF), an imported list's
receipts as one PDF, and the donor totals by unit and year.

Every read starts from `visible_to(request.user)`; a record outside it answers 404. Writes go
through `donation_services` and `donation_import`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from guanqing.core import excel, sensitive
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.pdf import html_to_pdf, inline_pdf_response
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.fund import donation_import
from guanqing.fund import donation_services as services
from guanqing.fund.access import access
from guanqing.fund.choices import DonationSource
from guanqing.fund.forms_donations import (
    DonationFilter,
    DonationForm,
    DonationImportForm,
    TotalsForm,
    unit_filter_field,
)
from guanqing.fund.models import Donation, DonationBatch
from guanqing.registry.models import Unit

LIST_RELATED = ("unit", "batch")


def _filtered(request):
    base = Donation.objects.visible_to(request.user)
    filterset = DonationFilter(request.GET or None, queryset=base, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    # The page's filter bar: no unit to choose for a user who sees one unit, and the imported
    # list only when the page was opened on one (from the import or a donation).
    fields = filterset.form.fields
    if Unit.objects.visible_to(request.user).filter(is_active=True)[:2].count() > 1:
        fields["unit"] = unit_filter_field(request.user)
        filterset.form._bound_fields_cache = {}
    else:
        del fields["unit"]
    if not request.GET.get("batch"):
        del fields["batch"]
    return filterset, rows


@access.page("donations")
@require_GET
def donation_list(request):
    filterset, rows = _filtered(request)
    sums = rows.order_by().aggregate(n=Count("pk"), total=Sum("amount"))
    page = paginate(request, rows.select_related(*LIST_RELATED))
    total = sums["total"] or Decimal(0)
    context = {
        "form": filterset.form,
        "page_obj": page,
        "rows": page.object_list,
        "count": sums["n"],
        "total": services.yuan(total),
        "total_wan": services.wan_yuan(total),
    }
    return render_page(
        request,
        "fund/donations/list.html",
        "fund/donations/partials/results.html",
        context,
    )


@access.page("donations")
@require_GET
def donation_detail(request, pk):
    donation = get_object_or_404(
        Donation.objects.visible_to(request.user).select_related(
            "unit", "member", "batch", "transaction", "recorded_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "fund/donations/detail.html",
        {
            "donation": donation,
            "amount": services.yuan(donation.amount),
            "words": services.amount_in_words(donation.amount),
            "show_books": access.allows(request.user, "books"),
        },
    )


def _member_of(form, unit):
    """The registry member the form's ID number names in `unit` (None when blank or unknown:
    union members who are not party members give too)."""
    number = (form.cleaned_data.get("id_number") or "").strip()
    if not number:
        return None
    try:
        number = sensitive.validate_id_number(number)
    except ValidationError as exc:
        form.add_error("id_number", exc.messages[0])
        return None
    member = services.member_by_id_number(unit, number)
    if member is None:
        form.add_error(
            "id_number",
            _("%(unit)s没有登记该证件号码的党员；非党员职工请不填证件号码") % {"unit": unit.name},
        )
    return member


@access.page("donation_record")
@require_http_methods(["GET", "POST"])
def donation_new(request):
    initial = {"source": DonationSource.UNIT, "received_on": business_date()}
    form = DonationForm(request.POST or None, initial=initial, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            member = _member_of(form, data["unit"])
            if not form.errors:
                try:
                    donation = services.donation_record(
                        actor=request.user,
                        source=data["source"],
                        unit=data["unit"],
                        amount=data["amount"],
                        received_on=data["received_on"],
                        donor_name=data["donor_name"],
                        member=member,
                        note=data["note"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                except Conflict as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request,
                        _("已登记捐款，收据编号 %(number)s") % {"number": donation.receipt_number},
                    )
                    return redirect("fund:donation_detail", pk=donation.pk)
        status = 400
    return render(request, "fund/donations/form.html", {"form": form}, status=status)


@access.page("donation_record")
@require_http_methods(["GET", "POST"])
def donation_import_page(request):
    initial = {"received_on": business_date()}
    form = DonationImportForm(
        request.POST or None, request.FILES or None, initial=initial, user=request.user
    )
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = donation_import.donation_import(
                    actor=request.user,
                    unit=data["unit"],
                    received_on=data["received_on"],
                    fileobj=data["file"],
                    file_name=data["file"].name,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
        if result is None or not result.ok:
            status = 400
    resource = donation_import.DonationResource()
    return render(
        request,
        "fund/donations/import.html",
        {
            "form": form,
            "result": result,
            "result_total": services.yuan(result.amount) if result and result.ok else "",
            "headers": [c.column_name for c in resource.columns()],
            "required": resource.required_headers(),
        },
        status=status,
    )


@access.page("donation_record")
@require_GET
def donation_import_template(request):
    with translation.override(settings.LANGUAGE_CODE):  # Excel files speak Chinese
        content = donation_import.template_workbook()
    return excel.xlsx_response(content, donation_import.TEMPLATE_FILE)


def _receipts_pdf(request, donations) -> bytes:
    from django.template.loader import render_to_string

    receipts = [
        {
            "donation": d,
            "amount": services.yuan(d.amount),
            "words": services.amount_in_words(d.amount),
        }
        for d in donations
    ]
    html = render_to_string(
        "fund/donations/receipt_pdf.html", {"receipts": receipts}, request=request
    )
    return html_to_pdf(html, base_url=request.build_absolute_uri("/"))


@access.page("donations")
@require_GET
def donation_receipt(request, pk):
    donation = get_object_or_404(
        Donation.objects.visible_to(request.user).select_related("unit", "recorded_by"), pk=pk
    )
    return inline_pdf_response(
        _receipts_pdf(request, [donation]), filename=f"{donation.receipt_number}.pdf"
    )


@access.page("donations")
@require_GET
def batch_receipts(request, pk):
    batch = get_object_or_404(DonationBatch.objects.visible_to(request.user), pk=pk)
    donations = batch.donations.select_related("unit", "recorded_by").order_by("receipt_number")
    return inline_pdf_response(
        _receipts_pdf(request, donations),
        filename=f"receipts-{batch.unit_id}-{batch.received_on:%Y%m%d}-{batch.pk}.pdf",
    )


@access.page("donations")
@require_GET
def donation_totals(request):
    years = services.donation_years()
    form = TotalsForm(request.GET or None, years=years)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else years[0]
    totals = services.donation_totals(year=year, user=request.user)
    rows = [
        {
            **row,
            "own_yuan": services.yuan(row["own"]),
            "staff_yuan": services.yuan(row["staff"]),
            "total_yuan": services.yuan(row["total"]),
            "total_wan": services.wan_yuan(row["total"]),
        }
        for row in totals["rows"]
    ]
    city = totals["city"]
    return render(
        request,
        "fund/donations/totals.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "city": {
                **city,
                "own_yuan": services.yuan(city["own"]),
                "staff_yuan": services.yuan(city["staff"]),
                "total_yuan": services.yuan(city["total"]),
                "total_wan": services.wan_yuan(city["total"]),
            },
            "article": {
                "units": totals["article"]["units"],
                "total_yuan": services.yuan(totals["article"]["total"]),
                "total_wan": services.wan_yuan(totals["article"]["total"]),
            },
            "whole_city": access.allows(request.user, "books"),
        },
    )
