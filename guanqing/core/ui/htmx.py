"""Helpers shared by the server-rendered pages: full page or htmx partial, pagination, form errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render

from guanqing.core.paging import KeysFirstPaginator

RESULTS_TARGET = "results"
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


def wants_partial(request, target: str = RESULTS_TARGET) -> bool:
    """True for an htmx request that replaces only `#target` (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request or htmx.boosted:
        return False
    return htmx.target == target


def render_page(request, template: str, partial: str, context: dict, target: str = RESULTS_TARGET):
    """One view, two answers: the whole page, or only the results when htmx asks for them."""
    context.setdefault("page_sizes", PAGE_SIZES)
    context.setdefault("current_page_size", page_size(request))
    response = render(request, partial if wants_partial(request, target) else template, context)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def paginate(request, queryset, per_page: int | None = None, *, count: int | None = None):
    """The requested page (out-of-range numbers give the last page). `count`: the list's length
    when the page already knows it (from a counter), instead of counting the rows again."""
    paginator = KeysFirstPaginator(queryset, per_page or page_size(request))
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    return paginator.get_page(request.GET.get("page"))


def add_service_errors(form, exc: ValidationError, prefix_map: dict | None = None) -> None:
    """Put each message of a service's ValidationError next to its form field.

    Keys the form does not have become non-field errors that still name the field.
    `prefix_map` sends keys like ``people[0].name`` to another form: {"people[0].": other_form}.
    """
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages in exc.message_dict.items():
        target, field = form, key
        for prefix, other in (prefix_map or {}).items():
            if key.startswith(prefix):
                target, field = other, key[len(prefix) :]
                break
        for message in messages:
            if field in target.fields:
                target.add_error(field, message)
            elif field == "__all__":
                target.add_error(None, message)
            else:
                target.add_error(None, f"{field}：{message}")
