"""Reads of the micro-wish module: the settings in force, the wall, whether a member may claim,
a wish's story."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import counters
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.wishes.access import access
from guanqing.wishes.choices import ClaimStatus, WishStatus
from guanqing.wishes.models import Wish, WishClaim, WishEvent, WishFulfilment, WishSettings
from guanqing.wishes.rules import WISH

FULL = gettext_lazy("这个心愿已被认领满了")
ALREADY_CLAIMED = gettext_lazy("您已认领这个心愿")


def wish_settings() -> WishSettings:
    """The committee's claim rules; the defaults (3 claims, 30 days) until it changes them."""
    return WishSettings.objects.order_by("pk").first() or WishSettings()


def wish_story(wish) -> list[WishEvent]:
    """Every step of a wish, oldest first (the page that tells its whole story)."""
    return list(
        WishEvent.objects.filter(wish=wish)
        .select_related("actor", "claim__member")
        .order_by("at", "id")
    )


def surname_only(name: str) -> str:
    """张国宝 → 张**: the wall never shows a resident's full name (compound surnames are rare:
    the first character is taken)."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else ""


def wish_for_confirmation(token: str) -> dict | None:
    """What the resident's confirmation page shows for a one-time code, read without an account:
    the wish, how it came true and who did it (names only). None for a wrong or spent code, the
    same answer for both."""
    from guanqing.wishes.services import token_hash  # services import this module

    token = (token or "").strip() if isinstance(token, str) else ""
    if not token or len(token) > 200:
        return None
    wish = (
        Wish.objects.filter(confirm_token_hash=token_hash(token), status=WishStatus.FULFILLED)
        .select_related("community")
        .first()
    )
    if wish is None:
        return None
    fulfilment = (
        WishFulfilment.objects.filter(wish=wish).prefetch_related("photos").order_by().first()
    )
    names = list(
        WishClaim.objects.filter(wish=wish, status=ClaimStatus.FULFILLED)
        .order_by("created_at", "pk")
        .values_list("member__name", flat=True)
    )
    return {"wish": wish, "fulfilment": fulfilment, "members": names}


# ---------------------------------------------------------------------------------------------
# May this member claim this wish? One answer for the service, the wall's button and its
# 只看我能认领的 filter, and the home page's count.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimPosition:
    """What decides a member's claims besides the wish: whether it is an active member, the
    wishes it holds an active claim on, how many it may hold at once, and today."""

    member_active: bool
    held: frozenset[int]
    limit: int
    today: datetime.date

    @property
    def at_limit(self) -> bool:
        return len(self.held) >= self.limit


def claim_position(user) -> ClaimPosition | None:
    """The position of a member's account (three queries); None for every other account."""
    from guanqing.registry.choices import MemberStatus
    from guanqing.registry.models import Member

    if not access.allows(user, "claim") or user.member_id is None:
        return None
    status = Member.objects.filter(pk=user.member_id).values_list("status", flat=True).first()
    held = WishClaim.objects.active().filter(member_id=user.member_id).values_list("wish_id")
    return ClaimPosition(
        member_active=status == MemberStatus.ACTIVE,
        held=frozenset(pk for (pk,) in held),
        limit=wish_settings().max_unfulfilled_claims,
        today=business_date(),
    )


def claim_refusal(wish: Wish, position: ClaimPosition) -> Exception | None:
    """Why the member may not claim `wish` (the error the service raises: a ValidationError
    naming the field, or `Conflict` for a full wish), or None when it may."""
    if not position.member_active:
        return ValidationError({"member": [_("您的党员状态不是在职，不能认领")]})
    if wish.pk in position.held:
        return ValidationError({"wish": [ALREADY_CLAIMED]})
    if wish.status == WishStatus.FULL:
        return Conflict(FULL)
    if not WISH.can(wish.status, "claim"):
        return ValidationError(
            {"status": [_("这个心愿%(status)s，不能认领") % {"status": wish.get_status_display()}]}
        )
    if wish.deadline < position.today:
        return ValidationError(
            {"deadline": [_("这个心愿已于 %(deadline)s 截止") % {"deadline": wish.deadline}]}
        )
    if position.at_limit:
        return ValidationError(
            {
                "member": [
                    _(
                        "您已有 %(value)s 个未实现的认领（最多 %(max_unfulfilled_claims)s 个），请先实现或退出其中一个"
                    )
                    % {"value": len(position.held), "max_unfulfilled_claims": position.limit}
                ]
            }
        )
    return None


def claimable_wishes(user, position: ClaimPosition | None) -> models.QuerySet:
    """The wishes `claim_refusal` lets the member claim, as a queryset of what it sees."""
    wishes = Wish.objects.visible_to(user)
    if position is None or not position.member_active or position.at_limit:
        return wishes.none()
    states = [state for state in WishStatus.values if WISH.can(state, "claim")]
    return wishes.filter(status__in=states, deadline__gte=position.today).exclude(
        pk__in=position.held
    )


# ---------------------------------------------------------------------------------------------
# The lists behind the home page's figures (the management list's and the wall's extra filters)
# ---------------------------------------------------------------------------------------------

# A pending wish waiting longer than this for its second pair of eyes is slipping.
STALE_PENDING_DAYS = 3
# An active claim due within this many days (or already overdue) is about to lapse.
LAPSING_DAYS = 3


def awaiting_my_review(user, wishes: models.QuerySet) -> models.QuerySet:
    """Pending wishes the user may review: posted by somebody else."""
    return wishes.filter(status=WishStatus.PENDING).exclude(posted_by_id=user.pk)


def stale_pending(wishes: models.QuerySet, today: datetime.date) -> models.QuerySet:
    """Pending wishes posted STALE_PENDING_DAYS business dates ago or earlier (posted on the
    10th, stale from the 13th)."""
    from guanqing.core.daterange import start_of

    cutoff = start_of(today - datetime.timedelta(days=STALE_PENDING_DAYS - 1))
    return wishes.filter(status=WishStatus.PENDING, created_at__lt=cutoff)


def lapsing_claims(user, today: datetime.date) -> models.QuerySet:
    """The active claims the user sees that are overdue or due within LAPSING_DAYS days."""
    return (
        WishClaim.objects.visible_to(user)
        .active()
        .filter(due_on__lte=today + datetime.timedelta(days=LAPSING_DAYS))
    )


def with_claims(wishes: models.QuerySet, claims: models.QuerySet) -> models.QuerySet:
    """The wishes among `wishes` that one of `claims` is on."""
    return wishes.filter(pk__in=claims.values("wish_id"))


def district_names() -> dict[int, str]:
    """{district id as recorded: name of the district it is part of today} (江东区 → 鄞州区)."""
    from guanqing.registry.models import Division
    from guanqing.registry.selectors import current_district_map

    rolled = current_district_map()
    names = dict(Division.objects.filter(pk__in=set(rolled.values())).values_list("pk", "name"))
    return {pk: names.get(today_pk, "") for pk, today_pk in rolled.items()}


def wall_communities(wishes: models.QuerySet) -> models.QuerySet:
    """The communities with wishes among `wishes` (the wall's), for its community picker."""
    from guanqing.registry.models import Division

    return (
        Division.objects.filter(pk__in=wishes.order_by().values("community_id"))
        .select_related("parent__parent")
        .order_by("code")
    )


def wall_communities_of(user) -> models.QuerySet:
    """The communities with wishes on the wall `user` sees: what the wall's picker searches."""
    return wall_communities(Wish.objects.visible_to(user).on_wall())


def counts_by_status(wishes: models.QuerySet) -> dict[str, int]:
    """{status: number of `wishes` in it} for the management page's tabs. COUNT(*), not
    COUNT(id): PostgreSQL counts from the index on status (or on community and status) without
    reading the wishes' rows. When `wishes` is every wish (the committee's), the confirmed ones
    — most of the history, 85 % at three tenths of a province — are the table's length from the
    wishes counted by community less the others, so only the statuses still in play are counted."""
    length = counters.table_length(wishes)
    if length is None:
        return dict(wishes.order_by().values_list("status").annotate(n=models.Count("*")))
    others = [status for status in WishStatus.values if status != WishStatus.CONFIRMED]
    counts = dict(
        wishes.filter(status__in=others)
        .order_by()
        .values_list("status")
        .annotate(n=models.Count("*"))
    )
    counts[WishStatus.CONFIRMED] = length - sum(counts.values())
    return counts
