"""党员进社区, a community worker's pages: the registrations to confirm, the community's activities
(posting, cancelling, the members who signed up and checked in, hours added by hand) and the
organiser's check-in code. Ratings are in `views_ratings`.

Reads start from `visible_to(request.user)`: a record outside the user's scope answers 404
exactly like a missing one. Writes go through `guanqing.community.services` only; which buttons
a record offers comes from its lifecycle (`rules.REGISTRATION`, `rules.ACTIVITY`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.community import rules, selectors, services
from guanqing.community.access import access
from guanqing.community.choices import RegistrationStatus
from guanqing.community.filters import ActivityFilter
from guanqing.community.forms import ActivityForm, ManualHoursForm, ReasonForm
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Registration,
)
from guanqing.community.rules import ACTIVITY, REGISTRATION
from guanqing.community.views_shared import (
    STATUS_TONES,
    UNPROCESSABLE,
    badge,
    chosen_term,
    service_errors,
    term_choices,
    term_options,
)
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ui.htmx import paginate, render_page, wants_partial

# ---------------------------------------------------------------------------------------------
# Registrations
# ---------------------------------------------------------------------------------------------

PENDING_FIRST = Case(
    When(status=RegistrationStatus.PENDING, then=Value(0)),
    When(status=RegistrationStatus.CONFIRMED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@access.page("worker")
def registration_list(request):
    """本社区的进社区报到 for a half-year, pending first; confirm or reject in place."""
    choices = term_choices(business_date(), back=3, ahead=1)
    term = chosen_term(request, choices)
    status = request.GET.get("status", "")
    counts = selectors.registration_counts(request.user, term)
    rows = (
        Registration.objects.visible_to(request.user)
        .for_term(term)
        .select_related("member", "member__unit", "decided_by")
    )
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    rows = rows.annotate(pending_first=PENDING_FIRST).order_by("pending_first", "created_at", "pk")
    page = paginate(request, rows)
    context = {
        "page_obj": page,
        "rows": [_registration_row(request.user, r) for r in page.object_list],
        "term": term,
        "term_options": term_options(choices, term),
        "status": status,
        "status_options": RegistrationStatus.choices,
        "counts": counts,
    }
    return render_page(
        request,
        "community/registration_list.html",
        "community/partials/registration_results.html",
        context,
    )


def _registration_row(user, registration: Registration, form=None) -> dict:
    return {
        "r": registration,
        "badge": badge(STATUS_TONES, registration.status, registration.get_status_display()),
        "form": form or ReasonForm(prefix=f"reg{registration.pk}"),
        "actions": {step.action for step in REGISTRATION.actions(registration.status, user)},
    }


def _registration_answer(request, registration, form=None, status=200):
    if request.htmx:
        registration.refresh_from_db()
        context = {"row": _registration_row(request.user, registration, form)}
        return render(request, "community/partials/registration_row.html", context, status=status)
    return redirect(reverse("community:registration_list") + f"?term={registration.term_label}")


@access.page("worker")
@require_POST
def registration_confirm(request, pk):
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("member__unit"), pk=pk
    )
    try:
        services.registration_confirm(actor=request.user, registration=registration)
    except ValidationError as exc:
        form = ReasonForm(prefix=f"reg{pk}")
        form.is_valid()
        service_errors(form, exc)
        if not request.htmx:
            messages.error(request, "；".join(exc.messages))
        return _registration_answer(request, registration, form, UNPROCESSABLE)
    if not request.htmx:
        messages.success(request, _("已确认 %(name)s 报到") % {"name": registration.member.name})
    return _registration_answer(request, registration)


@access.page("worker")
@require_POST
def registration_reject(request, pk):
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("member__unit"), pk=pk
    )
    form = ReasonForm(request.POST, prefix=f"reg{pk}")
    reason = request.POST.get(f"reg{pk}-reason", "")
    try:
        services.registration_reject(actor=request.user, registration=registration, reason=reason)
    except ValidationError as exc:
        form.is_valid()
        form.errors.clear()
        service_errors(form, exc)
        if not request.htmx:
            messages.error(request, "；".join(exc.messages))
        return _registration_answer(request, registration, form, UNPROCESSABLE)
    if not request.htmx:
        messages.success(request, _("已退回 %(name)s 的报到") % {"name": registration.member.name})
    return _registration_answer(request, registration)


# ---------------------------------------------------------------------------------------------
# A community worker: activities, hours by hand, the organiser's code
# ---------------------------------------------------------------------------------------------


@access.page("worker")
def activity_list(request):
    base = Activity.objects.visible_to(request.user)
    filterset = ActivityFilter(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    attended = (
        Attendance.objects.visible_to(request.user)
        .filter(activity_id=OuterRef("pk"))
        .order_by()
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    rows = (
        qs.select_related("community")
        .annotate(attended=Coalesce(Subquery(attended), Value(0)))
        .order_by("-starts_at", "-pk")
    )
    page = paginate(request, rows)
    if not wants_partial(request):
        form = filterset.form
        form.fields.pop("community", None)
        for name in ("date_from", "date_to"):
            form.fields[name].widget.input_type = "date"
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "now": timezone.now(),
    }
    return render_page(
        request, "community/activity_list.html", "community/partials/activity_results.html", context
    )


@access.page("worker")
def activity_create(request):
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, **form.service_data())
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("已发布活动：%(title)s") % {"title": activity.title})
            return redirect("community:activity_detail", pk=activity.pk)
    return render(request, "community/activity_form.html", {"form": form})


def _member_rows(activity, signups, attendances, manual) -> list[dict]:
    """One row per member who signed up: sign-up, check-in/out, hours apart, what may be added."""
    by_member_att = {a.member_id: a for a in attendances}
    by_member_manual: dict[int, list] = {}
    for entry in manual:
        by_member_manual.setdefault(entry.member_id, []).append(entry)
    length = activity.length_hours
    rows = []
    for signup in signups:
        att = by_member_att.get(signup.member_id)
        added = by_member_manual.get(signup.member_id, [])
        checkin_hours = att.hours if att and att.hours is not None else rules.ZERO_HOURS
        manual_total = sum((m.hours for m in added), rules.ZERO_HOURS)
        rows.append(
            {
                "signup": signup,
                "member": signup.member,
                "attendance": att,
                "manual": added,
                "checkin_hours": checkin_hours,
                "manual_hours": manual_total,
                "total": checkin_hours + manual_total,
                "allowance": rules.manual_allowance(length, checkin_hours, manual_total),
            }
        )
    return rows


def _activity_detail_context(request, activity, hours_form=None, cancel_form=None) -> dict:
    user = request.user
    signups = list(
        ActivitySignup.objects.visible_to(user)
        .filter(activity=activity)
        .select_related("member", "member__unit")
        .order_by("status", "signed_up_at", "pk")
    )
    attendances = list(Attendance.objects.visible_to(user).filter(activity=activity))
    manual = list(
        ManualHours.objects.visible_to(user)
        .filter(activity=activity)
        .select_related("member", "added_by")
        .order_by("added_at", "pk")
    )
    rows = _member_rows(activity, signups, attendances, manual)
    members = [(r["member"].pk, r["member"].name) for r in rows]
    if hours_form is None:
        hours_form = ManualHoursForm(members=members)
    now = timezone.now()
    opens, closes = rules.code_window(activity.starts_at, activity.ends_at)
    return {
        "a": activity,
        "rows": rows,
        "manual": manual,
        "hours_form": hours_form,
        "cancel_form": cancel_form or ReasonForm(),
        "length": activity.length_hours,
        "can_add_hours": ACTIVITY.can(activity.status, "add_hours", user)
        and activity.starts_at <= now
        and bool(rows),
        "can_cancel": ACTIVITY.can(activity.status, "cancel", user)
        and activity.ends_at > now
        and not attendances,
        "code_open": ACTIVITY.can(activity.status, "show_code", user) and opens <= now <= closes,
        "code_opens": opens,
        "code_closes": closes,
        "checkin_total": sum((r["checkin_hours"] for r in rows), rules.ZERO_HOURS),
        "manual_total": sum((r["manual_hours"] for r in rows), rules.ZERO_HOURS),
        "attended": len(attendances),
    }


def _worker_activity(request, pk):
    return get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("community", "created_by"), pk=pk
    )


@access.page("worker")
def activity_detail(request, pk):
    activity = _worker_activity(request, pk)
    return render(
        request, "community/activity_detail.html", _activity_detail_context(request, activity)
    )


@access.page("worker")
@require_POST
def activity_hours(request, pk):
    """补录时长: errors beside the field (the cap explained); nothing is written on an error."""
    activity = _worker_activity(request, pk)
    context = _activity_detail_context(request, activity)
    members = list(context["hours_form"].fields["member"].choices)[1:]
    form = ManualHoursForm(request.POST, members=members)
    if form.is_valid():
        try:
            entry = services.hours_add(
                actor=request.user,
                activity=activity,
                member=form.cleaned_data["member"],
                hours=form.cleaned_data["hours"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            service_errors(form, exc, aliases={"activity": "__all__"})
        else:
            messages.success(
                request,
                _("已为 %(name)s 补录 %(hours)s 小时")
                % {"name": entry.member.name, "hours": entry.hours},
            )
            return redirect(reverse("community:activity_detail", args=[activity.pk]) + "#hours")
    context["hours_form"] = form
    context["hours_open"] = True
    return render(request, "community/activity_detail.html", context)


@access.page("worker")
@require_POST
def activity_cancel(request, pk):
    activity = _worker_activity(request, pk)
    form = ReasonForm(request.POST)
    try:
        services.activity_cancel(
            actor=request.user, activity=activity, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        form.is_valid()
        form.errors.clear()
        service_errors(form, exc, aliases={"status": "__all__"})
        context = _activity_detail_context(request, activity, cancel_form=form)
        context["cancel_open"] = True
        return render(request, "community/activity_detail.html", context)
    messages.success(request, _("已取消活动：%(title)s") % {"title": activity.title})
    return redirect("community:activity_detail", pk=activity.pk)


def _qr_svg(text: str) -> str | None:
    """The QR code of `text` as inline SVG, drawn here (no external service); None when no QR
    library is installed (the page then shows the code and the link only)."""
    try:
        import segno
    except ImportError:
        return None
    return segno.make(text, error="m").svg_inline(border=2, dark="#1f2329", omitsize=True)


@access.page("worker")
def activity_code(request, pk):
    """签到码: the current code in very large digits with its QR; htmx refreshes it every 30 s."""
    activity = _worker_activity(request, pk)
    context = {"a": activity}
    try:
        shown = services.activity_code(actor=request.user, activity=activity)
    except ValidationError as exc:
        context["error"] = "；".join(exc.messages)
    else:
        link = request.build_absolute_uri(
            reverse("community:checkin") + f"?a={activity.pk}&code={shown['code']}"
        )
        svg = _qr_svg(link)
        context.update(
            {
                "code": shown["code"],
                "valid_until": shown["valid_until"],
                "link": link,
                "qr_svg": mark_safe(svg) if svg else None,  # noqa: S308 - drawn by segno
            }
        )
    template = "community/activity_code.html"
    if wants_partial(request, "code-box"):
        template = "community/partials/code_box.html"
    return render(request, template, context)
