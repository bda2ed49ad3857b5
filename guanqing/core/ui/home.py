"""Home dashboard: live registry figures for the business roles, tool links for the administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guanqing.registry import selectors
from guanqing.registry.models import Division


def _with_share(rows: list[dict], key: str) -> list[dict]:
    """Add `pct` (share of the largest value, 0-100) for the CSS bar charts."""
    top = max((row[key] for row in rows), default=0)
    for row in rows:
        row["pct"] = round(row[key] * 100 / top) if top else 0
    return rows


@login_required
def home(request):
    user = request.user
    if user.is_separated_admin:
        return render(request, "core/home_admin.html", {})
    by_district = _with_share(selectors.household_counts_by_district(user), "households")
    codes = dict(
        Division.objects.filter(pk__in=[row["district_id"] for row in by_district]).values_list(
            "pk", "code"
        )
    )
    for row in by_district:
        row["district_code"] = codes.get(row["district_id"], "")[:6]
    context = {
        "totals": selectors.registry_totals(user),
        "by_district": by_district,
        "by_unit": _with_share(selectors.member_counts_by_unit(user, limit=10), "members"),
    }
    return render(request, "core/home.html", context)
