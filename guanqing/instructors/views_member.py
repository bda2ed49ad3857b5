"""The instructor's own page, phone first: this month's days against the required days, the log
entry form (a day, or days inside one month), the latest entries and the one-action raise of a
village problem."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.ui.htmx import add_service_errors
from guanqing.frontline import interface as frontline
from guanqing.instructors import selectors, services
from guanqing.instructors.access import access
from guanqing.instructors.forms import LogForm, RaiseForm
from guanqing.instructors.views_unit import COMPLIANCE_TONES

RECENT = 10


@access.page("my_log")
def my_log(request):
    user = request.user
    today = business_date()
    term = selectors.current_term(user)
    form = LogForm(request.POST or None)
    status = 200
    if term is not None and request.method == "POST":
        if form.is_valid():
            try:
                services.log_record(actor=user, term=term, **form.cleaned_data)
            except Conflict as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("驻村日志已保存"))
                return redirect("instructors:my_log")
        else:
            status = 400
    context = {"term": term, "form": form, "tones": COMPLIANCE_TONES}
    if term is not None:
        context.update(
            month=selectors.term_rows([term], today)[0].month,
            logs=list(term.logs.all()[:RECENT]),
            raise_form=RaiseForm() if frontline.may_raise(user) else None,
        )
    return render(request, "instructors/my_log.html", context, status=status)
