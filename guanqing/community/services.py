"""Writes of 党员进社区. Each one checks who may do it, validates, saves and audits in one
transaction; errors are ValidationError({field: [message]}) naming the field, a record outside the
actor's scope is OutOfScope (404 like a missing one).

Decisions taken where the issue is silent (see also `rules`):

- A member registers itself, at the home community of its member record, for the current or the
  next half-year; a rejected registration may be submitted again for the same term (the row is
  reopened, its history stays in the audit log). Without `role` the last registration's role is
  copied (renewal).
- Only a worker of the registration's community confirms or rejects it; only a worker of the
  activity's community posts, cancels, shows the code of and adds hours to an activity; only a
  worker of the community rates the members confirmed there in that term.
- An activity lasts more than nothing and at most 24 hours and must not be over when posted: a
  worker cannot post a long past "activity" to hand out hours.
- Any active member may sign up for any published activity that has not ended, in any community
  and whatever its role (the role says whom it is meant for; it is not a gate). Check-in needs a
  sign-up. A sign-up can be cancelled until the activity starts, and not after checking in.
- Hours a worker adds by hand need a reason, a member who signed up, an activity that has started
  and is not cancelled, and never take the member's hours on the activity (check-in + by hand)
  above its length. A check-out after hours were added by hand credits only what is left.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.community import rules
from guanqing.community.access import access
from guanqing.community.choices import (
    ActivityRole,
    Grade,
    RegistrationStatus,
    ServiceRole,
    SignupStatus,
)
from guanqing.community.models import (
    Activity,
    ActivitySignup,
    Attendance,
    ManualHours,
    Rating,
    Registration,
)
from guanqing.community.rules import ACTIVITY, REGISTRATION, SIGNUP, Term
from guanqing.core import audit
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import OutOfScope, merge_errors, require, save_with_audit
from guanqing.registry.choices import DivisionLevel, MemberStatus
from guanqing.registry.models import Member

NOT_IN_SCOPE = gettext_lazy("不存在或不在您的权限范围内")
MEMBERS_ONLY = gettext_lazy("只有党员本人可以执行此操作")
WORKERS_ONLY = gettext_lazy("只有社区工作者可以执行此操作")
NOT_YOUR_COMMUNITY = gettext_lazy("只有该社区的社区工作者可以执行此操作")
FULL = gettext_lazy("名额已满，请选择其他活动")
MAX_ACTIVITY_HOURS = 24
# Activities are posted for the months ahead; a start years away is a typing mistake (9999).
ACTIVITY_HORIZON = datetime.timedelta(days=366)
MAX_PLACES = 10_000
MAX_FAILED_CODES = 5
FAILED_CODE_LOCK_SECONDS = 600

REGISTRATION_FIELDS = [
    "member",
    "community",
    "year",
    "half",
    "role",
    "note",
    "status",
    "decided_by",
    "decided_at",
    "reject_reason",
]
ACTIVITY_FIELDS = [
    "community",
    "title",
    "description",
    "role",
    "starts_at",
    "ends_at",
    "place",
    "places",
    "status",
    "cancel_reason",
    "cancelled_at",
    "created_by",
]
SIGNUP_FIELDS = ["activity", "member", "status", "signed_up_at", "cancelled_at"]
ATTENDANCE_FIELDS = ["activity", "member", "checked_in_at", "checked_out_at", "hours"]
MANUAL_FIELDS = ["activity", "member", "hours", "reason", "added_by"]
RATING_FIELDS = ["member", "community", "year", "half", "grade", "comment", "rated_by"]


def _acting_member(actor) -> Member:
    require(access.allows(actor, "member") and actor.member_id is not None, MEMBERS_ONLY)
    member = Member.objects.select_related("home_community").get(pk=actor.member_id)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(
            {"member": [_("您的党员状态为%(status)s") % {"status": member.get_status_display()}]}
        )
    return member


def _require_worker(actor) -> None:
    require(access.allows(actor, "worker") and actor.community_id is not None, WORKERS_ONLY)


def _editable(model, actor, pk):
    """The row locked for a change: 404 outside the actor's scope, 403 if seen but not editable."""
    if not model.objects.visible_to(actor).filter(pk=pk).exists():
        raise OutOfScope(NOT_IN_SCOPE)
    require(model.objects.editable_by(actor).filter(pk=pk).exists(), NOT_YOUR_COMMUNITY)
    return lock_in_scope(model.objects.editable_by(actor), pk)


def _visible_activity(actor, activity: Activity) -> Activity:
    if not Activity.objects.visible_to(actor).filter(pk=activity.pk).exists():
        raise OutOfScope(NOT_IN_SCOPE)
    return Activity.objects.get(pk=activity.pk)


def _text(errors: dict, field: str, value, label: str, *, required: bool, max_length: int) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = [f"请填写{label} / {field} is required"]
    elif len(value) > max_length:
        errors[field] = [
            _("%(label)s最多 %(max_length)s 个字") % {"label": label, "max_length": max_length}
        ]
    return value


# ---------------------------------------------------------------------------------------------
# Registrations
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def registration_submit(
    *, actor, role: str | None = None, term: Term | None = None, note: str = ""
) -> Registration:
    """The member registers at its home community for `term` (default: the current half-year) in
    one of the six roles; without `role` it renews the role of its last registration."""
    member = _acting_member(actor)
    # one submission of a member at a time: the unique constraint has the last word anyway
    Member.objects.select_for_update().filter(pk=member.pk).first()
    errors: dict[str, list[str]] = {}
    today = business_date()
    term = term or Term.of(today)
    allowed = rules.registrable_terms(today)
    if term not in allowed:
        errors["term"] = [
            _("只能为本半年（%(value)s）或下半年（%(value2)s）报到，不能为 %(term)s")
            % {"value": allowed[0], "value2": allowed[1], "term": term}
        ]
    community = member.home_community
    if community is None:
        errors["community"] = [_("您的党员信息中没有居住社区，请联系单位党务管理员登记")]
    elif community.level != DivisionLevel.COMMUNITY or community.is_abolished:
        errors["community"] = [
            _("居住社区“%(community_name)s”不是现有的社区/村") % {"community_name": community.name}
        ]
    if role in (None, ""):
        last = (
            Registration.objects.filter(member=member)
            .exclude(status=RegistrationStatus.REJECTED)
            .order_by("-year", "-half")
            .first()
        )
        if last is None:
            errors["role"] = [_("请选择六员岗位")]
        else:
            role = last.role
    elif role not in ServiceRole.values:
        errors["role"] = [_("未知的六员岗位 %(role)r") % {"role": role}]
    note = _text(errors, "note", note, "服务意向", required=False, max_length=200)
    existing = None
    if "term" not in errors:
        existing = (
            Registration.objects.select_for_update()
            .filter(member=member, year=term.year, half=term.half)
            .first()
        )
        if existing is not None and not REGISTRATION.can(existing.status, "resubmit"):
            errors["term"] = [
                _("您已于 %(term)s 报到（%(status)s）")
                % {"term": term, "status": existing.get_status_display()}
            ]
    merge_errors(errors)
    if existing is not None:  # a rejected registration submitted again
        before = audit.snapshot(existing, REGISTRATION_FIELDS)
        existing.community = community
        existing.role = role
        existing.note = note
        existing.status = REGISTRATION.target(existing.status, "resubmit")
        existing.decided_by = None
        existing.decided_at = None
        existing.reject_reason = ""
        return save_with_audit(
            actor=actor, instance=existing, fields=REGISTRATION_FIELDS, before=before
        )
    registration = Registration(
        member=member, community=community, year=term.year, half=term.half, role=role, note=note
    )
    try:
        with transaction.atomic():
            return save_with_audit(actor=actor, instance=registration, fields=REGISTRATION_FIELDS)
    except IntegrityError:
        raise ValidationError({"term": [_("您已于 %(term)s 报到") % {"term": term}]}) from None


def _decide(actor, registration: Registration, action: str, reason: str = "") -> Registration:
    _require_worker(actor)
    registration = _editable(Registration, actor, registration.pk)
    REGISTRATION.check(
        registration.status,
        action,
        message=_("该报到%(status)s，不能再次处理") % {"status": registration.get_status_display()},
    )
    before = audit.snapshot(registration, REGISTRATION_FIELDS)
    registration.status = REGISTRATION.target(registration.status, action)
    registration.decided_by = actor
    registration.decided_at = timezone.now()
    registration.reject_reason = reason
    return save_with_audit(
        actor=actor, instance=registration, fields=REGISTRATION_FIELDS, before=before
    )


@transaction.atomic
def registration_confirm(*, actor, registration: Registration) -> Registration:
    """A worker of the community confirms a pending registration."""
    return _decide(actor, registration, "confirm")


@transaction.atomic
def registration_reject(*, actor, registration: Registration, reason: str) -> Registration:
    """A worker of the community rejects a pending registration, saying why."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, "不通过原因", required=True, max_length=200)
    merge_errors(errors)
    return _decide(actor, registration, "reject", reason)


# ---------------------------------------------------------------------------------------------
# Activities and sign-ups
# ---------------------------------------------------------------------------------------------


def _aware(errors: dict, field: str, value) -> bool:
    if not isinstance(value, datetime.datetime):
        errors[field] = [_("应为日期时间")]
        return False
    if timezone.is_naive(value):
        errors[field] = [_("日期时间应带时区")]
        return False
    return True


@transaction.atomic
def activity_create(
    *,
    actor,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    places: int,
    role: str = ActivityRole.ALL,
    description: str = "",
) -> Activity:
    """A community worker posts an activity of its own community (published at once)."""
    _require_worker(actor)
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, "活动名称", required=True, max_length=100)
    place = _text(errors, "place", place, "活动地点", required=True, max_length=200)
    description = (description or "").strip()
    if role not in ActivityRole.values:
        errors["role"] = [_("未知的岗位 %(role)r") % {"role": role}]
    if not isinstance(places, int) or isinstance(places, bool) or places < 1:
        errors["places"] = [_("名额至少为 1")]
    elif places > MAX_PLACES:
        errors["places"] = [_("名额最多 %(max_places)s") % {"max_places": MAX_PLACES}]
    if _aware(errors, "starts_at", starts_at) & _aware(errors, "ends_at", ends_at):
        if ends_at <= starts_at:
            errors["ends_at"] = [_("结束时间应晚于开始时间")]
        elif ends_at - starts_at > datetime.timedelta(hours=MAX_ACTIVITY_HOURS):
            errors["ends_at"] = [
                _("一次活动最长 %(max_activity_hours)s 小时，多日活动请按天发布")
                % {"max_activity_hours": MAX_ACTIVITY_HOURS}
            ]
        elif ends_at <= timezone.now():
            errors["ends_at"] = [_("活动结束时间已过")]
        elif business_date(starts_at) > business_date() + ACTIVITY_HORIZON:
            errors["starts_at"] = [
                _("活动最早可提前一年发布：开始日期最晚为 %(latest)s")
                % {"latest": business_date() + ACTIVITY_HORIZON}
            ]
    merge_errors(errors)
    activity = Activity(
        community_id=actor.community_id,
        title=title,
        description=description,
        role=role,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        places=places,
        created_by=actor,
        code_secret=secrets.token_hex(16),
    )
    return save_with_audit(actor=actor, instance=activity, fields=ACTIVITY_FIELDS)


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    """A worker of the community cancels an activity that has not ended and nobody checked in to."""
    _require_worker(actor)
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, "取消原因", required=True, max_length=200)
    merge_errors(errors)
    activity = _editable(Activity, actor, activity.pk)
    if not ACTIVITY.can(activity.status, "cancel"):
        errors["status"] = [_("活动已取消")]
    elif activity.ends_at <= timezone.now():
        errors["status"] = [_("活动已结束，不能取消")]
    elif activity.attendances.exists():
        errors["status"] = [_("已有党员签到，不能取消")]
    merge_errors(errors)
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    activity.status = ACTIVITY.target(activity.status, "cancel")
    activity.cancel_reason = reason
    activity.cancelled_at = timezone.now()
    return save_with_audit(actor=actor, instance=activity, fields=ACTIVITY_FIELDS, before=before)


@transaction.atomic
def activity_signup(*, actor, activity: Activity) -> ActivitySignup:
    """The member takes a place. The place is taken by one conditional UPDATE of the activity's
    counter (`signed_up < places`), so concurrent requests can never take more places than there
    are, on PostgreSQL (row lock) and SQLite (one writer) alike; the loser gets a Conflict (409)."""
    member = _acting_member(actor)
    activity = _visible_activity(actor, activity)
    existing = (
        ActivitySignup.objects.select_for_update()
        .filter(activity_id=activity.pk, member=member)
        .first()
    )
    if existing is not None:
        SIGNUP.check(
            existing.status, "sign_up_again", field="activity", message=_("您已报名此活动")
        )
    now = timezone.now()
    taken = Activity.objects.filter(
        pk=activity.pk,
        status__in=ACTIVITY.step("signup").sources,
        ends_at__gt=now,
        signed_up__lt=F("places"),
    ).update(signed_up=F("signed_up") + 1)
    if not taken:
        activity.refresh_from_db()
        ACTIVITY.check(activity.status, "signup", field="activity", message=_("活动已取消"))
        if activity.ends_at <= now:
            raise ValidationError({"activity": [_("活动已结束")]})
        raise Conflict(FULL)
    if existing is not None:
        before = audit.snapshot(existing, SIGNUP_FIELDS)
        existing.status = SIGNUP.target(existing.status, "sign_up_again")
        existing.signed_up_at = now
        existing.cancelled_at = None
        return save_with_audit(
            actor=actor, instance=existing, fields=SIGNUP_FIELDS, before=before, root=activity
        )
    signup = ActivitySignup(
        activity=activity, member=member, status=SignupStatus.SIGNED_UP, signed_up_at=now
    )
    try:
        with transaction.atomic():
            return save_with_audit(
                actor=actor, instance=signup, fields=SIGNUP_FIELDS, root=activity
            )
    except IntegrityError:
        # the same member twice at once: leaving the outer transaction undoes the counter too
        raise ValidationError({"activity": [_("您已报名此活动")]}) from None


@transaction.atomic
def signup_cancel(*, actor, activity: Activity) -> ActivitySignup:
    """The member gives its place back, until the activity starts and unless it checked in."""
    member = _acting_member(actor)
    activity = _visible_activity(actor, activity)
    signup = (
        ActivitySignup.objects.select_for_update().filter(activity=activity, member=member).first()
    )
    if signup is None:
        raise ValidationError({"activity": [_("您未报名此活动")]})
    SIGNUP.check(signup.status, "withdraw", field="activity", message=_("您未报名此活动"))
    if activity.starts_at <= timezone.now():
        raise ValidationError({"activity": [_("活动已开始，不能取消报名")]})
    if Attendance.objects.filter(activity=activity, member=member).exists():
        raise ValidationError({"activity": [_("您已签到，不能取消报名")]})
    before = audit.snapshot(signup, SIGNUP_FIELDS)
    signup.status = SIGNUP.target(signup.status, "withdraw")
    signup.cancelled_at = timezone.now()
    save_with_audit(
        actor=actor, instance=signup, fields=SIGNUP_FIELDS, before=before, root=activity
    )
    Activity.objects.filter(pk=activity.pk, signed_up__gt=0).update(signed_up=F("signed_up") - 1)
    return signup


# ---------------------------------------------------------------------------------------------
# Check-in codes, attendance and hours
# ---------------------------------------------------------------------------------------------


def _code_key() -> bytes:
    return hashlib.sha256(b"guanqing.community.checkin:" + settings.SECRET_KEY.encode()).digest()


def activity_code(*, actor, activity: Activity, at: datetime.datetime | None = None) -> dict:
    """The code the organiser shows now (a worker of the activity's community): the six digits,
    when they change, and the text of the QR code the member's phone reads. Not audited: showing
    the code changes nothing; every check-in it allows is."""
    _require_worker(actor)
    activity = _editable(Activity, actor, activity.pk)
    at = at or timezone.now()
    ACTIVITY.check(activity.status, "show_code", message=_("活动已取消"))
    opens, closes = rules.code_window(activity.starts_at, activity.ends_at)
    if not opens <= at <= closes:
        raise ValidationError(
            {
                "activity": [
                    _("签到码在 %(opens)s 至 %(closes)s 之间显示")
                    % {
                        "opens": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}",
                        "closes": f"{timezone.localtime(closes):%Y-%m-%d %H:%M}",
                    }
                ]
            }
        )
    code = rules.current_code(_code_key(), activity.pk, activity.code_secret, at)
    return {
        "activity": activity.pk,
        "code": code,
        "valid_until": min(rules.step_ends_at(at), closes),
        "window_opens": opens,
        "window_closes": closes,
        "qr": f"guanqing:checkin:{activity.pk}:{code}",
    }


def _failures_key(activity: Activity, member: Member) -> str:
    return f"community:code-failures:{activity.code_secret}:{member.pk}"


def _check_code(
    activity: Activity, member: Member, code: str, now: datetime.datetime, action: str
) -> None:
    """Refuse a check-in or check-out (`action`) outside the window or with a wrong code; after
    MAX_FAILED_CODES wrong codes the member waits FAILED_CODE_LOCK_SECONDS (no guessing)."""
    ACTIVITY.check(activity.status, action, field="activity", message=_("活动已取消"))
    if not rules.in_code_window(now, activity.starts_at, activity.ends_at):
        raise ValidationError(
            {"code": [_("不在签到时间内：签到码只在活动开始前 30 分钟至结束后 30 分钟内有效")]}
        )
    key = _failures_key(activity, member)
    if (cache.get(key) or 0) >= MAX_FAILED_CODES:
        raise ValidationError({"code": [_("签到码错误次数过多，请 10 分钟后再试")]})
    if not rules.code_matches(code, _code_key(), activity.pk, activity.code_secret, now):
        if not cache.add(key, 1, FAILED_CODE_LOCK_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, FAILED_CODE_LOCK_SECONDS)
        raise ValidationError({"code": [_("签到码错误或已过期")]})


@transaction.atomic
def attendance_check_in(*, actor, activity: Activity, code: str) -> Attendance:
    """The member checks in with the code the organiser shows."""
    member = _acting_member(actor)
    activity = _visible_activity(actor, activity)
    now = timezone.now()
    _check_code(activity, member, code, now, "check_in")
    if not ActivitySignup.objects.active().filter(activity=activity, member=member).exists():
        raise ValidationError({"activity": [_("您未报名此活动")]})
    if Attendance.objects.filter(activity=activity, member=member).exists():
        raise ValidationError({"activity": [_("您已签到")]})
    attendance = Attendance(activity=activity, member=member, checked_in_at=now)
    try:
        with transaction.atomic():
            return save_with_audit(
                actor=actor, instance=attendance, fields=ATTENDANCE_FIELDS, root=activity
            )
    except IntegrityError:
        raise ValidationError({"activity": [_("您已签到")]}) from None


def _manual_total(activity: Activity, member_id: int) -> Decimal:
    total = ManualHours.objects.filter(activity=activity, member_id=member_id).aggregate(
        total=Sum("hours")
    )["total"]
    return Decimal(total or 0).quantize(rules.TENTH)  # SQLite sums without the scale


@transaction.atomic
def attendance_check_out(*, actor, activity: Activity, code: str) -> Attendance:
    """The member checks out with the code: its check-in hours are (out − in) clipped to the
    activity's time, and no more than the activity's length left after hours added by hand."""
    member = _acting_member(actor)
    activity = _visible_activity(actor, activity)
    now = timezone.now()
    _check_code(activity, member, code, now, "check_out")
    # the activity's row is the lock that serialises check-outs and hours added by hand
    activity = lock_in_scope(Activity.objects.visible_to(actor), activity.pk)
    attendance = (
        Attendance.objects.select_for_update().filter(activity=activity, member=member).first()
    )
    if attendance is None:
        raise ValidationError({"activity": [_("您尚未签到")]})
    if attendance.checked_out_at is not None:
        raise ValidationError({"activity": [_("您已签退")]})
    measured = rules.checkin_hours(
        attendance.checked_in_at, now, activity.starts_at, activity.ends_at
    )
    before = audit.snapshot(attendance, ATTENDANCE_FIELDS)
    attendance.checked_out_at = now
    attendance.hours = rules.credited_checkin_hours(
        measured, activity.length_hours, _manual_total(activity, member.pk)
    )
    return save_with_audit(
        actor=actor, instance=attendance, fields=ATTENDANCE_FIELDS, before=before, root=activity
    )


def _hours_value(errors: dict, value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors["hours"] = [_("应为小时数，如 1.5")]
        return rules.ZERO_HOURS
    if not hours.is_finite() or hours <= 0:
        errors["hours"] = [_("补录时长应大于 0")]
    elif hours != hours.quantize(rules.TENTH):
        errors["hours"] = [_("时长最多保留一位小数")]
    return hours


@transaction.atomic
def hours_add(*, actor, activity: Activity, member: Member, hours, reason: str) -> ManualHours:
    """A worker of the activity's community adds hours by hand for a member who signed up (it
    forgot to check in or out, say). Never above the activity's length together with the member's
    check-in hours and earlier additions."""
    _require_worker(actor)
    activity = _editable(Activity, actor, activity.pk)  # locked: see attendance_check_out
    errors: dict[str, list[str]] = {}
    hours = _hours_value(errors, hours)
    reason = _text(errors, "reason", reason, "补录原因", required=True, max_length=200)
    if not ACTIVITY.can(activity.status, "add_hours"):
        errors["activity"] = [_("活动已取消，不能补录时长")]
    elif activity.starts_at > timezone.now():
        errors["activity"] = [_("活动尚未开始，不能补录时长")]
    member_id = getattr(member, "pk", member)
    took_part = ActivitySignup.objects.filter(activity=activity, member_id=member_id).exists()
    if not took_part:
        errors["member"] = [_("编号 %(member_id)s 的党员未报名此活动") % {"member_id": member_id}]
    if not errors:
        length = activity.length_hours
        checkin = (
            Attendance.objects.filter(activity=activity, member_id=member_id)
            .values_list("hours", flat=True)
            .first()
        ) or rules.ZERO_HOURS
        manual = _manual_total(activity, member_id)
        allowance = rules.manual_allowance(length, checkin, manual)
        if hours > allowance:
            errors["hours"] = [
                _(
                    "补录 %(hours)s 小时后，该党员在此活动的时长（签到 %(checkin)s + 补录 %(manual)s）将超过活动时长 %(length)s 小时，最多还可补录 %(allowance)s 小时"
                )
                % {
                    "hours": hours,
                    "checkin": checkin,
                    "manual": manual + hours,
                    "length": length,
                    "allowance": allowance,
                }
            ]
    merge_errors(errors)
    entry = ManualHours(
        activity=activity, member_id=member_id, hours=hours, reason=reason, added_by=actor
    )
    return save_with_audit(actor=actor, instance=entry, fields=MANUAL_FIELDS, root=activity)


# ---------------------------------------------------------------------------------------------
# Ratings
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def rating_set(
    *, actor, member: Member, term: Term, grade: str, comment: str = ""
) -> tuple[Rating, bool]:
    """A worker rates a member confirmed at its community in `term` (set again: changed, audited).
    Returns (rating, created)."""
    _require_worker(actor)
    errors: dict[str, list[str]] = {}
    member_id = getattr(member, "pk", member)
    if grade not in Grade.values:
        errors["grade"] = [_("未知的评价等次 %(grade)r") % {"grade": grade}]
    comment = _text(errors, "comment", comment, "评语", required=False, max_length=500)
    if term.start > business_date():
        errors["term"] = [_("%(term)s 尚未开始，不能评价") % {"term": term}]
    registered = (
        Registration.objects.confirmed()
        .for_term(term)
        .filter(member_id=member_id, community_id=actor.community_id)
        .exists()
    )
    if not registered:
        errors["member"] = [
            _("编号 %(member_id)s 的党员 %(term)s 未在本社区确认报到，不能评价")
            % {"member_id": member_id, "term": term}
        ]
    merge_errors(errors)
    rating = (
        Rating.objects.select_for_update()
        .filter(
            member_id=member_id, community_id=actor.community_id, year=term.year, half=term.half
        )
        .first()
    )
    if rating is not None:
        before = audit.snapshot(rating, RATING_FIELDS)
        rating.grade = grade
        rating.comment = comment
        rating.rated_by = actor
        return (
            save_with_audit(actor=actor, instance=rating, fields=RATING_FIELDS, before=before),
            False,
        )
    rating = Rating(
        member_id=member_id,
        community_id=actor.community_id,
        year=term.year,
        half=term.half,
        grade=grade,
        comment=comment,
        rated_by=actor,
    )
    try:
        with transaction.atomic():
            return save_with_audit(actor=actor, instance=rating, fields=RATING_FIELDS), True
    except IntegrityError:
        raise ValidationError({"member": [_("该党员本半年已有评价，请重试")]}) from None
