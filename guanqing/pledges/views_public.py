"""The page without an account: the year's published pledges with their progress bars and
status, and the committee's rating once made public. No unit, person, report or file is shown."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from guanqing.core.access import public
from guanqing.core.calendar.workdays import business_date
from guanqing.pledges import selectors
from guanqing.pledges.views_read import chosen_year


@public
@require_GET
def public_page(request):
    today = business_date()
    year = chosen_year(request, today.year)
    summary = selectors.public_summary(year, today)
    return render(request, "pledges/public.html", {"summary": summary, "year": year})
