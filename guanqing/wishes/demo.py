"""微心愿 demo data: a year of micro-wishes across the demo communities, and the wall as it stands
today.

The demo builder of order 30 (`build`, registered in `WishesConfig.ready`): it runs after the
registry and pairing demos, inside the same transaction and from the same seed, and reads their
rows from the database. Like the rest of the demo this is seed data: rows are bulk-created, not
written through the services (they would audit every row), and the demo's one audit event carries
the counts built here. Every wish still tells its story the way the
services would have written it: each step is a `WishEvent` whose statuses follow the state machine
of `guanqing.wishes.models`, with who and when.

The story the data tells (the 2014 Ningbo Daily article: "6,550 members claimed 4,819 micro-wishes"):
- Over the year up to today (`demo_period`), exactly 4,819 wishes were claimed by exactly 6,550
  distinct members at scale 1 (both scale with the data set). Some wishes take two or three members
  together; a few members claimed more than one wish over the year, never holding more than the
  allowed number of unfulfilled claims at once.
- Most claimed wishes are fulfilled and confirmed, by a community worker or by the resident with
  the one-time code; some await confirmation, some are full or half-claimed on the wall now, a
  few went back to the wall after a claim was withdrawn or lapsed, a few expired.
- Unclaimed: wishes waiting for approval, open on the wall, expired, rejected or taken back.
- 张国宝 (77, an amputee, 徐家漕社区) wished to see 东钱湖 again: three members of 市纪委, the
  `member_demo` account among them, made it happen and he confirmed it with his code.
- `member_demo` holds an active claim, and another one ran out yesterday: the daily job that the
  demo runs once the data is loaded lapses it (the wish goes back on the wall) and tells the member
  and 徐家漕's workers. The `community_xujiacao` account has wishes to approve that its colleague,
  the `community_xujiacao2` demo account, posted.

Every community has two worker accounts, made by the registry demo (found through
`guanqing.core.demo.shared.community_workers`): wishes are posted by one and approved by the other
(or the committee), as the services require. Only 徐家漕's can sign in.

张国宝's trip lies on the day of the pairing demo's visit to 东钱湖, which the pairing demo leaves
in `DemoContext.story_days` (the two records tell the same day), when that day lies in the year;
otherwise three weeks ago.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from guanqing.accounts.models import User
from guanqing.core import bulk
from guanqing.core.demo import DemoContext
from guanqing.core.demo.province import Volume
from guanqing.core.demo.shared import community_workers, historic_timestamps, insert_rows, surname
from guanqing.core.roles import Role
from guanqing.registry.choices import DivisionLevel, HouseholdStatus, MemberStatus, Relation
from guanqing.registry.models import Division, Household, Member, Person, Unit
from guanqing.wishes import selectors
from guanqing.wishes.choices import ClaimStatus, EventKind, WishCategory, WishStatus
from guanqing.wishes.models import Wish, WishClaim, WishEvent, WishFulfilment
from guanqing.wishes.services import RESIDENT, SYSTEM

# At a province's scale: half a million wishes, their claims and events with them.
PROVINCE = Volume(targets={"Wish": 500_000})

CLAIMED_WISHES = 4_819  # the article: 6550名党员认领微心愿4819个
CLAIMANTS = 6_550
XUJIACAO = "徐家漕社区"
ZHANG = "张国宝"
ZHANG_UNIT = "市纪委"

# Shares of the claimed wishes by how their story stands today; the rest are confirmed.
LIVE_SHARES = {"full": 0.03, "partial": 0.015, "reopened": 0.01, "lapsed": 0.01, "awaiting": 0.03}
# Unclaimed wishes, per 4,819 claimed ones.
UNCLAIMED = {"pending": 40, "open": 170, "expired": 60, "rejected": 25, "cancelled": 20}
CAPACITY_WEIGHTS = {1: 65, 2: 20, 3: 15}
EXTRA_CLAIM_SHARE = 0.07  # confirmed wishes that saw a claim withdrawn or lapse first
RESIDENT_CONFIRMS = 0.25  # confirmations the resident made with the one-time code
HOUSEHOLD_SHARE = 0.6  # wishes for a registered household in difficulty

# (category, title, story, what the members did, cost range in 元)
CATALOGUE: list[tuple[str, str, str, str, int, int]] = [
    (
        WishCategory.GOODS,
        "一台电饭煲",
        "{who}家的电饭煲用了十几年，已经坏了，想换一台新的。",
        "买来一台新电饭煲送到家中，教{who}使用。",
        150,
        400,
    ),
    (
        WishCategory.GOODS,
        "一床厚棉被",
        "{who}住的老房子冬天阴冷，想要一床厚实的棉被过冬。",
        "送去一床新棉被和一套床单被套。",
        150,
        350,
    ),
    (
        WishCategory.GOODS,
        "一台取暖器",
        "{who}年纪大了怕冷，家里没有取暖设备。",
        "买来取暖器送到家中，检查了插座和线路，叮嘱用电安全。",
        200,
        500,
    ),
    (
        WishCategory.GOODS,
        "一辆轻便轮椅",
        "{who}行动不便，想要一辆轻便的轮椅，能自己到楼下晒晒太阳。",
        "买来轻便轮椅送到家中，调好高度，陪{who}到楼下走了一圈。",
        400,
        1500,
    ),
    (
        WishCategory.GOODS,
        "一台洗衣机",
        "{who}腰不好，手洗衣服很吃力，想要一台洗衣机。",
        "买来一台洗衣机，联系师傅上门安装。",
        800,
        2000,
    ),
    (
        WishCategory.GOODS,
        "一部老年手机",
        "{who}想要一部字大、声音响的老年手机，方便和子女联系。",
        "买来老年手机，存好子女和社区的电话，教会{who}接打电话。",
        150,
        400,
    ),
    (
        WishCategory.STUDY,
        "一套课外书",
        "{who}家的孩子读小学四年级，爱看书，想要一套课外书。",
        "挑选了一套适合小学生的课外书送到孩子手中，还陪孩子读了一会儿书。",
        100,
        300,
    ),
    (
        WishCategory.STUDY,
        "一张书桌和一盏台灯",
        "{who}家的孩子一直在床边写作业，想要一张书桌和一盏护眼台灯。",
        "买来书桌和护眼台灯，上门安装好。",
        300,
        800,
    ),
    (
        WishCategory.STUDY,
        "一台学习用的电脑",
        "{who}家的孩子读高中，上网课和查资料需要一台电脑。",
        "凑钱买了一台笔记本电脑，装好学习软件送到孩子手中。",
        2000,
        3000,
    ),
    (
        WishCategory.STUDY,
        "一本新华字典和英汉词典",
        "{who}家的孩子刚上初中，想要一本新华字典和一本英汉词典。",
        "买来字典和词典送到孩子手中，鼓励孩子好好学习。",
        50,
        120,
    ),
    (
        WishCategory.STUDY,
        "一个新书包和一套文具",
        "{who}家的孩子的书包已经破了，想要一个新书包。",
        "开学前送去新书包和一套文具。",
        80,
        200,
    ),
    (
        WishCategory.STUDY,
        "报名一期面点技能培训",
        "{who}想学面点手艺，找一份工作，希望有人帮忙报名技能培训班。",
        "帮助报名面点技能培训班并垫付了学费。",
        500,
        1500,
    ),
    (
        WishCategory.TRIP,
        "去天一阁看看",
        "{who}在宁波住了一辈子，还没进过天一阁。",
        "陪{who}参观天一阁，拍了几张照片洗出来送给{who}。",
        100,
        400,
    ),
    (
        WishCategory.TRIP,
        "到老外滩走一走",
        "{who}腿脚不便，好几年没出过门，想到老外滩走一走。",
        "借来轮椅，陪{who}到老外滩走了走。",
        100,
        300,
    ),
    (
        WishCategory.TRIP,
        "坐一次高铁去杭州看西湖",
        "{who}从没坐过高铁，想去杭州看看西湖。",
        "买好往返车票，陪{who}坐高铁去杭州游览西湖。",
        600,
        2000,
    ),
    (
        WishCategory.TRIP,
        "去溪口看看",
        "{who}年轻时在溪口工作过，想回去看看。",
        "包车陪{who}到溪口走了一趟。",
        300,
        1000,
    ),
    (
        WishCategory.HEALTH,
        "做一次全面体检",
        "{who}身体一直不太好，想做一次全面体检。",
        "联系医院预约体检，陪{who}做完体检并取回报告。",
        300,
        800,
    ),
    (
        WishCategory.HEALTH,
        "配一副助听器",
        "{who}耳朵背，听不清电话，想配一副助听器。",
        "陪{who}到医院验配助听器。",
        1500,
        3000,
    ),
    (
        WishCategory.HEALTH,
        "配一副老花镜",
        "{who}眼睛花了，看不清药盒上的字。",
        "陪{who}到眼镜店验光，配好老花镜。",
        50,
        200,
    ),
    (
        WishCategory.HEALTH,
        "一台电子血压计",
        "{who}有高血压，想在家里自己量血压。",
        "买来电子血压计，教会{who}使用和记录。",
        150,
        300,
    ),
    (
        WishCategory.HEALTH,
        "修补假牙",
        "{who}的假牙坏了，吃饭很困难。",
        "陪{who}到口腔医院修补假牙。",
        500,
        2000,
    ),
    (
        WishCategory.SERVICE,
        "修好漏水的屋顶",
        "{who}家的屋顶一下雨就漏水。",
        "请来师傅修好屋顶，换了几块瓦片。",
        800,
        2500,
    ),
    (
        WishCategory.SERVICE,
        "更换老化的电线",
        "{who}家的电线老化，经常跳闸。",
        "请电工上门更换了老化电线和插座。",
        500,
        1500,
    ),
    (
        WishCategory.SERVICE,
        "帮忙粉刷房间",
        "{who}家的墙皮脱落，想把房间粉刷一下。",
        "利用周末上门把房间粉刷一新。",
        600,
        1500,
    ),
    (
        WishCategory.SERVICE,
        "修好家里的热水器",
        "{who}家的热水器坏了，冬天洗澡成了难题。",
        "请师傅上门修好热水器。",
        200,
        800,
    ),
    (
        WishCategory.SERVICE,
        "陪同去医院复查",
        "{who}一个人去医院不方便，想有人陪着去复查。",
        "陪{who}到医院复查，帮忙挂号、取药。",
        50,
        200,
    ),
    (
        WishCategory.OTHER,
        "拍一张全家福",
        "{who}一家从没拍过全家福。",
        "联系照相馆为{who}一家拍了全家福，装好相框送到家中。",
        300,
        800,
    ),
    (
        WishCategory.OTHER,
        "过一个热闹的生日",
        "{who}一个人生活，想热热闹闹过一次生日。",
        "买来生日蛋糕和长寿面，陪{who}过了一个热闹的生日。",
        150,
        400,
    ),
    (
        WishCategory.OTHER,
        "订一年的《宁波日报》",
        "{who}退休前是老师，喜欢读报，想订一年的报纸。",
        "为{who}订了一年的《宁波日报》。",
        300,
        500,
    ),
]

ZHANG_WISH = (
    WishCategory.TRIP,
    "再去看一次东钱湖",
    "张大爷今年77岁，多年前因事故左下肢截肢，一个人生活，平时几乎不出小区大门。他小时候常在"
    "东钱湖边玩耍，一直想再去看看。需要轮椅和车辆，还需要有人陪同。",
    "市纪委三名党员借来轮椅、联系好车辆，陪张大爷到东钱湖走了走，了却他多年的心愿。",
    800,
    800,
)
DEMO_MEMBER_WISH = "帮忙粉刷房间"  # two members; `member_demo` holds one place
DEMO_LAPSING_WISH = "修好漏水的屋顶"  # `member_demo`'s claim that ran out yesterday

WITHDRAW_REASONS = [
    "临时被派出差一个月，无法按时实现",
    "工作任务调整，时间安排不开",
    "家中老人住院，需要照顾",
    "与同事重复认领，主动让出名额",
]
REJECT_REASONS = [
    "已由民政部门通过临时救助解决",
    "费用超出微心愿范围，建议申请其他救助",
    "信息不完整，请核实后重新发布",
]
CANCEL_REASONS = ["居民已搬离本社区", "亲属已帮助解决", "居民身体原因，暂不需要"]
CONFIRM_NOTES = ["已上门回访，居民很满意", "电话回访，居民表示感谢", "居民当面确认心愿已实现", ""]


@dataclass
class WishDemoSummary:
    first: datetime.date | None = None
    last: datetime.date | None = None
    wishes: int = 0
    claimed: int = 0
    claims: int = 0
    claimants: int = 0
    events: int = 0
    money_spent: Decimal = Decimal(0)
    by_status: dict = field(default_factory=dict)

    def as_changes(self) -> dict:
        return {
            "wishes": [None, self.wishes],
            "wishes_claimed": [None, self.claimed],
            "wish_claimants": [None, self.claimants],
            "wish_events": [None, self.events],
        }

    def describe(self) -> str:
        """One line for `guanqing demo`: the article's figure, and the wall today."""
        s = self.by_status
        wall = s.get(WishStatus.PUBLISHED, 0) + s.get(WishStatus.FULL, 0)
        return gettext(
            "%(first)s至%(last)s %(claimants)s 名党员认领微心愿 %(claimed)s 个（%(claims)s 人次），"
            "%(confirmed)s 个已确认；心愿墙上 %(wall)s 个，待审核 %(pending)s 个"
        ) % {
            **vars(self),
            "confirmed": s.get(WishStatus.CONFIRMED, 0),
            "wall": wall,
            "pending": s.get(WishStatus.PENDING, 0),
        }


def demo_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The year up to today (365 days, both ends included): the demo's wishes and claims."""
    return today - datetime.timedelta(days=364), today


def build(ctx: DemoContext) -> WishDemoSummary:
    return _WishBuilder(ctx).build()


# ---------------------------------------------------------------------------------------------
# The plan of one wish: its claims and its steps, before members are dealt out
# ---------------------------------------------------------------------------------------------


@dataclass
class _Claim:
    wish: _Wish
    at: datetime.datetime
    due_on: datetime.date
    ends: datetime.datetime | None = None  # withdrawn, lapsed or fulfilled; None: still active
    member: Member | None = None
    status: str = ClaimStatus.ACTIVE
    reason: str = ""
    row: WishClaim | None = None


@dataclass
class _Step:
    at: datetime.datetime
    kind: str
    claim: _Claim | None = None
    actor: User | None = None  # a worker or the committee; None for members, the job, residents
    actor_name: str = ""
    note: str = ""
    statuses: tuple[str, str] = ("", "")  # before and after, set when the story is played


@dataclass
class _Wish:
    community: Division
    workers: tuple[User, User]
    template: tuple
    who: str
    household_id: int | None
    capacity: int
    deadline: datetime.date
    cost: int
    steps: list[_Step] = field(default_factory=list)
    claims: list[_Claim] = field(default_factory=list)
    money: int = 0
    fulfiller: _Claim | None = None


class _Clock:
    """Times of one wish's story, strictly increasing within it."""

    def __init__(self, rng: random.Random, tz):
        self.rng, self.tz = rng, tz
        self.cursor: datetime.datetime | None = None

    def at(self, day: datetime.date, lo=(8, 30), hi=(17, 30)) -> datetime.datetime:
        start = lo[0] * 60 + lo[1]
        end = hi[0] * 60 + hi[1]
        minute = self.rng.randrange(start, end)
        moment = datetime.datetime.combine(
            day, datetime.time(minute // 60, minute % 60, self.rng.randrange(60)), tzinfo=self.tz
        )
        if self.cursor is not None and moment <= self.cursor:
            moment = self.cursor + datetime.timedelta(minutes=self.rng.randint(3, 40))
        self.cursor = moment
        return moment

    def night(self, day: datetime.date) -> datetime.datetime:
        """The daily job's run on `day`."""
        moment = datetime.datetime.combine(day, datetime.time(1, 0), tzinfo=self.tz)
        if self.cursor is not None and moment <= self.cursor:
            moment = self.cursor + datetime.timedelta(minutes=1)
        self.cursor = moment
        return moment


MEMBER_HOURS = ((7, 30), (21, 30))
DAY = datetime.timedelta(days=1)


class _WishBuilder:
    def __init__(self, ctx: DemoContext):
        # One draw from the demo's generator seeds this one: same seed, same wishes.
        self.rng = ctx.fork()
        # The next draw is the one the community workers' names come from (the registry demo
        # makes them): left untaken here, so that a seed still gives the same data set.
        ctx.rng.random()
        self.scale = ctx.scale
        self.today = ctx.today
        self.trip_day = ctx.story_days.get("zhang_lake_trip")
        # The registry demo's rows, in the order it made them.
        self.members: list[Member] = list(Member.objects.order_by("pk"))
        self.communities: list[Division] = list(
            Division.objects.filter(level=DivisionLevel.COMMUNITY).order_by("pk")
        )
        self.yesterday = self.today - DAY
        self.first, self.last = demo_period(self.today)
        self.tz = timezone.get_current_timezone()
        self.config = selectors.wish_settings()
        self.period = datetime.timedelta(days=self.config.claim_period_days)
        self.workers = community_workers()
        self.committee = User.objects.get(username="committee")
        self.accounts = {
            u.member_id: u
            for u in User.objects.filter(member__isnull=False).select_related("member")
        }
        self.demo_user = User.objects.filter(username="member_demo").first()
        self.summary = WishDemoSummary(first=self.first, last=self.last)
        self.wishes: list[_Wish] = []

    # -- helpers ------------------------------------------------------------------------------

    def _days(self, a: int, b: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(a, b))

    def _between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))

    def _count(self, share: float, total: int) -> int:
        n = round(share * total)
        return max(n, 1) if total >= 20 else n

    def _claimable(self) -> list[Member]:
        """Active members who may claim: no account, or a member account (a window clerk's
        account claims nothing)."""
        return [
            m
            for m in self.members
            if m.status == MemberStatus.ACTIVE
            and (m.pk not in self.accounts or self.accounts[m.pk].role == Role.MEMBER)
        ]

    # -- where and for whom ---------------------------------------------------------------------

    def _load_places(self) -> None:
        heads = dict(
            Person.objects.filter(relation=Relation.HEAD).values_list("household_id", "birth_date")
        )
        self.households: dict[int, list[tuple]] = defaultdict(list)
        self.zhang = None
        for pk, community_id, name, gender in Household.objects.filter(
            status=HouseholdStatus.ACTIVE
        ).values_list("pk", "community_id", "head_name", "head_gender"):
            birth = heads.get(pk)
            age = (self.today - birth).days // 365 if birth else 60
            self.households[community_id].append((pk, name, gender, age))
            if name == ZHANG:
                self.zhang = pk
        communities = self.communities
        self.community_weights = [len(self.households.get(c.pk, ())) + 3 for c in communities]
        self.xujiacao = next((c for c in communities if c.name == XUJIACAO), communities[0])

    def _who(self, name: str, gender: str, age: int) -> str:
        surname = name[0]
        if age >= 70:
            return surname + ("大爷" if gender == "male" else "奶奶")
        if age >= 50:
            return surname + ("伯伯" if gender == "male" else "阿姨")
        return surname + ("师傅" if gender == "male" else "阿姨")

    def _new_wish(self, community: Division | None = None, template=None, capacity=None) -> _Wish:
        rng = self.rng
        if community is None:
            community = rng.choices(self.communities, weights=self.community_weights)[0]
        template = template or rng.choice(CATALOGUE)
        household_id, who = None, None
        homes = self.households.get(community.pk, [])
        if homes and rng.random() < HOUSEHOLD_SHARE:
            pk, name, gender, age = rng.choice(homes)
            if name != ZHANG:
                household_id, who = pk, self._who(name, gender, age)
        if who is None:
            who = surname(rng) + rng.choice(["大爷", "奶奶", "阿姨", "伯伯"])
        if capacity is None:
            capacity = rng.choices(list(CAPACITY_WEIGHTS), weights=CAPACITY_WEIGHTS.values())[0]
        low, high = template[4], template[5]
        cost = rng.randrange(low, high + 1, 10) if high > low else low
        wish = _Wish(
            community=community,
            workers=self.workers[community.pk],
            template=template,
            who=who,
            household_id=household_id,
            capacity=capacity,
            deadline=self.today,
            cost=cost,
        )
        self.wishes.append(wish)
        return wish

    def _worker_steps(self, wish: _Wish, clock: _Clock, posted: datetime.date, *, poster=None):
        """Posted by one worker, and who reviews it: the other worker, or the committee."""
        first, second = wish.workers
        poster = poster or (first if self.rng.random() < 0.7 else second)
        reviewer = second if poster is first else first
        if self.rng.random() < 0.15:
            reviewer = self.committee
        wish.steps.append(_Step(clock.at(posted), EventKind.POSTED, actor=poster))
        return poster, reviewer

    def _claim(self, wish: _Wish, clock: _Clock, day: datetime.date) -> _Claim:
        at = clock.at(day, *MEMBER_HOURS)
        claim = _Claim(wish=wish, at=at, due_on=min(day + self.period, wish.deadline))
        wish.claims.append(claim)
        wish.steps.append(_Step(at, EventKind.CLAIMED, claim=claim))
        return claim

    def _withdraw(self, wish: _Wish, clock: _Clock, claim: _Claim, day: datetime.date) -> None:
        at = clock.at(day, *MEMBER_HOURS)
        claim.status, claim.ends = ClaimStatus.WITHDRAWN, at
        claim.reason = self.rng.choice(WITHDRAW_REASONS)
        wish.steps.append(_Step(at, EventKind.WITHDRAWN, claim=claim, note=claim.reason))

    def _lapse(self, wish: _Wish, clock: _Clock, claim: _Claim) -> None:
        at = clock.night(claim.due_on + DAY)
        claim.status, claim.ends = ClaimStatus.LAPSED, at
        wish.steps.append(_Step(at, EventKind.LAPSED, claim=claim, actor_name=SYSTEM))

    def _fulfil(self, wish: _Wish, clock: _Clock, day: datetime.date, by: _Claim | None = None):
        at = clock.at(day, *MEMBER_HOURS)
        active = [c for c in wish.claims if c.ends is None]
        wish.fulfiller = by or self.rng.choice(active)
        for claim in active:
            claim.status, claim.ends = ClaimStatus.FULFILLED, at
        spent = wish.cost * self.rng.uniform(0.8, 1.1)
        wish.money = max(10, min(3000, int(round(spent, -1))))
        wish.steps.append(_Step(at, EventKind.FULFILLED, claim=wish.fulfiller))

    def _confirm(self, wish: _Wish, clock: _Clock, f: datetime.date, resident: bool, room: int):
        """Confirmed by a worker, or by the resident with the code a worker handed over; at most
        `room` days after the fulfilment on `f`."""
        worker = self.rng.choice(wish.workers)
        if resident:
            link = f + self._days(0, min(2, room))
            wish.steps.append(_Step(clock.at(link), EventKind.LINK_ISSUED, actor=worker))
            day = link + self._days(0, min(2, room - (link - f).days))
            wish.steps.append(
                _Step(
                    clock.at(day, *MEMBER_HOURS),
                    EventKind.CONFIRMED,
                    actor_name=RESIDENT,
                    note="居民通过确认码确认",
                )
            )
        else:
            note = self.rng.choice(CONFIRM_NOTES)
            day = f + self._days(0, min(5, room))
            wish.steps.append(_Step(clock.at(day), EventKind.CONFIRMED, actor=worker, note=note))

    def _shift(self, wish: _Wish, days: int) -> None:
        """Move a story planned on a base date to where it belongs in the year."""
        delta = datetime.timedelta(days=days)
        wish.deadline += delta
        for step in wish.steps:
            step.at += delta
        for claim in wish.claims:
            claim.at += delta
            claim.due_on += delta
            if claim.ends is not None:
                claim.ends += delta

    def _place(self, wish: _Wish, last: datetime.date, earliest=None, latest=None) -> None:
        """Shift a story planned from `self.first` so that it lies between the start of the year
        (or `earliest`) and `latest` (default yesterday); `last` is its last day as planned."""
        latest = latest or self.yesterday
        room = (latest - last).days
        low = ((earliest or self.first) - self.first).days
        self._shift(wish, self.rng.randint(min(low, room), room) if room > 0 else max(room, 0))

    # -- stories of claimed wishes --------------------------------------------------------------

    def _story_done(
        self,
        wish: _Wish,
        *,
        confirmed: bool,
        team: bool = False,
        poster: User | None = None,
        resident: bool | None = None,
        fulfil_on: datetime.date | None = None,
    ) -> None:
        """Posted, approved, claimed (perhaps a claim given up first), fulfilled and, if
        `confirmed`, confirmed. Planned from the start of the year, then shifted into it: anywhere
        in the year, or fulfilled on `fulfil_on`, or (awaiting confirmation) in the last ten days.
        A `team` takes every place, the first claimant records the fulfilment."""
        rng, clock = self.rng, _Clock(self.rng, self.tz)
        p = self.first
        poster, reviewer = self._worker_steps(wish, clock, p, poster=poster)
        a = p + self._days(0, 2)
        wish.steps.append(_Step(clock.at(a), EventKind.APPROVED, actor=reviewer))
        wish.deadline = p + self._days(30, 90)
        day = a + self._days(0, 6)
        if not team and rng.random() < EXTRA_CLAIM_SHARE:
            gone = self._claim(wish, clock, day)
            if rng.random() < 0.6 or (wish.deadline - day).days < 45:
                day = day + self._days(1, 8)
                self._withdraw(wish, clock, gone, day)
            else:
                self._lapse(wish, clock, gone)
                day = gone.due_on + DAY
            day += self._days(0, 3)
        takers = wish.capacity if (team or rng.random() < 0.85) else rng.randint(1, wish.capacity)
        for index in range(takers):
            if index:
                day += self._days(0, 4)
            if day > wish.deadline:  # planned late: the deadline was a little later
                wish.deadline = day + self._days(10, 30)
            self._claim(wish, clock, day)
        for claim in wish.claims:
            claim.due_on = min(claim.at.date() + self.period, wish.deadline)
        active = [c for c in wish.claims if c.ends is None]
        soonest = min(c.due_on for c in active)
        f = min(
            day + datetime.timedelta(days=rng.randint(min(1, (soonest - day).days), 20)), soonest
        )
        self._fulfil(wish, clock, f, by=active[0] if team else None)
        room = (self.yesterday - fulfil_on).days if fulfil_on is not None else 7
        if confirmed:
            if resident is None:
                resident = rng.random() < RESIDENT_CONFIRMS
            self._confirm(wish, clock, f, resident, room)
        last = max(step.at.date() for step in wish.steps)
        if fulfil_on is not None:
            self._shift(wish, (fulfil_on - f).days)
        elif confirmed:
            self._place(wish, last)
        else:  # awaiting confirmation: fulfilled in the last ten days
            self._shift(wish, (self._between(self.today - 10 * DAY, self.yesterday) - f).days)

    def _story_live(self, wish: _Wish, takers: int, *, poster=None, claim_days=None) -> None:
        """On the wall now with `takers` active claims made in the last four weeks (full when
        `takers` is the capacity); due dates and the deadline are ahead."""
        clock = _Clock(self.rng, self.tz)
        days = claim_days or sorted(
            self._between(self.today - 28 * DAY, self.yesterday) for _ in range(takers)
        )
        p = days[0] - self._days(1, 12)
        poster, reviewer = self._worker_steps(wish, clock, p, poster=poster)
        a = min(p + self._days(0, 2), days[0])
        wish.steps.append(_Step(clock.at(a), EventKind.APPROVED, actor=reviewer))
        wish.deadline = self.today + self._days(5, 45)
        for day in days:
            self._claim(wish, clock, day)

    def _story_reopened(self, wish: _Wish) -> None:
        """A claim withdrawn or lapsed: the wish went back on the wall, nobody holds it now."""
        clock = _Clock(self.rng, self.tz)
        lapse = self.rng.random() < 0.3
        c = self.today - self._days(33, 60) if lapse else self.today - self._days(10, 40)
        p = c - self._days(1, 10)
        poster, reviewer = self._worker_steps(wish, clock, p)
        wish.steps.append(
            _Step(clock.at(min(p + self._days(0, 2), c)), EventKind.APPROVED, actor=reviewer)
        )
        wish.deadline = self.today + self._days(5, 45)
        claim = self._claim(wish, clock, c)
        if lapse:
            self._lapse(wish, clock, claim)
        else:
            self._withdraw(wish, clock, claim, min(c + self._days(1, 8), self.yesterday))

    def _story_lapsed(self, wish: _Wish) -> None:
        """Claimed, the claim lapsed, the deadline passed: expired."""
        clock = _Clock(self.rng, self.tz)
        p = self.first
        poster, reviewer = self._worker_steps(wish, clock, p)
        a = p + self._days(0, 2)
        wish.steps.append(_Step(clock.at(a), EventKind.APPROVED, actor=reviewer))
        c = a + self._days(0, 10)
        direct = self.rng.random() < 0.5
        wish.deadline = c + (self._days(5, 29) if direct else self._days(35, 60))
        claim = self._claim(wish, clock, c)
        self._lapse(wish, clock, claim)
        if not direct:  # back on the wall, then nobody claimed it before the deadline
            wish.steps.append(
                _Step(
                    clock.night(wish.deadline + DAY),
                    EventKind.EXPIRED,
                    actor_name=SYSTEM,
                    note=f"截止日期 {wish.deadline} 已过",
                )
            )
        self._place(wish, max(s.at.date() for s in wish.steps))

    # -- stories of unclaimed wishes ------------------------------------------------------------

    def _story_pending(self, wish: _Wish, *, poster=None) -> None:
        clock = _Clock(self.rng, self.tz)
        p = self._between(self.today - 6 * DAY, self.yesterday)
        self._worker_steps(wish, clock, p, poster=poster)
        wish.deadline = p + self._days(20, 60)

    def _story_open(self, wish: _Wish) -> None:
        clock = _Clock(self.rng, self.tz)
        p = self._between(self.today - 30 * DAY, self.yesterday)
        poster, reviewer = self._worker_steps(wish, clock, p)
        a = min(p + self._days(0, 2), self.yesterday)
        wish.steps.append(_Step(clock.at(a), EventKind.APPROVED, actor=reviewer))
        wish.deadline = self.today + self._days(3, 60)

    def _story_closed(self, wish: _Wish, kind: str) -> None:
        """Expired unclaimed, rejected, or taken back by the community."""
        rng, clock = self.rng, _Clock(self.rng, self.tz)
        p = self.first
        poster, reviewer = self._worker_steps(wish, clock, p)
        a = p + self._days(0, 2)
        wish.deadline = p + self._days(14, 45)
        if kind == "rejected":
            reason = rng.choice(REJECT_REASONS)
            wish.steps.append(_Step(clock.at(a), EventKind.REJECTED, actor=reviewer, note=reason))
        else:
            if kind == "expired" and rng.random() < 0.15:
                pass  # never reviewed: it expires as it waits
            else:
                wish.steps.append(_Step(clock.at(a), EventKind.APPROVED, actor=reviewer))
            if kind == "expired":
                wish.steps.append(
                    _Step(
                        clock.night(wish.deadline + DAY),
                        EventKind.EXPIRED,
                        actor_name=SYSTEM,
                        note=f"截止日期 {wish.deadline} 已过",
                    )
                )
            else:
                reason = rng.choice(CANCEL_REASONS)
                day = min(a + self._days(1, 10), wish.deadline)
                worker = rng.choice(wish.workers)
                wish.steps.append(
                    _Step(clock.at(day), EventKind.CANCELLED, actor=worker, note=reason)
                )
        self._place(wish, max(s.at.date() for s in wish.steps))

    # -- the plan -------------------------------------------------------------------------------

    def plan(self) -> None:
        rng = self.rng
        total = round(CLAIMED_WISHES * self.scale)
        live = {key: self._count(share, total) for key, share in LIVE_SHARES.items()}
        special = self._plan_special()
        confirmed = max(total - sum(live.values()) - special, 0)
        done = [self._new_wish() for _ in range(confirmed)]
        for wish in done:
            self._story_done(wish, confirmed=True)
        for _ in range(live["awaiting"]):
            self._story_done(self._new_wish(), confirmed=False)
        for _ in range(live["full"]):
            wish = self._new_wish()
            self._story_live(wish, wish.capacity)
        for _ in range(live["partial"]):
            wish = self._new_wish(capacity=rng.choice([2, 3]))
            self._story_live(wish, rng.randint(1, wish.capacity - 1))
        for _ in range(live["reopened"]):
            self._story_reopened(self._new_wish(capacity=rng.choice([1, 1, 2])))
        for _ in range(live["lapsed"]):
            self._story_lapsed(self._new_wish(capacity=1))
        share = total / CLAIMED_WISHES
        for kind, count in UNCLAIMED.items():
            for _ in range(max(round(count * share), 1)):
                wish = self._new_wish()
                if kind == "pending":
                    self._story_pending(wish)
                elif kind == "open":
                    self._story_open(wish)
                else:
                    self._story_closed(wish, kind)
        # Fewer claims than the article's members (a small data set can draw that): a few
        # single-member wishes become wishes of three, until every member can have a claim.
        wanted = min(round(CLAIMANTS * self.scale), len(self._claimable()))
        shortfall = wanted - sum(len(w.claims) for w in self.wishes)
        for wish in done:
            if shortfall <= 0:
                break
            if len(wish.claims) == 1:
                wish.steps, wish.claims, wish.capacity = [], [], 3
                self._story_done(wish, confirmed=True, team=True)
                shortfall -= 2

    def _plan_special(self) -> int:
        """张国宝's trip, `member_demo`'s open claim and 徐家漕's work; returns how many of them
        are claimed wishes."""
        first, second = self.workers[self.xujiacao.pk]
        claimed = 0
        self.fixed: dict[int, Member] = {}  # id(_Claim) -> member
        jiwei = Unit.objects.filter(short_name=ZHANG_UNIT).first()
        demo_id = self.demo_user.member_id if self.demo_user else None
        demo = next((m for m in self.members if m.pk == demo_id), None)
        self.demo_member = demo
        if self.zhang is not None and jiwei is not None and demo is not None:
            colleagues = [
                m
                for m in self._claimable()
                if m.unit_id == jiwei.pk and m is not demo and m.pk not in self.accounts
            ]
            if len(colleagues) >= 2:
                wish = self._new_wish(self.xujiacao, ZHANG_WISH, capacity=3)
                wish.household_id, wish.who = self.zhang, "张大爷"
                self._story_done(
                    wish,
                    confirmed=True,
                    team=True,
                    poster=first,
                    resident=True,
                    fulfil_on=self._zhang_day(),
                )
                team = [demo, *self.rng.sample(colleagues, 2)]
                for claim, member in zip(wish.claims, team, strict=True):
                    self.fixed[id(claim)] = member
                wish.money = 680
                claimed += 1
        if demo is not None:
            wish = self._new_wish(
                self.xujiacao, next(t for t in CATALOGUE if t[1] == DEMO_MEMBER_WISH), capacity=2
            )
            self._story_live(wish, 1, claim_days=[self.today - 3 * DAY])
            self.fixed[id(wish.claims[0])] = demo
            claimed += 1
            # Due yesterday and not fulfilled: the daily job the demo runs once the data is
            # loaded lapses it, so the member finds the notice in its bell whatever the date.
            wish = self._new_wish(
                self.xujiacao, next(t for t in CATALOGUE if t[1] == DEMO_LAPSING_WISH), capacity=1
            )
            self._story_live(wish, 1, claim_days=[self.yesterday - self.period])
            self.fixed[id(wish.claims[0])] = demo
            claimed += 1
        # 徐家漕: the colleague posted wishes that `community_xujiacao` has to approve, and one of
        # its own waits for the colleague; one fulfilled wish waits for its confirmation.
        for poster in (second, second, second, first):
            self._story_pending(self._new_wish(self.xujiacao), poster=poster)
        self._story_done(self._new_wish(self.xujiacao), confirmed=False)
        claimed += 1
        return claimed

    def _zhang_day(self) -> datetime.date:
        """The day of the trip: the pairing's visit to 东钱湖 when it lies in the year, so that
        both records tell the same day."""
        visit = self.trip_day
        if visit is not None and self.first + 60 * DAY <= visit <= self.today - 3 * DAY:
            return visit
        return self.today - 21 * DAY

    # -- members --------------------------------------------------------------------------------

    def deal_members(self) -> None:
        """Give every claim its member: exactly `CLAIMANTS` (scaled) distinct members, never two
        claims of one member on a wish, never more active claims at once than allowed."""
        rng = self.rng
        claims = sorted((c for w in self.wishes for c in w.claims), key=lambda c: c.at)
        pool = self._claimable()
        special = {id(m) for m in self.fixed.values()}
        if self.demo_member is not None:
            special.add(id(self.demo_member))
        # sorted: a set of ids iterates in an order that depends on their values, which differ
        # between two loads on PostgreSQL (its sequences are not rolled back)
        weights = {u: rng.uniform(0.5, 1.5) for u in sorted({m.unit_id for m in pool})}
        # a weighted shuffle (Efraimidis–Spirakis): some units' members claim more
        fresh = sorted(
            (m for m in pool if id(m) not in special),
            key=lambda m: rng.random() ** (1 / weights[m.unit_id]),
            reverse=True,
        )
        loose = [c for c in claims if id(c) not in self.fixed]
        fixed_members = {id(m) for m in self.fixed.values()}
        wanted = round(CLAIMANTS * self.scale)
        new_needed = max(0, min(wanted - len(fixed_members), len(fresh), len(loose)))
        self.spans: dict[int, list[tuple]] = defaultdict(list)
        used: list[Member] = []
        seen: set[int] = set()
        for claim in claims:
            member = self.fixed.get(id(claim))
            if member is not None:
                self._hold(claim, member, used, seen)
        fresh_iter = iter(fresh)
        for index, claim in enumerate(loose):
            left = len(loose) - index
            want_new = new_needed > 0 and (new_needed >= left or rng.random() < new_needed / left)
            member = None
            if not want_new:
                member = self._reuse(claim, used) or self._reuse(claim, used, tries=500)
            if member is None:
                member = next(fresh_iter, None)
                if member is None:  # a tiny data set: everyone has claimed
                    member = self._reuse(claim, used, tries=500)
                else:
                    new_needed -= 1
            if member is None:
                raise RuntimeError("no member can take this claim")  # pragma: no cover
            self._hold(claim, member, used, seen)

    def _hold(self, claim: _Claim, member: Member, used: list, seen: set) -> None:
        claim.member = member
        self.spans[member.pk].append((claim.at, claim.ends, id(claim.wish)))
        if member.pk not in seen:
            seen.add(member.pk)
            used.append(member)

    def _reuse(self, claim: _Claim, used: list[Member], tries: int = 30) -> Member | None:
        """A member who already claimed: not on this wish, and holding fewer than the allowed
        unfulfilled claims during the whole of this one."""
        if not used:
            return None
        limit = self.config.max_unfulfilled_claims
        end = claim.ends or datetime.datetime.max.replace(tzinfo=self.tz)
        for _ in range(tries):
            member = self.rng.choice(used)
            if self.demo_member is not None and member is self.demo_member:
                continue
            spans = self.spans[member.pk]
            if any(wish == id(claim.wish) for _s, _e, wish in spans):
                continue
            overlapping = sum(1 for s, e, _w in spans if s < end and (e is None or e > claim.at))
            if overlapping < limit:
                return member
        return None

    # -- rows -----------------------------------------------------------------------------------

    def write(self) -> None:
        wishes, claims, events, fulfilments = [], [], [], []
        for plan in self.wishes:
            wish = self._play(plan)
            wishes.append((plan, wish))
        with historic_timestamps(Wish, WishClaim):
            bulk.insert(Wish, [w for _p, w in wishes])
            for plan, wish in wishes:
                for claim in plan.claims:
                    claim.row = WishClaim(
                        wish_id=wish.pk,
                        member_id=claim.member.pk,
                        status=claim.status,
                        due_on=claim.due_on,
                        reason=claim.reason,
                        created_at=claim.at,
                        ended_at=claim.ends,
                    )
                    claims.append(claim.row)
            bulk.insert(WishClaim, claims)
        for plan, wish in wishes:
            if plan.fulfiller is not None:
                fulfilments.append(
                    {
                        "wish_id": wish.pk,
                        "note": self._fulfil_note(plan),
                        "money_spent": Decimal(plan.money),
                        "fulfilled_by_id": plan.fulfiller.member.pk,
                        "fulfilled_at": wish.fulfilled_at,
                    }
                )
            events.extend(self._events(plan, wish))
        insert_rows(WishFulfilment, fulfilments)
        insert_rows(WishEvent, events)
        s = self.summary
        s.wishes = len(wishes)
        s.claimed = sum(1 for plan in self.wishes if plan.claims)
        s.claims = len(claims)
        s.claimants = len({c.member_id for c in claims})
        s.events = len(events)
        s.money_spent = sum((f["money_spent"] for f in fulfilments), Decimal(0))
        s.by_status = dict(Counter(w.status for _p, w in wishes))

    def _fulfil_note(self, plan: _Wish) -> str:
        return plan.template[3].format(who=plan.who)

    def _member_actor(self, member: Member) -> tuple[User | None, str]:
        account = self.accounts.get(member.pk)
        if account is not None and account.role == Role.MEMBER:
            return account, account.display_name or member.name
        return None, member.name

    def _play(self, plan: _Wish) -> Wish:
        """Walk the steps through the state machine: the wish row as the services would have
        left it, and each step's statuses (kept on the step for `_events`)."""
        category, title, story, _done, _low, _high = plan.template
        wish = Wish(
            community_id=plan.community.pk,
            household_id=plan.household_id,
            title=title,
            description=story.format(who=plan.who),
            category=category,
            estimated_cost=Decimal(plan.cost),
            deadline=plan.deadline,
            capacity=plan.capacity,
            claimed_count=0,
            status="",
        )
        # the lifecycle of `rules.WISH`: each step is a move the table allows from the state the
        # wish is in (a planning mistake fails here, as the services would refuse it)
        from guanqing.wishes.rules import WISH, after_claim, after_release

        def move(action: str, ok: bool = True) -> str:
            self._expect(plan, ok and WISH.can(wish.status, action))
            return WISH.target(wish.status, action)

        count = 0
        for step in plan.steps:
            before = wish.status
            kind = step.kind
            if kind == EventKind.POSTED:
                wish.status, wish.posted_by_id, wish.created_at = (
                    WishStatus.PENDING,
                    step.actor.pk,
                    step.at,
                )
            elif kind == EventKind.APPROVED:
                wish.status, wish.approved_by_id, wish.published_at = (
                    move("approve", wish.deadline >= step.at.date()),
                    step.actor.pk,
                    step.at,
                )
            elif kind == EventKind.REJECTED:
                wish.status, wish.approved_by_id = move("reject"), step.actor.pk
                wish.review_note = step.note
            elif kind == EventKind.CANCELLED:
                wish.status, wish.review_note = move("cancel", not count), step.note
            elif kind == EventKind.CLAIMED:
                move("claim", step.at.date() <= wish.deadline)
                count += 1
                wish.status = after_claim(count, wish.capacity)
            elif kind in (EventKind.WITHDRAWN, EventKind.LAPSED):
                action = "withdraw" if kind == EventKind.WITHDRAWN else "lapse"
                move(action, bool(count))
                count -= 1
                wish.status = after_release(
                    wish.status,
                    action,
                    claimed_count=count,
                    past_deadline=wish.deadline < step.at.date(),
                )
            elif kind == EventKind.FULFILLED:
                wish.status, wish.fulfilled_at = move("fulfil", bool(count)), step.at
            elif kind == EventKind.LINK_ISSUED:
                move("issue_code")
            elif kind == EventKind.CONFIRMED:
                # by a worker or by the resident with the code: the same move
                wish.status, wish.confirmed_at = move("confirm"), step.at
            elif kind == EventKind.EXPIRED:
                wish.status = move("expire", not count and wish.deadline < step.at.date())
            step.statuses = (before, wish.status)
        # a fulfilment leaves the count as it was: the places its claimants took
        wish.claimed_count = count
        wish.updated_at = plan.steps[-1].at
        return wish

    def _expect(self, plan: _Wish, ok) -> None:
        if not ok:  # pragma: no cover - a planning mistake, caught by the demo's tests
            raise RuntimeError(f"demo wish {plan.template[1]!r} breaks the wish rules")

    def _events(self, plan: _Wish, wish: Wish) -> list[dict]:
        rows = []
        for step in plan.steps:
            actor, name, note = step.actor, step.actor_name, step.note
            claim = step.claim
            if claim is not None and step.kind != EventKind.LAPSED:
                actor, name = self._member_actor(claim.member)
            if actor is not None and not name:
                name = actor.display_name or actor.username
            if step.kind == EventKind.CLAIMED:
                note = f"{claim.member.name} 认领，应于 {claim.due_on} 前实现"
            elif step.kind == EventKind.LAPSED:
                note = f"{claim.member.name} 的认领应于 {claim.due_on} 前实现，已逾期"
            elif step.kind == EventKind.FULFILLED:
                credited = [c for c in plan.claims if c.status == ClaimStatus.FULFILLED]
                names = "、".join(c.member.name for c in credited)
                note = f"{names}：{self._fulfil_note(plan)}"
            before, after = step.statuses
            rows.append(
                {
                    "wish_id": wish.pk,
                    "claim_id": claim.row.pk if claim is not None else None,
                    "kind": step.kind,
                    "actor_id": actor.pk if actor is not None else None,
                    "actor_name": name[:60],
                    "from_status": before,
                    "to_status": after,
                    "note": note[:300],
                    "at": step.at,
                }
            )
        return rows

    def build(self) -> WishDemoSummary:
        self._load_places()
        self.plan()
        self.deal_members()
        self.write()
        return self.summary
