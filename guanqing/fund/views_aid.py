"""Aid pages (帮扶金申请) under /fund/aid/: the applications list (state, year, unit, "waiting for
me"), the application form with its documents, an application's page (its chain of approvers, the
steps the lifecycle allows for the user: submit, withdraw, decide, pay), a document, the
committee's rule table and settings, and 公示 (page and PDF).

Reads start from `visible_to(request.user)`: an application outside the user's scope answers 404
like a missing one. Illness data (diagnosis, costs, documents) is shown on an application's page
to the fund officer and the committee only, and each such read is recorded in the audit log; the
lists show the diagnosis masked for everyone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanqing.care import interface as care
from guanqing.core import audit, uploads
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.pdf import inline_pdf_response, render_document
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.fund import aid_services, rules
from guanqing.fund.access import access
from guanqing.fund.choices import ApplicationState, ApproverRole
from guanqing.fund.filters_aid import ApplicationFilter
from guanqing.fund.forms_aid import (
    STEP_FORMS,
    ApplicationFilterForm,
    ApplicationForm,
    DocumentsForm,
    SettingsForm,
    TierFormSet,
)
from guanqing.fund.models import AidApplication, AidDocument, Approval, FundSettings

MASK = audit.SENSITIVE_MARK
STATE_TONES = {
    ApplicationState.DRAFT: "muted",
    ApplicationState.SUBMITTED: "info",
    ApplicationState.APPROVED: "warn",  # to pay
    ApplicationState.PAID: "ok",
    ApplicationState.REJECTED: "danger",
    ApplicationState.WITHDRAWN: "muted",
}
SUCCESS = {
    "submit": gettext_lazy("已提交审批"),
    "withdraw": gettext_lazy("已撤回"),
    "decide": gettext_lazy("已审批"),
    "pay": gettext_lazy("已发放"),
}


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        mapped: dict[str, list] = {}
        for key, value in exc.message_dict.items():
            name = (
                form.field_for_service_key(key) if hasattr(form, "field_for_service_key") else key
            )
            if name not in form.fields:
                name = "__all__"
            mapped.setdefault(name, []).extend(value)
        exc = ValidationError(mapped)
    add_service_errors(form, exc)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 9999 else business_date().year


# --- the list ----------------------------------------------------------------------------------


@access.page("applications")
def application_list(request):
    user = request.user
    form = ApplicationFilterForm(request.GET or None, user=user)
    rows = AidApplication.objects.visible_to(user).select_related("member", "unit")
    query = request.GET.copy()
    if query.get("waiting") == "on":  # the page's checkbox
        query["waiting"] = "true"
    filters = ApplicationFilter(query or None, queryset=rows, request=request)
    rows = filters.qs.order_by("-created_at", "-pk")
    page = paginate(request, rows)
    for row in page.object_list:
        row.state_tone = STATE_TONES.get(row.state, "muted")
    context = {
        "form": form,
        "page_obj": page,
        "applications": page.object_list,
        "mask": _(MASK),
        "can_apply": access.allows(user, "apply"),
        "readers": aid_services.may_read_illness(user),
    }
    return render_page(request, "fund/aid/list.html", "fund/aid/results.html", context)


# --- the form ----------------------------------------------------------------------------------


@access.page("apply")
def application_new(request):
    user = request.user
    posted = request.method == "POST"
    # opened from a 必帮 obligation of 关怀帮扶 (its page links here): for its member, linked
    obligation = request.POST.get("care_obligation") if posted else None
    obligation = obligation or request.GET.get("care_obligation")
    care_link = care.help_obligation(user, obligation) if obligation else None
    if obligation and care_link is None:
        raise Http404
    form = ApplicationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=user,
        care=care_link,
    )
    if posted and form.is_valid():
        try:
            application = aid_services.application_create(actor=user, **form.service_data())
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(
                request, _("已保存申请 %(number)s（草稿）") % {"number": application.number}
            )
            return redirect(reverse("fund:aid_detail", args=[application.pk]))
    return render(
        request,
        "fund/aid/form.html",
        {"form": form, "application": None, "care_link": care_link},
        status=400 if posted else 200,
    )


def _application(request, pk, queryset=None) -> AidApplication:
    queryset = queryset if queryset is not None else AidApplication.objects.visible_to(request.user)
    return get_object_or_404(queryset.select_related("member", "unit", "created_by"), pk=pk)


@access.page("apply")
def application_edit(request, pk):
    user = request.user
    application = _application(request, pk, AidApplication.objects.editable_by(user))
    reader = aid_services.may_read_illness(user)
    posted = request.method == "POST"
    initial = {
        "relation": application.relation,
        "patient_name": application.patient_name,
        "reason": application.reason,
    }
    if reader:
        initial.update(
            {
                "diagnosis": application.diagnosis,
                "diagnosis_note": application.diagnosis_note,
                "total_cost": application.total_cost,
                "reimbursed": application.reimbursed,
            }
        )
    form = ApplicationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=user,
        editing=True,
        reader=reader,
        initial=initial,
    )
    conflict = ""
    if posted and form.is_valid():
        try:
            aid_services.application_update(
                actor=user, application=application, **form.service_data()
            )
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            conflict = str(exc)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect(reverse("fund:aid_detail", args=[application.pk]))
    elif not posted and reader:
        aid_services.illness_read(actor=user, application=application)
    status = 409 if conflict else (400 if posted else 200)
    return render(
        request,
        "fund/aid/form.html",
        {"form": form, "application": application, "conflict": conflict},
        status=status,
    )


# --- an application's page ---------------------------------------------------------------------


def _chain(application: AidApplication, approvals: list[Approval]) -> list[dict]:
    steps = []
    for index, role in enumerate(application.chain or []):
        approval = approvals[index] if index < len(approvals) else None
        steps.append(
            {
                "index": index + 1,
                "role": ApproverRole(role).label if role in ApproverRole.values else role,
                "approval": approval,
                "next": approval is None
                and index == len(approvals)
                and application.state == ApplicationState.SUBMITTED,
            }
        )
    return steps


def _steps(request, application: AidApplication, approvals, *, bound=None, open_step=""):
    user = request.user
    shown = []
    decide_added = False
    for step in rules.APPLICATION.actions(application.state, user):
        action = step.action
        if action == "edit":
            continue
        if action in ("approve", "reject"):
            if decide_added or aid_services.decide_refusal(user, application, done=len(approvals)):
                continue
            decide_added = True
            action = "decide"
            label = _("审批")
        else:
            label = step.label
        form = (
            bound
            if bound is not None and open_step == action
            else STEP_FORMS[action](prefix=action)
        )
        shown.append(
            {
                "action": action,
                "label": label,
                "form": form,
                "open": open_step == action,
                "url": reverse("fund:aid_step", args=[application.pk, action]),
            }
        )
    return shown


def _context(request, application: AidApplication, **extra) -> dict:
    user = request.user
    reader = aid_services.may_read_illness(user)
    approvals = list(
        Approval.objects.filter(application=application).select_related("approver").order_by("step")
    )
    documents = []
    if reader:
        documents = list(AidDocument.objects.filter(application=application).order_by("pk"))
    payment = getattr(application, "payment", None) if application.state == "paid" else None
    context = {
        "application": application,
        "state_tone": STATE_TONES.get(application.state, "muted"),
        "reader": reader,
        "documents": documents,
        "chain": _chain(application, approvals),
        "payment": payment,
        "steps": _steps(
            request,
            application,
            approvals,
            bound=extra.pop("bound", None),
            open_step=extra.pop("open_step", ""),
        ),
        "can_edit": application.state == ApplicationState.DRAFT
        and access.allows(user, "apply")
        and AidApplication.objects.editable_by(user).filter(pk=application.pk).exists(),
        "documents_form": DocumentsForm(prefix="doc"),
        # the 必帮 obligation it was opened from, when the user sees it (关怀帮扶)
        "care_link": (
            care.help_obligation(user, application.care_obligation_id)
            if application.care_obligation_id
            else None
        ),
    }
    if reader:
        aid_services.illness_read(actor=user, application=application)
    context.update(extra)
    return context


@access.page("applications")
def application_detail(request, pk):
    application = _application(request, pk)
    return render(request, "fund/aid/detail.html", _context(request, application))


def _write(user, application, action: str, data: dict):
    call = {
        "submit": aid_services.application_submit,
        "withdraw": aid_services.application_withdraw,
        "decide": aid_services.application_decide,
        "pay": aid_services.application_pay,
    }[action]
    return call(actor=user, application=application, **data)


@access.page("applications")
@require_POST
@never_cache
def application_step(request, pk, action):
    """POST one step: the application's page with the step done; a refusal beside its field
    (400), a move no longer allowed (409) or not the user's (403) as the service's message."""
    if action not in STEP_FORMS:
        raise Http404
    application = _application(request, pk)
    form = STEP_FORMS[action](request.POST, prefix=action)
    status, conflict = 400, ""
    if form.is_valid():
        try:
            _write(request.user, application, action, form.service_data())
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            status, conflict = 409, str(exc)
        except PermissionDenied as exc:
            status, conflict = 403, str(exc)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            application = _application(request, pk)
            context = _context(request, application, done=str(SUCCESS[action]))
            return render(request, "fund/aid/detail.html", context)
    application = _application(request, pk)
    if conflict:
        context = _context(request, application, conflict=conflict)
    else:
        context = _context(request, application, bound=form, open_step=action)
    return render(request, "fund/aid/detail.html", context, status=status)


@access.page("apply")
@require_POST
@never_cache
def application_documents(request, pk):
    """Add documents to a draft (from its page)."""
    user = request.user
    application = _application(request, pk, AidApplication.objects.editable_by(user))
    form = DocumentsForm(request.POST, request.FILES, prefix="doc")
    status, conflict = 400, ""
    if form.is_valid():
        try:
            aid_services.application_documents_add(
                actor=user, application=application, documents=form.documents()
            )
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            status, conflict = 409, str(exc)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("已上传材料"))
            return redirect(reverse("fund:aid_detail", args=[application.pk]))
    context = _context(request, application, conflict=conflict)
    context["documents_form"] = form
    return render(request, "fund/aid/detail.html", context, status=status)


@access.page("illness")
@never_cache
def application_document(request, pk, document_pk):
    """One supporting document (the fund officer and the committee), its read recorded."""
    application = _application(request, pk)
    document = get_object_or_404(
        AidDocument.objects.filter(application=application), pk=document_pk
    )
    aid_services.illness_read(actor=request.user, application=application, document=document)
    return uploads.stored_file_response(document, cache_seconds=0)


# --- the rule table and settings ---------------------------------------------------------------


def _tiers_data(formset) -> list[dict]:
    return [
        {
            "self_paid_from": f.cleaned_data.get("self_paid_from"),
            "self_paid_below": f.cleaned_data.get("self_paid_below"),
            "amount": f.cleaned_data.get("amount"),
        }
        for f in formset.forms
        if not f.is_blank()
    ]


def _tier_errors(formset, exc: ValidationError) -> None:
    """`tiers[i].field` → the i-th filled row's field."""
    filled = [f for f in formset.forms if not f.is_blank()]
    for key, messages_ in exc.message_dict.items():
        if key.startswith("tiers[") and "]." in key:
            index = int(key[6 : key.index("]")])
            field = key[key.index("].") + 2 :]
            target = filled[index] if index < len(filled) else formset.forms[0]
            for message in messages_:
                target.add_error(field if field in target.fields else None, message)
        else:
            formset.forms[0].add_error(None, " ".join(messages_))


@access.page("settings")
def aid_rules(request):
    user = request.user
    config = FundSettings.current()
    tiers = aid_services.current_tiers()
    tier_initial = [
        {
            "self_paid_from": t.self_paid_from,
            "self_paid_below": t.self_paid_below,
            "amount": t.amount,
        }
        for t in tiers
    ]
    settings_form = SettingsForm(
        initial={name: getattr(config, name) for name in aid_services.SETTINGS_FIELDS}
    )
    formset = TierFormSet(initial=tier_initial, prefix="tiers")
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "settings":
            settings_form = SettingsForm(request.POST)
            if settings_form.is_valid():
                try:
                    aid_services.settings_save(actor=user, **settings_form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(settings_form, exc)
                else:
                    messages.success(request, _("已保存审批限额和帮扶上限"))
                    return redirect(reverse("fund:aid_rules"))
        elif which == "tiers":
            formset = TierFormSet(request.POST, prefix="tiers")
            if formset.is_valid():
                try:
                    aid_services.tiers_replace(actor=user, tiers=_tiers_data(formset))
                except ValidationError as exc:
                    _tier_errors(formset, exc)
                else:
                    messages.success(request, _("已保存帮扶标准"))
                    return redirect(reverse("fund:aid_rules"))
        else:
            raise Http404
        status = 400
    context = {"settings_form": settings_form, "formset": formset, "config": config}
    return render(request, "fund/aid/rules.html", context, status=status)


# --- 公示 ------------------------------------------------------------------------------------


def _publicity_context(request) -> dict:
    year = _year(request)
    rows = aid_services.publicity(year)
    return {
        "year": year,
        "rows": rows,
        "total": sum((row.amount for row in rows), start=0),
        "years": list(range(business_date().year, business_date().year - 10, -1)),
    }


@access.page("publicity")
def publicity(request):
    return render(request, "fund/aid/publicity.html", _publicity_context(request))


@access.page("publicity")
def publicity_pdf(request):
    context = _publicity_context(request)
    content = render_document("fund/aid/publicity_pdf.html", context, request=request)
    return inline_pdf_response(content, filename=f"帮扶金公示_{context['year']}.pdf")
