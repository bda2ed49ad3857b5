"""The lifecycles of a wish and of a claim: which action moves which state where, and who takes it.

    pending ──approve──▶ published ⇄ full ──fulfil──▶ fulfilled ──confirm──▶ confirmed
       │                  │    ▲  (claimed_count == capacity ⇄ a claim withdrawn or lapsed)
       └─reject─▶ rejected│    │
    pending/published ──cancel──▶ cancelled (the community takes it back; nobody holds a claim)
    pending/published/full ──deadline passed, no active claim──▶ expired

    claim: active ──withdraw / lapse / fulfil──▶ withdrawn / lapsed / fulfilled

The services check every move with these tables (`WISH.check`), the pages show the buttons of
`WISH.actions`, the demo walks its wishes through `WISH.target`, and `tests/test_lifecycle.py`
checks every cell against the services. What is not a matter of state stays in the service next
to the check: a place left, the deadline, the claim limit, "not the poster", "your own claim",
the wish's community (the data scope).

A step with no target (`None`) keeps the state, or leaves it to what the table cannot know:
claiming keeps a wish published until its last place is taken (then full); a claim that ends
without fulfilment (`withdraw`, `lapse`) puts a full wish back on the wall, or expires it when its
deadline has passed and nobody holds a claim any more. Steps with no role are taken without an
account: the daily job (`lapse`, `expire`) or the resident with a one-time code.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role
from guanqing.wishes.choices import ClaimStatus, WishStatus

PENDING = WishStatus.PENDING
PUBLISHED = WishStatus.PUBLISHED
FULL = WishStatus.FULL
FULFILLED = WishStatus.FULFILLED
CONFIRMED = WishStatus.CONFIRMED
REJECTED = WishStatus.REJECTED
CANCELLED = WishStatus.CANCELLED
EXPIRED = WishStatus.EXPIRED

REVIEWERS = {Role.COMMITTEE, Role.COMMUNITY_WORKER}
NOBODY: set[Role] = set()  # the daily job, or the resident without an account

WISH = Lifecycle(
    "wish",
    [
        Step("approve", {PENDING}, PUBLISHED, roles=REVIEWERS, label=_("审核通过")),
        Step("reject", {PENDING}, REJECTED, roles=REVIEWERS, label=_("审核不通过")),
        Step(
            "cancel",
            {PENDING, PUBLISHED},
            CANCELLED,
            roles=REVIEWERS,
            label=pgettext_lazy("action", "撤回心愿"),
        ),
        # published, or full when it takes the last place
        Step("claim", {PUBLISHED}, None, roles={Role.MEMBER}, label=_("认领")),
        # a claim withdrawn or lapsed: published again, or expired after the deadline
        Step(
            "withdraw",
            {PUBLISHED, FULL},
            None,
            roles={Role.MEMBER},
            label=pgettext_lazy("action", "退出认领"),
        ),
        Step("lapse", {PUBLISHED, FULL}, None, roles=NOBODY, label=_("认领逾期失效")),
        Step("fulfil", {PUBLISHED, FULL}, FULFILLED, roles={Role.MEMBER}, label=_("实现心愿")),
        Step("confirm", {FULFILLED}, CONFIRMED, roles={Role.COMMUNITY_WORKER}, label=_("确认实现")),
        Step("issue_code", {FULFILLED}, None, roles={Role.COMMUNITY_WORKER}, label=_("生成确认码")),
        Step("confirm_by_token", {FULFILLED}, CONFIRMED, roles=NOBODY, label=_("确认实现")),
        Step("expire", {PENDING, PUBLISHED, FULL}, EXPIRED, roles=NOBODY, label=_("心愿过期")),
    ],
    states=WishStatus.choices,
)

CLAIM = Lifecycle(
    "claim",
    [
        Step("withdraw", {ClaimStatus.ACTIVE}, ClaimStatus.WITHDRAWN, roles={Role.MEMBER}),
        Step("lapse", {ClaimStatus.ACTIVE}, ClaimStatus.LAPSED, roles=NOBODY),
        # every active claim of the wish is credited, whoever of them records it
        Step("fulfil", {ClaimStatus.ACTIVE}, ClaimStatus.FULFILLED, roles={Role.MEMBER}),
    ],
    states=ClaimStatus.choices,
)


def after_claim(claimed_count: int, capacity: int) -> str:
    """The state of a published wish once a claim has taken a place."""
    return FULL if claimed_count >= capacity else PUBLISHED


def after_release(state: str, action: str, *, claimed_count: int, past_deadline: bool) -> str:
    """The state of a wish once a claim ended without fulfilment (`withdraw` or `lapse`;
    `claimed_count` already lowered): expired when nobody holds a claim after the deadline, else
    back on the wall."""
    WISH.target(state, action)  # ValueError outside the table
    if past_deadline and claimed_count == 0:
        return EXPIRED
    return PUBLISHED
