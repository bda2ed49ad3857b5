"""金点子, service brand and pocket book pages: the 金点子 list, form and page (submit, review);
the brands with the committee's list of recognised brands; the books with their PDF (built and
rebuilt from the current entries) and their Excel list.

Every read starts from `visible_to(request.user)`, every write from `editable_by`; a record outside
them answers 404. Writes go through `book_services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanqing.core.errors import Conflict
from guanqing.core.excel import audited_export
from guanqing.core.pdf import inline_pdf_response
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate
from guanqing.core.uploads import stored_file_response
from guanqing.frontline import book_services as services
from guanqing.frontline.access import access
from guanqing.frontline.forms_books import (
    BookForm,
    BrandForm,
    PracticeFilterForm,
    PracticeForm,
    ReviewForm,
)
from guanqing.frontline.models import GoodPractice, PocketBook, ServiceBrand

# --- 金点子 -------------------------------------------------------------------------------------


@access.page("practices")
@require_GET
def practice_list(request):
    form = PracticeFilterForm(request.GET or None, user=request.user)
    rows = GoodPractice.objects.visible_to(request.user).select_related("unit", "brand", "category")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            rows = rows.filter(Q(title__icontains=data["q"]) | Q(tags__icontains=data["q"]))
        if data["state"]:
            rows = rows.filter(state=data["state"])
        if data["brand"]:
            rows = rows.filter(brand=data["brand"])
    page = paginate(request, rows)
    return render(
        request,
        "frontline/books/practice_list.html",
        {"form": form, "page_obj": page, "rows": page.object_list},
    )


@access.page("practices")
@require_GET
def practice_detail(request, pk):
    practice = get_object_or_404(
        GoodPractice.objects.visible_to(request.user).select_related(
            "unit", "brand", "category", "source_problem", "reviewed_by"
        ),
        pk=pk,
    )
    editable = GoodPractice.objects.editable_by(request.user).filter(pk=pk).exists()
    actions = [s.action for s in services.PRACTICE.actions(practice.state, request.user)]
    return render(
        request,
        "frontline/books/practice_detail.html",
        {
            "practice": practice,
            "can_edit": editable and ({"edit", "correct"} & set(actions)),
            "can_submit": editable and "submit" in actions,
            "can_review": "approve" in actions,
            "review_form": ReviewForm(),
        },
    )


def _practice_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields}


@access.page("practice_write")
def practice_edit(request, pk=None):
    practice = None
    if pk is not None:
        practice = get_object_or_404(GoodPractice.objects.editable_by(request.user), pk=pk)
    initial = {}
    if practice is not None:
        initial = {name: getattr(practice, name) for name in PracticeForm.base_fields}
    elif request.user.unit_id:
        initial = {"unit": request.user.unit_id}
    form = PracticeForm(request.POST or None, initial=initial, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.practice_save(
                    actor=request.user, practice=practice, **_practice_data(form)
                )
            except OutOfScope:
                raise Http404 from None
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("frontline:practice_detail", pk=practice.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("金点子已保存"))
                return redirect("frontline:practice_detail", pk=saved.pk)
        status = 400
    return render(
        request,
        "frontline/books/practice_form.html",
        {"form": form, "practice": practice},
        status=status,
    )


def _practice_move(request, pk, call, done):
    practice = get_object_or_404(GoodPractice.objects.visible_to(request.user), pk=pk)
    try:
        call(practice)
    except OutOfScope:
        raise Http404 from None
    except (Conflict, ValidationError) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("frontline:practice_detail", pk=practice.pk)


@access.page("practice_write")
@require_POST
def practice_submit(request, pk):
    return _practice_move(
        request,
        pk,
        lambda p: services.practice_submit(actor=request.user, practice=p),
        _("已提交机关工委审核"),
    )


@access.page("practice_review")
@require_POST
def practice_review(request, pk):
    approved = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")
    return _practice_move(
        request,
        pk,
        lambda p: services.practice_review(
            actor=request.user, practice=p, approved=approved, note=note
        ),
        _("金点子已采用") if approved else _("金点子已退回"),
    )


# --- service brands -----------------------------------------------------------------------------


@access.page("practices")
@require_GET
def brand_list(request):
    brands = (
        ServiceBrand.objects.visible_to(request.user)
        .select_related("unit", "recognised_by")
        .order_by("unit__name", "name")
    )
    editable = set(ServiceBrand.objects.editable_by(request.user).values_list("pk", flat=True))
    recognised = [b for b in brands if b.recognised_on]
    return render(
        request,
        "frontline/books/brand_list.html",
        {"brands": brands, "recognised": recognised, "editable": editable},
    )


@access.page("practices")
@require_GET
def brand_logo(request, pk):
    brand = get_object_or_404(ServiceBrand.objects.visible_to(request.user), pk=pk)
    if not brand.logo:
        raise Http404

    class _Row:
        file = brand.logo
        content_type = brand.logo_content_type or "application/octet-stream"

    return stored_file_response(_Row)


@access.page("brands_edit")
def brand_edit(request, pk=None):
    brand = None
    if pk is not None:
        brand = get_object_or_404(ServiceBrand.objects.editable_by(request.user), pk=pk)
    initial = {}
    if brand is not None:
        initial = {name: getattr(brand, name) for name in BrandForm.base_fields if name != "logo"}
    elif request.user.unit_id:
        initial = {"unit": request.user.unit_id, "is_active": True}
    form = BrandForm(
        request.POST or None, request.FILES or None, initial=initial, user=request.user
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            try:
                services.brand_save(actor=request.user, brand=brand, **data)
            except OutOfScope:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("服务品牌已保存"))
                return redirect("frontline:brands")
        status = 400
    return render(
        request, "frontline/books/brand_form.html", {"form": form, "brand": brand}, status=status
    )


@access.page("brand_recognise")
@require_POST
def brand_recognise(request, pk):
    brand = get_object_or_404(ServiceBrand.objects.editable_by(request.user), pk=pk)
    recognised = request.POST.get("recognised", "1") == "1"
    try:
        services.brand_recognise(actor=request.user, brand=brand, recognised=recognised)
    except OutOfScope:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            (_("已命名服务品牌：%(name)s") if recognised else _("已取消命名：%(name)s"))
            % {"name": brand.name},
        )
    return redirect("frontline:brands")


# --- pocket books -------------------------------------------------------------------------------


@access.page("books")
@require_GET
def book_list(request):
    books = PocketBook.objects.visible_to(request.user).select_related("brand__unit", "built_by")
    page = paginate(request, books)
    return render(
        request, "frontline/books/book_list.html", {"page_obj": page, "rows": page.object_list}
    )


@access.page("books")
@require_GET
def book_detail(request, pk):
    book = get_object_or_404(
        PocketBook.objects.visible_to(request.user).select_related("brand__unit", "built_by"),
        pk=pk,
    )
    entries = services.book_entries(book)
    return render(
        request,
        "frontline/books/book_detail.html",
        {
            "book": book,
            "chapters": services.chapters(entries),
            "entry_total": len(entries),
            "can_build": PocketBook.objects.editable_by(request.user).filter(pk=pk).exists(),
        },
    )


@access.page("book_build")
def book_edit(request, pk=None):
    book = None
    if pk is not None:
        book = get_object_or_404(PocketBook.objects.editable_by(request.user), pk=pk)
    initial = {}
    if book is not None:
        initial = {
            name: getattr(book, name)
            for name in ("title", "subtitle", "brand", "filter_brand", "filter_category")
        }
        initial["filter_tags"] = book.filter_tags
        initial["practices"] = list(book.book_entries.values_list("practice_id", flat=True))
    form = BookForm(request.POST or None, initial=initial, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields if name != "practices"}
            try:
                saved = services.book_save(
                    actor=request.user, book=book, practices=form.ordered_practices(), **data
                )
                services.book_build(actor=request.user, book=saved)
            except OutOfScope:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("口袋书已生成"))
                return redirect("frontline:book_detail", pk=saved.pk)
        status = 400
    return render(
        request, "frontline/books/book_form.html", {"form": form, "book": book}, status=status
    )


@access.page("book_build")
@require_POST
def book_build(request, pk):
    book = get_object_or_404(PocketBook.objects.editable_by(request.user), pk=pk)
    try:
        services.book_build(actor=request.user, book=book)
    except OutOfScope:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("口袋书已按当前篇目重新生成"))
    return redirect("frontline:book_detail", pk=book.pk)


@access.page("books")
@require_GET
def book_pdf(request, pk):
    book = get_object_or_404(PocketBook.objects.visible_to(request.user), pk=pk)
    if not book.pdf:
        raise Http404
    try:
        with book.pdf.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    return inline_pdf_response(content, filename=f"{book.title}.pdf")


@access.page("books")
@require_GET
def book_excel(request, pk):
    book = get_object_or_404(PocketBook.objects.visible_to(request.user), pk=pk)
    content, count = services.book_excel(book)
    return audited_export(
        actor=request.user,
        content=content,
        title=f"口袋书篇目_{book.pk}",
        object_type="frontline.pocketbook",
        rows=count,
        note=book.title,
    )
