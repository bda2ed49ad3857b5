"""What the registry's pages share: the access check, filters, forms and their service calls.

Every read starts from `visible_to(request.user)`: a record outside the user's scope answers 404
exactly like a missing one. Every write goes through guanqing.registry.services.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from guanqing.core.policy import request_policy
from guanqing.core.ui.htmx import add_service_errors
from guanqing.registry import selectors, services
from guanqing.registry.access import access
from guanqing.registry.models import Member


def registry_page(rule: str):
    """A registry page guarded by `rule` of the registry's access table. The registry's own gate
    ("read") is checked first, so the security and audit administrators are told they do not use
    the registry whatever the page; then the page's rule with its own message."""

    def decorator(view):
        guarded = access.page(rule)(view)
        if rule != "read":
            guarded = access.page("read")(guarded)
            guarded.access = f"registry.{rule}"
        return guarded

    return decorator


def may(request, rule: str) -> bool:
    return access.allows(request.user, rule)


def editable_or_error(request, queryset, pk):
    """The record if the user may edit it; 404 if they cannot even see it, 403 if read-only."""
    obj = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    if not queryset.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("您只能查看、不能修改此记录"))
    return obj


def can_edit(request, obj) -> bool:
    return type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()


def filterset_for(filter_class, request, queryset):
    filterset = filter_class(request.GET or None, queryset=queryset, request=request)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else queryset)


def tidy_filter_form(form) -> None:
    """Selects start with 全部 (all) instead of dashes or 'unknown'."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.NullBooleanSelect):
            field.widget.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("全部")
        elif isinstance(field, forms.ChoiceField):
            # django-filter's ChoiceField keeps its own empty choice in the widget's copy
            field.widget.choices = [("", _("全部"))] + [
                c for c in field.widget.choices if c[0] != ""
            ]


def has_filters(request, names) -> bool:
    return any(request.GET.get(name) for name in names)


def member_count(request, field: str):
    return selectors.visible_count(Member.objects.visible_to(request.user), field)


def mask_rows(request, rows) -> None:
    policy = request_policy(request)
    for row in rows:
        row.masked_id = services.masked(row, policy)


def submit(request, form, save, *, message, then: str, pk=None):
    """On a valid POST, call the service (`save(data)`); its errors go next to their fields.

    On success, show `message` (text, or a function of the saved record) and go to the page named
    `then` for `pk` (default: the saved record). Returns that redirect, or None to show the form.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.service_data())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, message(obj) if callable(message) else message)
    return redirect(then, pk=pk if pk is not None else obj.pk)


def form_context(form, title, kind, obj=None, **extra):
    return {"form": form, "title": title, "kind": kind, "obj": obj, **extra}


def build_tree(roots, children):
    def node(item):
        return {"item": item, "children": [node(c) for c in children.get(item.pk, [])]}

    return [node(r) for r in roots]
