"""The window's printable documents as PDF through the shared helper (`guanqing.core.pdf`): the
一次告知单, the 受理回执 and the 容缺受理通知书.
"""

from __future__ import annotations

from django.http import HttpResponse

from guanqing.core.pdf import inline_pdf_response, render_document


def render_pdf(request, template: str, context: dict) -> bytes:
    """`template` rendered with `context` and written as PDF bytes."""
    return render_document(template, context, request=request)


def pdf_response(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The PDF of `template`, shown inline by the browser (printable, downloadable as
    `filename`); never kept by a shared cache, since it may name the applicant."""
    return inline_pdf_response(render_pdf(request, template, context), filename=filename)
