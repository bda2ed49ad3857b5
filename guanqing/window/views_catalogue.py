"""满意窗口 catalogue pages: the catalogue (every business role reads it), a matter's 一次告知单 and
its PDF, the editors' forms and the Excel import/export; the windows and their clerks; the
committee's settings.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guanqing.core.excel import audited_export
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.window import catalogue_excel
from guanqing.window import catalogue_services as services
from guanqing.window.access import access
from guanqing.window.filters import CatalogueFilter
from guanqing.window.forms import (
    ClerksForm,
    ImportForm,
    ItemForm,
    MaterialFormSet,
    MatterForm,
    SettingsForm,
    WindowForm,
    materials_from,
)
from guanqing.window.models import ApprovalItem, Matter, Window, WindowSettings
from guanqing.window.pdf import pdf_response

# ---------------------------------------------------------------------------------------------
# The catalogue and the 一次告知单
# ---------------------------------------------------------------------------------------------


@access.page("catalogue")
def catalogue(request):
    user = request.user
    items = ApprovalItem.objects.visible_to(user).select_related("unit")
    if not access.allows(user, "catalogue_edit"):
        items = items.filter(is_active=True)
    filterset = CatalogueFilter(request.GET or None, queryset=items)
    rows = filterset.qs if filterset.is_valid() else items
    matters = Matter.objects.select_related("current").order_by("sort_order", "code")
    if not access.allows(user, "catalogue_edit"):
        matters = matters.filter(is_active=True)
    page = paginate(
        request,
        rows.prefetch_related(Prefetch("matters", queryset=matters)).order_by(
            "unit__sort_order", "unit__name", "sort_order", "code"
        ),
    )
    editable = set(
        ApprovalItem.objects.editable_by(user)
        .filter(pk__in=[item.pk for item in page.object_list])
        .values_list("pk", flat=True)
    )
    for item in page.object_list:
        item.can_edit = item.pk in editable
    context = {
        "filter": filterset,
        "form": filterset.form,
        "items": page.object_list,
        "page_obj": page,
        "can_edit": access.allows(user, "catalogue_edit"),
        "export_query": request.GET.urlencode(),
    }
    return render_page(
        request, "window/catalogue.html", "window/partials/catalogue_results.html", context
    )


def _notice_context(request, pk):
    matter = get_object_or_404(
        Matter.objects.visible_to(request.user).select_related("item", "item__unit", "current"),
        pk=pk,
    )
    version = matter.current
    materials = list(version.materials.all()) if version else []
    return {
        "matter": matter,
        "item": matter.item,
        "version": version,
        "materials": materials,
        "has_deferrable": any(m.deferrable for m in materials),
    }


@access.page("catalogue")
def matter_detail(request, pk):
    context = _notice_context(request, pk)
    matter = context["matter"]
    context["can_edit"] = Matter.objects.editable_by(request.user).filter(pk=matter.pk).exists()
    return render(request, "window/matter.html", context)


@access.page("catalogue")
def matter_pdf(request, pk):
    """The 一次告知单 as a PDF (WeasyPrint with the Noto CJK fonts)."""
    context = _notice_context(request, pk)
    if context["version"] is None:
        raise Http404
    return pdf_response(
        request,
        "window/notice_pdf.html",
        context,
        filename=f"一次告知单_{context['matter'].code}.pdf",
    )


@access.page("catalogue")
def catalogue_export(request):
    user = request.user
    items = ApprovalItem.objects.visible_to(user)
    filterset = CatalogueFilter(request.GET or None, queryset=items)
    items = filterset.qs if filterset.is_valid() else items
    matters = Matter.objects.visible_to(user).filter(item__in=items)
    if not access.allows(user, "catalogue_edit"):
        matters = matters.filter(is_active=True, item__is_active=True)
    content, count = catalogue_excel.export_workbook(matters.order_by("item__code", "code"))
    applied = {
        name: str(value)
        for name, value in (filterset.form.cleaned_data if filterset.is_valid() else {}).items()
        if value
    }
    return audited_export(
        actor=user,
        content=content,
        title="事项目录",
        object_type="window.matter",
        rows=count,
        filters=applied,
    )


@access.page("catalogue_edit")
def catalogue_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = catalogue_excel.import_catalogue(
            actor=request.user, fileobj=form.cleaned_data["file"]
        )
        if result.ok:
            messages.success(
                request,
                _(
                    "导入完成：新增事项 %(items)s 项、新增办理项 %(matters)s 项、"
                    "发布新版本 %(versions)s 个、未变化 %(same)s 项"
                )
                % {
                    "items": result.items_created,
                    "matters": result.matters_created,
                    "versions": result.versions_published,
                    "same": result.matters_unchanged,
                },
            )
            return redirect("window:catalogue")
    return render(request, "window/import.html", {"form": form, "result": result})


# ---------------------------------------------------------------------------------------------
# Editing items and matters
# ---------------------------------------------------------------------------------------------


@access.page("catalogue_edit")
def item_create(request):
    user = request.user
    form = ItemForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_create(actor=user, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("审批事项已保存"))
            return redirect("window:catalogue")
    return render(request, "window/item_form.html", {"form": form, "item": None})


@access.page("catalogue_edit")
def item_edit(request, pk):
    user = request.user
    item = get_object_or_404(ApprovalItem.objects.editable_by(user), pk=pk)
    initial = {
        "code": item.code,
        "name": item.name,
        "legal_basis": item.legal_basis,
        "sort_order": item.sort_order,
        "is_active": item.is_active,
    }
    form = ItemForm(request.POST or None, user=user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=user, item=item, **form.service_data())
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("审批事项已保存"))
            return redirect("window:catalogue")
    return render(request, "window/item_form.html", {"form": form, "item": item})


def _matter_page(request, form, formset, *, item, matter):
    return render(
        request,
        "window/matter_form.html",
        {"form": form, "formset": formset, "item": item, "matter": matter},
    )


@access.page("catalogue_edit")
def matter_create(request, item_pk):
    user = request.user
    item = get_object_or_404(ApprovalItem.objects.editable_by(user), pk=item_pk)
    posted = request.method == "POST"
    form = MatterForm(request.POST if posted else None)
    formset = MaterialFormSet(request.POST if posted else None, prefix="materials")
    if posted and form.is_valid() and formset.is_valid():
        try:
            matter = services.matter_create(
                actor=user,
                item=item,
                version=form.version_spec(materials_from(formset)),
                **form.matter_data(),
            )
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("办理项已保存"))
            return redirect(reverse("window:matter", args=[matter.pk]))
    return _matter_page(request, form, formset, item=item, matter=None)


@access.page("catalogue_edit")
def matter_edit(request, pk):
    """Edit a matter: its name and order in place; what it asks for is published as a new
    version (the current one stays with the cases accepted under it)."""
    user = request.user
    matter = get_object_or_404(
        Matter.objects.editable_by(user).select_related("item", "current"), pk=pk
    )
    posted = request.method == "POST"
    initial = {
        "code": matter.code,
        "name": matter.name,
        "sort_order": matter.sort_order,
        "is_active": matter.is_active,
    }
    materials_initial = []
    if matter.current is not None:
        spec = services.version_spec(matter.current)
        initial.update(
            kind=spec.kind,
            statutory_workdays=spec.statutory_workdays,
            promised_workdays=spec.promised_workdays,
            fee=spec.fee,
            fee_note=spec.fee_note,
            legal_basis=spec.legal_basis,
        )
        materials_initial = [
            {
                "name": m.name,
                "form": m.form,
                "copies": m.copies,
                "deferrable": m.deferrable,
                "note": m.note,
            }
            for m in spec.materials
        ]
    form = MatterForm(request.POST if posted else None, editing=True, initial=initial)
    formset = MaterialFormSet(
        request.POST if posted else None, prefix="materials", initial=materials_initial
    )
    if posted and form.is_valid() and formset.is_valid():
        try:
            services.matter_update(actor=user, matter=matter, **form.matter_data())
            services.matter_publish(
                actor=user, matter=matter, version=form.version_spec(materials_from(formset))
            )
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("办理项已保存"))
            return redirect(reverse("window:matter", args=[matter.pk]))
    return _matter_page(request, form, formset, item=matter.item, matter=matter)


# ---------------------------------------------------------------------------------------------
# Windows and their clerks; the settings
# ---------------------------------------------------------------------------------------------


@access.page("windows")
def windows(request):
    rows = (
        Window.objects.visible_to(request.user)
        .select_related("unit")
        .prefetch_related("clerks")
        .order_by("unit__sort_order", "unit__name", "name", "id")
    )
    page = paginate(request, rows)
    return render(request, "window/windows.html", {"windows": page.object_list, "page_obj": page})


@access.page("windows")
def window_create(request):
    user = request.user
    form = WindowForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            window = services.window_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("窗口已保存"))
            return redirect(reverse("window:window_edit", args=[window.pk]))
    return render(request, "window/window_form.html", {"form": form, "window": None})


@access.page("windows")
def window_edit(request, pk):
    user = request.user
    window = get_object_or_404(Window.objects.editable_by(user).select_related("unit"), pk=pk)
    posted = request.method == "POST"
    which = request.POST.get("form") if posted else None
    initial = {"name": window.name, "location": window.location, "is_active": window.is_active}
    form = WindowForm(
        request.POST if which == "window" else None, user=user, editing=True, initial=initial
    )
    clerks_form = ClerksForm(
        request.POST if which == "clerks" else None,
        user=user,
        window=window,
        initial={"clerks": list(window.clerks.all())},
    )
    try:
        if which == "window" and form.is_valid():
            try:
                services.window_update(actor=user, window=window, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("窗口已保存"))
                return redirect(reverse("window:window_edit", args=[window.pk]))
        if which == "clerks" and clerks_form.is_valid():
            try:
                services.window_assign_clerks(
                    actor=user, window=window, clerks=clerks_form.cleaned_data["clerks"]
                )
            except ValidationError as exc:
                add_service_errors(clerks_form, exc)
            else:
                messages.success(request, _("窗口受理员已保存"))
                return redirect(reverse("window:window_edit", args=[window.pk]))
    except OutOfScope:
        raise Http404 from None
    return render(
        request,
        "window/window_form.html",
        {"form": form, "clerks_form": clerks_form, "window": window},
    )


@access.page("settings")
def settings_page(request):
    current = WindowSettings.current()
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("窗口设置已保存"))
            return redirect("window:settings")
    return render(request, "window/settings.html", {"form": form})
