"""Printable documents as PDF: a template rendered by WeasyPrint in the Noto CJK fonts (Debian
`fonts-noto-cjk`), never a browser print. Shared by every work method (the window's notices and
receipts, the 走亲连心 pocket books).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """`html` written as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def render_document(template: str, context: dict, *, request=None, base_url=None) -> bytes:
    """`template` rendered with `context` and written as PDF bytes; with a request, relative
    links resolve against the site."""
    html = render_to_string(template, context, request=request)
    if base_url is None and request is not None:
        base_url = request.build_absolute_uri("/")
    return html_to_pdf(html, base_url=base_url)


def html_to_pdf_pages(html: str, *, base_url: str | None = None) -> tuple[bytes, int]:
    """`html` written as PDF bytes, and how many pages it has."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url).render()
    return document.write_pdf(), len(document.pages)


def inline_pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """PDF bytes shown inline by the browser (printable, downloadable as `filename`); never kept
    by a shared cache, since a document may name a person."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
