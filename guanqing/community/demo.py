"""党员进社区 demo data: two half-years of members serving their home communities.

The demo builder of order 40 (`build`, registered in `CommunityConfig.ready`): it runs after the
micro-wish demo, inside the same transaction and from the same seed, and reads the registry demo's
members, communities and community workers from the database. Like the rest of the demo this is
seed data: rows are bulk-created, not written through the services (they would audit every row),
and the demo's one audit event carries the counts built here. The rows still keep the services'
rules: registrations only at a member's home community, sign-ups within the places, check-in
hours clipped to the activity's time, hours added by hand never taking a member above an
activity's length, ratings only of members confirmed at the community in that half-year.

The story (the 2014 Ningbo Daily article: 27,820 volunteer person-times):
- The last two half-years (`demo_period`: the one before the current one, and the current one up
  to today). Most members with a home community registered there in one of the six roles (六员)
  and were confirmed; a few units lag behind, so that 报到率 varies by unit, about 85% overall.
  In the current half-year some registrations still wait for the community's confirmation.
- Communities ran activities for every role; members signed up, checked in and out (27,820
  check-ins at scale 1, the article's volunteer person-times); a few forgot to check out or could
  not check in and a worker added their hours by hand; a few activities were cancelled. Some
  activities are still ahead, with sign-ups.
- The last completed half-year is rated, mostly 优秀 and 称职.
- `member_demo` lives in 徐家漕社区 and is registered there in both half-years, with hours, a
  rating of the last one and sign-ups to activities ahead; `community_xujiacao` has registrations
  to confirm. These hold whatever the date the demo is built on.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from guanqing.accounts.models import User
from guanqing.community import rules
from guanqing.community.choices import (
    ActivityRole,
    ActivityStatus,
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
from guanqing.community.rules import Term
from guanqing.core import bulk
from guanqing.core.demo import DemoContext
from guanqing.core.demo.shared import (
    community_workers,
    historic_timestamps,
    insert_rows,
    weighted_counts,
)
from guanqing.registry.choices import DivisionKind, DivisionLevel, MemberStatus
from guanqing.registry.models import Division, Member

XUJIACAO = "徐家漕社区"  # where the article's stories and the community demo accounts are
PERSON_TIMES = 27_820  # the article: 志愿服务27820人次
# Of the active members with a home community, the share each unit has confirmed: most units
# nearly all, a few lag behind.
UNIT_RATE = (0.95, 1.0)
WEAK_UNIT_RATE = (0.6, 0.75)
WEAK_UNITS = 3
CURRENT_PENDING = 0.03  # current half-year: still waiting for the community
REJECTED = 0.004
NO_CHECK_OUT = 0.03  # forgot to check out: a worker adds the hours by hand
NO_CHECK_IN = 0.01  # signed up, came, could not check in: hours by hand
STAYED_ON = 0.02  # stayed on to tidy up: a little more by hand, within the length
NO_SHOW = 0.08
CANCELLED_SIGNUP = 0.04
CANCELLED_ACTIVITY = 0.02
ROLE_WEIGHTS = {
    ServiceRole.SAFETY: 16,
    ServiceRole.POLICY: 14,
    ServiceRole.DEVELOPMENT: 10,
    ServiceRole.CIVILITY: 18,
    ServiceRole.WELFARE: 20,
    ServiceRole.WARMTH: 22,
}

ACTIVITIES = {
    ActivityRole.ALL: [
        ("党员志愿服务日", "全体报到党员参加社区环境整治和便民服务。"),
        ("主题党日进社区", "与社区党组织共同开展主题党日活动。"),
        ("社区环境大扫除", "清理楼道堆积物和小区卫生死角。"),
    ],
    ActivityRole.SAFETY: [
        ("夜间平安巡逻", "在小区内开展夜间巡逻，检查门禁和监控。"),
        ("消防安全隐患排查", "检查楼道消防通道、灭火器和电动车充电情况。"),
        ("防范电信诈骗宣传", "进楼道向居民讲解常见诈骗手法。"),
    ],
    ActivityRole.POLICY: [
        ("医保政策宣讲", "讲解城乡居民医保和大病保险报销政策。"),
        ("民法典进社区", "结合案例讲解民法典与居民生活有关的规定。"),
        ("养老保险政策咨询", "在社区设点解答居民养老保险问题。"),
    ],
    ActivityRole.DEVELOPMENT: [
        ("社区议事会", "与居民代表一起商议小区停车和绿化问题。"),
        ("老旧小区改造意见征集", "入户听取居民对改造方案的意见。"),
        ("加装电梯协商会", "协调各楼层居民关于加装电梯的意见。"),
    ],
    ActivityRole.CIVILITY: [
        ("垃圾分类桶边督导", "在垃圾投放点指导居民分类投放。"),
        ("文明养犬宣传", "向养犬居民宣传文明养犬规定。"),
        ("路口文明劝导", "在小区门口路口劝导行人文明过街。"),
    ],
    ActivityRole.WELFARE: [
        ("便民义诊", "联系医生为居民测血压、血糖，提供健康咨询。"),
        ("家电义务维修", "为居民免费检修小家电。"),
        ("爱心义卖", "义卖所得用于资助社区困难家庭。"),
    ],
    ActivityRole.WARMTH: [
        ("走访慰问独居老人", "上门看望独居老人，帮忙做些家务。"),
        ("助老配餐送餐", "为行动不便的老人送餐上门。"),
        ("困难家庭子女课业辅导", "为困难家庭的孩子辅导功课。"),
    ],
}
PLACES = ["党群服务中心", "居民活动室", "小区中心广场", "文化家园"]
VILLAGE_PLACES = ["村文化礼堂", "村委会议室", "村口广场"]
CANCEL_REASONS = ["台风预警，活动取消", "场地临时被占用，改期举行", "天气原因，活动取消"]
NOTES = ["周末有空，可参加巡逻", "擅长法律咨询", "愿意结对帮扶一户独居老人", "会修理小家电", ""]
REJECT_REASONS = ["经核实不在本社区居住，请到实际居住社区报到"]
MANUAL_REASONS = {
    "out": "忘记签退，经组织者核实补录",
    "in": "手机没电未能签到，经组织者核实补录",
    "stay": "活动结束后留下整理场地，经组织者核实补录",
}
COMMENTS = {
    Grade.EXCELLENT: ["积极参加社区活动，带头作用明显", "热心为居民服务，群众评价很好"],
    Grade.COMPETENT: ["能按要求参加社区活动", "服务态度好，能完成岗位任务"],
    Grade.BASIC: ["参加社区活动较少，希望多参与", "本半年参加活动不多"],
    Grade.INCOMPETENT: ["报到后未参加社区活动"],
}


@dataclass
class CommunityDemoSummary:
    first: datetime.date | None = None
    last: datetime.date | None = None
    registrations: int = 0
    confirmed: int = 0
    report_rate: Decimal | None = None
    activities: int = 0
    signups: int = 0
    person_times: int = 0
    checkin_hours: Decimal = Decimal(0)
    manual_hours: Decimal = Decimal(0)
    ratings: int = 0

    def as_changes(self) -> dict:
        return {
            "community_registrations": [None, self.registrations],
            "community_activities": [None, self.activities],
            "volunteer_person_times": [None, self.person_times],
            "community_ratings": [None, self.ratings],
        }

    def describe(self) -> str:
        """One line for `guanqing demo`: the article's figure, and the current 报到率."""
        hours = self.checkin_hours + self.manual_hours
        return gettext(
            "%(first)s至%(last)s 进社区报到 %(registrations)s 人次（本半年报到率 "
            "%(report_rate)s%%），%(activities)s 场活动、志愿服务 %(person_times)s 人次、"
            "%(hours)s 小时，%(ratings)s 条评价"
        ) % {**vars(self), "hours": hours}


def demo_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last two half-years: the one before the current one, and the current one to today."""
    return Term.of(today).previous().start, today


def build(ctx: DemoContext) -> CommunityDemoSummary:
    return _CommunityBuilder(ctx).build()


class _CommunityBuilder:
    def __init__(self, ctx: DemoContext):
        # One draw from the demo's generator seeds this one: same seed, same activities.
        self.rng = ctx.fork()
        self.scale = ctx.scale
        self.today = ctx.today
        # The registry demo's rows, in the order it made them.
        self.members: list[Member] = list(Member.objects.order_by("pk"))
        self.communities: list[Division] = list(
            Division.objects.filter(level=DivisionLevel.COMMUNITY).order_by("pk")
        )
        self.yesterday = self.today - datetime.timedelta(days=1)
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.first, self.last = demo_period(self.today)
        self.current = Term.of(self.today)
        self.terms = [self.current.previous(), self.current]
        self.workers = community_workers()
        demo = User.objects.filter(username="member_demo").values_list("member_id", flat=True)
        self.demo_member_id = demo.first()
        self.summary = CommunityDemoSummary(first=self.first, last=self.last)

    # -- helpers ------------------------------------------------------------------------------

    def _moment(self, day: datetime.date, lo=(8, 30), hi=(17, 30)) -> datetime.datetime:
        minute = self.rng.randrange(lo[0] * 60 + lo[1], hi[0] * 60 + hi[1])
        return datetime.datetime.combine(
            day, datetime.time(minute // 60, minute % 60, self.rng.randrange(60)), tzinfo=self.tz
        )

    def _day(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))

    def _past(self, moment: datetime.datetime, floor: datetime.datetime) -> datetime.datetime:
        """`moment`, but not after now (and not before `floor`)."""
        return max(min(moment, self.now - datetime.timedelta(minutes=5)), floor)

    # -- registrations --------------------------------------------------------------------------

    def build_registrations(self) -> None:
        rng = self.rng
        members = [
            m
            for m in self.members
            if m.status == MemberStatus.ACTIVE and m.home_community_id is not None
        ]
        units = sorted({m.unit_id for m in members})
        weak = set(rng.sample(units, min(WEAK_UNITS, max(len(units) - 1, 0))))
        rate = {u: rng.uniform(*(WEAK_UNIT_RATE if u in weak else UNIT_RATE)) for u in units}
        roles, weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
        self.pools: dict[tuple[int, Term], list[tuple[Member, str]]] = defaultdict(list)
        self.confirmed: dict[tuple[int, Term], int] = {}  # (member id, term) -> community id
        rows: list[Registration] = []
        xujiacao = next((c.pk for c in self.communities if c.name == XUJIACAO), None)
        pending_here = 0
        for member in members:
            propensity = rng.random()
            role = rng.choices(roles, weights=weights)[0]
            demo = member.pk == self.demo_member_id
            for term in self.terms:
                live = term == self.current
                community = member.home_community_id
                # community_xujiacao's first three of the half-year register whatever their unit
                here = live and community == xujiacao and pending_here < 3
                if (
                    not demo
                    and propensity > rate[member.unit_id] + rng.uniform(-0.02, 0.02)
                    and not here
                ):
                    continue
                if rng.random() < 0.1:  # some change role at renewal
                    role = rng.choices(roles, weights=weights)[0]
                # a registration starts pending; most were confirmed, a few rejected
                status = rules.REGISTRATION.target(RegistrationStatus.PENDING, "confirm")
                roll = rng.random()
                if not demo and here:
                    roll, pending_here = 0.0, pending_here + 1  # work for community_xujiacao
                if not demo and live and roll < CURRENT_PENDING:
                    status = RegistrationStatus.PENDING
                elif not demo and roll > 1 - REJECTED:
                    status = rules.REGISTRATION.target(RegistrationStatus.PENDING, "reject")
                rows.append(self._registration(member, term, role, status))
                if status == RegistrationStatus.CONFIRMED:
                    self.pools[(community, term)].append((member, role))
                    self.confirmed[(member.pk, term)] = community
        insert_rows(Registration, rows)
        s = self.summary
        s.registrations = len(rows)
        s.confirmed = sum(1 for r in rows if r["status"] == RegistrationStatus.CONFIRMED)
        active = sum(1 for m in self.members if m.status == MemberStatus.ACTIVE)
        current = sum(1 for (_m, term) in self.confirmed if term == self.current)
        s.report_rate = rules.report_rate(current, active)

    def _registration(self, member: Member, term: Term, role: str, status: str) -> dict:
        rng = self.rng
        # renewals open a month before the half-year; most register in its first weeks
        first = term.start - datetime.timedelta(days=30)
        last = min(term.start + datetime.timedelta(days=45), self.yesterday)
        if status == RegistrationStatus.PENDING:
            first = max(first, self.today - datetime.timedelta(days=10))
        created = self._moment(self._day(first, max(first, last)), (7, 30), (22, 0))
        created = self._past(created, created - datetime.timedelta(days=1))
        decided_at = None
        if status != RegistrationStatus.PENDING:
            decided_at = self._past(
                created + datetime.timedelta(hours=rng.randint(2, 120)), created
            )
        first_worker, second_worker = self.workers[member.home_community_id]
        return dict(
            member_id=member.pk,
            community_id=member.home_community_id,
            year=term.year,
            half=term.half,
            role=role,
            note=rng.choice(NOTES) if rng.random() < 0.2 else "",
            status=status,
            decided_by_id=(
                (first_worker if rng.random() < 0.7 else second_worker).pk if decided_at else None
            ),
            decided_at=decided_at,
            reject_reason=rng.choice(REJECT_REASONS)
            if status == RegistrationStatus.REJECTED
            else "",
            created_at=created,
            updated_at=decided_at or created,
        )

    # -- activities ---------------------------------------------------------------------------

    def _slot(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """Weekday evenings, weekend mornings or afternoons; 1.5 to 3.5 hours."""
        rng = self.rng
        weekend = [(8, 30), (9, 0), (14, 0), (14, 30)]
        start = (19, 0) if day.weekday() < 5 else rng.choice(weekend)
        starts = datetime.datetime.combine(day, datetime.time(*start), tzinfo=self.tz)
        length = datetime.timedelta(minutes=rng.choice([90, 120, 120, 150, 180, 210]))
        return starts, starts + length

    def _activity(self, community: Division, day: datetime.date, role: str) -> Activity:
        rng = self.rng
        starts, ends = self._slot(day)
        title, description = rng.choice(ACTIVITIES[role])
        places = PLACES if community.kind == DivisionKind.COMMUNITY else VILLAGE_PLACES
        name = community.name.removesuffix("社区")
        created = self._moment(day - datetime.timedelta(days=rng.randint(3, 14)))
        first, second = self.workers[community.pk]
        return Activity(
            community_id=community.pk,
            title=title,
            description=description,
            role=role,
            starts_at=starts,
            ends_at=ends,
            place=f"{name}{rng.choice(places)}",
            places=0,
            signed_up=0,
            status=ActivityStatus.PUBLISHED,
            code_secret=f"{rng.getrandbits(128):032x}",
            created_by_id=(first if rng.random() < 0.7 else second).pk,
            created_at=min(created, self.now - datetime.timedelta(hours=1)),
            updated_at=min(created, self.now - datetime.timedelta(hours=1)),
        )

    def _attendees(self, pool: list[tuple[Member, str]], role: str, n: int) -> list[Member]:
        """`n` members of the pool, mostly of the activity's role."""
        rng = self.rng
        if role == ActivityRole.ALL:
            return [m for m, _r in rng.sample(pool, n)]
        mine = [m for m, r in pool if r == role]
        others = [m for m, r in pool if r != role]
        take = min(len(mine), round(n * 0.7))
        chosen = rng.sample(mine, take)
        chosen += rng.sample(others, min(len(others), n - take))
        if len(chosen) < n:
            taken = {m.pk for m in chosen}
            rest = [m for m in mine if m.pk not in taken]
            chosen += rng.sample(rest, n - len(chosen))
        return chosen

    def build_activities(self) -> None:
        rng = self.rng
        communities = {c.pk: c for c in self.communities}
        # Person-times over (community, half-year), by how many members serve there and for
        # how many days of the half-year up to yesterday.
        cells = []
        for (community_id, term), pool in sorted(
            self.pools.items(), key=lambda item: (item[0][0], item[0][1])
        ):
            first = max(term.start, self.first)
            last = min(term.end, self.yesterday)
            if first <= last:
                cells.append((community_id, term, pool, first, last))
        total = round(PERSON_TIMES * self.scale)
        weights = [len(pool) * ((last - first).days + 1) for _c, _t, pool, first, last in cells]
        counts = weighted_counts(total, weights, minimum=0) if cells else []
        roles = list(ActivityRole)
        self.activities: list[Activity] = []
        self.plans: list[tuple[Activity, list[Member], list[Member], list[Member]]] = []
        xujiacao = next((pk for pk, c in communities.items() if c.name == XUJIACAO), None)
        for (community_id, _term, pool, first, last), count in zip(cells, counts, strict=True):
            community = communities[community_id]
            left = count
            while left > 0:
                n = min(left, rng.randint(4, 22), len(pool))
                day = self._day(first, last)
                role = rng.choice(roles)
                activity = self._activity(community, day, role)
                came = self._attendees(pool, role, n)
                if community_id == xujiacao:
                    came = self._with_demo_member(came, pool)
                self._plan(activity, came, pool)
                left -= n
            if rng.random() < CANCELLED_ACTIVITY * 8:
                self._plan_cancelled(community, first, last, pool)
        # Activities ahead, with sign-ups: always two where `member_demo` serves (it is signed up
        # to them, whatever the date) and at 徐家漕, elsewhere none to two.
        demo_home = self.confirmed.get((self.demo_member_id, self.current))
        for (community_id, term), pool in self.pools.items():
            if term == self.current:
                always = community_id in (xujiacao, demo_home)
                ahead = 2 if always else rng.choice([0, 0, 1, 1, 2])
                for _ in range(ahead):
                    self._plan_ahead(communities[community_id], pool)

    def _with_demo_member(self, came: list[Member], pool) -> list[Member]:
        """`member_demo` comes to about half of its community's activities."""
        demo = next((m for m, _r in pool if m.pk == self.demo_member_id), None)
        if demo is None or any(m.pk == demo.pk for m in came) or self.rng.random() < 0.5:
            return came
        return [*came[:-1], demo]

    def _plan(self, activity: Activity, came: list[Member], pool) -> None:
        """Sign-ups: everyone who came, some who did not, a few cancelled in time."""
        rng = self.rng
        extra = sum(1 for _ in came if rng.random() < NO_SHOW + NO_CHECK_IN + CANCELLED_SIGNUP)
        here = {m.pk for m in came}
        others = [m for m, _r in pool if m.pk not in here]
        absent = rng.sample(others, min(len(others), extra))
        share = CANCELLED_SIGNUP / (NO_SHOW + NO_CHECK_IN + CANCELLED_SIGNUP)
        cancelled = [m for m in absent if rng.random() < share]
        gone = {m.pk for m in cancelled}
        signed = len(came) + len(absent) - len(cancelled)
        activity.places = signed + rng.choice([0, 0, 2, 5, 10])
        activity.signed_up = signed
        self.activities.append(activity)
        self.plans.append((activity, came, [m for m in absent if m.pk not in gone], cancelled))

    def _plan_cancelled(self, community: Division, first, last, pool) -> None:
        activity = self._activity(
            community, self._day(first, last), self.rng.choice(list(ActivityRole))
        )
        activity.status = rules.ACTIVITY.target(activity.status, "cancel")
        activity.cancel_reason = self.rng.choice(CANCEL_REASONS)
        activity.cancelled_at = self._past(
            activity.starts_at - datetime.timedelta(hours=self.rng.randint(3, 48)),
            activity.created_at,
        )
        activity.updated_at = activity.cancelled_at
        waiting = [m for m, _r in self.rng.sample(pool, min(len(pool), self.rng.randint(0, 6)))]
        activity.places = len(waiting) + 10
        activity.signed_up = len(waiting)
        self.activities.append(activity)
        self.plans.append((activity, [], waiting, []))

    def _plan_ahead(self, community: Division, pool) -> None:
        rng = self.rng
        day = self.today + datetime.timedelta(days=rng.randint(1, 14))
        activity = self._activity(community, day, rng.choice(list(ActivityRole)))
        created = self._moment(self.today - datetime.timedelta(days=rng.randint(1, 5)))
        activity.created_at = activity.updated_at = created
        waiting = [m for m, _r in rng.sample(pool, min(len(pool), rng.randint(0, 12)))]
        demo = next((m for m, _r in pool if m.pk == self.demo_member_id), None)
        if demo is not None and demo not in waiting:
            waiting.append(demo)
        activity.places = len(waiting) + rng.choice([2, 5, 10, 20])
        activity.signed_up = len(waiting)
        self.activities.append(activity)
        self.plans.append((activity, [], waiting, []))

    # -- sign-ups, check-ins, hours -----------------------------------------------------------

    def _signup(self, activity: Activity, member: Member, status=SignupStatus.SIGNED_UP):
        """Signed up between the posting and the start (or now); a cancellation before the
        start."""
        rng, opened, starts = self.rng, activity.created_at, activity.starts_at
        at = opened + (min(starts, self.now) - opened) * rng.random() * 0.9
        cancelled_at = None
        if status == SignupStatus.CANCELLED:
            cancelled_at = self._past(at + (starts - at) * rng.random() * 0.9, at)
        return {
            "activity_id": activity.pk,
            "member_id": member.pk,
            "status": status,
            "signed_up_at": at,
            "cancelled_at": cancelled_at,
        }

    def _attendance(self, activity: Activity, member: Member):
        """The check-in and check-out around the activity's time, and what a worker added by
        hand: (attendance, hours added or None, why)."""
        rng = self.rng
        starts, ends = activity.starts_at, activity.ends_at
        came_in = starts + datetime.timedelta(seconds=rng.randint(-25 * 60, 15 * 60))
        attendance = {
            "activity_id": activity.pk,
            "member_id": member.pk,
            "checked_in_at": came_in,
            "checked_out_at": None,
            "hours": None,
        }
        if rng.random() < NO_CHECK_OUT:
            return attendance, rules.checkin_hours(came_in, ends, starts, ends), "out"
        went = ends + datetime.timedelta(seconds=rng.randint(-20 * 60, 25 * 60))
        hours = rules.checkin_hours(came_in, went, starts, ends)
        attendance.update(checked_out_at=went, hours=hours)
        allowance = rules.manual_allowance(activity.length_hours, hours, rules.ZERO_HOURS)
        if rng.random() < STAYED_ON and allowance > 0:
            return attendance, min(allowance, Decimal("0.5")), "stay"
        return attendance, None, ""

    def write_activities(self) -> None:
        rng = self.rng
        with historic_timestamps(Activity):
            bulk.insert(Activity, self.activities)
        signups, attendances, manual = [], [], []
        self.hours: dict[tuple[int, Term], Decimal] = defaultdict(Decimal)
        came_anyway = NO_CHECK_IN / (NO_SHOW + NO_CHECK_IN)
        for activity, came, waiting, cancelled in self.plans:
            term = Term.of(timezone.localtime(activity.starts_at).date())
            worker = activity.created_by_id
            over = activity.status == ActivityStatus.PUBLISHED and activity.ends_at < self.now
            for member in came:
                signups.append(self._signup(activity, member))
                attendance, added, why = self._attendance(activity, member)
                attendances.append(attendance)
                self.hours[(member.pk, term)] += attendance["hours"] or 0
                if added:
                    manual.append(self._manual(activity, member, added, why, worker))
                    self.hours[(member.pk, term)] += added
            for member in waiting:
                signups.append(self._signup(activity, member))
                if over and rng.random() < came_anyway:  # came, but could not check in
                    length = activity.length_hours
                    manual.append(self._manual(activity, member, length, "in", worker))
                    self.hours[(member.pk, term)] += length
            for member in cancelled:
                gave_back = rules.SIGNUP.target(SignupStatus.SIGNED_UP, "withdraw")
                signups.append(self._signup(activity, member, gave_back))
        insert_rows(ActivitySignup, signups)
        insert_rows(Attendance, attendances)
        insert_rows(ManualHours, manual)
        s = self.summary
        s.activities = len(self.activities)
        s.signups = sum(1 for x in signups if x["status"] == SignupStatus.SIGNED_UP)
        s.person_times = len(attendances)
        s.checkin_hours = sum((a["hours"] or 0 for a in attendances), Decimal(0))
        s.manual_hours = sum((m["hours"] for m in manual), Decimal(0))

    def _manual(self, activity, member, hours, why, worker) -> dict:
        at = activity.ends_at + datetime.timedelta(hours=self.rng.randint(12, 72))
        at = self._past(at, activity.ends_at)
        return dict(
            activity_id=activity.pk,
            member_id=member.pk,
            hours=hours,
            reason=MANUAL_REASONS[why],
            added_by_id=worker,
            added_at=at,
        )

    # -- ratings ------------------------------------------------------------------------------

    def build_ratings(self) -> None:
        """The last completed half-year: every member confirmed there is rated (all of them a
        month after it ended; before that, most)."""
        rng = self.rng
        term = self.current.previous()
        share = 1.0 if (self.today - term.end).days > 30 else 0.6
        rows = []
        for (member_id, rated_term), community_id in self.confirmed.items():
            if rated_term != term:
                continue
            demo = member_id == self.demo_member_id
            if not demo and rng.random() > share:
                continue
            hours = self.hours.get((member_id, term), Decimal(0))
            grade = self._grade(hours, demo)
            first = term.end + datetime.timedelta(days=1)
            last = min(term.end + datetime.timedelta(days=20), self.yesterday)
            at = self._past(self._moment(self._day(first, max(first, last))), _midnight(first))
            worker = self.workers[community_id][0 if rng.random() < 0.7 else 1]
            rows.append(
                dict(
                    member_id=member_id,
                    community_id=community_id,
                    year=term.year,
                    half=term.half,
                    grade=grade,
                    comment=rng.choice(COMMENTS[grade]) if rng.random() < 0.6 else "",
                    rated_by_id=worker.pk,
                    created_at=at,
                    updated_at=at,
                )
            )
        insert_rows(Rating, rows)
        self.summary.ratings = len(rows)

    def _grade(self, hours: Decimal, demo: bool) -> str:
        rng = self.rng
        if demo:
            return Grade.EXCELLENT
        if hours <= 0:
            return rng.choices(
                [Grade.COMPETENT, Grade.BASIC, Grade.INCOMPETENT], weights=[45, 48, 7]
            )[0]
        excellent = min(0.6, 0.1 + 0.04 * float(hours))
        return rng.choices(
            [Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC],
            weights=[excellent, 0.97 - excellent, 0.03],
        )[0]

    def build(self) -> CommunityDemoSummary:
        self.build_registrations()
        self.build_activities()
        self.write_activities()
        self.build_ratings()
        return self.summary


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
