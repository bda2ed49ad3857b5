"""What other work methods may read of the 汇爱 fund, and nothing else (listed in `.importlinter`).

关怀帮扶 shows, on a 必帮 obligation, the aid applications opened from it, and offers the form that
opens one (`new_application_url`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from guanqing.core.access import allows
from guanqing.fund.models import AidApplication


@dataclass(frozen=True)
class ApplicationLink:
    id: int
    number: str
    state_label: str
    url: str


def may_apply(user) -> bool:
    return allows(user, "fund.apply")


def new_application_url(obligation_id: int) -> str:
    return reverse("fund:aid_new") + f"?care_obligation={obligation_id}"


def applications_for_obligations(user, obligation_ids) -> dict[int, list[ApplicationLink]]:
    """{obligation id: the applications opened from it that `user` sees}."""
    links: dict[int, list[ApplicationLink]] = {}
    rows = (
        AidApplication.objects.visible_to(user)
        .filter(care_obligation_id__in=list(obligation_ids))
        .order_by("pk")
    )
    for row in rows:
        links.setdefault(row.care_obligation_id, []).append(
            ApplicationLink(
                id=row.pk,
                number=row.number,
                state_label=str(row.get_state_display()),
                url=reverse("fund:aid_detail", args=[row.pk]),
            )
        )
    return links
