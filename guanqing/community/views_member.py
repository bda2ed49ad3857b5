"""党员进社区, a member's pages: 我的社区 (registration, hours this half-year, rating, activities to
sign up for), signing up and giving a place back, and 活动签到 with the organiser's code.

Reads start from `visible_to(request.user)`: a record outside the user's scope answers 404
exactly like a missing one. Writes go through `guanqing.community.services` only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.community import rules, selectors, services
from guanqing.community.access import access
from guanqing.community.choices import ActivityStatus, RegistrationStatus
from guanqing.community.forms import CheckinForm, RegistrationForm
from guanqing.community.models import Activity, ActivitySignup, Attendance, Rating, Registration
from guanqing.community.rules import Term
from guanqing.community.views_shared import (
    CONFLICT,
    GRADE_TONES,
    STATUS_TONES,
    UNPROCESSABLE,
    badge,
    service_errors,
    term_label,
)
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.ids import parse_id
from guanqing.core.ui.htmx import wants_partial
from guanqing.registry.models import Member


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
        "term_label": term_label(term),
        "registration": current,
        "registration_badge": current
        and badge(STATUS_TONES, current.status, current.get_status_display()),
        "following": following,
        "following_label": term_label(term.next()),
        "renewal_of": earlier if current is None else None,
        "form": form,
        "form_term": form_term,
        "form_term_label": form_term and term_label(form_term),
    }


@access.page("member")
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
                service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已提交%(term)s进社区报到（%(role)s），等待社区确认")
                    % {
                        "term": term_label(registration.term),
                        "role": registration.get_role_display(),
                    },
                )
                return redirect("community:mine")
    term = Term.of(business_date())
    context = _registration_context(request, member, form)
    hours = selectors.member_hours(user, member.pk if member else None, term)
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
    activities = list(selectors.member_activities(user, member)[:40])
    context.update(
        {
            "member": member,
            "hours": hours,
            "hours_total": hours and hours.term_hours,
            "rating": rating,
            "rating_badge": rating and badge(GRADE_TONES, rating.grade, rating.get_grade_display()),
            "last_rating": last_rating,
            "last_rating_label": last_rating and term_label(last_rating.term),
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
    fresh = selectors.member_activities(request.user, member).filter(pk=activity.pk).first()
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


@access.page("member")
@require_POST
def activity_signup(request, pk):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    try:
        services.activity_signup(actor=request.user, activity=activity)
    except Conflict as full:
        return _activity_card(request, activity, str(full.message), CONFLICT)
    except ValidationError as exc:
        return _activity_card(request, activity, "；".join(exc.messages), UNPROCESSABLE)
    if not wants_partial(request, f"activity-{activity.pk}"):
        messages.success(request, _("已报名：%(title)s") % {"title": activity.title})
    return _activity_card(request, activity)


@access.page("member")
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


@access.page("member")
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
        service_errors(form, exc)
        return False
    return True
