"""好差评 pages: the rating screen the clerk turns toward the applicant (评价屏), the one-time code
slip (link and QR code, shown once), the public rating page for a code (no account), the ratings
list, the 差评 follow-ups (核实 → 整改 → 回访, or an appeal the committee decides) and the
committee's question set.

Reviewer privacy: the rating screen and its thank-you page never show the level given (the clerk
is standing by); a clerk's ratings list shows the month, matter, level, choices and comment only —
never the applicant, the receipt number, the day or a link to the case. Follow-ups have no rows
for a clerk.

The public page answers a wrong, used, revoked or expired code alike (the same page, the same
status: 200 with one message), and counts every request against a limit per client address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.settings import api_settings

from guanqing.core import snapshots
from guanqing.core.access import public
from guanqing.core.api.base import ClientAddressThrottle
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page
from guanqing.window import rating_selectors, rating_services, rules
from guanqing.window.access import access
from guanqing.window.choices import (
    DONE_STATES,
    FollowUpState,
    RatingLevel,
    RatingRound,
)
from guanqing.window.forms_ratings import (
    OPEN,
    OVERDUE,
    STEP_FORMS,
    CodeForm,
    FollowUpFilterForm,
    QuestionSetForm,
    RateForm,
    RatingFilterForm,
)
from guanqing.window.models import Case, FollowUp, QuestionSet, Rating, Window, WindowSettings

RATE_TEMPLATE = "window/ratings/rate.html"
CODE_TEMPLATE = "window/ratings/code.html"

# how each follow-up state looks in a list and on its page
STATE_TONES = {
    FollowUpState.VERIFY: "warn",
    FollowUpState.APPEALED: "info",
    FollowUpState.RECTIFY: "warn",
    FollowUpState.FEEDBACK: "info",
    FollowUpState.AWAITING: "info",
    FollowUpState.CLOSED: "ok",
    FollowUpState.EXCLUDED: "muted",
}
LEVEL_TONES = {5: "ok", 4: "ok", 3: "info", 2: "warn", 1: "accent"}
CLOSED_STATES = (FollowUpState.CLOSED, FollowUpState.EXCLUDED)
# a follow-up still to be verified or rectified after its rectify_due is overdue
OVERDUE_STATES = (FollowUpState.VERIFY, FollowUpState.RECTIFY)


def _overdue(follow: FollowUp, today) -> bool:
    due = follow.rectify_due
    return follow.state in OVERDUE_STATES and due is not None and due < today


def overdue_filter(today) -> Q:
    return Q(state__in=OVERDUE_STATES, rectify_due__lt=today)


def _qr_svg(text: str) -> str | None:
    """The QR code of `text` as inline SVG, drawn here (no external service); None when no QR
    library is installed (the slip then shows the code and the link only)."""
    try:
        import segno
    except ImportError:
        return None
    return segno.make(text, error="m").svg_inline(border=2, dark="#1f2329", omitsize=True)


def _private(response):
    # a code must not travel in a Referer header nor stay in a shared cache
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _slip(request, *, case, invite, code: str) -> dict:
    """What the code slip shows (once): the matter, the receipt number, the last day, the code,
    its link and QR code."""
    url = rating_selectors.code_url(request, code)
    svg = _qr_svg(url)
    return {
        "slip_case": case,
        "slip_matter": case.version.matter,
        "slip_round2": invite.round == RatingRound.FIX,
        "slip_expires_on": invite.expires_on,
        "slip_code": rating_selectors.format_code(code),
        "slip_url": url,
        "slip_qr": mark_safe(svg) if svg else None,  # noqa: S308 - drawn by segno
    }


# ---------------------------------------------------------------------------------------------
# The rating screen: the kiosk (clerk signed in) and the public page (a code)
# ---------------------------------------------------------------------------------------------


class RatingCodeThrottle(ClientAddressThrottle):
    """Guessing codes costs time: `window_rating` in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (60
    requests an hour per client address when it is not set; rating takes three or four)."""

    scope = "window_rating"
    default_rate = "60/hour"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate


def _levels() -> list[dict]:
    return [
        {"value": value, "label": label, "tone": LEVEL_TONES[value]}
        for value, label in RatingLevel.choices
    ]


def _rate_page(request, context: dict, *, status: int = 200):
    # the screen is turned toward the applicant: no menu, no user's name
    context.setdefault("levels", _levels())
    context["nav_user"] = None
    return _private(render(request, RATE_TEMPLATE, context, status=status))


def _rate_flow(request, context: dict, submit):
    """Level → its choices and a comment → the rating. GET: the five levels; POST with `level`
    only: that level's choices; POST with `confirm`: `submit(level, options, comment)`, then the
    thank-you screen, which says nothing about the rating."""
    if request.method != "POST":
        return _rate_page(request, context)
    choices = rating_selectors.option_choices()
    form = RateForm(request.POST, choices_by_level=choices)
    valid = form.is_valid()
    level = form.cleaned_data.get("level") if hasattr(form, "cleaned_data") else None
    if level is None:
        context["level_error"] = _("请选择一个评价等级")
        return _rate_page(request, context, status=400)
    context["level"] = level
    context["level_label"] = RatingLevel(level).label
    context["level_tone"] = LEVEL_TONES[level]
    if "confirm" not in request.POST:
        context["form"] = RateForm(choices_by_level=choices, level=level, initial={"level": level})
        return _rate_page(request, context)
    if valid:
        try:
            submit(form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            context["refusal"] = str(exc)
            return _rate_page(request, context, status=409)
        else:
            return _rate_page(request, {**context, "thanks": True, "level": None, "form": None})
    context["form"] = form
    return _rate_page(request, context, status=400)


def _kiosk_case(request, pk) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("version__matter", "window__unit"),
        pk=pk,
    )


def _why_not(case: Case, status: dict) -> str:
    """Why `case` cannot be rated now, in plain words."""
    if status.get("rated"):
        return _("该办件已经评价过。每件办件只评价一次。")
    if case.state not in DONE_STATES:
        return _("该办件尚未办结，办结后才能评价。")
    if status.get("open_until"):
        return _("评价期限已过：该办件可评价至 %(day)s。") % {
            "day": status["open_until"].isoformat()
        }
    return _("该办件现在不能评价。")


@access.page("rate")
@never_cache
@require_http_methods(["GET", "POST"])
def rate_kiosk(request, pk):
    """评价屏: the clerk opens it for a completed case and turns the screen to the applicant."""
    case = _kiosk_case(request, pk)
    context = {
        "kiosk": True,
        "case": case,
        "matter": case.version.matter,
        "action_url": reverse("window:rate_kiosk", args=[case.pk]),
        "back_url": reverse("window:case_detail", args=[case.pk]),
    }
    status = rating_selectors.case_rating_status(case)
    if not status["can_rate"]:
        context["refusal"] = _why_not(case, status)
        return _rate_page(request, context, status=409 if request.method == "POST" else 200)

    def submit(data):
        try:
            return rating_services.rating_submit_kiosk(actor=request.user, case=case, **data)
        except OutOfScope:
            raise Http404 from None

    return _rate_flow(request, context, submit)


@access.page("rate")
@require_POST
@never_cache
def rate_code_issue(request, pk):
    """评价码: a one-time code for the applicant to rate later, with its link and QR code, shown
    once on a printable slip. Issuing again revokes the earlier unused code."""
    case = _kiosk_case(request, pk)
    back = reverse("window:case_detail", args=[case.pk])
    try:
        invite, code = rating_services.rating_invite_issue(actor=request.user, case=case)
    except OutOfScope:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    context = {
        "case": case,
        "back_url": back,
        **_slip(request, case=case, invite=invite, code=code),
    }
    return _private(render(request, CODE_TEMPLATE, context))


def _invalid_code(request):
    """The one answer for a wrong, used, revoked or expired code."""
    return _rate_page(
        request, {"invalid": True, "invalid_message": str(rating_services.CODE_INVALID)}
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def rate_by_code(request, code):
    """The applicant's rating page for a code (link or QR code): no account."""
    throttle = RatingCodeThrottle()
    if not throttle.allow_request(request, None):
        minutes = max(1, round((throttle.wait() or 60) / 60))
        response = _rate_page(request, {"throttled": True, "minutes": minutes}, status=429)
        response["Retry-After"] = str(minutes * 60)
        return response
    invite = rating_services.rating_invite_lookup(code)
    if invite is None:
        return _invalid_code(request)
    case = invite.case
    context = {
        "case": case,
        "matter": case.version.matter,
        "round2": invite.round == RatingRound.FIX,
        "action_url": reverse("window:rate_code", args=[code]),
    }

    def submit(data):
        try:
            return rating_services.rating_submit_code(code=code, **data)
        except (rating_services.RatingCodeInvalid, Conflict):
            raise _CodeSpent from None

    try:
        return _rate_flow(request, context, submit)
    except _CodeSpent:
        return _invalid_code(request)


class _CodeSpent(Exception):
    pass


@public
@never_cache
@require_http_methods(["GET", "POST"])
def rate_entry(request):
    """输入评价码: the code typed from the slip; on to the rating page for it."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        return redirect(reverse("window:rate_code", args=[form.cleaned_data["code"]]))
    context = {"code_form": form, "nav_user": None}
    status = 400 if form.is_bound else 200
    return _private(render(request, "window/ratings/enter_code.html", context, status=status))


# ---------------------------------------------------------------------------------------------
# A case's rating section (loaded into the case's page)
# ---------------------------------------------------------------------------------------------


@access.page("cases")
@never_cache
def case_rating(request, pk):
    """The case page's 好差评 section: for the clerk whether the case can be rated (never the
    level), with the rating screen and the code; for the unit and the committee the rating and
    its follow-up."""
    user = request.user
    case = _kiosk_case(request, pk)
    status = rating_selectors.case_rating_status(case)
    context = {
        "case": case,
        "status": status,
        "can_rate": access.allows(user, "rate"),
        "why_not": "" if status["can_rate"] else _why_not(case, status),
        "done": case.state in DONE_STATES,
    }
    if access.allows(user, "ratings_identified"):
        ratings = list(
            Rating.objects.filter(case=case)
            .select_related("follow_up")
            .prefetch_related("options")
            .order_by("round")
        )
        for rating in ratings:
            rating.tone = LEVEL_TONES[rating.level]
            rating.follow = _related(rating, "follow_up")
        context["ratings"] = ratings
        context["identified"] = True
    return render(request, "window/ratings/partials/case_rating.html", context)


def _related(obj, name: str):
    """A reverse one-to-one, or None when there is none."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# The ratings list
# ---------------------------------------------------------------------------------------------


@access.page("ratings")
def ratings(request):
    user = request.user
    identified = access.allows(user, "ratings_identified")
    windows = Window.objects.visible_to(user).select_related("unit").order_by("unit_id", "name")
    window_list = list(windows)
    form = RatingFilterForm(
        request.GET or None, windows=windows, monthly=not identified, auto_id="id_%s"
    )
    rows = rating_selectors.ratings_for(user).select_related(
        "case__window__unit", "case__version__matter"
    )
    filters = {}
    if form.is_bound:
        if form.is_valid():
            filters = form.filters()
            rows = rating_selectors.narrowed(rows, **filters)
        else:
            rows = rows.none()
    if rows.query.is_empty():  # filters refused: nothing to count
        summary = snapshots.Snapshot(rating_selectors.list_summary(rows), timezone.now(), False)
    else:  # the committee's summary of two million ratings is kept (core/snapshots.py)
        args = {"today": business_date().isoformat(), **filters}
        summary = snapshots.for_reader(
            Rating.objects.visible_to(user),
            rating_selectors.LIST_SUMMARY,
            args,
            lambda: rating_selectors.list_summary(rows),
        )
    if identified:
        rows = rows.select_related("follow_up")
    page = paginate(request, rating_selectors.in_list_order(rows, identified=identified))
    items = list(page.object_list)
    for rating in items:
        rating.tone = LEVEL_TONES[rating.level]
        if identified:
            rating.follow = _related(rating, "follow_up")
            if rating.follow is not None:
                rating.follow.tone = STATE_TONES.get(rating.follow.state, "")
    context = {
        "ratings": items,
        "page_obj": page,
        "form": form,
        "summary": summary.value,
        "snapshot": summary,
        "identified": identified,
        "show_window": len(window_list) > 1,
        "can_questions": access.allows(user, "questions"),
    }
    return render_page(
        request, "window/ratings/list.html", "window/ratings/partials/rating_results.html", context
    )


# ---------------------------------------------------------------------------------------------
# 差评 follow-ups
# ---------------------------------------------------------------------------------------------


@access.page("ratings_identified")
def follow_ups(request):
    today = business_date()
    form = FollowUpFilterForm(request.GET or None)
    rows = rating_selectors.follow_ups_for(request.user)
    state = ""
    if form.is_bound and form.is_valid():
        state = form.cleaned_data.get("state") or ""
    if state == OPEN:
        rows = rows.exclude(state__in=CLOSED_STATES)
    elif state == OVERDUE:
        rows = rows.filter(overdue_filter(today))
    elif state:
        rows = rows.filter(state=state)
    rows = rows.annotate(
        closed_last=When_(
            When(state__in=CLOSED_STATES, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("closed_last", F("rectify_due").asc(nulls_last=True), "id")
    page = paginate(request, rows)
    items = list(page.object_list)
    for follow in items:
        follow.tone = STATE_TONES.get(follow.state, "")
        follow.overdue = _overdue(follow, today)
        follow.level_tone = LEVEL_TONES[follow.rating.level]
    context = {"follow_ups": items, "page_obj": page, "form": form, "today": today}
    return render_page(
        request,
        "window/ratings/follow_ups.html",
        "window/ratings/partials/follow_up_results.html",
        context,
    )


def _follow_up(request, pk):
    return get_object_or_404(
        rating_selectors.follow_ups_for(request.user).select_related(
            "rating__case__window__unit",
            "rating__case__version__matter",
            "rating__question_set",
            "verified_by",
            "rectified_by",
            "fed_back_by",
        ),
        pk=pk,
    )


def _timeline(follow, rating, appeal, rerating) -> list[dict]:
    """What happened to the 差评, in order."""
    rows = [
        {
            "key": "rated",
            "label": _("差评"),
            "on": rating.rated_on,
            "by": rating.get_channel_display(),
            "text": rating.get_level_display(),
        }
    ]
    if appeal is not None:
        rows.append(
            {
                "key": "appealed",
                "label": _("申诉"),
                "on": appeal.filed_on,
                "by": appeal.filed_by,
                "text": appeal.reason,
            }
        )
        if appeal.decided_on:
            rows.append(
                {
                    "key": "decided",
                    "label": appeal.get_decision_display(),
                    "on": appeal.decided_on,
                    "by": appeal.decided_by,
                    "text": appeal.decision_note,
                }
            )
    if follow.verified_on:
        rows.append(
            {
                "key": "verified",
                "label": _("核实"),
                "on": follow.verified_on,
                "by": follow.verified_by,
                "text": follow.finding,
            }
        )
    if follow.rectified_on:
        rows.append(
            {
                "key": "rectified",
                "label": _("整改完成"),
                "on": follow.rectified_on,
                "by": follow.rectified_by,
                "text": follow.measures,
            }
        )
    if follow.fed_back_on:
        rows.append(
            {
                "key": "fed_back",
                "label": follow.get_feedback_method_display() or _("回访反馈"),
                "on": follow.fed_back_on,
                "by": follow.fed_back_by,
                "text": follow.feedback_note,
            }
        )
    if rerating is not None:
        rows.append(
            {
                "key": "rerated",
                "label": _("整改评价"),
                "on": rerating.rated_on,
                "by": rerating.get_channel_display(),
                "text": rerating.get_level_display(),
            }
        )
    elif follow.state == FollowUpState.CLOSED and follow.closed_on:
        rows.append(
            {
                "key": "lapsed",
                "label": _("复评逾期"),
                "on": follow.closed_on,
                "by": "",
                "text": _("申请人未在期限内对整改结果评价"),
            }
        )
    # the appeal and its decision come before a verification that follows a rejected appeal
    return sorted(rows, key=lambda row: row["on"])


def _follow_up_context(request, follow, *, bound=None, open_step: str = "") -> dict:
    user = request.user
    rating = follow.rating
    case = rating.case
    appeal = _related(follow, "appeal")
    if appeal is not None and appeal.decided_on is None and not appeal.decision:
        appeal.pending = True
    rerating = (
        Rating.objects.filter(case=case, round=RatingRound.FIX).prefetch_related("options").first()
    )
    choices = None
    steps = []
    for step in rules.FOLLOW_UP.actions(follow.state, user):
        form_class = STEP_FORMS.get(step.action)
        if form_class is None or (step.action == "appeal" and appeal is not None):
            continue
        if step.action == "feed_back" and choices is None:
            choices = rating_selectors.option_choices()
        form = bound if open_step == step.action and bound is not None else None
        steps.append(
            {
                "action": step.action,
                "label": step.label,
                "form": form
                or form_class(prefix=step.action, follow_up=follow, choices_by_level=choices),
                "open": open_step == step.action,
                "url": reverse("window:follow_up_step", args=[follow.pk, step.action]),
            }
        )
    today = business_date()
    return {
        "f": follow,
        "rating": rating,
        "rating_options": list(rating.options.all()),
        "case": case,
        "appeal": appeal,
        "rerating": rerating,
        "timeline": _timeline(follow, rating, appeal, rerating),
        "steps": steps,
        "state_tone": STATE_TONES.get(follow.state, ""),
        "level_tone": LEVEL_TONES[rating.level],
        "overdue": _overdue(follow, today),
        "show_phone": user.role == Role.UNIT_ADMIN,
    }


@access.page("ratings_identified")
def follow_up(request, pk):
    follow = _follow_up(request, pk)
    return render(request, "window/ratings/follow_up.html", _follow_up_context(request, follow))


def _write(user, follow, action: str, data: dict):
    """Do `action`; the round-2 code when a 回访 without a rating issued one."""
    if action in ("uphold", "reject"):
        appeal = _related(follow, "appeal")
        if appeal is None:
            raise Conflict()
        rating_services.appeal_decide(actor=user, appeal=appeal, upheld=action == "uphold", **data)
        return None
    if action == "feed_back":
        _, code = rating_services.follow_up_feed_back(actor=user, follow_up=follow, **data)
        return code
    call = {
        "verify": rating_services.follow_up_verify,
        "appeal": rating_services.follow_up_appeal,
        "rectify": rating_services.follow_up_rectify,
    }[action]
    call(actor=user, follow_up=follow, **data)
    return None


SUCCESS = {
    "verify": gettext_lazy("已核实，请在整改期限内完成整改"),
    "appeal": gettext_lazy("已提交申诉，等待机关工委裁定"),
    "uphold": gettext_lazy("已裁定申诉成立，该差评不计入统计"),
    "reject": gettext_lazy("已裁定申诉不成立，单位须核实整改"),
    "rectify": gettext_lazy("已登记整改完成，请回访申请人"),
    "feed_back": gettext_lazy("已登记回访"),
}


@access.page("ratings_identified")
@require_POST
@never_cache
def follow_up_step(request, pk, action):
    """POST one step of a follow-up (its small form): back to its page with the step done; a
    refusal next to its field (400), a move no longer allowed as the service's message (409)."""
    if action not in STEP_FORMS:
        raise Http404
    access.check(request.user, "appeal_decide" if action in ("uphold", "reject") else "follow_up")
    follow = _follow_up(request, pk)
    choices = rating_selectors.option_choices() if action == "feed_back" else None
    form = STEP_FORMS[action](
        request.POST, prefix=action, follow_up=follow, choices_by_level=choices
    )
    status, conflict = 400, ""
    if form.is_valid():
        try:
            code = _write(request.user, follow, action, form.service_data())
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            status, conflict = 409, str(exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            follow = _follow_up(request, pk)
            context = _follow_up_context(request, follow)
            context["done"] = str(SUCCESS[action])
            if code:
                # the round-2 code: shown here once, never again
                invite = (
                    follow.rating.case.rating_invites.filter(round=RatingRound.FIX)
                    .order_by("-id")
                    .first()
                )
                context.update(_slip(request, case=follow.rating.case, invite=invite, code=code))
                return _private(render(request, "window/ratings/follow_up.html", context))
            if request.htmx:
                return render(request, "window/ratings/follow_up.html", context)
            messages.success(request, context["done"])
            return redirect(reverse("window:follow_up", args=[pk]))
    follow = _follow_up(request, pk)
    if conflict:
        context = _follow_up_context(request, follow)
        context["conflict"] = conflict
    else:
        context = _follow_up_context(request, follow, bound=form, open_step=action)
    return render(request, "window/ratings/follow_up.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# The question set (the committee)
# ---------------------------------------------------------------------------------------------


@access.page("questions")
def questions(request):
    """评价选项: the current version's choices per level, one per line; publishing makes a new
    version (ratings keep the version they were given under). Earlier versions below."""
    current = QuestionSet.current()
    choices = rating_selectors.option_choices(current) if current else {}
    form = QuestionSetForm(request.POST or None, current=choices)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                published = rating_services.question_set_publish(
                    actor=request.user, options=form.options(), note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已发布评价选项第 %(n)s 版，新的评价使用新选项") % {"n": published.number},
                )
                return redirect(reverse("window:questions"))
    versions = list(
        QuestionSet.objects.select_related("published_by")
        .prefetch_related("options")
        .order_by("-number")
    )
    for version in versions:
        by_level: dict[int, list] = {}
        for option in version.options.all():
            by_level.setdefault(option.level, []).append(option)
        version.levels = [
            {"label": label, "options": by_level.get(value, [])}
            for value, label in RatingLevel.choices
        ]
    context = {
        "form": form,
        "current": current,
        "versions": versions,
        "settings": WindowSettings.current(),
    }
    return render(request, "window/ratings/questions.html", context, status=status)
