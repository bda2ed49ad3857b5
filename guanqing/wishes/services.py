"""Writes of the micro-wish module (the states and who moves them: `guanqing.wishes.rules`).

Every state change saves the wish, writes a `WishEvent` and appends the audit record in one
transaction; the audit records of claims, fulfilments and events have the wish as their root.

Race safety: `claimed_count` is raised only by one conditional UPDATE (`claimed_count <
capacity` and published), so two members can never both take the last place, on PostgreSQL
(row lock, the WHERE is re-checked after the wait) and on SQLite (writers are serialised:
`transaction_mode=IMMEDIATE`). A member's own claims are serialised by locking its `Member` row
first. Lock order everywhere: member → wish → claims, so two writers never wait on each other.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import audit, text, uploads
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.notifications.services import notification_send
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import OutOfScope, merge_errors, require, save_with_audit
from guanqing.registry.choices import DivisionLevel, HouseholdStatus, MemberStatus
from guanqing.registry.models import Division, Household, Member
from guanqing.wishes import selectors
from guanqing.wishes.access import access
from guanqing.wishes.choices import (
    OPEN_STATUSES,
    WALL_STATUSES,
    ClaimStatus,
    EventKind,
    WishCategory,
    WishStatus,
)
from guanqing.wishes.models import (
    Wish,
    WishClaim,
    WishEvent,
    WishFulfilment,
    WishPhoto,
    WishSettings,
)
from guanqing.wishes.rules import CLAIM, WISH, after_claim, after_release

NOT_IN_SCOPE = gettext_lazy("不存在或不在您的权限范围内")
FULL = selectors.FULL
BAD_TOKEN = gettext_lazy("确认码无效或已使用")
SYSTEM = "系统（每日任务）"
RESIDENT = "居民（确认码）"

CAPACITY_MAX = 50
# A micro-wish is a small need met soon; a deadline years ahead is a typing mistake (9999).
DEADLINE_HORIZON = datetime.timedelta(days=366)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _name(user) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _label(status: str) -> str:
    return str(WishStatus(status).label) if status else ""


EVENT_RELATIONS = ["wish", "claim", "actor"]


def _event(
    *,
    wish: Wish,
    kind: str,
    actor,
    from_status: str,
    claim: WishClaim | None = None,
    note: str = "",
    actor_name: str = "",
) -> WishEvent:
    event = WishEvent(
        wish=wish,
        claim=claim,
        kind=kind,
        actor=actor,
        actor_name=actor_name or _name(actor),
        from_status=from_status,
        to_status=wish.status,
        note=text.one_line(note)[:300],
    )
    # The relations are rows the caller holds (saved in this transaction or locked); their
    # existence is the foreign keys' to guarantee, so checking it again costs three queries.
    text.full_clean(
        event, exclude=EVENT_RELATIONS, validate_unique=False, validate_constraints=False
    )
    event.save(force_insert=True)
    return event


def _may(actor, rule: str, message) -> None:
    """The access table's answer for a check that is only a matter of role (ScopeError, 403)."""
    require(access.allows(actor, rule), message)


def _worker_of(actor, wish: Wish) -> bool:
    """A worker of the wish's own community (the one who confirms with the resident)."""
    return access.allows(actor, "confirm") and actor.community_id == wish.community_id


def _workers_of(community_id: int) -> list[int]:
    from guanqing.accounts.models import User

    return list(
        User.objects.filter(
            role=Role.COMMUNITY_WORKER, community_id=community_id, is_active=True
        ).values_list("pk", flat=True)
    )


def _account_of(member_id: int) -> list[int]:
    from guanqing.accounts.models import User

    return list(
        User.objects.filter(member_id=member_id, is_active=True).values_list("pk", flat=True)
    )


def _link(wish: Wish) -> str:
    return f"/wishes/{wish.pk}/"


# ---------------------------------------------------------------------------------------------
# Posting and review
# ---------------------------------------------------------------------------------------------

POST_FIELDS = [
    "community",
    "household",
    "title",
    "description",
    "category",
    "estimated_cost",
    "deadline",
    "capacity",
    "status",
    "posted_by",
]
STATUS_FIELDS = ["status"]


@transaction.atomic
def wish_post(
    *,
    actor,
    community: Division,
    title: str,
    category: str,
    deadline: datetime.date,
    estimated_cost=0,
    capacity: int = 1,
    description: str = "",
    household: Household | None = None,
) -> Wish:
    """A community worker posts a resident's wish for its own community; it waits for a second
    pair of eyes (`wish_approve`) before it goes on the wall."""
    _may(actor, "post", _("只有社区工作者可以发布心愿"))
    errors: dict[str, list[str]] = {}
    if community.level != DivisionLevel.COMMUNITY:
        errors["community"] = [_("应选择社区或村")]
    elif community.pk != actor.community_id:
        errors["community"] = [
            _("只能为本社区发布心愿，%(community_name)s不是您的社区")
            % {"community_name": community.name}
        ]
    elif community.is_abolished:
        errors["community"] = [_("%(community_name)s已撤销") % {"community_name": community.name}]
    if household is not None:
        if household.community_id != community.pk:
            errors["household"] = [
                _("%(household)s不在%(community_name)s")
                % {"household": household, "community_name": community.name}
            ]
        elif household.status != HouseholdStatus.ACTIVE:
            errors["household"] = [
                _("%(household)s状态为%(status)s")
                % {"household": household, "status": household.get_status_display()}
            ]
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写心愿")]
    elif len(title) > 80:
        errors["title"] = [_("心愿最多 80 字")]
    if category not in WishCategory.values:
        errors["category"] = [_("未知的类别 %(category)r") % {"category": category}]
    cost = uploads.money(errors, "estimated_cost", estimated_cost)
    today = business_date()
    if deadline is None or deadline <= today:
        errors["deadline"] = [_("截止日期应晚于今天 %(today)s") % {"today": today}]
    elif deadline > today + DEADLINE_HORIZON:
        errors["deadline"] = [
            _("截止日期最晚为一年后（%(latest)s）") % {"latest": today + DEADLINE_HORIZON}
        ]
    if (
        not isinstance(capacity, int)
        or isinstance(capacity, bool)
        or not 1 <= capacity <= CAPACITY_MAX
    ):
        errors["capacity"] = [
            _("可认领人数应为 1–%(capacity_max)s 的整数") % {"capacity_max": CAPACITY_MAX}
        ]
    merge_errors(errors)
    wish = Wish(
        community=community,
        household=household,
        title=title,
        description=(description or "").strip(),
        category=category,
        estimated_cost=cost,
        deadline=deadline,
        capacity=capacity,
        status=WishStatus.PENDING,
        posted_by=actor,
    )
    save_with_audit(actor=actor, instance=wish, fields=POST_FIELDS, root=wish)
    _event(wish=wish, kind=EventKind.POSTED, actor=actor, from_status="")
    return wish


def _reviewable(actor, wish: Wish, action: str) -> Wish:
    """The wish locked for `action` ("approve" or "reject"): a reviewer of the table who sees
    it (a worker sees its own community's wishes only), not its poster, while it is pending."""
    wish = lock_in_scope(Wish.objects.visible_to(actor), wish.pk)
    require(
        actor.role in WISH.step(action).roles,
        _("只有本社区的社区工作者或机关工委可以审核"),
    )
    require(
        actor.pk != wish.posted_by_id,
        _("发布人不能审核自己发布的心愿，请另一位同事审核"),
    )
    WISH.check(
        wish.status,
        action,
        message=_("该心愿%(status)s，不在待审核状态") % {"status": wish.get_status_display()},
    )
    return wish


@transaction.atomic
def wish_approve(*, actor, wish: Wish, note: str = "") -> Wish:
    """The second pair of eyes puts the wish on the wall."""
    wish = _reviewable(actor, wish, "approve")
    if wish.deadline < business_date():
        raise ValidationError(
            {"deadline": [_("截止日期 %(deadline)s 已过") % {"deadline": wish.deadline}]}
        )
    fields = ["status", "approved_by", "published_at", "review_note"]
    before = audit.snapshot(wish, fields)
    wish.status = WISH.target(wish.status, "approve")
    wish.approved_by = actor
    wish.published_at = timezone.now()
    wish.review_note = (note or "").strip()[:300]
    save_with_audit(actor=actor, instance=wish, fields=fields, before=before, root=wish)
    _event(
        wish=wish,
        kind=EventKind.APPROVED,
        actor=actor,
        from_status=WishStatus.PENDING,
        note=wish.review_note,
    )
    return wish


@transaction.atomic
def wish_reject(*, actor, wish: Wish, reason: str) -> Wish:
    wish = _reviewable(actor, wish, "reject")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请说明不通过的原因")]})
    fields = ["status", "approved_by", "review_note"]
    before = audit.snapshot(wish, fields)
    wish.status = WISH.target(wish.status, "reject")
    wish.approved_by = actor
    wish.review_note = reason[:300]
    save_with_audit(actor=actor, instance=wish, fields=fields, before=before, root=wish)
    _event(
        wish=wish,
        kind=EventKind.REJECTED,
        actor=actor,
        from_status=WishStatus.PENDING,
        note=wish.review_note,
    )
    return wish


@transaction.atomic
def wish_cancel(*, actor, wish: Wish, reason: str) -> Wish:
    """The community takes a wish back (the resident moved, the need was met otherwise) while
    nobody holds a claim on it."""
    wish = lock_in_scope(Wish.objects.editable_by(actor), wish.pk)
    # editable_by: the committee, or a worker of the wish's community
    require(
        actor.role in WISH.step("cancel").roles,
        _("只有本社区的社区工作者或机关工委可以撤回心愿"),
    )
    errors: dict[str, list[str]] = {}
    if not WISH.can(wish.status, "cancel"):
        errors["status"] = [_("该心愿%(status)s，不能撤回") % {"status": wish.get_status_display()}]
    elif wish.claimed_count:
        errors["status"] = [
            _("已有 %(claimed_count)s 名党员认领，不能撤回") % {"claimed_count": wish.claimed_count}
        ]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请说明撤回原因")]
    merge_errors(errors)
    before_status = wish.status
    before = audit.snapshot(wish, ["status", "review_note"])
    wish.status = WISH.target(wish.status, "cancel")
    wish.review_note = reason[:300]
    save_with_audit(
        actor=actor, instance=wish, fields=["status", "review_note"], before=before, root=wish
    )
    _event(wish=wish, kind=EventKind.CANCELLED, actor=actor, from_status=before_status, note=reason)
    return wish


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


CLAIM_RELATIONS = ["wish", "member"]


def _take_place(wish_pk: int, now: datetime.datetime) -> int:
    """One conditional UPDATE: a place is taken only if one is left. 0 rows: none was."""
    return Wish.objects.filter(
        pk=wish_pk, status=WishStatus.PUBLISHED, claimed_count__lt=F("capacity")
    ).update(
        claimed_count=F("claimed_count") + 1,
        # the right-hand side sees the row before the update: the last place makes it full
        status=Case(
            When(capacity__lte=F("claimed_count") + 1, then=Value(WishStatus.FULL)),
            default=Value(WishStatus.PUBLISHED),
        ),
        updated_at=now,
    )


ALREADY_CLAIMED = selectors.ALREADY_CLAIMED


def wish_claim(*, actor, wish: Wish) -> WishClaim:
    """A member claims a wish on the wall. Refused (naming why) when the wish is not on the wall,
    its deadline has passed, the member already holds a claim on it or holds as many unfulfilled
    claims as the settings allow; a full wish raises `Conflict` (409).

    The hot path of the wall, kept to nine statements (`tests/test_claim_queries.py`): lock the
    member (with its unit, for the answer), lock and read the wish through the actor's scope,
    read the member's active claims and the settings once, take the place with the conditional
    UPDATE, insert the claim, its two audit records and its event. The returned claim carries
    the wish and the member with its unit as they are after the claim: the answer needs no
    further read."""
    require(
        access.allows(actor, "claim") and actor.member_id is not None,
        _("只有党员可以认领心愿"),
    )
    with transaction.atomic():
        # serialises this member's claims (PostgreSQL); SQLite serialises every writer anyway
        # of=self: the join to the unit is for the answer, a lock on the unit row would queue
        # the whole unit
        member = (
            Member.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(pk=actor.member_id)
            .order_by()
            .first()
        )
        # lock order member → wish, as everywhere. Locked, the row is the one the UPDATE below
        # will change: the checks, the audit record and the event read exact values from it
        wish = lock_in_scope(Wish.objects.visible_to(actor), wish.pk)
        # the member is locked: nobody adds or ends its claims until this transaction ends
        held = (
            WishClaim.objects.active()
            .filter(member=member)
            .order_by()
            .values_list("wish_id", flat=True)
        )
        config = selectors.wish_settings()
        today = business_date()
        position = selectors.ClaimPosition(
            member_active=member is not None and member.status == MemberStatus.ACTIVE,
            held=frozenset(held),
            limit=config.max_unfulfilled_claims,
            today=today,
        )
        # the same answer as the wall's 认领 button (selectors.claim_refusal)
        refusal = selectors.claim_refusal(wish, position)
        if refusal is not None:
            raise refusal
        before_status, before_count = wish.status, wish.claimed_count
        now = timezone.now()
        if not _take_place(wish.pk, now):
            # cannot happen while the row is locked (SQLite: while this writer is the only one);
            # the condition stays the guarantee that no place is ever taken twice
            wish.refresh_from_db(fields=["status"])
            if wish.status in WALL_STATUSES:
                raise Conflict(FULL)
            raise ValidationError(
                {
                    "status": [
                        _("这个心愿%(status)s，不能认领") % {"status": wish.get_status_display()}
                    ]
                }
            )
        # what the UPDATE wrote, computed rather than read back
        wish.claimed_count = before_count + 1
        wish.status = after_claim(wish.claimed_count, wish.capacity)
        wish.updated_at = now
        due_on = min(today + datetime.timedelta(days=config.claim_period_days), wish.deadline)
        claim = WishClaim(wish=wish, member=member, due_on=due_on)
        # the fields themselves are checked; not the relations (the rows locked above, behind
        # them the foreign keys) nor the one active claim per member and wish (checked above
        # under the member's lock, behind it the partial unique index): full_clean's queries for
        # those would find nothing new
        claim.full_clean(exclude=CLAIM_RELATIONS, validate_unique=False, validate_constraints=False)
        try:
            claim.save(force_insert=True)
        except IntegrityError:
            # the index refused a second active claim (a writer that did not lock the member):
            # the whole transaction is rolled back, nothing half-written
            raise ValidationError({"wish": [ALREADY_CLAIMED]}) from None
        claim_fields = audit.snapshot(claim, ["wish", "member", "due_on"])
        wish_changes: dict[str, list] = {"claimed_count": [before_count, wish.claimed_count]}
        if wish.status != before_status:
            wish_changes["status"] = [_label(before_status), _label(wish.status)]
        audit.record(
            actor=actor,
            action="create",
            obj=claim,
            changes={k: [None, v] for k, v in claim_fields.items() if v not in ("", None)},
            root=wish,
        )
        audit.record(actor=actor, action="update", obj=wish, changes=wish_changes)
        _event(
            wish=wish,
            kind=EventKind.CLAIMED,
            actor=actor,
            claim=claim,
            from_status=before_status,
            note=f"{member.name} 认领，应于 {due_on} 前实现",
        )
        return claim


def _release_place(*, wish: Wish, action: str, actor, actor_name: str = "") -> str:
    """A claim ended without fulfilment (`action`: "withdraw" or "lapse"): the place goes back,
    a full wish returns to the wall, or expires if its deadline has passed and nobody holds a
    claim any more (`rules.after_release`). `wish` is locked."""
    before_status = wish.status
    before = audit.snapshot(wish, ["claimed_count", "status"])
    wish.claimed_count = max(wish.claimed_count - 1, 0)
    if WISH.can(wish.status, action):  # an active claim keeps its wish published or full
        wish.status = after_release(
            wish.status,
            action,
            claimed_count=wish.claimed_count,
            past_deadline=wish.deadline < business_date(),
        )
    save_with_audit(
        actor=actor,
        instance=wish,
        fields=["claimed_count", "status"],
        before=before,
        root=wish,
        actor_name=actor_name or None,
    )
    return before_status


@transaction.atomic
def claim_withdraw(*, actor, claim: WishClaim, reason: str) -> WishClaim:
    """The claimant gives its claim back before fulfilment, saying why; the wish returns to the
    wall."""
    visible = WishClaim.objects.visible_to(actor).filter(pk=claim.pk).first()
    if visible is None:
        raise OutOfScope(NOT_IN_SCOPE)
    require(
        access.allows(actor, "withdraw") and visible.member_id == actor.member_id,
        _("只有认领的党员本人可以退出认领"),
    )
    wish = lock_in_scope(Wish.objects.all(), visible.wish_id)
    claim = WishClaim.objects.select_for_update().get(pk=visible.pk)
    errors: dict[str, list[str]] = {}
    if not CLAIM.can(claim.status, "withdraw"):
        errors["claim"] = [_("该认领%(status)s，不能退出") % {"status": claim.get_status_display()}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请说明退出原因")]
    merge_errors(errors)
    before = audit.snapshot(claim, ["status", "reason", "ended_at"])
    claim.status = CLAIM.target(claim.status, "withdraw")
    claim.reason = reason[:300]
    claim.ended_at = timezone.now()
    save_with_audit(
        actor=actor,
        instance=claim,
        fields=["status", "reason", "ended_at"],
        before=before,
        root=wish,
    )
    before_status = _release_place(wish=wish, action="withdraw", actor=actor)
    _event(
        wish=wish,
        kind=EventKind.WITHDRAWN,
        actor=actor,
        claim=claim,
        from_status=before_status,
        note=reason,
    )
    return claim


@dataclass(frozen=True)
class LapseResult:
    lapsed: int
    expired: int


def describe_lapse(result: LapseResult) -> str:
    """The job's line in `guanqing tick`, in the language of the process."""
    return _("认领逾期失效 %(lapsed)s 条，心愿过期 %(expired)s 个") % {
        "lapsed": result.lapsed,
        "expired": result.expired,
    }


def _lapse_one(claim_pk: int, today: datetime.date) -> bool:
    with transaction.atomic():
        wish_pk = WishClaim.objects.filter(pk=claim_pk).values_list("wish_id", flat=True).first()
        wish = lock_in_scope(Wish.objects.all(), wish_pk)
        claim = (
            WishClaim.objects.select_for_update(of=("self",))
            .select_related("member")
            .get(pk=claim_pk)
        )
        if not CLAIM.can(claim.status, "lapse") or claim.due_on >= today:
            return False  # fulfilled or withdrawn meanwhile, or another run did it
        before = audit.snapshot(claim, ["status", "ended_at"])
        claim.status = CLAIM.target(claim.status, "lapse")
        claim.ended_at = timezone.now()
        save_with_audit(
            actor=None,
            instance=claim,
            fields=["status", "ended_at"],
            before=before,
            root=wish,
            actor_name=SYSTEM,
        )
        before_status = _release_place(wish=wish, action="lapse", actor=None, actor_name=SYSTEM)
        _event(
            wish=wish,
            kind=EventKind.LAPSED,
            actor=None,
            actor_name=SYSTEM,
            claim=claim,
            from_status=before_status,
            note=f"{claim.member.name} 的认领应于 {claim.due_on} 前实现，已逾期",
        )
        # a wish whose own deadline has passed expires in the same run (below), not back to the wall
        on_wall = wish.status in WALL_STATUSES and wish.deadline >= today
        back = "心愿已回到心愿墙" if on_wall else "心愿已过期"
        text = f"“{wish.title}”的认领（{claim.member.name}）已于 {claim.due_on} 逾期失效，{back}。"
        notification_send(
            recipients=[*_account_of(claim.member_id), *_workers_of(wish.community_id)],
            kind="wish_lapsed",
            text=text,
            link=_link(wish),
            dedupe_key=f"wish:claim:{claim.pk}:lapsed",
        )
        return True


def _expire_one(wish_pk: int, today: datetime.date) -> bool:
    with transaction.atomic():
        wish = lock_in_scope(Wish.objects.all(), wish_pk)
        if not WISH.can(wish.status, "expire") or wish.deadline >= today or wish.claimed_count:
            return False
        before_status = wish.status
        before = audit.snapshot(wish, STATUS_FIELDS)
        wish.status = WISH.target(wish.status, "expire")
        save_with_audit(
            actor=None,
            instance=wish,
            fields=STATUS_FIELDS,
            before=before,
            root=wish,
            actor_name=SYSTEM,
        )
        _event(
            wish=wish,
            kind=EventKind.EXPIRED,
            actor=None,
            actor_name=SYSTEM,
            from_status=before_status,
            note=f"截止日期 {wish.deadline} 已过",
        )
        notification_send(
            recipients=_workers_of(wish.community_id),
            kind="wish_expired",
            text=f"心愿“{wish.title}”已过截止日期 {wish.deadline}，未能实现。",
            link=_link(wish),
            dedupe_key=f"wish:{wish.pk}:expired",
        )
        return True


def claims_lapse(today: datetime.date) -> LapseResult:
    """The daily job: claims not fulfilled by their `due_on` lapse (the wish returns to the wall,
    or expires after its deadline), open wishes past their deadline with no claim expire; the
    member and the community's workers are told. Running it again changes nothing."""
    due = WishClaim.objects.active().filter(due_on__lt=today).order_by("pk")
    lapsed = sum(_lapse_one(pk, today) for pk in list(due.values_list("pk", flat=True)))
    stale = Wish.objects.filter(
        status__in=OPEN_STATUSES, deadline__lt=today, claimed_count=0
    ).order_by("pk")
    expired = sum(_expire_one(pk, today) for pk in list(stale.values_list("pk", flat=True)))
    return LapseResult(lapsed=lapsed, expired=expired)


# ---------------------------------------------------------------------------------------------
# Fulfilment and confirmation
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def _wish_fulfil(
    *, actor, wish: Wish, note: str, money_spent, photos, saved_files: list[str]
) -> WishFulfilment:
    require(
        access.allows(actor, "claim") and actor.member_id is not None,
        _("只有认领的党员可以登记实现"),
    )
    wish = lock_in_scope(Wish.objects.visible_to(actor), wish.pk)
    claims = list(
        WishClaim.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(wish=wish, status=ClaimStatus.ACTIVE)
        .order_by("pk")
    )
    mine = next((c for c in claims if c.member_id == actor.member_id), None)
    today = business_date()
    if mine is None:
        raise ValidationError({"wish": [_("您没有认领这个心愿，或认领已结束")]})
    if mine.due_on < today:
        raise ValidationError(
            {"wish": [_("您的认领已于 %(due_on)s 到期") % {"due_on": mine.due_on}]}
        )
    WISH.check(wish.status, "fulfil")  # an active claim keeps its wish published or full
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("请写明心愿是如何实现的")]
    money = uploads.money(errors, "money_spent", money_spent)
    checked = uploads.check_photos(errors, list(photos or []))
    merge_errors(errors)
    fulfilment = WishFulfilment(wish=wish, note=note, money_spent=money, fulfilled_by=mine.member)
    save_with_audit(
        actor=actor,
        instance=fulfilment,
        fields=["wish", "note", "money_spent", "fulfilled_by"],
        root=wish,
        extra_changes={"photos": [None, _photo_names(checked)]} if checked else None,
    )
    uploads.store_photos(WishPhoto, checked, saved_files, fulfilment=fulfilment)
    now = timezone.now()
    for claim in claims:  # they did it together: every active claimant is credited
        before = audit.snapshot(claim, ["status", "ended_at"])
        claim.status = CLAIM.target(claim.status, "fulfil")
        claim.ended_at = now
        save_with_audit(
            actor=actor, instance=claim, fields=["status", "ended_at"], before=before, root=wish
        )
    before_status = wish.status
    before = audit.snapshot(wish, ["status", "fulfilled_at"])
    wish.status = WISH.target(wish.status, "fulfil")
    wish.fulfilled_at = now
    save_with_audit(
        actor=actor, instance=wish, fields=["status", "fulfilled_at"], before=before, root=wish
    )
    names = "、".join(c.member.name for c in claims)
    _event(
        wish=wish,
        kind=EventKind.FULFILLED,
        actor=actor,
        claim=mine,
        from_status=before_status,
        note=f"{names}：{note}",
    )
    notification_send(
        recipients=_workers_of(wish.community_id),
        kind="wish_fulfilled",
        text=f"心愿“{wish.title}”已由{names}实现，请与居民确认。",
        link=_link(wish),
        dedupe_key=f"wish:{wish.pk}:fulfilled",
    )
    return fulfilment


def _photo_names(checked) -> list[str]:
    """What the audit log shows for the photos: their file names as uploaded."""
    return [
        uploads.uploaded_name(photo) or f"{n}.{ext}"
        for n, (photo, _type, ext) in enumerate(checked, start=1)
    ]


def wish_fulfil(*, actor, wish: Wish, note: str, money_spent=0, photos=()) -> WishFulfilment:
    """A claimant records that the wish came true: a note, the money spent (元) and photos. Every
    member holding an active claim on the wish is credited."""
    with uploads.stored_files() as saved_files:
        return _wish_fulfil(
            actor=actor,
            wish=wish,
            note=note,
            money_spent=money_spent,
            photos=photos,
            saved_files=saved_files,
        )


def _confirmable(wish: Wish, action: str) -> None:
    WISH.check(
        wish.status,
        action,
        message=_("该心愿%(status)s，不能确认") % {"status": wish.get_status_display()},
    )


def _save_confirmed(wish: Wish, *, before, actor, actor_name: str | None = None) -> None:
    """Save a wish just confirmed. A code handed out before is spent too: its hash is cleared,
    and the log says only that it was (neither the code nor its hash goes into the log)."""
    spent = wish.confirm_token_hash is not None
    wish.confirm_token_hash = None
    save_with_audit(
        actor=actor,
        instance=wish,
        fields=["status", "confirmed_at"],
        before=before,
        also_save=["confirm_token_hash"],
        extra_changes={"confirm_code": [audit.SENSITIVE_MARK, None]} if spent else None,
        root=wish,
        actor_name=actor_name,
    )


@transaction.atomic
def wish_confirm(*, actor, wish: Wish, note: str = "") -> Wish:
    """A worker of the community confirms, with the resident, that the wish came true."""
    wish = lock_in_scope(Wish.objects.visible_to(actor), wish.pk)
    require(
        _worker_of(actor, wish),
        _("只有本社区的社区工作者可以确认"),
    )
    _confirmable(wish, "confirm")
    before = audit.snapshot(wish, ["status", "confirmed_at"])
    wish.status = WISH.target(wish.status, "confirm")
    wish.confirmed_at = timezone.now()
    _save_confirmed(wish, before=before, actor=actor)
    _event(
        wish=wish,
        kind=EventKind.CONFIRMED,
        actor=actor,
        from_status=WishStatus.FULFILLED,
        note=(note or "").strip(),
    )
    return wish


@transaction.atomic
def wish_confirmation_code(*, actor, wish: Wish) -> str:
    """A worker of the community makes the one-time code (for a link or QR code) with which the
    resident confirms without an account. Only its hash is stored; a new code replaces the old."""
    wish = lock_in_scope(Wish.objects.visible_to(actor), wish.pk)
    require(
        _worker_of(actor, wish),
        _("只有本社区的社区工作者可以生成确认码"),
    )
    _confirmable(wish, "issue_code")
    token = secrets.token_urlsafe(24)
    wish.confirm_token_hash = token_hash(token)
    wish.save(update_fields=["confirm_token_hash", "updated_at"])
    # neither the code nor its hash goes into the log
    audit.record(
        actor=actor,
        action="update",
        obj=wish,
        changes={"confirm_code": [None, audit.SENSITIVE_MARK]},
    )
    _event(wish=wish, kind=EventKind.LINK_ISSUED, actor=actor, from_status=WishStatus.FULFILLED)
    return token


@transaction.atomic
def wish_confirm_by_token(*, token: str) -> Wish:
    """The resident confirms with the one-time code. A wrong code and a spent one get the same
    answer, so the answer tells a guesser nothing."""
    token = (token or "").strip() if isinstance(token, str) else ""
    if not token or len(token) > 200:
        raise ValidationError({"token": [BAD_TOKEN]})
    wish = Wish.objects.select_for_update().filter(confirm_token_hash=token_hash(token)).first()
    if wish is None or not WISH.can(wish.status, "confirm_by_token"):
        raise ValidationError({"token": [BAD_TOKEN]})
    before = audit.snapshot(wish, ["status", "confirmed_at"])
    wish.status = WISH.target(wish.status, "confirm_by_token")
    wish.confirmed_at = timezone.now()
    _save_confirmed(wish, before=before, actor=None, actor_name=RESIDENT)
    _event(
        wish=wish,
        kind=EventKind.CONFIRMED,
        actor=None,
        actor_name=RESIDENT,
        from_status=WishStatus.FULFILLED,
        note="居民通过确认码确认",
    )
    return wish


# ---------------------------------------------------------------------------------------------
# Settings (the committee's)
# ---------------------------------------------------------------------------------------------

SETTINGS_LIMITS = {"max_unfulfilled_claims": (1, 20), "claim_period_days": (1, 365)}


@transaction.atomic
def wish_settings_update(*, actor, **data) -> WishSettings:
    _may(actor, "settings", _("只有机关工委可以修改微心愿设置"))
    current = selectors.wish_settings()
    if current.pk:
        current = WishSettings.objects.select_for_update().get(pk=current.pk)
    fields = list(SETTINGS_LIMITS)
    before = audit.snapshot(current, fields)
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in SETTINGS_LIMITS:
            errors[key] = [_("不能修改此字段")]
            continue
        low, high = SETTINGS_LIMITS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[key] = [_("应为 %(low)s–%(high)s 之间的整数") % {"low": low, "high": high}]
            continue
        setattr(current, key, value)
    merge_errors(errors)
    if current.pk is not None and not audit.diff(before, audit.snapshot(current, fields)):
        return current  # nothing changed: nothing to save or log
    return save_with_audit(
        actor=actor, instance=current, fields=fields, before=None if current.pk is None else before
    )
