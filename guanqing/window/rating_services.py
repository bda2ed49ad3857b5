"""Writes of 好差评 (GB/T 39734-2020): the committee's rating choices, the applicant's rating (at the
window's rating screen or with a one-time code), a 差评's follow-up (核实 → 整改 → 反馈, or one
appeal the committee decides) and the daily job.

Each service is one transaction, like the case services (`services.py`): the row is locked within
the actor's scope, the access table decides the role, the follow-up's lifecycle table
(`rules.FOLLOW_UP`) the move — a move it refuses raises `Conflict` (409) and changes nothing — then
the fields are checked (errors under the service's parameter names) and the rows saved with their
audit records.

The applicant has no account: a rating is logged under `APPLICANT_KIOSK` or `APPLICANT_CODE`, and
neither the code nor the applicant's phone or ID number goes into the log. A code is shown once,
when it is issued; only its SHA-256 is stored. Every unusable code gets the same answer
(`RatingCodeInvalid`), so the answer tells a guesser nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import audit, text
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.codes import (  # noqa: F401 - part of this module's interface
    CODE_ALPHABET,
    CODE_LENGTH,
    code_hash,
    normalize_code,
)
from guanqing.core.codes import new_code as _new_code
from guanqing.core.codes import well_formed as _well_formed
from guanqing.core.errors import Conflict
from guanqing.core.notifications.services import notification_send
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.window import rules, selectors
from guanqing.window.access import access
from guanqing.window.choices import (
    DONE_STATES,
    FeedbackMethod,
    FollowUpState,
    RatingChannel,
    RatingLevel,
    RatingRound,
)
from guanqing.window.models import (
    Appeal,
    Case,
    FollowUp,
    QuestionSet,
    Rating,
    RatingInvite,
    RatingOption,
    WindowSettings,
)
from guanqing.window.services import SYSTEM, _date, _field_label, _required_text

# Who the audit log names for a rating: the applicant has no account.
APPLICANT_KIOSK = "申请人（窗口评价屏）"
APPLICANT_CODE = "申请人（评价码）"


OPTION_MAX_LENGTH = 40
OPTIONS_PER_LEVEL_MAX = 12
NOTE_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 500

CODE_INVALID = gettext_lazy("评价码无效、已使用或已过期")

QUESTION_SET_FIELDS = ["number", "note", "published_by"]
RATING_FIELDS = ["case", "round", "level", "channel", "question_set", "comment", "rated_on"]
INVITE_FIELDS = ["case", "round", "issued_on", "expires_on", "issued_by"]
FOLLOW_UP_FIELDS = ["rating", "state", "opened_on", "rectify_due"]
VERIFY_FIELDS = ["state", "finding", "verified_on", "verified_by"]
RECTIFY_FIELDS = ["state", "measures", "rectified_on", "rectified_by"]
FEED_BACK_FIELDS = [
    "state",
    "feedback_method",
    "feedback_note",
    "fed_back_on",
    "fed_back_by",
    "closed_on",
]
CLOSE_FIELDS = ["state", "closed_on"]
APPEAL_FIELDS = ["follow_up", "reason", "filed_on", "filed_by"]
DECIDE_FIELDS = ["decision", "decision_note", "decided_on", "decided_by"]


class RatingCodeInvalid(Exception):
    """A code that cannot be used: wrong, used, revoked, expired, or its case already rated. One
    answer for all of them."""

    def __init__(self):
        super().__init__(CODE_INVALID)

    def __str__(self) -> str:
        return str(CODE_INVALID)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check_move(follow_up: FollowUp, action: str) -> None:
    """The lifecycle table's refusal as a Conflict (409), with the table's message."""
    try:
        rules.FOLLOW_UP.check(follow_up.state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _follow_up_link(follow_up: FollowUp) -> str:
    try:
        return reverse("window:follow_up", args=[follow_up.pk])
    except NoReverseMatch:
        return ""


def _lock_follow_up(actor, follow_up: FollowUp, rule: str = "follow_up") -> FollowUp:
    access.check(actor, rule)
    return lock_in_scope(
        FollowUp.objects.editable_by(actor).select_related(
            "rating__case__window", "rating__case__version__matter"
        ),
        follow_up.pk,
    )


def _open_until(case: Case, config: WindowSettings) -> datetime.date | None:
    if case.state not in DONE_STATES or case.completed_on is None:
        return None
    return rules.rating_open_until(case.completed_on, config.rating_window_days)


def _check_rateable(case: Case, *, today: datetime.date, config: WindowSettings) -> datetime.date:
    """The last day `case` may be rated; Conflict when it is not completed, already rated, or its
    rating window has passed."""
    until = _open_until(case, config)
    if until is None:
        raise Conflict(_("该办件尚未办结，不能评价"))
    if Rating.objects.filter(case=case, round=RatingRound.CASE).exists():
        raise Conflict(_("该办件已经评价过（一次一评）"))
    if today > until:
        raise Conflict(_("该办件的评价期已于 %(until)s 结束") % {"until": until})
    return until


def _level(errors: dict, level) -> int | None:
    """A level 1..5 (an int, or a string of one ASCII digit from a form)."""
    if isinstance(level, str) and len(level) == 1 and level in "12345":
        level = int(level)
    if isinstance(level, bool) or not isinstance(level, int) or level not in RatingLevel.values:
        errors["level"] = [_("请选择评价等级")]
        return None
    return level


def _option_ids(values) -> list | None:
    """The ids given (options or their ids); None when one of them is not an id at all."""
    if isinstance(values, str | bytes):
        return None
    ids = []
    for value in values or ():
        value = getattr(value, "pk", value)
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        ids.append(value)
    return list(dict.fromkeys(ids))


def _options(
    errors: dict, values, *, level: int | None, question_set: QuestionSet | None
) -> list[RatingOption]:
    """The chosen options: ids of the current question set's options for `level` (none is fine)."""
    ids = _option_ids(values)
    if ids is None:
        errors["options"] = [_("评价选项无效")]
        return []
    if not ids or level is None or question_set is None:
        return []
    allowed = {
        option.pk: option
        for option in RatingOption.objects.filter(question_set=question_set, level=level)
    }
    if any(pk not in allowed for pk in ids):
        errors["options"] = [
            _("所选选项不属于当前评价选项中“%(level)s”的选项，请重新选择")
            % {"level": RatingLevel(level).label}
        ]
        return []
    return [allowed[pk] for pk in ids]


def _comment(errors: dict, comment) -> str:
    if comment is None:
        return ""
    if not isinstance(comment, str):
        errors["comment"] = [_("意见建议应为文字")]
        return ""
    comment = text.strip_edges(comment)
    message = text.control_message(comment, multiline=True)
    if message is not None:
        errors["comment"] = [message]
    elif len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [
            text.TOO_LONG_MESSAGE % {"limit": COMMENT_MAX_LENGTH, "length": len(comment)}
        ]
    return comment


def _text(errors: dict, field: str, value, message: str) -> str:
    """Required free text (several lines allowed), with its control characters and length checked
    with the other fields rather than when the row is saved."""
    if value is not None and not isinstance(value, str):
        errors[field] = [message]
        return ""
    value = _required_text(errors, field, value, message)
    control = text.control_message(value, multiline=True)
    if control is not None:
        errors[field] = [control]
    elif len(value) > text.LONG_TEXT_MAX:
        errors[field] = [
            text.TOO_LONG_MESSAGE % {"limit": text.LONG_TEXT_MAX, "length": len(value)}
        ]
    return value


def _current_question_set() -> QuestionSet:
    question_set = QuestionSet.current()
    if question_set is None:  # migration 0003 publishes v1: only a wiped database lacks one
        raise Conflict(_("尚未发布评价选项，暂不能评价"))
    return question_set


def _rectify_due(rated_on: datetime.date, workdays: int) -> datetime.date | None:
    """The rectification deadline, or None while the official calendar lacks the year it runs
    into: a 差评 is never refused for want of next year's calendar, and its limit never guessed
    (the daily job counts it once the year is entered; the calendar's keepers are asked for the
    year from November)."""
    try:
        return rules.rectify_due(rated_on, workdays)
    except CalendarYearMissing:
        return None


def _save_rating(
    *,
    case: Case,
    round: int,
    level: int,
    channel: str,
    question_set: QuestionSet,
    options: Sequence[RatingOption],
    comment: str,
    rated_on: datetime.date,
    actor,
    actor_name: str | None,
) -> Rating:
    rating = Rating(
        case=case,
        round=round,
        level=level,
        channel=channel,
        question_set=question_set,
        comment=comment,
        rated_on=rated_on,
    )
    extra = {"options": [None, "、".join(o.text for o in options)]} if options else None
    save_with_audit(
        actor=actor,
        instance=rating,
        fields=RATING_FIELDS,
        extra_changes=extra,
        actor_name=actor_name,
    )
    if options:
        rating.options.set(options)
    return rating


def _open_follow_up(rating: Rating, *, config: WindowSettings, actor, actor_name) -> FollowUp:
    """A 差评 opens its follow-up; the unit's administrators are told, with a link to it."""
    follow_up = FollowUp(
        rating=rating,
        state=FollowUpState.VERIFY,
        opened_on=rating.rated_on,
        rectify_due=_rectify_due(rating.rated_on, config.rectify_workdays),
    )
    save_with_audit(actor=actor, instance=follow_up, fields=FOLLOW_UP_FIELDS, actor_name=actor_name)
    case = rating.case
    admins = selectors.unit_admin_ids_map([case.window.unit_id]).get(case.window.unit_id, ())
    notification_send(
        recipients=admins,
        kind="window_bad_rating",
        text=(
            _("%(window)s的办件 %(receipt_no)s（%(matter)s）收到差评，请于 %(due)s 前核实整改。")
            if follow_up.rectify_due is not None
            else _(
                "%(window)s的办件 %(receipt_no)s（%(matter)s）收到差评，请及时核实整改"
                "（整改期限待录入下一年日历后计算）。"
            )
        )
        % {
            "window": case.window.name,
            "receipt_no": case.receipt_no,
            "matter": case.version.matter.name,
            "due": follow_up.rectify_due,
        },
        link=_follow_up_link(follow_up),
        dedupe_key=f"window:follow_up:{follow_up.pk}:opened",
    )
    return follow_up


def _revoke_invites(case: Case, round: int, *, actor, actor_name=None) -> int:
    """Revoke the unused codes of `case` for `round` (a new code, or the rating was given)."""
    now = timezone.now()
    revoked = 0
    for invite in RatingInvite.objects.select_for_update().filter(
        case=case, round=round, used_at__isnull=True, revoked_at__isnull=True
    ):
        before = audit.snapshot(invite, ["revoked_at"])
        invite.revoked_at = now
        save_with_audit(
            actor=actor,
            instance=invite,
            fields=["revoked_at"],
            before=before,
            root=case,
            actor_name=actor_name,
        )
        revoked += 1
    return revoked


def _issue_invite(
    *, case: Case, round: int, issued_on: datetime.date, expires_on: datetime.date, actor
) -> tuple[RatingInvite, str]:
    """A new code for `case` and `round`, revoking the earlier unused one. The code is returned
    (to be shown once); the row and the log keep only that a code was issued."""
    _revoke_invites(case, round, actor=actor)
    code = _new_code()
    invite = RatingInvite(
        case=case,
        round=round,
        code_hash=code_hash(code),
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by=actor,
    )
    save_with_audit(
        actor=actor,
        instance=invite,
        fields=INVITE_FIELDS,
        extra_changes={"code": [None, audit.SENSITIVE_MARK]},
        root=case,
    )
    return invite, code


# ---------------------------------------------------------------------------------------------
# The rating choices
# ---------------------------------------------------------------------------------------------


def _level_options(errors: dict, level: int, values) -> list[str]:
    field = f"options_{level}"
    label = RatingLevel(level).label
    if values is None:
        values = []
    elif isinstance(values, str | bytes):
        values = [values]
    else:
        try:
            values = list(values)
        except TypeError:
            values = [values]
    texts: list[str] = []
    messages: list[str] = []
    for value in values:
        if not isinstance(value, str):
            messages.append(_("选项应为文字"))
            continue
        value = text.strip_edges(value)
        control = text.control_message(value)
        if control is not None:
            messages.append(control)
        elif not text.has_visible(value):
            messages.append(_("选项不能为空"))
        elif len(value) > OPTION_MAX_LENGTH:
            messages.append(
                _("选项“%(text)s…”超过 %(limit)d 个字（现有 %(length)d 个字）")
                % {"text": value[:10], "limit": OPTION_MAX_LENGTH, "length": len(value)}
            )
        elif value in texts:
            messages.append(_("选项“%(text)s”重复") % {"text": value})
        else:
            texts.append(value)
    if not values:
        messages.append(_("请为“%(level)s”至少填写一个选项") % {"level": label})
    elif len(values) > OPTIONS_PER_LEVEL_MAX:
        messages.append(
            _("每个评价等级最多 %(limit)d 个选项（现有 %(count)d 个）")
            % {"limit": OPTIONS_PER_LEVEL_MAX, "count": len(values)}
        )
    if messages:
        errors[field] = list(dict.fromkeys(str(m) for m in messages))
    return texts


@transaction.atomic
def question_set_publish(
    *, actor, options: Mapping[int, Sequence[str]], note: str = ""
) -> QuestionSet:
    """Publish a new version of the follow-up choices, for every level at once. Ratings given
    before keep the version they were given under."""
    access.check(actor, "questions")
    errors: dict[str, list[str]] = {}
    options = options if isinstance(options, Mapping) else {}
    given = {}
    for key, values in options.items():
        level = key
        if isinstance(key, str) and key.isascii() and key.isdigit():
            level = int(key)
        if isinstance(level, bool) or level not in RatingLevel.values:
            errors["options"] = [_("评价等级只能是 1 到 5")]
            continue
        given[level] = values
    chosen = {
        level: _level_options(errors, level, given.get(level, ()))
        for level in sorted(RatingLevel.values, reverse=True)
    }
    note = text.strip_edges(note if isinstance(note, str) else "")
    message = text.control_message(note)
    if message is not None:
        errors["note"] = [message]
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [text.TOO_LONG_MESSAGE % {"limit": NOTE_MAX_LENGTH, "length": len(note)}]
    merge_errors(errors)
    # the latest version, locked: two publications at once get consecutive numbers
    latest = QuestionSet.objects.select_for_update().order_by("-number").first()
    question_set = QuestionSet(
        number=(latest.number + 1) if latest else 1, note=note, published_by=actor
    )
    save_with_audit(
        actor=actor,
        instance=question_set,
        fields=QUESTION_SET_FIELDS,
        extra_changes={
            "options": [
                None,
                [
                    f"{RatingLevel(level).label}：{'、'.join(texts)}"
                    for level, texts in chosen.items()
                ],
            ]
        },
    )
    RatingOption.objects.bulk_create(
        RatingOption(question_set=question_set, level=level, text=value, sort_order=order)
        for level, texts in chosen.items()
        for order, value in enumerate(texts)
    )
    return question_set


# ---------------------------------------------------------------------------------------------
# Rating: the window's screen and the one-time code
# ---------------------------------------------------------------------------------------------


def _lock_case_to_rate(actor, case: Case) -> Case:
    access.check(actor, "rate")
    return lock_in_scope(
        Case.objects.editable_by(actor).select_related("window", "version__matter"), case.pk
    )


@transaction.atomic
def rating_invite_issue(*, actor, case: Case) -> tuple[RatingInvite, str]:
    """The clerk gives the applicant a one-time code (link or QR code) to rate the case later,
    until the case's rating window closes. The code is returned once; issuing again revokes the
    earlier unused one."""
    case = _lock_case_to_rate(actor, case)
    today = business_date()
    until = _check_rateable(case, today=today, config=WindowSettings.current())
    return _issue_invite(
        case=case, round=RatingRound.CASE, issued_on=today, expires_on=until, actor=actor
    )


def _usable(invite: RatingInvite | None, today: datetime.date) -> bool:
    if invite is None or invite.used_at is not None or invite.revoked_at is not None:
        return False
    if invite.expires_on < today:
        return False
    if Rating.objects.filter(case_id=invite.case_id, round=invite.round).exists():
        return False
    if invite.round == RatingRound.FIX:
        return FollowUp.objects.filter(
            rating__case_id=invite.case_id,
            rating__round=RatingRound.CASE,
            state=FollowUpState.AWAITING,
        ).exists()
    return True


def rating_invite_lookup(code: str) -> RatingInvite | None:
    """The invite `code` opens, if it can still be used; None otherwise (nothing is written)."""
    code = normalize_code(code)
    if not _well_formed(code):
        return None
    invite = (
        RatingInvite.objects.select_related("case__window", "case__version__matter")
        .filter(code_hash=code_hash(code))
        .first()
    )
    return invite if _usable(invite, business_date()) else None


@transaction.atomic
def rating_submit_kiosk(*, actor, case: Case, level, options=(), comment: str = "") -> Rating:
    """The applicant rates the case at the window's rating screen, which the clerk turned toward
    them. One rating per case (一次一评), within the case's rating window."""
    case = _lock_case_to_rate(actor, case)
    today = business_date()
    config = WindowSettings.current()
    _check_rateable(case, today=today, config=config)
    return _rate(
        case=case,
        round=RatingRound.CASE,
        channel=RatingChannel.KIOSK,
        level=level,
        options=options,
        comment=comment,
        today=today,
        config=config,
        actor_name=APPLICANT_KIOSK,
    )


def _rate(
    *,
    case: Case,
    round: int,
    channel: str,
    level,
    options,
    comment,
    today: datetime.date,
    config: WindowSettings,
    actor_name: str,
) -> Rating:
    errors: dict[str, list[str]] = {}
    question_set = _current_question_set()
    level = _level(errors, level)
    chosen = _options(errors, options, level=level, question_set=question_set)
    comment = _comment(errors, comment)
    merge_errors(errors)
    rating = _save_rating(
        case=case,
        round=round,
        level=level,
        channel=channel,
        question_set=question_set,
        options=chosen,
        comment=comment,
        rated_on=today,
        actor=None,
        actor_name=actor_name,
    )
    # a code handed out earlier for this round cannot be used any more
    _revoke_invites(case, round, actor=None, actor_name=actor_name)
    if round == RatingRound.CASE and rules.is_bad(level):
        _open_follow_up(rating, config=config, actor=None, actor_name=actor_name)
    return rating


@transaction.atomic
def rating_submit_code(*, code: str, level, options=(), comment: str = "") -> Rating:
    """The applicant rates with a one-time code: the case (round 1), or the rectification of a
    差评 (round 2, which closes the follow-up). An unusable code raises `RatingCodeInvalid`; the
    code is spent only when the rating is saved."""
    normalized = normalize_code(code)
    if not _well_formed(normalized):
        raise RatingCodeInvalid()
    found = RatingInvite.objects.filter(code_hash=code_hash(normalized)).values("case_id").first()
    if found is None:
        raise RatingCodeInvalid()
    # the case first, then its invites: the order the clerk's issuing locks them in
    case = lock_in_scope(
        Case.objects.all().select_related("window", "version__matter"), found["case_id"]
    )
    invite = (
        RatingInvite.objects.select_for_update()
        .filter(code_hash=code_hash(normalized))
        .order_by("pk")
        .first()
    )
    today = business_date()
    if not _usable(invite, today):
        raise RatingCodeInvalid()
    config = WindowSettings.current()
    follow_up = None
    if invite.round == RatingRound.FIX:
        follow_up = (
            FollowUp.objects.select_for_update()
            .filter(rating__case=case, rating__round=RatingRound.CASE)
            .first()
        )
        if follow_up is None or not rules.FOLLOW_UP.can(follow_up.state, "rerate"):
            raise RatingCodeInvalid()
    before = audit.snapshot(invite, ["used_at"])
    invite.used_at = timezone.now()
    save_with_audit(
        actor=None,
        instance=invite,
        fields=["used_at"],
        before=before,
        root=case,
        actor_name=APPLICANT_CODE,
    )
    rating = _rate(
        case=case,
        round=invite.round,
        channel=RatingChannel.LINK,
        level=level,
        options=options,
        comment=comment,
        today=today,
        config=config,
        actor_name=APPLICANT_CODE,
    )
    if follow_up is not None:
        follow_up_before = audit.snapshot(follow_up, CLOSE_FIELDS)
        follow_up.state = rules.FOLLOW_UP.target(follow_up.state, "rerate")
        follow_up.closed_on = today
        save_with_audit(
            actor=None,
            instance=follow_up,
            fields=CLOSE_FIELDS,
            before=follow_up_before,
            actor_name=APPLICANT_CODE,
        )
    return rating


# ---------------------------------------------------------------------------------------------
# A 差评's follow-up
# ---------------------------------------------------------------------------------------------


def _last_step_day(follow_up: FollowUp) -> tuple[datetime.date, str]:
    """The day of the follow-up's latest step (opened, or an appeal decided against it)."""
    floor, label = follow_up.opened_on, _field_label(FollowUp, "opened_on")
    appeal = Appeal.objects.filter(follow_up=follow_up).first()
    if appeal is not None and appeal.decided_on is not None and appeal.decided_on > floor:
        floor, label = appeal.decided_on, _field_label(Appeal, "decided_on")
    return floor, label


@transaction.atomic
def follow_up_verify(*, actor, follow_up: FollowUp, on: datetime.date, finding: str) -> FollowUp:
    """The unit verifies the 差评 (核实) and writes what it found; rectification follows."""
    follow_up = _lock_follow_up(actor, follow_up)
    _check_move(follow_up, "verify")
    errors: dict[str, list[str]] = {}
    floor, label = _last_step_day(follow_up)
    _date(errors, "on", on, today=business_date(), after=floor, after_label=label)
    finding = _text(errors, "finding", finding, _("请写明核实情况"))
    merge_errors(errors)
    before = audit.snapshot(follow_up, VERIFY_FIELDS)
    follow_up.state = rules.FOLLOW_UP.target(follow_up.state, "verify")
    follow_up.finding = finding
    follow_up.verified_on = on
    follow_up.verified_by = actor
    save_with_audit(actor=actor, instance=follow_up, fields=VERIFY_FIELDS, before=before)
    return follow_up


@transaction.atomic
def follow_up_appeal(*, actor, follow_up: FollowUp, on: datetime.date, reason: str) -> Appeal:
    """The unit appeals that the 差评 is malicious (申诉), once per rating; the committee decides."""
    follow_up = _lock_follow_up(actor, follow_up)
    _check_move(follow_up, "appeal")
    if Appeal.objects.filter(follow_up=follow_up).exists():
        raise Conflict(_("该差评已经申诉过，不能再次申诉"))
    errors: dict[str, list[str]] = {}
    _date(
        errors,
        "on",
        on,
        today=business_date(),
        after=follow_up.opened_on,
        after_label=_field_label(FollowUp, "opened_on"),
    )
    reason = _text(errors, "reason", reason, _("请写明申诉理由"))
    merge_errors(errors)
    appeal = Appeal(follow_up=follow_up, reason=reason, filed_on=on, filed_by=actor)
    save_with_audit(actor=actor, instance=appeal, fields=APPEAL_FIELDS, root=follow_up)
    before = audit.snapshot(follow_up, ["state"])
    follow_up.state = rules.FOLLOW_UP.target(follow_up.state, "appeal")
    save_with_audit(actor=actor, instance=follow_up, fields=["state"], before=before)
    case = follow_up.rating.case
    notification_send(
        recipients=_committee_ids(),
        kind="window_appeal_filed",
        text=_("%(window)s对办件 %(receipt_no)s 的差评提出申诉，请裁定。")
        % {"window": case.window.name, "receipt_no": case.receipt_no},
        link=_follow_up_link(follow_up),
        dedupe_key=f"window:follow_up:{follow_up.pk}:appeal",
    )
    return appeal


def _committee_ids() -> list[int]:
    """The active committee accounts (they decide appeals)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(role=Role.COMMITTEE, is_active=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, on: datetime.date, upheld: bool, note: str) -> Appeal:
    """The committee decides an appeal: upheld excludes the rating from the figures (it is kept,
    never deleted) and closes the follow-up; rejected sends it back to be verified (no second
    appeal)."""
    access.check(actor, "appeal_decide")
    appeal = lock_in_scope(Appeal.objects.editable_by(actor), appeal.pk)
    follow_up = lock_in_scope(
        FollowUp.objects.editable_by(actor).select_related("rating__case__window"),
        appeal.follow_up_id,
    )
    if appeal.decision:
        raise Conflict(_("该申诉已经裁定"))
    action = "uphold" if upheld is True else "reject"
    errors: dict[str, list[str]] = {}
    if not isinstance(upheld, bool):
        errors["upheld"] = [_("请选择申诉是否成立")]
    else:
        _check_move(follow_up, action)
    _date(
        errors,
        "on",
        on,
        today=business_date(),
        after=appeal.filed_on,
        after_label=_field_label(Appeal, "filed_on"),
    )
    note = _text(errors, "note", note, _("请写明裁定意见"))
    merge_errors(errors)
    before = audit.snapshot(appeal, DECIDE_FIELDS)
    appeal.decision = "upheld" if upheld else "rejected"
    appeal.decision_note = note
    appeal.decided_on = on
    appeal.decided_by = actor
    save_with_audit(
        actor=actor, instance=appeal, fields=DECIDE_FIELDS, before=before, root=follow_up
    )
    follow_before = audit.snapshot(follow_up, CLOSE_FIELDS)
    follow_up.state = rules.FOLLOW_UP.target(follow_up.state, action)
    if upheld:
        follow_up.closed_on = on
    save_with_audit(actor=actor, instance=follow_up, fields=CLOSE_FIELDS, before=follow_before)
    case = follow_up.rating.case
    notification_send(
        recipients=selectors.unit_admin_ids_map([case.window.unit_id]).get(case.window.unit_id, ()),
        kind="window_appeal_decided",
        text=(
            _("办件 %(receipt_no)s 的差评申诉成立，该评价不计入统计。")
            if upheld
            else _("办件 %(receipt_no)s 的差评申诉不成立，请继续核实整改。")
        )
        % {"receipt_no": case.receipt_no},
        link=_follow_up_link(follow_up),
        dedupe_key=f"window:follow_up:{follow_up.pk}:appeal_decided",
    )
    return appeal


@transaction.atomic
def follow_up_rectify(*, actor, follow_up: FollowUp, on: datetime.date, measures: str) -> FollowUp:
    """The unit has rectified (整改) what the 差评 was about; the applicant is to be told."""
    follow_up = _lock_follow_up(actor, follow_up)
    _check_move(follow_up, "rectify")
    errors: dict[str, list[str]] = {}
    _date(
        errors,
        "on",
        on,
        today=business_date(),
        after=follow_up.verified_on,
        after_label=_field_label(FollowUp, "verified_on"),
    )
    measures = _text(errors, "measures", measures, _("请写明整改措施"))
    merge_errors(errors)
    before = audit.snapshot(follow_up, RECTIFY_FIELDS)
    follow_up.state = rules.FOLLOW_UP.target(follow_up.state, "rectify")
    follow_up.measures = measures
    follow_up.rectified_on = on
    follow_up.rectified_by = actor
    save_with_audit(actor=actor, instance=follow_up, fields=RECTIFY_FIELDS, before=before)
    return follow_up


@transaction.atomic
def follow_up_feed_back(
    *,
    actor,
    follow_up: FollowUp,
    on: datetime.date,
    method: str,
    note: str,
    level=None,
    options=(),
) -> tuple[FollowUp, str | None]:
    """The unit tells the applicant what was done (回访). When the applicant rated the fix there
    and then (`level`), that rating is saved and the follow-up closed; otherwise the applicant is
    sent a one-time code to rate it later (returned, shown once) and the follow-up waits."""
    follow_up = _lock_follow_up(actor, follow_up)
    _check_move(follow_up, "feed_back")
    errors: dict[str, list[str]] = {}
    today = business_date()
    _date(
        errors,
        "on",
        on,
        today=today,
        after=follow_up.rectified_on,
        after_label=_field_label(FollowUp, "rectified_on"),
    )
    if method not in FeedbackMethod.values:
        errors["method"] = [_("请选择回访方式")]
    note = _text(errors, "note", note, _("请写明回访情况"))
    rated = level is not None and level != ""
    chosen: list[RatingOption] = []
    question_set = None
    if rated:
        question_set = _current_question_set()
        level = _level(errors, level)
        chosen = _options(errors, options, level=level, question_set=question_set)
    elif _option_ids(options):
        errors["options"] = [_("未记录评价等级时不能选择评价选项")]
    merge_errors(errors)
    config = WindowSettings.current()
    case = follow_up.rating.case
    before = audit.snapshot(follow_up, FEED_BACK_FIELDS)
    follow_up.feedback_method = method
    follow_up.feedback_note = note
    follow_up.fed_back_on = on
    follow_up.fed_back_by = actor
    code = None
    if rated:
        _save_rating(
            case=case,
            round=RatingRound.FIX,
            level=level,
            channel=RatingChannel.CALLBACK,
            question_set=question_set,
            options=chosen,
            comment="",
            rated_on=on,
            actor=actor,
            actor_name=None,
        )
        follow_up.state = FollowUpState.CLOSED
        follow_up.closed_on = on
    else:
        follow_up.state = FollowUpState.AWAITING
        _invite, code = _issue_invite(
            case=case,
            round=RatingRound.FIX,
            issued_on=on,
            expires_on=rules.rating_open_until(on, config.rating_window_days),
            actor=actor,
        )
    save_with_audit(actor=actor, instance=follow_up, fields=FEED_BACK_FIELDS, before=before)
    return follow_up, code


# ---------------------------------------------------------------------------------------------
# The daily job
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingsDailyResult:
    lapsed: int = 0  # follow-ups closed because the applicant's re-rating window passed
    overdue: int = 0  # follow-ups past their rectification deadline the unit was told of


def describe_ratings_daily(result: RatingsDailyResult) -> str:
    return _("复评逾期办结 %(lapsed)s 件，差评整改超期通知 %(overdue)s 件") % {
        "lapsed": result.lapsed,
        "overdue": result.overdue,
    }


def _live_fix_invite(today: datetime.date):
    return RatingInvite.objects.filter(
        case=OuterRef("rating__case"),
        round=RatingRound.FIX,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_on__gte=today,
    )


def _lapse_one(pk: int, today: datetime.date) -> bool:
    with transaction.atomic():
        follow_up = lock_in_scope(
            FollowUp.objects.annotate(live=Exists(_live_fix_invite(today))), pk
        )
        if not rules.FOLLOW_UP.can(follow_up.state, "lapse") or follow_up.live:
            return False
        before = audit.snapshot(follow_up, CLOSE_FIELDS)
        follow_up.state = rules.FOLLOW_UP.target(follow_up.state, "lapse")
        follow_up.closed_on = today
        save_with_audit(
            actor=None,
            instance=follow_up,
            fields=CLOSE_FIELDS,
            before=before,
            actor_name=SYSTEM,
        )
        return True


def _count_pending_limits() -> None:
    """Count the rectification limits left open for want of a calendar year, now it may be in."""
    config = WindowSettings.current()
    pending = FollowUp.objects.open().filter(rectify_due__isnull=True).order_by("pk")
    for follow_up in pending:
        due = _rectify_due(follow_up.opened_on, config.rectify_workdays)
        if due is not None:
            FollowUp.objects.filter(pk=follow_up.pk, rectify_due__isnull=True).update(
                rectify_due=due
            )


def ratings_daily(today: datetime.date) -> RatingsDailyResult:
    """The daily job: close the follow-ups whose applicant did not rate the fix before the code
    expired (lapse), and tell the unit's administrators, once, of the follow-ups still being
    verified or rectified past their deadline. Running it again changes nothing."""
    stale = (
        FollowUp.objects.filter(state=FollowUpState.AWAITING)
        .annotate(live=Exists(_live_fix_invite(today)))
        .filter(live=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    lapsed = sum(_lapse_one(pk, today) for pk in list(stale))
    _count_pending_limits()

    late = list(
        FollowUp.objects.filter(
            state__in=(FollowUpState.VERIFY, FollowUpState.RECTIFY),
            rectify_due__lt=today,
            overdue_notified_on__isnull=True,
        )
        .select_related("rating__case__window", "rating__case__version__matter")
        .order_by("rectify_due", "pk")
    )
    admins = selectors.unit_admin_ids_map({f.rating.case.window.unit_id for f in late})
    for follow_up in late:
        case = follow_up.rating.case
        notification_send(
            recipients=admins.get(case.window.unit_id, ()),
            kind="window_follow_up_overdue",
            text=(
                _(
                    "%(window)s的办件 %(receipt_no)s（%(matter)s）的差评已超过整改期限 %(due)s，尚未核实。"
                )
                if follow_up.state == FollowUpState.VERIFY
                else _(
                    "%(window)s的办件 %(receipt_no)s（%(matter)s）的差评已超过整改期限 %(due)s，"
                    "尚未整改完成。"
                )
            )
            % {
                "window": case.window.name,
                "receipt_no": case.receipt_no,
                "matter": case.version.matter.name,
                "due": follow_up.rectify_due,
            },
            link=_follow_up_link(follow_up),
            dedupe_key=f"window:follow_up:{follow_up.pk}:overdue",
        )
    overdue = FollowUp.objects.filter(
        pk__in=[f.pk for f in late], overdue_notified_on__isnull=True
    ).update(overdue_notified_on=today)
    return RatingsDailyResult(lapsed=lapsed, overdue=overdue)
