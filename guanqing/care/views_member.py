"""A member's own page (我的关怀): its events with what was done about them, and the form to
report an event of its own life, which makes its unit's obligation due the same way."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanqing.care import selectors, services
from guanqing.care.access import access
from guanqing.care.forms import ReportForm
from guanqing.care.models import Obligation
from guanqing.care.views_unit import TIMING_TONES
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ui.htmx import add_service_errors

RECENT = 50


@access.page("mine")
def mine(request):
    user = request.user
    today = business_date()
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and user.member_id:
            try:
                event, created = services.care_event_record(
                    actor=user, member=user.member_id, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                if created:
                    messages.success(request, _("已报告，单位将按规定落实"))
                else:
                    messages.info(request, _("已有这条记录"))
                return redirect("care:mine")
        else:
            if not user.member_id:
                form.add_error(None, _("您的账号未关联党员信息"))
            status = 400
    events = list(selectors.events_for_list(user).order_by("-occurred_on", "-pk")[:RECENT])
    obligations: dict[int, list] = {}
    for o in Obligation.objects.visible_to(user).filter(event__in=events).order_by("due_on"):
        obligations.setdefault(o.event_id, []).append(
            {
                "obligation": o,
                "timing": (timing := selectors.timing(o, today)),
                "timing_label": selectors.timing_label(timing),
            }
        )
    return render(
        request,
        "care/mine.html",
        {
            "form": form,
            "rows": [(e, obligations.get(e.pk, [])) for e in events],
            "tones": TIMING_TONES,
        },
        status=status,
    )
