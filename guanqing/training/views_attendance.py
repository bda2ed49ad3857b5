"""Attendance pages of the training rotations: the member's check-in with the code shown at the
venue, the organiser's session-day page (the current code, large, refreshed by htmx; the list per
class to tick present / absent / excused; make-ups to arrange), the make-up page, the downloads of a
session (Excel roster, sign-in sheet PDF of a day), and the completion figures by unit and rank.

A refusal of a service is shown on the page, in the service's words.
"""

from __future__ import annotations

from operator import attrgetter

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.ui import ranking
from guanqing.core.ui.htmx import wants_partial
from guanqing.training import attendance, exports, figures, printing
from guanqing.training.access import access
from guanqing.training.choices import AttendanceStatus, PlanState
from guanqing.training.models import Assignment, Attendance, MakeUp, Plan, Session

CODE_BOX = "code-box"


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("签到码"),
        max_length=attendance.CODE_DIGITS,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "class": "tr-code-input",
            }
        ),
    )


# --- the member ---------------------------------------------------------------------------------


@access.page("checkin")
def checkin(request):
    """签到: the member's own session today and the code field; `?code=` pre-fills it."""
    user = request.user
    today = business_date()
    assignment = attendance.running_today(attendance.member_assignments(user), today)
    if request.method == "POST":
        form = CheckinForm(request.POST)
        if form.is_valid() and assignment is not None:
            try:
                attendance.attendance_check_in(
                    actor=user, assignment=assignment, code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("code", message)
            else:
                messages.success(request, _("签到成功：%(day)s") % {"day": today.isoformat()})
                return redirect("training:checkin")
    else:
        form = CheckinForm(initial={"code": request.GET.get("code", "")[: attendance.CODE_DIGITS]})
    record = (
        Attendance.objects.visible_to(user)
        .filter(participant_id=assignment.participant_id, day=today)
        .first()
        if assignment
        else None
    )
    context = {
        "form": form,
        "assignment": assignment,
        "session": assignment.session if assignment else None,
        "plan": assignment.participant.plan if assignment else None,
        "today": today,
        "today_number": attendance.day_number(assignment.session, today) if assignment else None,
        "record": record,
    }
    return render(request, "training/attendance/checkin.html", context)


# --- the organiser -------------------------------------------------------------------------------


def _session(request, pk, number) -> Session:
    plan = get_object_or_404(Plan.objects.editable_by(request.user), pk=pk)
    return get_object_or_404(Session.objects.select_related("plan"), plan=plan, number=number)


def _code_context(request, session: Session) -> dict:
    try:
        shown = attendance.session_code(actor=request.user, session=session)
    except ValidationError as exc:
        return {"code_error": "；".join(exc.messages)}
    link = request.build_absolute_uri(reverse("training:checkin") + f"?code={shown['code']}")
    svg = _qr_svg(link)
    return {
        "code": shown["code"],
        "valid_until": shown["valid_until"],
        "link": link,
        "qr_svg": mark_safe(svg) if svg else None,  # noqa: S308 - drawn by segno
    }


def _qr_svg(text: str) -> str | None:
    """The QR code of `text` as inline SVG, drawn here; None without a QR library (the page then
    shows the code and the link only)."""
    try:
        import segno
    except ImportError:
        return None
    return segno.make(text, error="m").svg_inline(border=2, dark="#1f2329", omitsize=True)


TONES = {
    AttendanceStatus.PRESENT: "ok",
    AttendanceStatus.ABSENT: "warn",
    AttendanceStatus.EXCUSED: "info",
}


@access.page("attendance")
def session_day(request, pk, number, day=None):
    """The organiser's page of a session-day: the code (on the day), and the list by class."""
    session = _session(request, pk, number)
    plan = session.plan
    dates = session.dates
    today = business_date()
    if day is None:
        day = attendance.day_number(session, today) or 1
    if not 1 <= day <= len(dates):
        raise Http404
    date = dates[day - 1]
    roster = attendance.session_roster(session)
    errors: list[str] = []
    if request.method == "POST":
        marks = {}
        for rows in roster.values():
            for row in rows:
                value = request.POST.get(f"p{row.participant.pk}", "")
                if value:
                    marks[row.participant.pk] = value
        try:
            changed = attendance.attendance_record(
                actor=request.user, session=session, day=date, marks=marks
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("已登记 %(day)s 的出勤，%(n)s 人有变化")
                % {"day": date.isoformat(), "n": changed},
            )
            return redirect("training:attendance_day", pk=plan.pk, number=session.number, day=day)
    statuses = AttendanceStatus.choices
    classes, counts = [], {value: 0 for value, _label in statuses}
    counts[""] = 0
    for class_number, rows in roster.items():
        lines = []
        for row in rows:
            if row.assignment is None and date not in row.records:
                continue
            status = row.status(date)
            counts[status] += 1
            lines.append(
                {
                    "row": row,
                    "status": request.POST.get(f"p{row.participant.pk}", status)
                    if errors
                    else status,
                    "label": dict(statuses).get(status, ""),
                    "tone": TONES.get(status, "muted"),
                    "needs_makeup": row.assignment is not None and bool(row.missed),
                }
            )
        classes.append((class_number, lines))
    context = {
        "plan": plan,
        "session": session,
        "date": date,
        "day": day,
        "days": list(enumerate(dates, start=1)),
        "is_today": date == today,
        "editable": date <= today and plan.state == PlanState.SCHEDULED,
        "classes": classes,
        "unrecorded": counts.pop(""),
        "counts": counts,
        "statuses": statuses,
        "errors": errors,
    }
    if date == today:
        context.update(_code_context(request, session))
    return render(request, "training/attendance/session_day.html", context)


@require_GET
@access.page("attendance")
def code_box(request, pk, number):
    """The code box alone, for htmx to refresh every 30 s."""
    session = _session(request, pk, number)
    context = {"plan": session.plan, "session": session, **_code_context(request, session)}
    if wants_partial(request, CODE_BOX):
        return render(request, "training/attendance/_code_box.html", context)
    return redirect("training:attendance", pk=session.plan_id, number=session.number)


@require_GET
@access.page("attendance")
def roster_xlsx(request, pk, number):
    session = _session(request, pk, number)
    return exports.roster_response(actor=request.user, session=session)


@require_GET
@access.page("attendance")
def signin_pdf(request, pk, number, day):
    session = _session(request, pk, number)
    dates = session.dates
    if not 1 <= day <= len(dates):
        raise Http404
    return printing.signin_response(request, session, dates[day - 1])


@access.page("attendance")
def makeup(request, pk):
    """补训: the later sessions, each with its class and the checker's reasons; the first
    accepted one chosen by default."""
    assignment = get_object_or_404(
        Assignment.objects.editable_by(request.user).select_related(
            "session__plan", "participant__member", "participant__unit"
        ),
        pk=pk,
    )
    origin = assignment.session
    errors: list[str] = []
    if request.method == "POST":
        target = Session.objects.filter(
            plan_id=origin.plan_id, pk=_int(request.POST.get("session"))
        ).first()
        if target is None:
            errors = [_("请选择补训期次")]
        else:
            try:
                made = attendance.makeup_assign(
                    actor=request.user,
                    assignment=assignment,
                    session=target,
                    class_number=_int(request.POST.get("class_number")),
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _("已安排 %(name)s 到第 %(n)s 期第 %(k)s 班补训")
                    % {
                        "name": assignment.participant.member.name,
                        "n": made.to_session.number,
                        "k": made.to_class,
                    },
                )
                return redirect("training:attendance", pk=origin.plan_id, number=origin.number)
    options = attendance.makeup_options(assignment)
    default = attendance.default_makeup(options)
    chosen = (
        _int(request.POST.get("session")) if errors else (default.session.pk if default else None)
    )
    context = {
        "assignment": assignment,
        "participant": assignment.participant,
        "plan": origin.plan,
        "session": origin,
        "missed": attendance.missed_in(assignment.participant_id, origin),
        "options": options,
        "default": default,
        "chosen": chosen,
        "errors": errors,
        "history": MakeUp.objects.filter(participant=assignment.participant).select_related(
            "from_session", "to_session"
        ),
    }
    return render(
        request, "training/attendance/makeup.html", context, status=422 if errors else 200
    )


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


# --- completion -----------------------------------------------------------------------------------


def completion_columns() -> list[ranking.Column]:
    """The table of completion by unit, ranked on the server (the first 50, the rest as a sheet)."""
    return [
        ranking.name_column(_("单位"), attrgetter("label")),
        ranking.Column(
            "required", _("应参训"), attrgetter("required"), sheet_label=_("应参训（人）")
        ),
        ranking.Column(
            "scheduled", _("已排期"), attrgetter("scheduled"), sheet_label=_("已排期（人）")
        ),
        ranking.Column(
            "completed", _("已完成"), attrgetter("completed"), sheet_label=_("已完成（人）")
        ),
        ranking.Column("rate", _("完成率"), attrgetter("rate"), sheet_label=_("完成率（%）")),
        ranking.Column(
            "absent", _("缺勤未补训"), attrgetter("absent"), sheet_label=_("缺勤未补训（人）")
        ),
        ranking.Column("made_up", _("补训"), attrgetter("made_up"), sheet_label=_("补训（人）")),
        ranking.Column("exempt", _("免训"), attrgetter("exempt"), sheet_label=_("免训（人）")),
    ]


@access.page("completion")
def completion_page(request):
    """完成情况 by unit and by rank: the committee's for every unit (kept as a figures snapshot),
    a unit's for its own."""
    user = request.user
    plans = list(
        Plan.objects.visible_to(user).exclude(state=PlanState.DRAFT).order_by("-year", "-id")[:20]
    )
    wanted = _int(request.GET.get("plan"))
    plan = next((p for p in plans if p.pk == wanted), plans[0] if plans else None)
    if wanted and (plan is None or plan.pk != wanted):
        raise Http404
    units = [user.unit_id] if user.role == Role.UNIT_ADMIN else None
    snapshot = figures.completion_of(user, plan, units=units) if plan else None
    result = snapshot.value if snapshot else None
    by_unit = None
    if result:
        by_unit = ranking.rank(request, result.by_unit, completion_columns(), default="-rate")
        if ranking.wants_export(request):
            title = _("%(plan)s完成情况（按单位）") % {"plan": plan.title}
            return ranking.export(by_unit, title=title[:31], stem=title)
    context = {
        "plans": plans,
        "plan": plan,
        "figures": result,
        "snapshot": snapshot,
        "unit_only": units is not None,
        "tables": [
            (_("按单位"), "units", by_unit.rows, by_unit),
            (_("按职级"), "ranks", result.by_rank, None),
        ]
        if result
        else [],
    }
    return render(request, "training/attendance/completion.html", context)
