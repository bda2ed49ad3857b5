"""The window's printable documents as PDF: a template rendered by WeasyPrint in the Noto CJK
fonts (Debian `fonts-noto-cjk`), never a browser print. One helper for every document: the
一次告知单, the 受理回执 and the 容缺受理通知书.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header


def render_pdf(request, template: str, context: dict) -> bytes:
    """`template` rendered with `context` and written as PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()


def pdf_response(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The PDF of `template`, shown inline by the browser (printable, downloadable as
    `filename`); never kept by a shared cache, since it may name the applicant."""
    response = HttpResponse(render_pdf(request, template, context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
