"""Excel pages: the import page, template downloads, exports and background import jobs."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from guanqing.accounts.middleware import passive
from guanqing.core import excel
from guanqing.core.access import SIGNED_IN, signed_in
from guanqing.core.context import client_ip
from guanqing.core.policy import request_policy
from guanqing.registry import imports
from guanqing.registry.access import access
from guanqing.registry.models import Household, Member, Unit
from guanqing.registry.models_imports import ImportJob, ImportJobStatus, ImportKind
from guanqing.registry.resources import RESOURCES

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

LIST_URLS = {
    ImportKind.UNITS: "registry:unit_list",
    ImportKind.MEMBERS: "registry:member_list",
    ImportKind.HOUSEHOLDS: "registry:household_list",
}


def _export_queryset(kind: str, user):
    if kind == ImportKind.UNITS:
        return Unit.objects.visible_to(user).order_by("sort_order", "name")
    if kind == ImportKind.MEMBERS:
        return (
            Member.objects.visible_to(user)
            .select_related("unit", "branch", "home_community")
            .order_by("unit__sort_order", "unit_id", "id")
        )
    return (
        Household.objects.visible_to(user)
        .select_related("community")
        .order_by("community__code", "id")
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用下载的模板填写，.xlsx 格式，不超过 20 MB"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, ImportKind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）")
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请拆分后分批导入"))
        return upload


def _kind_cards(kinds: list[str]) -> list[dict]:
    cards = []
    for kind in kinds:
        resource = RESOURCES[kind]()
        cards.append(
            {
                "kind": kind,
                "label": ImportKind(kind).label,
                "headers": [c.column_name for c in resource.columns()],
                "required": resource.required_headers(),
                "template_url": reverse("excel:template", args=[kind]),
                "export_url": reverse("excel:export", args=[kind]),
            }
        )
    return cards


def _in_file_language(view):
    """Excel files speak Chinese (column names, choice labels) whatever language the page uses."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return view(request, *args, **kwargs)

    return wrapped


def _check_and_import(request, form) -> tuple[imports.ImportResult | None, ImportJob | None]:
    """Checks the upload and imports it now, or queues it as a background job when it is large."""
    user = request.user
    kind = form.cleaned_data["kind"]
    upload = form.cleaned_data["file"]
    try:
        sheet = imports.read_upload(upload)
    except excel.SheetError as exc:
        form.add_error("file", str(exc))
        return None, None
    # A file too big to read here has its header row checked by the job.
    errors = imports.header_errors(actor=user, kind=kind, sheet=sheet) if sheet is not None else []
    if errors:
        result = imports.ImportResult(
            kind=kind, file_name=upload.name, total=len(sheet), errors=errors
        )
        return result, None
    if imports.is_large(sheet):
        job = imports.import_job_create(
            actor=user,
            kind=kind,
            upload=upload,
            total_rows=0 if sheet is None or sheet.truncated else len(sheet),
            ip_address=client_ip(request),
        )
        return None, job
    return imports.import_sheet(actor=user, kind=kind, sheet=sheet, file_name=upload.name), None


@access.page("excel")
@require_http_methods(["GET", "POST"])
def index(request):
    user = request.user
    kinds = imports.import_kinds_for(user)
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    result = None
    if request.method == "POST" and form.is_valid():
        # the file's labels are read in Chinese by the widgets; the errors follow the reader
        result, job = _check_and_import(request, form)
        if job is not None:
            return redirect("excel:job", pk=job.pk)
    context = {
        "form": form,
        "result": result,
        "result_list_url": reverse(LIST_URLS[result.kind]) if result and result.ok else "",
        "kinds": _kind_cards(kinds),
        "threshold": settings.IMPORT_BACKGROUND_THRESHOLD,
        "jobs": ImportJob.objects.visible_to(user).filter(created_by=user)[:10],
    }
    return render(request, "registry/excel/index.html", context)


# A kind the user may not import is 404, like an unknown one.
@signed_in
@require_GET
@_in_file_language
def template_download(request, kind: str):
    if kind not in imports.import_kinds_for(request.user):
        raise Http404
    resource = RESOURCES[kind]()
    content = excel.template_workbook(
        title=resource.title, columns=resource.column_specs(request.user), notes=resource.notes
    )
    return excel.xlsx_response(content, f"{resource.title}导入模板.xlsx")


@signed_in
@require_GET
@_in_file_language
def export(request, kind: str):
    user = request.user
    if kind not in imports.export_kinds_for(user):
        raise Http404
    resource = RESOURCES[kind](policy=request_policy(request))
    queryset = _export_queryset(kind, user)
    refused = excel.too_many_to_export(request, queryset, back=reverse("excel:index"))
    if refused is not None:
        return refused
    rows = resource.export_rows(queryset)
    content = excel.data_workbook(title=resource.title, columns=resource.column_specs(), rows=rows)
    return excel.audited_export(
        actor=user,
        content=content,
        title=resource.title,
        object_type=f"registry.{queryset.model._meta.model_name}",
        rows=len(rows),
        changes={"kind": [None, kind]},
        note="证件号已脱敏",
    )


ERRORS_PER_PAGE = 50


def _job_context(job: ImportJob, page=None) -> dict:
    progress = imports.job_progress(job)
    errors, more = imports.job_errors(job)
    return {
        "job": job,
        "job_ok": job.status == ImportJobStatus.DONE,
        "progress": progress,
        "errors_page": Paginator(errors, ERRORS_PER_PAGE).get_page(page),
        "more_errors": more,
        "result_list_url": reverse(LIST_URLS[job.kind])
        if job.status == ImportJobStatus.DONE
        else "",
    }


@signed_in
@require_GET
def job_detail(request, pk: int):
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    return render(request, "registry/excel/job.html", _job_context(job, request.GET.get("page")))


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and not request.headers.get("HX-Request")


@passive  # polling is not user activity and writes nothing, not even the session
@require_GET
def job_progress(request, pk: int):
    if not request.user.is_authenticated:
        login = f"{reverse(settings.LOGIN_URL)}?next={reverse('excel:job', args=[pk])}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login
            return response
        return redirect(login)
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    context = _job_context(job, request.GET.get("page"))
    if _wants_json(request):
        data = dict(context["progress"])
        if job.is_finished:
            data["errors"], data["more_errors"] = imports.job_errors(job)
        return JsonResponse(data)
    response = render(request, "registry/excel/_job_progress.html", context)
    response["Cache-Control"] = "no-store"
    return response


# Signed in only: it answers an anonymous poll itself (HX-Redirect to the sign-in page for htmx).
job_progress.access = SIGNED_IN
