"""党员进社区 pages: a member's community (registration, hours, rating, activities to sign up for)
and check-in; a community worker's registrations, activities (with the organiser's code), hours
added by hand and ratings; a unit's roster (双评价 back to the unit) and the figures.

Reads start from `visible_to(request.user)`: a record outside the user's scope answers 404
exactly like a missing one. Writes go through `guanqing.community.services` only.
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanqing.community import rules, selectors, services
from guanqing.community.choices import (
    ActivityStatus,
    Grade,
    RegistrationStatus,
    ServiceRole,
    SignupStatus,
)
from guanqing.community.filters import ActivityFilter
from guanqing.community.forms import (
    ActivityForm,
    CheckinForm,
    ManualHoursForm,
    RatingForm,
    ReasonForm,
    RegistrationForm,
)
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import Term
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import parse_id
from guanqing.core.pinyin import sorted_by_pinyin
from guanqing.core.roles import Role
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page, wants_partial
from guanqing.registry.models import Member, Unit

# refused forms answered to htmx, swapped in place (see community/templates/community/head.html)
UNPROCESSABLE = 422
CONFLICT = 409


def _roles(*roles, message):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


member_view = _roles(Role.MEMBER, message=gettext_lazy("只有党员本人使用此页面"))
worker_view = _roles(Role.COMMUNITY_WORKER, message=gettext_lazy("只有社区工作者使用此页面"))
roster_view = _roles(
    Role.COMMITTEE,
    Role.UNIT_ADMIN,
    message=gettext_lazy("只有单位管理员和市直机关工委查看党员进社区情况"),
)
figures_view = _roles(
    Role.COMMITTEE,
    Role.UNIT_ADMIN,
    Role.COMMUNITY_WORKER,
    message=gettext_lazy("您的角色不查看党员进社区统计"),
)

GRADE_TONES = {
    Grade.EXCELLENT: "ok",
    Grade.COMPETENT: "info",
    Grade.BASIC: "warn",
    Grade.INCOMPETENT: "accent",
}
STATUS_TONES = {
    RegistrationStatus.PENDING: "warn",
    RegistrationStatus.CONFIRMED: "ok",
    RegistrationStatus.REJECTED: "accent",
}


def _service_errors(form, exc: ValidationError, aliases: dict | None = None) -> None:
    """The service's refusals next to the fields they name (`aliases`: service key → field)."""
    if hasattr(exc, "error_dict") and aliases:
        exc = ValidationError(
            {aliases.get(key, key): value for key, value in exc.message_dict.items()}
        )
    add_service_errors(form, exc)


def _term_choices(today: datetime.date, *, back: int, ahead: int = 0) -> list[Term]:
    """The current half-year, `ahead` later ones and `back` earlier ones, newest first."""
    current = Term.of(today)
    terms = [current]
    for _i in range(ahead):
        terms.insert(0, terms[0].next())
    for _i in range(back):
        terms.append(terms[-1].previous())
    return terms


def _chosen_term(request, choices: list[Term]) -> Term:
    """`?term=2026H1` among the choices; anything else: the current half-year."""
    current = Term.of(business_date())
    try:
        term = Term.parse(request.GET.get("term") or request.POST.get("term") or "")
    except ValueError:
        return current
    return term if term in choices else current


def _term_label(term: Term) -> str:
    if term.half == 1:
        return _("%(year)d 年上半年") % {"year": term.year}
    return _("%(year)d 年下半年") % {"year": term.year}


def _term_options(choices: list[Term], chosen: Term) -> list[dict]:
    return [{"value": t.label, "label": _term_label(t), "selected": t == chosen} for t in choices]


def _badge(tones: dict, value, label) -> dict | None:
    if not value:
        return None
    return {"tone": tones.get(value, "muted"), "label": label}


# ---------------------------------------------------------------------------------------------
# A member: my community, sign-up, check-in
# ---------------------------------------------------------------------------------------------


def _member_activities(user, member: Member | None):
    """Published activities that have not ended, the member's community first; whether it signed
    up. One query."""
    now = timezone.now()
    mine = ActivitySignup.objects.visible_to(user).filter(
        activity_id=OuterRef("pk"), status=SignupStatus.SIGNED_UP
    )
    attended = Attendance.objects.visible_to(user).filter(
        activity_id=OuterRef("pk"), member_id=member.pk if member else None
    )
    home_id = member.home_community_id if member else None
    return (
        Activity.objects.visible_to(user)
        .filter(status=ActivityStatus.PUBLISHED, ends_at__gt=now)
        .select_related("community")
        .annotate(
            is_mine=Exists(mine),
            checked_in=Exists(attended),
            checked_out=Exists(attended.filter(checked_out_at__isnull=False)),
            home_first=Case(
                When(community_id=home_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("home_first", "starts_at", "pk")
    )


def _registration_context(request, member: Member | None, form=None) -> dict:
    user = request.user
    today = business_date()
    term = Term.of(today)
    registrations = list(
        Registration.objects.visible_to(user).select_related("community").order_by("-year", "-half")
    )
    current = next((r for r in registrations if r.term == term), None)
    following = next((r for r in registrations if r.term == term.next()), None)
    earlier = next(
        (r for r in registrations if r.term < term and r.status != RegistrationStatus.REJECTED),
        None,
    )
    # a form for this half-year (none yet, or rejected), or to renew for the next one late in it
    form_term = None
    if current is None or current.status == RegistrationStatus.REJECTED:
        form_term = term
    elif (following is None and (term.end - today).days <= 31) or (
        following is not None and following.status == RegistrationStatus.REJECTED
    ):
        form_term = term.next()
    if form is None and form_term is not None:
        last = current if (current and current.status != RegistrationStatus.REJECTED) else earlier
        initial = {"role": last.role} if last else {}
        if current and current.status == RegistrationStatus.REJECTED:
            initial = {"role": current.role, "note": current.note}
        form = RegistrationForm(initial=initial)
    return {
        "term": term,
        "term_label": _term_label(term),
        "registration": current,
        "registration_badge": current
        and _badge(STATUS_TONES, current.status, current.get_status_display()),
        "following": following,
        "following_label": _term_label(term.next()),
        "renewal_of": earlier if current is None else None,
        "form": form,
        "form_term": form_term,
        "form_term_label": form_term and _term_label(form_term),
    }


@member_view
def mine(request):
    """我的社区: registration (or the form), status, hours this half-year, rating, activities."""
    user = request.user
    member = (
        Member.objects.visible_to(user)
        .select_related("home_community", "home_community__parent", "unit")
        .filter(pk=user.member_id)
        .first()
    )
    form = None
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                term = Term.parse(request.POST.get("term", ""))
            except ValueError:
                term = None
            try:
                registration = services.registration_submit(
                    actor=user,
                    role=form.cleaned_data["role"],
                    term=term,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已提交%(term)s进社区报到（%(role)s），等待社区确认")
                    % {
                        "term": _term_label(registration.term),
                        "role": registration.get_role_display(),
                    },
                )
                return redirect("community:mine")
    term = Term.of(business_date())
    context = _registration_context(request, member, form)
    hours = None
    if member is not None:
        hours = (
            selectors.roster(user, term, members=Member.objects.visible_to(user))
            .filter(pk=member.pk)
            .first()
        )
    rating = (
        Rating.objects.visible_to(user)
        .filter(year=term.year, half=term.half)
        .select_related("community")
        .first()
    )
    last_rating = (
        Rating.objects.visible_to(user)
        .exclude(year=term.year, half=term.half)
        .order_by("-year", "-half")
        .first()
    )
    activities = list(_member_activities(user, member)[:40])
    context.update(
        {
            "member": member,
            "hours": hours,
            "hours_total": hours and hours.term_checkin_hours + hours.term_manual_hours,
            "rating": rating,
            "rating_badge": rating
            and _badge(GRADE_TONES, rating.grade, rating.get_grade_display()),
            "last_rating": last_rating,
            "last_rating_label": last_rating and _term_label(last_rating.term),
            "activities": activities,
            "home_id": member.home_community_id if member else None,
            "checkin_from": timezone.now() + rules.CODE_MARGIN,
            "now": timezone.now(),
        }
    )
    return render(request, "community/mine.html", context)


def _activity_card(request, activity: Activity, error: str = "", status: int = 200):
    member = (
        Member.objects.visible_to(request.user)
        .select_related("home_community")
        .filter(pk=request.user.member_id)
        .first()
    )
    fresh = _member_activities(request.user, member).filter(pk=activity.pk).first()
    if fresh is None:  # ended or cancelled meanwhile: show what there is, without a button
        fresh = activity
        fresh.is_mine = False
        fresh.closed = True
    context = {
        "a": fresh,
        "error": error,
        "home_id": member.home_community_id if member else None,
        "checkin_from": timezone.now() + rules.CODE_MARGIN,
        "now": timezone.now(),
    }
    if wants_partial(request, f"activity-{activity.pk}"):
        return render(request, "community/partials/activity_card.html", context, status=status)
    if error:
        messages.error(request, f"{activity.title}：{error}")
    return redirect(reverse("community:mine") + f"#activity-{activity.pk}")


@member_view
@require_POST
def activity_signup(request, pk):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    try:
        services.activity_signup(actor=request.user, activity=activity)
    except services.ActivityFull as full:
        return _activity_card(request, activity, full.message, CONFLICT)
    except ValidationError as exc:
        return _activity_card(request, activity, "；".join(exc.messages), UNPROCESSABLE)
    if not wants_partial(request, f"activity-{activity.pk}"):
        messages.success(request, _("已报名：%(title)s") % {"title": activity.title})
    return _activity_card(request, activity)


@member_view
@require_POST
def activity_withdraw(request, pk):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    try:
        services.signup_cancel(actor=request.user, activity=activity)
    except ValidationError as exc:
        return _activity_card(request, activity, "；".join(exc.messages), UNPROCESSABLE)
    if not wants_partial(request, f"activity-{activity.pk}"):
        messages.success(request, _("已取消报名：%(title)s") % {"title": activity.title})
    return _activity_card(request, activity)


def _running_signups(user) -> list[ActivitySignup]:
    """The member's sign-ups whose activity accepts a code now (30 minutes either side)."""
    now = timezone.now()
    return list(
        ActivitySignup.objects.visible_to(user)
        .active()
        .filter(
            activity__status=ActivityStatus.PUBLISHED,
            activity__starts_at__lte=now + rules.CODE_MARGIN,
            activity__ends_at__gte=now - rules.CODE_MARGIN,
        )
        .select_related("activity", "activity__community")
        .order_by("activity__starts_at", "activity_id")
    )


@member_view
def checkin(request):
    """签到/签退 with the organiser's code; `?a=<id>&code=…` (the organiser's QR) pre-fills it."""
    user = request.user
    signups = _running_signups(user)
    attendances = {
        a.activity_id: a
        for a in Attendance.objects.visible_to(user).filter(
            activity_id__in=[s.activity_id for s in signups]
        )
    }
    # an activity the member has already checked out of asks nothing more of it
    signups = [
        s
        for s in signups
        if s.activity_id not in attendances or not attendances[s.activity_id].checked_out_at
    ]
    choices = [(s.activity_id, s.activity.title) for s in signups]
    running = [
        {"activity": s.activity, "attendance": attendances.get(s.activity_id)} for s in signups
    ]
    notice = ""
    wanted = request.GET.get("a", "")
    if wanted and not any(str(s.activity_id) == wanted for s in signups):
        notice = _explain_not_running(user, wanted)
    if request.method == "POST":
        form = CheckinForm(request.POST, activities=choices)
        if form.is_valid():
            done = _check_in_or_out(request, form, attendances)
            if done:
                return redirect("community:checkin")
    else:
        initial = {"code": request.GET.get("code", "")[:6]}
        if parse_id(wanted) in dict(choices):
            initial["activity"] = parse_id(wanted)
        elif len(choices) == 1:
            initial["activity"] = choices[0][0]
        form = CheckinForm(initial=initial, activities=choices)
    chosen = form["activity"].value()
    chosen_row = next((r for r in running if str(r["activity"].pk) == str(chosen)), None)
    context = {
        "form": form,
        "running": running,
        "chosen": chosen_row,
        "notice": notice,
        "single": len(choices) == 1,
    }
    return render(request, "community/checkin.html", context)


def _explain_not_running(user, wanted: str) -> str:
    activity = (
        Activity.objects.visible_to(user).filter(pk=parse_id(wanted)).first()
        if parse_id(wanted)
        else None
    )
    if activity is None:
        return _("没有找到这个活动，请向组织者确认二维码。")
    signed = (
        ActivitySignup.objects.visible_to(user).active().filter(activity_id=activity.pk).exists()
    )
    if not signed:
        return _("您没有报名“%(title)s”，不能签到。请先在“我的社区”报名。") % {
            "title": activity.title
        }
    done = Attendance.objects.visible_to(user).filter(
        activity_id=activity.pk, member_id=user.member_id, checked_out_at__isnull=False
    )
    if done.exists():
        return _("您已签退“%(title)s”，本次服务已记入时长。") % {"title": activity.title}
    opens, closes = rules.code_window(activity.starts_at, activity.ends_at)
    return _("“%(title)s”的签到时间为 %(opens)s 至 %(closes)s。") % {
        "title": activity.title,
        "opens": timezone.localtime(opens).strftime("%m-%d %H:%M"),
        "closes": timezone.localtime(closes).strftime("%m-%d %H:%M"),
    }


def _check_in_or_out(request, form, attendances: dict) -> bool:
    """Check in, or check out when already in; a message on success, errors on the form."""
    user = request.user
    activity = get_object_or_404(
        Activity.objects.visible_to(user), pk=form.cleaned_data["activity"]
    )
    code = form.cleaned_data["code"]
    attendance = attendances.get(activity.pk)
    try:
        if attendance is None:
            done = services.attendance_check_in(actor=user, activity=activity, code=code)
            messages.success(
                request,
                _("签到成功：%(title)s，%(time)s。活动结束时请再次输入签到码签退。")
                % {
                    "title": activity.title,
                    "time": timezone.localtime(done.checked_in_at).strftime("%H:%M"),
                },
            )
        elif attendance.checked_out_at is None:
            done = services.attendance_check_out(actor=user, activity=activity, code=code)
            messages.success(
                request,
                _("签退成功：%(title)s，本次计签到时长 %(hours)s 小时。")
                % {"title": activity.title, "hours": done.hours},
            )
        else:
            form.add_error(None, _("您已签退此活动，无需再次输入签到码。"))
            return False
    except ValidationError as exc:
        _service_errors(form, exc)
        return False
    return True


# ---------------------------------------------------------------------------------------------
# A community worker: registrations
# ---------------------------------------------------------------------------------------------

PENDING_FIRST = Case(
    When(status=RegistrationStatus.PENDING, then=Value(0)),
    When(status=RegistrationStatus.CONFIRMED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@worker_view
def registration_list(request):
    """本社区的进社区报到 for a half-year, pending first; confirm or reject in place."""
    choices = _term_choices(business_date(), back=3, ahead=1)
    term = _chosen_term(request, choices)
    status = request.GET.get("status", "")
    base = Registration.objects.visible_to(request.user).for_term(term)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    rows = base.select_related("member", "member__unit", "decided_by")
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    rows = rows.annotate(pending_first=PENDING_FIRST).order_by("pending_first", "created_at", "pk")
    page = paginate(request, rows)
    context = {
        "page_obj": page,
        "rows": [_registration_row(r) for r in page.object_list],
        "term": term,
        "term_options": _term_options(choices, term),
        "status": status,
        "status_options": RegistrationStatus.choices,
        "counts": {value: counts.get(value, 0) for value in RegistrationStatus.values},
    }
    return render_page(
        request,
        "community/registration_list.html",
        "community/partials/registration_results.html",
        context,
    )


def _registration_row(registration: Registration, form=None) -> dict:
    return {
        "r": registration,
        "badge": _badge(STATUS_TONES, registration.status, registration.get_status_display()),
        "form": form or ReasonForm(prefix=f"reg{registration.pk}"),
    }


def _registration_answer(request, registration, form=None, status=200):
    if request.htmx:
        registration.refresh_from_db()
        context = {"row": _registration_row(registration, form)}
        return render(request, "community/partials/registration_row.html", context, status=status)
    return redirect(reverse("community:registration_list") + f"?term={registration.term_label}")


@worker_view
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
        _service_errors(form, exc)
        if not request.htmx:
            messages.error(request, "；".join(exc.messages))
        return _registration_answer(request, registration, form, UNPROCESSABLE)
    if not request.htmx:
        messages.success(request, _("已确认 %(name)s 报到") % {"name": registration.member.name})
    return _registration_answer(request, registration)


@worker_view
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
        _service_errors(form, exc)
        if not request.htmx:
            messages.error(request, "；".join(exc.messages))
        return _registration_answer(request, registration, form, UNPROCESSABLE)
    if not request.htmx:
        messages.success(request, _("已退回 %(name)s 的报到") % {"name": registration.member.name})
    return _registration_answer(request, registration)


# ---------------------------------------------------------------------------------------------
# A community worker: activities, hours by hand, the organiser's code
# ---------------------------------------------------------------------------------------------


@worker_view
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


@worker_view
def activity_create(request):
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, **form.service_data())
        except ValidationError as exc:
            _service_errors(form, exc)
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
    cancelled = activity.status == ActivityStatus.CANCELLED
    return {
        "a": activity,
        "rows": rows,
        "manual": manual,
        "hours_form": hours_form,
        "cancel_form": cancel_form or ReasonForm(),
        "length": activity.length_hours,
        "can_add_hours": not cancelled and activity.starts_at <= now and bool(rows),
        "can_cancel": not cancelled and activity.ends_at > now and not attendances,
        "code_open": not cancelled and opens <= now <= closes,
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


@worker_view
def activity_detail(request, pk):
    activity = _worker_activity(request, pk)
    return render(
        request, "community/activity_detail.html", _activity_detail_context(request, activity)
    )


@worker_view
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
            _service_errors(form, exc, aliases={"activity": "__all__"})
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


@worker_view
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
        _service_errors(form, exc, aliases={"status": "__all__"})
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


@worker_view
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


# ---------------------------------------------------------------------------------------------
# A community worker: ratings
# ---------------------------------------------------------------------------------------------


def _hours_of_term(queryset, term: Term):
    start, end = selectors.day_bounds(term.start, term.end)
    return Coalesce(
        Subquery(
            queryset.filter(
                member_id=OuterRef("member_id"),
                activity__starts_at__gte=start,
                activity__starts_at__lt=end,
            )
            .order_by()
            .values("member_id")
            .annotate(total=Sum("hours"))
            .values("total")[:1]
        ),
        selectors.ZERO,
    )


def _rating_rows(user, term: Term):
    ratings = Rating.objects.visible_to(user).filter(
        year=term.year,
        half=term.half,
        member_id=OuterRef("member_id"),
        community_id=user.community_id,
    )
    return (
        Registration.objects.visible_to(user)
        .for_term(term)
        .confirmed()
        .filter(community_id=user.community_id)
        .select_related("member", "member__unit")
        .annotate(
            rating_grade=Subquery(ratings.values("grade")[:1]),
            rating_comment=Subquery(ratings.values("comment")[:1]),
            checkin_hours=_hours_of_term(Attendance.objects.visible_to(user), term),
            manual_hours=_hours_of_term(ManualHours.objects.visible_to(user), term),
        )
        .order_by("member__name", "pk")
    )


def _rating_row(registration, form=None, saved=False) -> dict:
    if form is None:
        form = RatingForm(
            prefix=f"m{registration.member_id}",
            initial={"grade": registration.rating_grade, "comment": registration.rating_comment},
        )
    grade = registration.rating_grade
    return {
        "r": registration,
        "form": form,
        "saved": saved,
        "badge": grade and _badge(GRADE_TONES, grade, Grade(grade).label),
    }


@worker_view
def rating_list(request):
    """评价报到党员: every member confirmed here in the half-year, by 拼音; a row saves alone
    (htmx) or the whole list at once (保存全部)."""
    choices = _term_choices(business_date(), back=3)
    term = _chosen_term(request, choices)
    registrations = _ratable(request.user, term)
    return _rating_page(request, choices, term, [_rating_row(r) for r in registrations])


def _ratable(user, term: Term) -> list:
    return sorted_by_pinyin(_rating_rows(user, term), lambda r: r.member.name)


def _rating_page(request, choices, term, rows, *, refused=(), status=200):
    context = {
        "term": term,
        "term_options": _term_options(choices, term),
        "rows": rows,
        "rated": sum(1 for row in rows if row["r"].rating_grade),
        "total": len(rows),
        "grades": Grade.choices,
        "refused": refused,
    }
    return render(request, "community/rating_list.html", context, status=status)


@worker_view
@require_POST
def rating_save(request, member_id):
    choices = _term_choices(business_date(), back=3)
    term = _chosen_term(request, choices)
    registration = get_object_or_404(_rating_rows(request.user, term), member_id=member_id)
    form = RatingForm(request.POST, prefix=f"m{member_id}")
    status = 200
    saved = False
    if form.is_valid():
        try:
            services.rating_set(
                actor=request.user,
                member=member_id,
                term=term,
                grade=form.cleaned_data["grade"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _service_errors(form, exc)
            status = UNPROCESSABLE
        else:
            saved = True
            registration = _rating_rows(request.user, term).get(pk=registration.pk)
    else:
        status = UNPROCESSABLE
    if not request.htmx:
        if saved:
            messages.success(
                request, _("已保存 %(name)s 的评价") % {"name": registration.member.name}
            )
        else:
            messages.error(
                request,
                _("%(name)s 的评价未保存，请检查评价等次") % {"name": registration.member.name},
            )
        return redirect(reverse("community:rating_list") + f"?term={term.label}")
    context = {
        "row": _rating_row(registration, None if saved else form, saved),
        "term": term,
        "grades": Grade.choices,
    }
    return render(request, "community/partials/rating_row.html", context, status=status)


class _BatchRefused(Exception):
    """Leaves the batch's transaction: when one row is refused, no row is saved."""


def _posted_change(request, registration) -> RatingForm | None:
    """The row's form when the list posted a grade or comment other than the stored one."""
    prefix = f"m{registration.member_id}"
    if f"{prefix}-grade" not in request.POST:
        return None
    grade = request.POST.get(f"{prefix}-grade", "")
    comment = (request.POST.get(f"{prefix}-comment") or "").strip()
    if (grade, comment) == (registration.rating_grade or "", registration.rating_comment or ""):
        return None
    form = RatingForm(request.POST, prefix=prefix)
    form.is_valid()
    return form


@worker_view
@require_POST
def rating_save_all(request):
    """保存全部: the whole list in one form. Each row whose grade or comment changed is one
    `rating_set`, all in one transaction: a refused row is named at the top and beside its
    fields, and nothing is saved until every changed row is right (422)."""
    choices = _term_choices(business_date(), back=3)
    term = _chosen_term(request, choices)
    rows, changed = [], []
    for registration in _ratable(request.user, term):
        form = _posted_change(request, registration)
        row = _rating_row(registration, form)
        rows.append(row)
        if form is not None:
            changed.append(row)
    refused = [row for row in changed if row["form"].errors]
    if not refused and changed:
        try:
            with transaction.atomic():
                for row in changed:
                    form = row["form"]
                    try:
                        services.rating_set(
                            actor=request.user,
                            member=row["r"].member_id,
                            term=term,
                            grade=form.cleaned_data["grade"],
                            comment=form.cleaned_data["comment"],
                        )
                    except ValidationError as exc:
                        _service_errors(form, exc)
                        refused.append(row)
                if refused:
                    raise _BatchRefused
        except _BatchRefused:
            pass
    if refused:
        return _rating_page(request, choices, term, rows, refused=refused, status=UNPROCESSABLE)
    if changed:
        messages.success(request, _("已保存 %(n)d 名党员的评价") % {"n": len(changed)})
    else:
        messages.info(request, _("没有改动，未保存任何评价"))
    return redirect(reverse("community:rating_list") + f"?term={term.label}")


# ---------------------------------------------------------------------------------------------
# A unit (and the committee): the roster, 双评价 back to the unit
# ---------------------------------------------------------------------------------------------

ROSTER_SHOW = (
    ("", gettext_lazy("全部")),
    ("missing", gettext_lazy("未报到")),
    ("pending", gettext_lazy("待确认")),
    ("confirmed", gettext_lazy("已确认")),
)
MISSING_FIRST = Case(
    When(registration_status=RegistrationStatus.CONFIRMED, then=Value(2)),
    When(registration_status=RegistrationStatus.PENDING, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


def _with_short_names(user, rows: list[dict]) -> list[dict]:
    """The units' short names (市纪委 for 中共宁波市纪律检查委员会) for the bars: one query."""
    short = dict(
        Unit.objects.visible_to(user)
        .filter(pk__in=[row["unit"]["id"] for row in rows])
        .values_list("pk", "short_name")
    )
    for row in rows:
        row["short_name"] = short.get(row["unit"]["id"]) or row["unit"]["name"]
    return rows


def _rate_pct(confirmed: int, total: int):
    return rules.report_rate(confirmed, total)


@roster_view
def roster(request):
    """单位党员进社区情况: the unit's members in a half-year — registered or not (报到率), role,
    community, hours (check-in / by hand) and the community's rating. The committee picks a unit,
    or sees the city's 报到率 by unit."""
    user = request.user
    choices = _term_choices(business_date(), back=3)
    term = _chosen_term(request, choices)
    units = None
    unit = None
    if user.role == Role.COMMITTEE:
        units = list(Unit.objects.visible_to(user).order_by("sort_order", "name"))
        wanted = request.GET.get("unit", "")
        if wanted:
            unit = get_object_or_404(Unit.objects.visible_to(user), pk=parse_id(wanted) or 0)
    else:
        unit = Unit.objects.visible_to(user).filter(pk=user.unit_id).first()
    context = {
        "term": term,
        "term_options": _term_options(choices, term),
        "units": units,
        "unit": unit,
        "show_options": ROSTER_SHOW,
    }
    if unit is None:  # the committee without a unit chosen: the city's 报到率 by unit
        figures = selectors.community_figures(user, term.start, term.end)
        rate = figures["report_rate"][0]
        by_unit = sorted(
            rate["by_unit"],
            key=lambda row: (row["rate"] is None, row["rate"] or 0, row["unit"]["name"]),
        )
        context.update({"city": rate, "by_unit": _with_short_names(user, by_unit)})
        return render(request, "community/roster_city.html", context)

    base = selectors.roster(user, term).filter(unit_id=unit.pk)
    total = base.count()
    confirmed = base.filter(registration_status=RegistrationStatus.CONFIRMED).count()
    show = request.GET.get("show", "")
    q = (request.GET.get("q") or "").strip()
    rows = base
    if show == "missing":
        rows = rows.filter(
            Q(registration_status__isnull=True) | Q(registration_status=RegistrationStatus.REJECTED)
        )
    elif show in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED):
        rows = rows.filter(registration_status=show)
    if q:
        rows = rows.filter(name__icontains=q)
    rows = rows.annotate(missing_first=MISSING_FIRST).order_by("missing_first", "name", "pk")
    page = paginate(request, rows)
    context.update(
        {
            "page_obj": page,
            "rows": [_roster_row(m) for m in page.object_list],
            "total": total,
            "confirmed": confirmed,
            "missing": total - confirmed,
            "rate": _rate_pct(confirmed, total),
            "show": show,
            "q": q,
        }
    )
    return render_page(
        request, "community/roster.html", "community/partials/roster_results.html", context
    )


def _roster_row(member) -> dict:
    status = member.registration_status
    grade = member.rating_grade
    return {
        "m": member,
        "badge": _badge(STATUS_TONES, status, RegistrationStatus(status).label) if status else None,
        "role": member.registration_role and _role_label(member.registration_role),
        "grade": grade and _badge(GRADE_TONES, grade, Grade(grade).label),
        "total": member.term_checkin_hours + member.term_manual_hours,
    }


def _role_label(value: str) -> str:
    return str(ServiceRole(value).label) if value in ServiceRole.values else value


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def _date_param(request, name: str, errors: dict):
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("日期格式应为 YYYY-MM-DD")
        return None


@figures_view
def figures(request):
    """党员进社区统计 from the API's figures: the committee all (or a unit), a unit its members, a
    community worker its community."""
    user = request.user
    today = business_date()
    errors: dict[str, str] = {}
    last = _date_param(request, "to", errors) or today
    first = _date_param(request, "from", errors) or datetime.date(last.year, 1, 1)
    if last < first:
        errors["to"] = _("结束日期早于开始日期")
        first, last = datetime.date(today.year, 1, 1), today
    elif (last - first).days > 366 * 10:
        errors["to"] = _("一次最多查询十年")
        first, last = datetime.date(today.year, 1, 1), today
    units = None
    unit = None
    if user.role == Role.COMMITTEE:
        units = list(Unit.objects.visible_to(user).order_by("sort_order", "name"))
        wanted = request.GET.get("unit", "")
        if wanted:
            unit = get_object_or_404(Unit.objects.visible_to(user), pk=parse_id(wanted) or 0)
    data = selectors.community_figures(user, first, last, unit=unit)
    terms = []
    for rate in reversed(data["report_rate"]):  # newest first
        rows = sorted(
            rate["by_unit"],
            key=lambda row: (row["rate"] is None, -(row["rate"] or 0), row["unit"]["name"]),
        )
        terms.append(
            {
                **rate,
                "label": _term_label(Term.parse(rate["term"])),
                "by_unit": _with_short_names(user, rows),
            }
        )
    if user.role == Role.COMMITTEE:
        scope = unit.name if unit else _("全市")
    elif user.role == Role.UNIT_ADMIN:
        scope = user.unit.name if user.unit_id else ""
    else:
        scope = user.community.name if user.community_id else ""
    context = {
        "f": data,
        "first": first,
        "last": last,
        "errors": errors,
        "units": units,
        "unit": unit,
        "scope": scope,
        "terms": terms,
        "latest": terms[0] if terms else None,
        "grade_max": max([g["count"] for g in data["ratings"]["by_grade"]] + [1]),
        "role_max": max([r["count"] for r in data["registrations"]["by_role"]] + [1]),
        "grade_tones": {k.value: v for k, v in GRADE_TONES.items()},
    }
    return render(request, "community/figures.html", context)
