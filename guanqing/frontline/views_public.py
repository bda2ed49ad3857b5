"""The resident's pages, without an account: report a problem (answered with its public number
and a status link), its status (the public steps only: never the reporter, never an internal
note), and the rating of the answer with the one-time code (满意 / 基本满意 / 不满意).

Every POST and every code look-up counts against a limit per client address (`PublicThrottle`,
in the cache like the API's throttles); a wrong, used or replaced code gets the one answer
`services.CODE_INVALID`, like a missing one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.settings import api_settings

from guanqing.core.access import public
from guanqing.core.api.base import ClientAddressThrottle
from guanqing.core.ui.htmx import add_service_errors
from guanqing.frontline import selectors, services
from guanqing.frontline.choices import ProblemSource, ProblemState
from guanqing.frontline.forms_problems import CodeForm, PublicReportForm, RateForm, StatusForm
from guanqing.frontline.models import Problem

# Only what the public reported is shown publicly.
PUBLIC_SOURCES = (ProblemSource.PUBLIC, ProblemSource.OPEN311)


class PublicThrottle(ClientAddressThrottle):
    """`frontline_public` in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (60 an hour per client
    address when it is not set): reports, status look-ups and codes."""

    scope = "frontline_public"
    default_rate = "60/hour"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate


def _private(response):
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request, template: str, context: dict, status: int = 200):
    context["nav_user"] = None
    return _private(render(request, template, context, status=status))


def _throttled(request, template: str, context: dict):
    throttle = PublicThrottle()
    if throttle.allow_request(request, None):
        return None
    minutes = max(1, round((throttle.wait() or 60) / 60))
    response = _page(request, template, {**context, "throttled": True, "minutes": minutes}, 429)
    response["Retry-After"] = str(minutes * 60)
    return response


@public
@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    """群众反映: category, what, where; a name and phone only if the resident wants a call back."""
    template = "frontline/public/report.html"
    if request.method == "GET":
        return _page(request, template, {"form": PublicReportForm()})
    if response := _throttled(request, template, {"form": PublicReportForm()}):
        return response
    form = PublicReportForm(request.POST)
    if form.is_valid():
        try:
            problem = services.problem_report(actor=None, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _page(
                request,
                template,
                {
                    "reported": problem,
                    "status_url": request.build_absolute_uri(
                        reverse("frontline:public_status", args=[problem.public_id])
                    ),
                },
            )
    return _page(request, template, {"form": form}, 400)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def status_entry(request):
    """The number typed in; on to its status page."""
    form = StatusForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        return redirect(reverse("frontline:public_status", args=[form.cleaned_data["public_id"]]))
    return _page(
        request, "frontline/public/status.html", {"form": form}, 400 if form.is_bound else 200
    )


@public
@never_cache
def status(request, public_id):
    """A problem the public reported: its category, state and public steps; a merged one also
    shows its master's public steps."""
    template = "frontline/public/status.html"
    if response := _throttled(request, template, {"form": StatusForm()}):
        return response
    problem = (
        Problem.objects.filter(
            # a NUL matches no number (and PostgreSQL refuses it in a query)
            public_id=str(public_id).upper().replace("\x00", "\ufffd"),
            source__in=PUBLIC_SOURCES,
        )
        .select_related("category", "unit", "master")
        .first()
    )
    if problem is None:
        return _page(
            request,
            template,
            {"form": StatusForm(initial={"public_id": public_id}), "not_found": True},
            404,
        )
    shown = problem.master if problem.state == ProblemState.MERGED and problem.master else problem
    events = list(selectors.problem_timeline(problem, public_only=True))
    if shown is not problem:
        events += list(selectors.problem_timeline(shown, public_only=True))
    return _page(
        request,
        template,
        {"problem": problem, "shown": shown, "events": events, "form": StatusForm()},
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def rate_entry(request):
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        return redirect(
            reverse(
                "frontline:public_rate_code",
                args=[services.normalize_code(form.cleaned_data["code"]) or "-"],
            )
        )
    return _page(
        request, "frontline/public/rate.html", {"code_form": form}, 400 if form.is_bound else 200
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, code):
    """评价: the code's problem and its answer; one answer for any code that cannot be used."""
    template = "frontline/public/rate.html"
    if response := _throttled(request, template, {"code_form": CodeForm()}):
        return response
    problem = services.problem_by_code(code)
    if problem is None:
        return _page(request, template, {"invalid": str(services.CODE_INVALID)})
    form = RateForm(request.POST if request.method == "POST" else None)
    context = {"problem": problem, "form": form, "code": code}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.problem_rate(
                    code=code,
                    satisfaction=form.cleaned_data["satisfaction"],
                    note=form.cleaned_data["note"].replace("\r\n", "\n").strip(),
                )
            except services.ProblemCodeInvalid:
                return _page(request, template, {"invalid": str(services.CODE_INVALID)})
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return _page(request, template, {"thanks": True})
        return _page(request, template, context, 400)
    return _page(request, template, context)
