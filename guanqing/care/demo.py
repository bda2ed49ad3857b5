"""关怀帮扶 demo data: a year of care events across the units and the obligations they made due.

The demo builder of order 70 (`build`, registered in `CareConfig.ready`): it runs after the
registry and the other work methods, in the same transaction and from the same seed, and reads the
units, their active members and the demo accounts from the database. Like the rest of the demo this
is seed data: events and obligations are bulk-inserted, not written through the services; every
row still obeys the services' rules (one event per member, rule and day; a deadline on the official
calendar; met between the event and today; waived with a reason) and the lifecycle table.

- The demo member (`member_demo`) has three events: a commendation acted on in time, a
  bereavement visited a day late, and a stay in hospital reported this week, still open.
- Volume: `EVENTS` × scale events (at least `MIN_EVENTS`) over the last year, in units weighted by
  their members, a sixth reported by the members themselves. An obligation whose deadline has
  passed was met on time (most), met late (about one in ten), waived (a few) or is still open and
  overdue — escalated to the unit's party committee the working day after its deadline, as the
  daily job does. Of those not yet due, about half are met already.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext

from guanqing.accounts.models import User
from guanqing.care import rules
from guanqing.care.choices import CareSystem, EventSource, ObligationState
from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.core.calendar.workdays import CalendarYearMissing
from guanqing.core.daterange import start_of
from guanqing.core.demo import DemoContext, DemoDatabaseNotEmpty
from guanqing.core.demo.shared import historic_timestamps
from guanqing.core.roles import Role
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member

EVENTS = 360
MIN_EVENTS = 80
DAYS = 365
NOTES = {
    CareSystem.TALK: ["单位党组织掌握情况后录入", "支部反映，需及时谈心", ""],
    CareSystem.VISIT: ["家属来电告知", "同事反映", "本人告知支部", ""],
    CareSystem.HELP: ["家庭经济困难，需帮扶", "支部摸排发现", ""],
    CareSystem.INCENTIVE: ["上级通报表扬", "年度考核优秀", ""],
}
DONE = {
    "talk": ["支部书记谈心谈话，了解思想动态", "单位党组织负责人谈话，提出要求和期望"],
    "visit": ["单位党组织上门慰问，送去慰问品", "到医院看望，转达组织关心"],
    "help": ["协调解决实际困难", "联系有关部门落实帮扶措施"],
    "incentive": ["在单位会议上通报表扬", "推荐参加培训", "宣传先进事迹"],
}
WAIVED = ["本人已调离本单位", "已由上级党组织统一慰问", "重复录入，另有记录"]


@dataclass
class CareDemoSummary:
    events: int = 0
    reported: int = 0
    obligations: int = 0
    on_time: int = 0
    late: int = 0
    waived: int = 0
    overdue: int = 0
    escalated: int = 0
    pending: int = 0

    def as_changes(self) -> dict:
        return {
            "care_events": [None, self.events],
            "care_obligations": [None, self.obligations],
            "care_late": [None, self.late],
            "care_overdue": [None, self.overdue],
        }

    def describe(self) -> str:
        return gettext(
            "关怀事件 %(events)s 件（本人报告 %(reported)s 件），任务按时落实 %(on_time)s 件、"
            "逾期落实 %(late)s 件、免除 %(waived)s 件、逾期未落实 %(overdue)s 件、未到期 %(pending)s 件"
        ) % {
            "events": self.events,
            "reported": self.reported,
            "on_time": self.on_time,
            "late": self.late,
            "waived": self.waived,
            "overdue": self.overdue,
            "pending": self.pending,
        }


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.fork()
        self.today = ctx.today
        self.summary = CareDemoSummary()
        self.rules = list(CareRule.objects.active().order_by("system", "sort_order", "pk"))
        self.admins = dict(
            User.objects.filter(role=Role.UNIT_ADMIN, is_active=True)
            .order_by("-pk")
            .values_list("unit_id", "pk")
        )
        # the members who sign in report their own events under their account
        self.member_users = dict(
            User.objects.filter(member__isnull=False).values_list("member_id", "pk")
        )
        self.seen: set[tuple[int, int, datetime.date]] = set()
        self.demo_member = None  # its events are the stories only
        self.events: list[CareEvent] = []
        self.plans: list[tuple[CareEvent, CareRule, str]] = []

    def build(self) -> CareDemoSummary:
        if not self.rules:
            return self.summary
        self._stories()
        self._volume(max(MIN_EVENTS, round(EVENTS * self.ctx.scale)))
        with historic_timestamps(CareEvent):
            CareEvent.objects.bulk_create(self.events)
        obligations = [self._obligation(event, rule, fate) for event, rule, fate in self.plans]
        Obligation.objects.bulk_create(obligations)
        self.summary.events = len(self.events)
        self.summary.reported = sum(1 for e in self.events if e.source == EventSource.MEMBER)
        self.summary.obligations = len(obligations)
        return self.summary

    # --- what happens -----------------------------------------------------------------------

    def _event(self, member, unit, rule, occurred, *, source=EventSource.UNIT, fate=None):
        key = (member, rule.pk, occurred)
        if key in self.seen:
            return None
        try:
            due = rules.due_on(occurred, rule.limit_workdays)
        except CalendarYearMissing:
            return None  # a deadline is never guessed
        self.seen.add(key)
        reported = source == EventSource.MEMBER
        recorder = None if reported else self.admins.get(unit)
        recorded = min(occurred + datetime.timedelta(days=self.rng.randint(0, 3)), self.today)
        event = CareEvent(
            member_id=member,
            unit_id=unit,
            rule=rule,
            occurred_on=occurred,
            note=self.rng.choice(NOTES[CareSystem(rule.system)]),
            source=source,
            sensitive=rule.sensitive,
            recorded_by_id=recorder,
            recorded_at=start_of(recorded) + datetime.timedelta(hours=self.rng.randint(9, 17)),
        )
        if reported:
            event.recorded_by_id = self.member_users.get(member)
        event.due = due
        self.events.append(event)
        self.plans.append((event, rule, fate or self._fate(due)))
        return event

    def _fate(self, due: datetime.date) -> str:
        draw = self.rng.random()
        if due < self.today:
            if draw < 0.78:
                return "on_time"
            if draw < 0.90:
                return "late"
            if draw < 0.94:
                return "waived"
            return "open"
        return "on_time" if draw < 0.5 else "open"

    def _stories(self) -> None:
        demo = (
            User.objects.filter(username="member_demo").values_list("member_id", "unit_id").first()
        )
        if not demo or not demo[0]:
            return
        member, unit = demo[0], demo[1] or Member.objects.get(pk=demo[0]).unit_id
        self.demo_member = member
        by_code = {r.code: r for r in self.rules}
        stories = [
            ("incentive-commendation", 120, "on_time", EventSource.UNIT),
            ("visit-bereavement", 60, "late", EventSource.UNIT),
            ("visit-hospital", 1, "open", EventSource.MEMBER),
        ]
        for code, days_ago, fate, source in stories:
            rule = by_code.get(code)
            if rule is not None:
                occurred = self.today - datetime.timedelta(days=days_ago)
                self._event(member, unit, rule, occurred, source=source, fate=fate)

    def _volume(self, n: int) -> None:
        members = list(
            Member.objects.filter(status=MemberStatus.ACTIVE)
            .order_by("pk")
            .exclude(pk=self.demo_member)
            .values_list("pk", "unit_id")[:5000]
        )
        if not members:
            return
        tries = 0
        while len(self.events) < n and tries < n * 4:
            tries += 1
            member, unit = self.rng.choice(members)
            rule = self.rng.choice(self.rules)
            occurred = self.today - datetime.timedelta(days=self.rng.randint(1, DAYS))
            source = EventSource.MEMBER if self.rng.random() < 1 / 6 else EventSource.UNIT
            self._event(member, unit, rule, occurred, source=source)

    def _obligation(self, event: CareEvent, rule: CareRule, fate: str) -> Obligation:
        due = event.due
        row = Obligation(
            event=event,
            unit_id=event.unit_id,
            action=rule.action,
            actor_kind=rule.actor_kind,
            limit_workdays=rule.limit_workdays,
            due_on=due,
            state=ObligationState.OPEN,
        )
        actor = self.admins.get(event.unit_id)
        if fate == "on_time":
            last = min(due, self.today)
            row.met_on = event.occurred_on + datetime.timedelta(
                days=self.rng.randint(0, max(0, (last - event.occurred_on).days))
            )
            self.summary.on_time += 1
        elif fate == "late":
            row.met_on = min(due + datetime.timedelta(days=self.rng.randint(1, 15)), self.today)
            if rules.escalates_on(due) <= row.met_on:
                row.escalated_on = rules.escalates_on(due)  # still open that day: escalated
            self.summary.late += 1
        if row.met_on is not None:
            row.state = rules.OBLIGATION.target(row.state, "meet")
            row.done_note = self.rng.choice(DONE[rule.action])
            row.done_by_id = actor
            return row
        if fate == "waived":
            row.state = rules.OBLIGATION.target(row.state, "waive")
            row.waived_on = min(due, self.today)
            row.waived_reason = self.rng.choice(WAIVED)
            row.waived_by_id = actor
            self.summary.waived += 1
            return row
        if due < self.today:
            self.summary.overdue += 1
            escalates = rules.escalates_on(due)
            if escalates <= self.today:
                row.escalated_on = escalates  # what the daily job wrote that day
                self.summary.escalated += 1
        else:
            self.summary.pending += 1
        return row


def build(ctx: DemoContext) -> CareDemoSummary:
    """A year of events and their obligations; refuses a database that already holds events."""
    if CareEvent.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    return _Builder(ctx).build()
