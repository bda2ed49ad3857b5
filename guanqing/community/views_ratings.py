"""党员进社区, a community worker's ratings (双评价): every member confirmed at its community in a
half-year, rated row by row (htmx) or the whole list at once (保存全部). `?show=unrated` lists the
members not rated yet (the number the home page shows)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.community import selectors, services
from guanqing.community.access import access
from guanqing.community.choices import Grade
from guanqing.community.forms import RatingForm
from guanqing.community.rules import Term
from guanqing.community.views_shared import (
    GRADE_TONES,
    UNPROCESSABLE,
    badge,
    chosen_term,
    service_errors,
    term_choices,
    term_options,
)
from guanqing.core.calendar.workdays import business_date
from guanqing.core.pinyin import sorted_by_pinyin


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
        "badge": grade and badge(GRADE_TONES, grade, Grade(grade).label),
    }


@access.page("worker")
def rating_list(request):
    """评价报到党员: every member confirmed here in the half-year, by 拼音; a row saves alone
    (htmx) or the whole list at once (保存全部)."""
    choices = term_choices(business_date(), back=3)
    term = chosen_term(request, choices)
    unrated = request.GET.get("show") == "unrated"
    registrations = _ratable(request.user, term)
    return _rating_page(
        request, choices, term, [_rating_row(r) for r in registrations], unrated=unrated
    )


def _ratable(user, term: Term) -> list:
    return sorted_by_pinyin(selectors.rating_rows(user, term), lambda r: r.member.name)


def _rating_page(request, choices, term, rows, *, refused=(), status=200, unrated=False):
    """The list; with `unrated` only the rows without a grade (`selectors.ratings_due`), the
    counts still of the whole half-year."""
    shown = [row for row in rows if not row["r"].rating_grade] if unrated else rows
    context = {
        "unrated": unrated,
        "term": term,
        "term_options": term_options(choices, term),
        "rows": shown,
        "rated": sum(1 for row in rows if row["r"].rating_grade),
        "total": len(rows),
        "grades": Grade.choices,
        "refused": refused,
    }
    return render(request, "community/rating_list.html", context, status=status)


@access.page("worker")
@require_POST
def rating_save(request, member_id):
    choices = term_choices(business_date(), back=3)
    term = chosen_term(request, choices)
    registration = get_object_or_404(selectors.rating_rows(request.user, term), member_id=member_id)
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
            service_errors(form, exc)
            status = UNPROCESSABLE
        else:
            saved = True
            registration = selectors.rating_rows(request.user, term).get(pk=registration.pk)
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


@access.page("worker")
@require_POST
def rating_save_all(request):
    """保存全部: the whole list in one form. Each row whose grade or comment changed is one
    `rating_set`, all in one transaction: a refused row is named at the top and beside its
    fields, and nothing is saved until every changed row is right (422)."""
    choices = term_choices(business_date(), back=3)
    term = chosen_term(request, choices)
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
                        service_errors(form, exc)
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
