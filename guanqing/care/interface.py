"""What other work methods may read of 关怀帮扶, and nothing else (listed in `.importlinter`).

The 汇爱 fund opens an aid application from a 必帮 obligation with one action and keeps the link
both ways: it asks here whether the user may open one from that obligation and for which member,
and links back to the obligation's event page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from guanqing.care.choices import CareAction
from guanqing.care.models import Obligation
from guanqing.core.ids import parse_id


@dataclass(frozen=True)
class HelpObligation:
    id: int
    member_id: int
    unit_id: int
    rule_name: str
    url: str


def help_obligation(user, obligation_id) -> HelpObligation | None:
    """The 必帮 (help) obligation `obligation_id` if `user` sees it (its scope), else None."""
    pk = parse_id(obligation_id) if not isinstance(obligation_id, int) else obligation_id
    if pk is None:
        return None
    row = (
        Obligation.objects.visible_to(user)
        .filter(pk=pk, action=CareAction.HELP)
        .select_related("event__rule")
        .first()
    )
    if row is None:
        return None
    return HelpObligation(
        id=row.pk,
        member_id=row.event.member_id,
        unit_id=row.unit_id,
        rule_name=row.event.rule.name,
        url=obligation_url(row.pk, row.event_id),
    )


def obligation_url(obligation_id: int, event_id: int | None = None) -> str:
    """The page showing the obligation (its event's page)."""
    if event_id is None:
        event_id = Obligation.objects.filter(pk=obligation_id).values_list("event_id", flat=True)[0]
    return reverse("care:event", args=[event_id]) + f"#obligation-{obligation_id}"
