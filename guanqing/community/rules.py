"""The rules of 党员进社区, as pure functions and tables (no ORM): half-year terms, volunteer hours,
check-in codes, and the lifecycles of a registration, an activity and a sign-up.

Decisions taken where the issue is silent:

- A registration is for a half-year term (`2026H1`: 1 January–30 June, `2026H2`: 1 July–31
  December, Asia/Shanghai business dates). A member may register for the current term or, to renew
  in time, for the next one; never for a past one.
- Hours are Decimal hours with one decimal, always rounded *down* (1 h 59 min is 1.9 h): rounding
  down keeps every sum of credited hours at or under the activity's length, which is rounded the
  same way.
- Check-in hours are the time between check-in and check-out clipped to the activity's own time:
  arriving early or leaving late earns nothing extra.
- The check-in code is six digits that rotate every `CODE_STEP_SECONDS`: an HMAC of the server's
  key, the activity and its random secret, and the time step. The code of the previous step is
  still accepted (a member who reads it just before it changes is not refused). Codes are compared
  in constant time and accepted only from 30 minutes before the activity starts to 30 minutes
  after it ends.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from guanqing.community.choices import ActivityStatus, RegistrationStatus, SignupStatus
from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role

TENTH = Decimal("0.1")
ZERO_HOURS = Decimal("0.0")
CODE_STEP_SECONDS = 300
CODE_DIGITS = 6
CODE_MARGIN = datetime.timedelta(minutes=30)
TERM_PATTERN = re.compile(r"^([0-9]{4})H([12])$")


# ---------------------------------------------------------------------------------------------
# Half-year terms
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Term:
    """A half-year: `half` 1 is January–June, 2 is July–December."""

    year: int
    half: int

    def __post_init__(self):
        if self.half not in (1, 2):
            raise ValueError(f"half must be 1 or 2, not {self.half!r}")

    @classmethod
    def of(cls, day: datetime.date) -> Term:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str) -> Term:
        """`2026H2` → Term(2026, 2); ValueError for anything else."""
        match = TERM_PATTERN.match(str(text).strip().upper())
        if not match:
            raise ValueError(f"not a half-year term: {text!r}")
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            raise ValueError(f"year out of range: {year}")
        return cls(year, int(match.group(2)))

    @property
    def label(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the term (inclusive)."""
        return (
            datetime.date(self.year, 6, 30) if self.half == 1 else datetime.date(self.year, 12, 31)
        )

    def next(self) -> Term:
        return Term(self.year, 2) if self.half == 1 else Term(self.year + 1, 1)

    def previous(self) -> Term:
        return Term(self.year, 1) if self.half == 2 else Term(self.year - 1, 2)

    def __str__(self):
        return self.label


def terms_between(first: datetime.date, last: datetime.date) -> list[Term]:
    """Every term with at least one day in [first, last], in order."""
    terms, term = [], Term.of(first)
    while term.start <= last:
        terms.append(term)
        term = term.next()
    return terms


def registrable_terms(today: datetime.date) -> tuple[Term, Term]:
    """The terms a member may register for today: the current one and the next (renewal)."""
    current = Term.of(today)
    return current, current.next()


def report_rate(confirmed: int, members: int) -> Decimal | None:
    """报到率 in per cent with one decimal; None when there is nobody to count."""
    if members <= 0:
        return None
    return (Decimal(confirmed) * 100 / Decimal(members)).quantize(TENTH, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# Hours
# ---------------------------------------------------------------------------------------------


def hours_between(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    """Hours from `start` to `end`, rounded down to a tenth; never negative."""
    seconds = max(0, int((end - start).total_seconds()))
    return (Decimal(seconds) / Decimal(3600)).quantize(TENTH, rounding=ROUND_DOWN)


def activity_length(starts_at: datetime.datetime, ends_at: datetime.datetime) -> Decimal:
    """The most hours anyone can be credited for an activity."""
    return hours_between(starts_at, ends_at)


def checkin_hours(
    checked_in_at: datetime.datetime,
    checked_out_at: datetime.datetime,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> Decimal:
    """(out − in) clipped to the activity's own time."""
    return hours_between(max(checked_in_at, starts_at), min(checked_out_at, ends_at))


def credited_checkin_hours(measured: Decimal, length: Decimal, manual_total: Decimal) -> Decimal:
    """What a check-out credits: the measured hours, but never more than the activity's length
    left after the hours a worker already added by hand for the same member."""
    return max(ZERO_HOURS, min(measured, length - manual_total))


def manual_allowance(length: Decimal, checkin_total: Decimal, manual_total: Decimal) -> Decimal:
    """How many hours a worker may still add by hand for a member on an activity."""
    return max(ZERO_HOURS, length - checkin_total - manual_total)


# ---------------------------------------------------------------------------------------------
# Check-in codes
# ---------------------------------------------------------------------------------------------


def code_window(
    starts_at: datetime.datetime, ends_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """When a check-in code is accepted: from 30 minutes before the start to 30 after the end."""
    return starts_at - CODE_MARGIN, ends_at + CODE_MARGIN


def in_code_window(
    moment: datetime.datetime, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> bool:
    opens, closes = code_window(starts_at, ends_at)
    return opens <= moment <= closes


def code_step(moment: datetime.datetime, step_seconds: int = CODE_STEP_SECONDS) -> int:
    return int(moment.timestamp()) // step_seconds


def step_ends_at(moment: datetime.datetime, step_seconds: int = CODE_STEP_SECONDS):
    """When the code shown at `moment` is replaced by the next one."""
    step = code_step(moment, step_seconds)
    return datetime.datetime.fromtimestamp((step + 1) * step_seconds, tz=moment.tzinfo)


def code_for_step(key: bytes, activity_id: int, secret: str, step: int) -> str:
    message = f"{activity_id}:{secret}:{step}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") % (10**CODE_DIGITS)
    return f"{number:0{CODE_DIGITS}d}"


def current_code(
    key: bytes,
    activity_id: int,
    secret: str,
    moment: datetime.datetime,
    step_seconds: int = CODE_STEP_SECONDS,
) -> str:
    return code_for_step(key, activity_id, secret, code_step(moment, step_seconds))


def code_matches(
    given: str,
    key: bytes,
    activity_id: int,
    secret: str,
    moment: datetime.datetime,
    step_seconds: int = CODE_STEP_SECONDS,
) -> bool:
    """True when `given` is the code of the current or the previous step (constant time)."""
    given = str(given or "").strip()
    step = code_step(moment, step_seconds)
    matched = False
    for candidate_step in (step, step - 1):
        expected = code_for_step(key, activity_id, secret, candidate_step)
        # compare both, always: the time taken does not tell which step (if any) matched
        matched |= hmac.compare_digest(given.encode(), expected.encode())
    return matched


# ---------------------------------------------------------------------------------------------
# Lifecycles (core/lifecycle.py): state × action → state, and who takes the action
# ---------------------------------------------------------------------------------------------

# A registration is created pending by the member (`registration_submit`); the community decides.
# A rejected one may be submitted again for the same half-year: the row is reopened.
REGISTRATION = Lifecycle(
    "registration",
    [
        Step(
            "confirm",
            {RegistrationStatus.PENDING},
            RegistrationStatus.CONFIRMED,
            roles={Role.COMMUNITY_WORKER},
            label=_("确认"),
        ),
        Step(
            "reject",
            {RegistrationStatus.PENDING},
            RegistrationStatus.REJECTED,
            roles={Role.COMMUNITY_WORKER},
            label=_("不通过"),
        ),
        Step(
            "resubmit",
            {RegistrationStatus.REJECTED},
            RegistrationStatus.PENDING,
            roles={Role.MEMBER},
            label=_("重新报到"),
        ),
    ],
    states=RegistrationStatus.choices,
)

# An activity is published when posted (`activity_create`). Everything that happens at it needs it
# published; time (started, ended, the code's window), places and check-ins are the services' checks.
ACTIVITY = Lifecycle(
    "activity",
    [
        Step(
            "cancel",
            {ActivityStatus.PUBLISHED},
            ActivityStatus.CANCELLED,
            roles={Role.COMMUNITY_WORKER},
            label=_("取消活动"),
        ),
        Step(
            "signup",
            {ActivityStatus.PUBLISHED},
            None,
            roles={Role.MEMBER},
            label=_("报名"),
        ),
        Step(
            "check_in",
            {ActivityStatus.PUBLISHED},
            None,
            roles={Role.MEMBER},
            label=_("签到"),
        ),
        Step(
            "check_out",
            {ActivityStatus.PUBLISHED},
            None,
            roles={Role.MEMBER},
            label=_("签退"),
        ),
        Step(
            "show_code",
            {ActivityStatus.PUBLISHED},
            None,
            roles={Role.COMMUNITY_WORKER},
            label=_("显示签到码"),
        ),
        Step(
            "add_hours",
            {ActivityStatus.PUBLISHED},
            None,
            roles={Role.COMMUNITY_WORKER},
            label=_("补录时长"),
        ),
    ],
    states=ActivityStatus.choices,
)

# A sign-up is created signed up by the member (`activity_signup`); giving the place back cancels
# it, and signing up again reopens the row.
SIGNUP = Lifecycle(
    "signup",
    [
        Step(
            "withdraw",
            {SignupStatus.SIGNED_UP},
            SignupStatus.CANCELLED,
            roles={Role.MEMBER},
            label=_("取消报名"),
        ),
        Step(
            "sign_up_again",
            {SignupStatus.CANCELLED},
            SignupStatus.SIGNED_UP,
            roles={Role.MEMBER},
            label=_("报名"),
        ),
    ],
    states=SignupStatus.choices,
)
