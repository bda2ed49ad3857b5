"""Problem pages (难题): a unit's queue (due soon first; the committee sees all with a unit
filter), a problem's page (details, deadline and working days left, extension, merges, the
timeline and the steps the lifecycle allows as small inline forms), the committee's dispatch
desk, the report form (12345/81890 hand-overs, the window, an outreach visit), the committee's
catalogue (categories, 派单目录) and settings.

Reads start from `visible_to(request.user)`: a problem outside the user's scope answers 404 like
a missing one. A step's refusal is shown beside its field (400); a move the lifecycle refuses
shows the service's message inline (409), nothing written. The reporter (masked) is shown only
to the committee and to the unit handling the problem."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanqing.core import sensitive
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date, workdays_between
from guanqing.core.errors import Conflict
from guanqing.core.ids import parse_id
from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.frontline import catalogue_services, rules, selectors, services
from guanqing.frontline.access import access
from guanqing.frontline.choices import OPEN_STATES, ProblemSource, ProblemState
from guanqing.frontline.forms_problems import (
    STEP_FORMS,
    CategoryForm,
    DispatchRuleForm,
    ProblemFilterForm,
    ReportForm,
    SettingsForm,
)
from guanqing.frontline.models import (
    DispatchRule,
    Extension,
    FrontlineSettings,
    Outreach,
    Problem,
    ProblemCategory,
)

DUE_SOON_WORKDAYS = 2
STATE_TONES = {
    ProblemState.RECEIVED: "info",
    ProblemState.ASSIGNED: "info",
    ProblemState.RETURNED: "warn",
    ProblemState.HANDLING: "accent",
    ProblemState.CLOSED: "ok",
    ProblemState.MERGED: "muted",
}


def _days_left(problem: Problem, today) -> int | None:
    """Working days left to the deadline (negative: overdue by that many); None without one."""
    if problem.deadline is None or problem.state not in OPEN_STATES:
        return None
    try:
        if problem.deadline >= today:
            return workdays_between(today, problem.deadline)
        return -workdays_between(problem.deadline, today)
    except CalendarYearMissing:
        return None


def _tone(days_left: int | None) -> str:
    if days_left is None:
        return ""
    if days_left < 0:
        return "danger"
    if days_left <= DUE_SOON_WORKDAYS:
        return "warn"
    return ""


def days_left_badge(days_left: int | None, tone: str) -> str:
    """The 剩余工作日 cell: "超期 n 个工作日" as a red badge, "剩 n 个工作日" (amber when due soon),
    "—" without a deadline. Built here, not by a template include per row: the desk shows up to
    200 problems."""
    if days_left is None:
        return "—"
    if days_left < 0:
        text = _("超期 %(n)s 个工作日") % {"n": -days_left}
        return format_html('<span class="badge badge--danger" data-tone="overdue">{}</span>', text)
    text = ngettext("剩 %(n)s 个工作日", "剩 %(n)s 个工作日", days_left) % {"n": days_left}
    if tone == "warn":
        return format_html('<span class="badge badge--warn" data-tone="due-soon">{}</span>', text)
    return text


_PK = 2_147_483_647  # reversed once in place of each row's key


def _decorate(rows, today) -> list[Problem]:
    rows = list(rows)
    detail = reverse("frontline:problem_detail", args=[_PK])
    for problem in rows:
        problem.days_left = _days_left(problem, today)
        problem.tone = _tone(problem.days_left)
        problem.days_badge = days_left_badge(problem.days_left, problem.tone)
        problem.state_tone = STATE_TONES.get(problem.state, "muted")
        problem.url = detail.replace(str(_PK), str(problem.pk))
    return rows


# --- the queue -----------------------------------------------------------------------------------


@access.page("problems")
def problem_list(request):
    user = request.user
    committee = user.role == Role.COMMITTEE
    form = ProblemFilterForm(request.GET or None, committee=committee)
    state = ProblemFilterForm.OPEN
    rows = selectors.problem_queue(user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        state = data.get("state") or ProblemFilterForm.OPEN
        if state != ProblemFilterForm.OPEN:
            rows = Problem.objects.visible_to(user).select_related("category", "unit")
            if state != ProblemFilterForm.ALL:
                rows = rows.filter(state=state)
            rows = rows.order_by("-received_on", "-pk")
        if data.get("category"):
            rows = rows.filter(category=data["category"])
        if data.get("source"):
            rows = rows.filter(source=data["source"])
        if committee and data.get("unit"):
            rows = rows.filter(unit=data["unit"])
        if q := (data.get("q") or "").strip():
            rows = rows.filter(
                Q(public_id__icontains=q) | Q(title__icontains=q) | Q(address__icontains=q)
            )
    page = paginate(request, rows)
    context = {
        "form": form,
        "page_obj": page,
        "problems": _decorate(page.object_list, business_date()),
        "state": state,
        "committee": committee,
        "can_report": access.allows(user, "problem_report"),
    }
    return render_page(
        request, "frontline/problems/list.html", "frontline/problems/results.html", context
    )


# --- the dispatch desk ---------------------------------------------------------------------------

DESK_LIMIT = 50


@access.page("dispatch")
def dispatch_desk(request):
    today = business_date()
    desk = selectors.dispatch_desk(today)
    lists = []
    for key, title, rows in (
        ("unassigned", gettext_lazy("待派单"), desk.unassigned),
        ("returned", gettext_lazy("已退单待改派"), desk.returned),
        ("overdue", gettext_lazy("已超期"), desk.overdue),
        ("noticed", gettext_lazy("通报"), desk.noticed),
    ):
        shown = list(rows[: DESK_LIMIT + 1])
        lists.append(
            {
                "key": key,
                "title": title,
                "rows": _decorate(shown[:DESK_LIMIT], today),
                "more": len(shown) > DESK_LIMIT,
            }
        )
    waiting = (
        selectors.waiting_extensions(Problem.objects.all())
        .select_related("problem__unit")
        .order_by("requested_on", "pk")[:DESK_LIMIT]
    )
    return render(
        request,
        "frontline/problems/desk.html",
        {"lists": lists, "extensions": list(waiting), "today": today},
    )


# --- reporting ---------------------------------------------------------------------------------


def _sources_for(user, outreach) -> list[str]:
    if outreach is not None:
        return [ProblemSource.OUTREACH]
    if user.role == Role.COMMITTEE:
        return [ProblemSource.HOTLINE, ProblemSource.WINDOW]
    if user.role == Role.WINDOW_CLERK:
        return [ProblemSource.WINDOW]
    return []


@access.page("problem_report")
def problem_new(request):
    user = request.user
    outreach = None
    outreach_id = request.POST.get("outreach") or request.GET.get("outreach")
    if outreach_id:
        pk = parse_id(outreach_id)
        outreach = (
            Outreach.objects.editable_by(user).select_related("place").filter(pk=pk).first()
            if pk
            else None
        )
        if outreach is None:
            raise Http404
    sources = _sources_for(user, outreach)
    if not sources:
        # a unit reports what its outreach collected: from a visit's page
        return render(request, "frontline/problems/new.html", {"need_outreach": True})
    initial = {}
    if outreach is not None:
        initial = {"division": outreach.place.division_id, "address": outreach.place.address}
    posted = request.method == "POST"
    form = ReportForm(request.POST if posted else None, sources=sources, initial=initial)
    if posted and form.is_valid():
        try:
            problem = services.problem_report(actor=user, outreach=outreach, **form.service_data())
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已受理，编号 %(id)s") % {"id": problem.public_id})
            return redirect(reverse("frontline:problem_detail", args=[problem.pk]))
    context = {"form": form, "outreach": outreach}
    return render(request, "frontline/problems/new.html", context, status=400 if posted else 200)


# --- a problem's page and its steps ----------------------------------------------------------------


def _problem(request, pk) -> Problem:
    return get_object_or_404(
        Problem.objects.visible_to(request.user).select_related(
            "category", "unit", "division", "master", "outreach__place", "reported_by"
        ),
        pk=pk,
    )


def _reporter(user, problem: Problem) -> dict | None:
    """The reporter, masked: for the committee and for the unit handling the problem only."""
    sees = user.role == Role.COMMITTEE or (
        user.role == Role.UNIT_ADMIN
        and problem.unit_id is not None
        and problem.unit_id == user.unit_id
    )
    if not sees:
        return None
    name, phone = problem.reporter_name, problem.reporter_phone
    if not (name or phone):
        return {"none": True}
    return {
        "name": (name[:1] + "*" * max(1, len(name) - 1)) if name else "",
        "phone": sensitive.mask(phone, 3, 4) if phone else "",
    }


def _step_form(action, problem, data=None):
    kwargs = {"prefix": action, "problem": problem}
    if action == "dispatch":
        kwargs["default_unit"] = services.default_unit(problem)
    return STEP_FORMS[action](data, **kwargs)


def _context(request, problem: Problem, *, bound=None, open_step: str = "") -> dict:
    user = request.user
    today = business_date()
    steps = []
    extension = Extension.objects.filter(problem=problem).select_related("requested_by").first()
    for step in rules.PROBLEM.actions(problem.state, user):
        if step.action not in STEP_FORMS:
            continue
        if step.action == "request_extension" and extension is not None:
            continue
        if step.action == "decide_extension" and (extension is None or extension.decision):
            continue
        if step.action == "callback" and problem.callback_on is not None:
            continue
        form = bound if open_step == step.action and bound is not None else None
        steps.append(
            {
                "action": step.action,
                "label": step.label,
                "form": form or _step_form(step.action, problem),
                "open": open_step == step.action,
                "url": reverse("frontline:problem_step", args=[problem.pk, step.action]),
            }
        )
    days_left = _days_left(problem, today)
    can_code = (
        access.allows(user, "dispatch")
        and problem.state == ProblemState.CLOSED
        and services._has_reporter(problem)
        and not services._rated_since_closed(problem)
    )
    return {
        "problem": problem,
        "state_tone": STATE_TONES.get(problem.state, "muted"),
        "days_left": days_left,
        "days_badge": days_left_badge(days_left, _tone(days_left)),
        "on_time": rules.on_time(problem.deadline, problem.closed_on),
        "reporter": _reporter(user, problem),
        "extension": extension,
        "merged": list(
            Problem.objects.visible_to(user).filter(master=problem).order_by("public_id")
        ),
        "events": list(selectors.problem_timeline(problem)),
        "steps": steps,
        "can_code": can_code,
    }


@access.page("problems")
def problem_detail(request, pk):
    problem = _problem(request, pk)
    return render(request, "frontline/problems/detail.html", _context(request, problem))


def _write(user, problem: Problem, action: str, data: dict):
    if action == "merge":
        access.check(user, "dispatch")
        into = (
            Problem.objects.editable_by(user).filter(public_id=data.pop("into")).only("pk").first()
        )
        if into is None:
            raise ValidationError({"into": [_("没有这个编号的难题")]})
        data["into"] = into
    call = {
        "dispatch": services.problem_dispatch,
        "reassign": services.problem_reassign,
        "return": services.problem_return,
        "accept": services.problem_accept,
        "progress": services.problem_progress,
        "request_extension": services.extension_request,
        "decide_extension": services.extension_decide,
        "answer": services.problem_answer,
        "merge": services.problem_merge,
        "callback": services.problem_callback,
    }[action]
    return call(actor=user, problem=problem, **data)


SUCCESS = {
    "dispatch": gettext_lazy("已派单"),
    "reassign": gettext_lazy("已改派"),
    "return": gettext_lazy("已退单"),
    "accept": gettext_lazy("已签收"),
    "progress": gettext_lazy("已记录办理进展"),
    "request_extension": gettext_lazy("已申请延期"),
    "decide_extension": gettext_lazy("已审批延期"),
    "answer": gettext_lazy("已办结答复"),
    "merge": gettext_lazy("已并单"),
    "callback": gettext_lazy("已记录回访"),
}


@access.page("problems")
@require_POST
@never_cache
def problem_step(request, pk, action):
    """POST one step: the problem's page with the step done; a refusal beside its field (400), a
    move no longer allowed as the service's message (409). Codes issued on 办结 are shown once."""
    if action not in STEP_FORMS:
        raise Http404
    problem = _problem(request, pk)
    form = _step_form(action, problem, request.POST)
    status, conflict = 400, ""
    if form.is_valid():
        try:
            result = _write(request.user, problem, action, form.service_data())
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            status, conflict = 409, str(exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            problem = _problem(request, pk)
            context = _context(request, problem)
            context["done"] = str(SUCCESS[action])
            context["codes"] = sorted(getattr(result, "rating_codes", {}).items())
            return render(request, "frontline/problems/detail.html", context)
    problem = _problem(request, pk)
    if conflict:
        context = _context(request, problem)
        context["conflict"] = conflict
    else:
        context = _context(request, problem, bound=form, open_step=action)
    return render(request, "frontline/problems/detail.html", context, status=status)


@access.page("dispatch")
@require_POST
@never_cache
def problem_code(request, pk):
    """A new one-time rating code for the reporter (an earlier one stops working), shown once."""
    problem = _problem(request, pk)
    status = 200
    try:
        code = services.problem_rating_code(actor=request.user, problem=problem)
    except OutOfScope:
        raise Http404 from None
    except Conflict as exc:
        context = _context(request, problem)
        context["conflict"] = str(exc)
        return render(request, "frontline/problems/detail.html", context, status=409)
    problem = _problem(request, pk)
    context = _context(request, problem)
    context["codes"] = [(problem.public_id, code)]
    context["done"] = _("已发放新的评价码，原评价码作废")
    return render(request, "frontline/problems/detail.html", context, status=status)


# --- the catalogue and settings ------------------------------------------------------------------


@access.page("catalogue_edit")
def categories(request):
    user = request.user
    rows = list(ProblemCategory.objects.order_by("sort_order", "code"))
    rules_by_category: dict[int, list] = {}
    for rule in DispatchRule.objects.select_related("district", "unit").order_by(
        "category_id", "district__code"
    ):
        rules_by_category.setdefault(rule.category_id, []).append(rule)
    for row in rows:
        row.rules = rules_by_category.get(row.pk, [])
    editing = None
    edit_id = parse_id(request.POST.get("pk") or request.GET.get("edit") or "")
    if edit_id:
        editing = get_object_or_404(ProblemCategory.objects.editable_by(user), pk=edit_id)
    category_form = CategoryForm(
        initial={"urgency": "problem", "is_active": True, "sort_order": 0}
        if editing is None
        else {
            "code": editing.code,
            "name": editing.name,
            "group": editing.group,
            "urgency": editing.urgency,
            "description": editing.description,
            "keywords": editing.keywords,
            "attributes": _json(editing.attributes),
            "sort_order": editing.sort_order,
            "is_active": editing.is_active,
        }
    )
    rule_form = DispatchRuleForm()
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "category":
                category_form = CategoryForm(request.POST)
                if category_form.is_valid():
                    try:
                        saved = catalogue_services.category_save(
                            actor=user, category=editing, **category_form.service_data()
                        )
                    except ValidationError as exc:
                        add_service_errors(category_form, exc)
                    else:
                        messages.success(request, _("已保存难题类别 %(name)s") % {"name": saved})
                        return redirect(reverse("frontline:categories"))
            elif which == "rule":
                rule_form = DispatchRuleForm(request.POST)
                if rule_form.is_valid():
                    try:
                        catalogue_services.dispatch_rule_save(actor=user, **rule_form.cleaned_data)
                    except ValidationError as exc:
                        add_service_errors(rule_form, exc)
                    else:
                        messages.success(request, _("已保存派单目录"))
                        return redirect(reverse("frontline:categories"))
            elif which == "rule_delete":
                rule_id = parse_id(request.POST.get("rule") or "")
                if rule_id is None:
                    raise Http404
                catalogue_services.dispatch_rule_delete(actor=user, rule=rule_id)
                messages.success(request, _("已删除派单目录中的一条"))
                return redirect(reverse("frontline:categories"))
            else:
                raise Http404
        except OutOfScope:
            raise Http404 from None
        status = 400
    context = {
        "categories": rows,
        "category_form": category_form,
        "rule_form": rule_form,
        "editing": editing,
        "attributes_example": _attributes_example(),
    }
    return render(request, "frontline/problems/categories.html", context, status=status)


def _attributes_example() -> str:
    """An Open311 question as the category editor's example (the keys are the specification's)."""
    import json

    question = {
        "code": "road_kind",
        "datatype": "singlevaluelist",
        "description": _("道路类型"),
        "required": True,
        "values": [{"key": "main", "name": _("主干道")}, {"key": "lane", "name": _("小巷")}],
    }
    return json.dumps([question], ensure_ascii=False)


def _json(value) -> str:
    import json

    return json.dumps(value or [], ensure_ascii=False, indent=1) if value else ""


@access.page("settings")
def settings_page(request):
    row = FrontlineSettings.current()
    form = SettingsForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                catalogue_services.settings_save(
                    actor=request.user,
                    **{
                        name: form.cleaned_data[name] for name in catalogue_services.SETTINGS_FIELDS
                    },
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存一线工作设置"))
                return redirect(reverse("frontline:problem_settings"))
        status = 400
    return render(request, "frontline/problems/settings.html", {"form": form}, status=status)
