"""What 微心愿 puts on the home page (工作台), by role:

- a member: its active claims to fulfil, due soonest first, and how many wishes of the wall it may
  claim now;
- a community worker: the wishes a colleague posted that wait for its review, and the fulfilled
  wishes waiting for the resident's confirmation;
- the committee: what is slipping city-wide: wishes with a claim overdue or about to lapse, and
  pending wishes nobody has reviewed for days;
- a unit administrator: the wishes its members are working on (an active claim).

Every number links to the list that shows it (the wall's, the management list's or 我的认领),
filtered to give that number; everything is read through the user's scope, a few queries each.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core.calendar.workdays import business_date
from guanqing.core.scope.querysets import is_every_row
from guanqing.core.ui.home import HomeSection
from guanqing.wishes import selectors
from guanqing.wishes.choices import WishStatus
from guanqing.wishes.models import Wish, WishClaim


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def member_claims(request) -> dict | None:
    """The member's active claims, due soonest first: each links to its wish's page."""
    user = request.user
    if user.member_id is None:
        return None
    today = business_date()
    claims = (
        WishClaim.objects.visible_to(user).active().select_related("wish").order_by("due_on", "pk")
    )
    items = []
    for claim in claims:
        days = (claim.due_on - today).days
        if days < 0:
            meta, tone = _("已于 %(date)s 到期") % {"date": claim.due_on.isoformat()}, "danger"
        else:
            meta = _("应于 %(date)s 前实现") % {"date": claim.due_on.isoformat()}
            tone = "warn" if days <= selectors.LAPSING_DAYS else ""
        items.append(
            {
                "text": claim.wish.title,
                "url": reverse("wishes:detail", args=[claim.wish_id]) + "#actions",
                "count": None,
                "meta": meta,
                "tone": tone,
            }
        )
    return {
        "template": "core/home/todo.html",
        "title": _("我认领的心愿"),
        "items": items,
        "more_url": reverse("wishes:mine"),
        "empty": _("您目前没有认领中的心愿。"),
    }


def member_wall(request) -> dict | None:
    """How many claims the member holds (of how many it may) and how many wishes it may claim."""
    user = request.user
    position = selectors.claim_position(user)
    if position is None:
        return None
    claimable = selectors.claimable_wishes(user, position).count()
    return {
        "template": "core/home/stats.html",
        "title": _("微心愿"),
        "note": _("最多同时认领 %(max)s 个") % {"max": position.limit},
        "stats": [
            {
                "label": _("认领中"),
                "value": len(position.held),
                "unit": pgettext("wishes", "个"),
                "url": reverse("wishes:mine"),
                "tone": "warn" if position.at_limit else "",
            },
            {
                "label": _("我能认领的心愿"),
                "value": claimable,
                "unit": pgettext("wishes", "个"),
                "url": _url("wishes:wall", claimable="1"),
                "tone": "accent" if claimable else "",
            },
        ],
    }


def worker_todo(request) -> dict | None:
    """The community's wishes waiting for this worker: to review (a colleague posted them), and
    fulfilled ones to confirm with the resident. One query."""
    user = request.user
    counts = Wish.objects.visible_to(user).aggregate(
        review=Count("pk", filter=Q(status=WishStatus.PENDING) & ~Q(posted_by_id=user.pk)),
        confirm=Count("pk", filter=Q(status=WishStatus.FULFILLED)),
    )
    return {
        "template": "core/home/stats.html",
        "title": _("微心愿待办"),
        "note": "",
        "stats": [
            {
                "label": _("待我审核"),
                "value": counts["review"],
                "unit": pgettext("wishes", "个"),
                "url": _url("wishes:manage", status=WishStatus.PENDING, mine="others"),
                "tone": "warn" if counts["review"] else "",
            },
            {
                "label": _("待居民确认"),
                "value": counts["confirm"],
                "unit": pgettext("wishes", "个"),
                "url": _url("wishes:manage", status=WishStatus.FULFILLED),
                "tone": "accent" if counts["confirm"] else "",
            },
        ],
    }


def committee_watch(request) -> dict | None:
    """What is slipping city-wide: wishes with a claim overdue or about to lapse, and pending
    wishes waiting for review for days. Two queries."""
    user = request.user
    today = business_date()
    wishes = Wish.objects.visible_to(user)
    claims = selectors.lapsing_claims(user, today)
    if is_every_row(wishes):  # the claims' wishes, not every wish tested against the claims
        lapsing = claims.values("wish_id").distinct().count()
    else:
        lapsing = selectors.with_claims(wishes, claims).count()
    stale = selectors.stale_pending(wishes, today).count()
    return {
        "template": "core/home/stats.html",
        "title": _("微心愿预警"),
        "note": _("全市"),
        "stats": [
            {
                "label": _("认领逾期或 %(days)s 天内到期") % {"days": selectors.LAPSING_DAYS},
                "value": lapsing,
                "unit": _("个心愿"),
                "url": _url("wishes:manage", claims="lapsing"),
                "tone": "warn" if lapsing else "",
            },
            {
                "label": _("待审核超过 %(days)s 天") % {"days": selectors.STALE_PENDING_DAYS},
                "value": stale,
                "unit": _("个心愿"),
                "url": _url("wishes:manage", status=WishStatus.PENDING, waiting="stale"),
                "tone": "warn" if stale else "",
            },
        ],
    }


def unit_claims(request) -> dict | None:
    """The wishes the unit's members hold an active claim on (the wall, `claims=active`)."""
    user = request.user
    wishes = Wish.objects.visible_to(user).on_wall()
    count = selectors.with_claims(wishes, WishClaim.objects.visible_to(user).active()).count()
    return {
        "template": "core/home/stats.html",
        "title": _("微心愿"),
        "note": "",
        "stats": [
            {
                "label": _("本单位党员认领中的心愿"),
                "value": count,
                "unit": pgettext("wishes", "个"),
                "url": _url("wishes:wall", claims="active"),
                "tone": "accent" if count else "",
            }
        ],
    }


SECTIONS = (
    HomeSection("wishes.member_claims", member_claims, order=30, rule="wishes.claim"),
    HomeSection("wishes.member_wall", member_wall, order=31, rule="wishes.claim"),
    HomeSection("wishes.worker_todo", worker_todo, order=30, rule="wishes.confirm"),
    HomeSection("wishes.committee_watch", committee_watch, order=30, rule="wishes.watch"),
    HomeSection("wishes.unit_claims", unit_claims, order=30, rule="wishes.unit"),
)
