"""The registry's part of the demo: divisions, units, party organisations, ~15,000 members, 1,594
households, the demo accounts and two worker accounts for every community, deterministically from
the demo's seed. The first builder (order 10): the other apps' builders read these rows from the
database.

This is seed data, not a user's write: rows are bulk-created directly (the service functions would
audit every row and take minutes), ID numbers are stored through `set_id_number` like everywhere
else, and the demo's one audit event carries the counts built here.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext, gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric

from guanqing.accounts.models import User
from guanqing.accounts.twofactor import key_from_base32
from guanqing.core import bulk
from guanqing.core.demo import DEMO_PASSWORD, DemoAccount, DemoContext, DemoDatabaseNotEmpty
from guanqing.core.demo.province import Volume
from guanqing.core.demo.shared import surname, weighted_counts
from guanqing.core.roles import Role
from guanqing.registry.choices import (
    LEVEL_OF_KIND,
    DivisionKind,
    DivisionLevel,
    Gender,
    HardshipCategory,
    Health,
    HouseholdStatus,
    MemberStatus,
    OrgKind,
    Rank,
    Relation,
)
from guanqing.registry.demo import data
from guanqing.registry.models import Division, Household, Member, PartyOrg, Person, Unit

BASE_MEMBERS = 15_000
# At a province's scale (`guanqing.core.demo.province`): 3,600 units (with their party
# organisations, windows, matters and places in training) and half a million members, each copied
# the same number of times so that a member's copy stays in its unit's copy; a million households
# in difficulty; and some 25,000 communities and villages, so that each holds about as many
# households as a real one (40 or so). Their people, pairings, registrations and the rest follow
# them. Districts and streets are shared; a copied community's code is 9 and its id.
PROVINCE = Volume(
    targets={"Unit": 3_600, "Household": 1_000_000, "Member": 500_000, "Division": 25_000},
    only={"Division": {"level": DivisionLevel.COMMUNITY}},
    numbered={"Division": ("code",)},
)

BASE_HOUSEHOLDS = 1_594
# At least this many active members live in 徐家漕社区 besides member_demo, at any scale, so that
# its two worker accounts have registrations to decide whatever the date.
XUJIACAO_NEIGHBOURS = 6

DEMO_ACCOUNTS = [
    DemoAccount(
        "committee",
        Role.COMMITTEE,
        gettext_lazy("全部单位、社区"),
        can_reveal=True,
        otp_secret="66VP3IO2R7P3P5NJE56SLEMFJYTSW6ZU",
    ),
    DemoAccount("unit_jiwei", Role.UNIT_ADMIN, "市纪委"),
    DemoAccount("unit_fagaiwei", Role.UNIT_ADMIN, "市发改委"),
    # 吴鹏's unit: works the window's 差评 (核实 → 整改 → 回访) and files its appeals.
    DemoAccount("unit_shiyaojian", Role.UNIT_ADMIN, "市食品药品监管局"),
    DemoAccount("member_demo", Role.MEMBER, gettext_lazy("市纪委的一名党员")),
    DemoAccount("community_xujiacao", Role.COMMUNITY_WORKER, "海曙区徐家漕社区", can_reveal=True),
    # 徐家漕社区's second worker: a wish one worker posts is approved by the other.
    DemoAccount(
        "community_xujiacao2",
        Role.COMMUNITY_WORKER,
        gettext_lazy("海曙区徐家漕社区（审核同事发布的心愿）"),
    ),
    DemoAccount("clerk_wupeng", Role.WINDOW_CLERK, "市食品药品监管局窗口（吴鹏）"),
    DemoAccount("fund_officer", Role.FUND_OFFICER, gettext_lazy("“汇爱”帮扶金")),
    DemoAccount(
        "sysadmin",
        Role.SYSTEM_ADMIN,
        gettext_lazy("账号管理"),
        otp_secret="P7CSRFQJQMGDKYUNUEKHQYJQOWQ322SG",
    ),
    DemoAccount(
        "secadmin",
        Role.SECURITY_ADMIN,
        gettext_lazy("安全策略"),
        otp_secret="WTGTNLKSEAHDLRB6L3ARRKG66M7GLGW3",
    ),
    DemoAccount(
        "auditadmin",
        Role.AUDIT_ADMIN,
        gettext_lazy("审计日志"),
        otp_secret="FOU7TDTUJL3ZWXSVMPODVJV3MRFIGNSE",
    ),
]
RESERVED_NAMES = {row[0] for row in data.ARTICLE_MEMBERS} | {"张国宝", "邵国樑", "杨周宝"}


@dataclass
class RegistryDemoSummary:
    divisions: int = 0
    communities: int = 0
    villages: int = 0
    units: int = 0
    party_orgs: int = 0
    village_orgs: int = 0
    members: int = 0
    households: int = 0
    people: int = 0
    accounts: int = 0
    workers: int = 0

    def as_changes(self) -> dict:
        keys = ["divisions", "units", "party_orgs", "members", "households", "people", "accounts"]
        changes = {key: [None, getattr(self, key)] for key in keys}
        changes["community_workers"] = [None, self.workers]
        return changes

    def describe(self) -> str:
        """One line for `guanqing demo`."""
        return gettext(
            "%(divisions)s 个区划（%(communities)s 个社区、%(villages)s 个村），%(units)s 个单位，"
            "%(party_orgs)s 个党组织，%(members)s 名党员，%(households)s 户困难家庭"
            "（%(people)s 人），%(accounts)s 个演示账号"
        ) % vars(self)

    def note(self) -> str:
        """For the audit event's message, in the site language."""
        return (
            f"{self.units} 个单位、{self.members} 名党员、{self.households} 户困难家庭、"
            f"{self.communities} 个社区、{self.villages} 个村"
        )


def build(ctx: DemoContext) -> RegistryDemoSummary:
    """The registry's demo rows; refuses a database that already holds divisions or units."""
    if Division.objects.exists() or Unit.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    return _Builder(ctx).build()


def make_id_number(region: str, birth: datetime.date, sequence: int, gender: str) -> str:
    """A checksum-valid fake ID number: region, birth date, sequence (odd for men), check digit."""
    seq = sequence % 1000
    if (seq % 2 == 1) != (gender == "male"):
        seq = (seq + 1) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


class _IdNumbers:
    """Checksum-valid, unique fake ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()

    def make(self, region: str, birth: datetime.date, gender: str) -> str:
        for attempt in range(1000):
            day = birth - datetime.timedelta(days=attempt // 50)
            number = make_id_number(region, day, self.rng.randrange(1000), gender)
            if number not in self.seen:
                self.seen.add(number)
                return number
        raise RuntimeError("could not find a free ID number")  # pragma: no cover


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.scale = ctx.scale
        self.rng = ctx.rng  # the shared generator: the later builders draw from it after this one
        self.ids = _IdNumbers(self.rng)
        self.today = ctx.today
        self.summary = RegistryDemoSummary()

    # -- helpers -----------------------------------------------------------------------------

    def _years_ago(self, years: int) -> datetime.date:
        try:
            return self.today.replace(year=self.today.year - years)
        except ValueError:  # 29 February
            return self.today.replace(year=self.today.year - years, day=28)

    def _birth(self, min_age: int, max_age: int) -> datetime.date:
        """A birth date of someone between min_age and max_age years old today."""
        start = self._years_ago(max_age + 1) + datetime.timedelta(days=1)
        end = self._years_ago(min_age)
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def _age(self, birth: datetime.date) -> int:
        return (
            self.today.year
            - birth.year
            - ((self.today.month, self.today.day) < (birth.month, birth.day))
        )

    def _region(self, birth: datetime.date, home: str | None = None) -> str:
        """Where the ID number was first issued: mostly home, sometimes an old code."""
        rng = self.rng
        if birth.year < 1995 and rng.random() < 0.12:
            return "330227"  # 鄞县, until 2002
        if birth.year < 2010 and rng.random() < 0.12:
            return rng.choice(["330204", "330283"])
        if home and rng.random() < 0.7:
            return home
        return rng.choice(data.ID_REGIONS_CURRENT)

    def _name(self, gender: str, elderly: bool = False, family_name: str | None = None) -> str:
        rng = self.rng
        if family_name is None:
            family_name = surname(rng)
        if elderly:
            pool = data.ELDER_MALE_GIVEN if gender == Gender.MALE else data.ELDER_FEMALE_GIVEN
        else:
            pool = data.MALE_GIVEN if gender == Gender.MALE else data.FEMALE_GIVEN
        while True:
            given = rng.choice(pool)
            if given == "阿" or rng.random() < 0.75:
                given += rng.choice([ch for ch in pool if ch not in (given, "阿")])
            # The article's people exist once; nobody generated takes their name.
            if family_name + given not in RESERVED_NAMES:
                return family_name + given

    def _mobile(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def _id_for(self, birth: datetime.date, gender: str, home: str | None = None) -> str:
        return self.ids.make(self._region(birth, home), birth, gender)

    # -- divisions ---------------------------------------------------------------------------

    def build_divisions(self) -> None:
        districts = [
            Division(
                code=code + "000000",
                name=name,
                kind=kind,
                level=DivisionLevel.DISTRICT,
                valid_until=until,
                note=note,
            )
            for code, name, kind, until, _successor, note in data.DISTRICTS
        ]
        Division.objects.bulk_create(districts)
        by_code = {d.code[:6]: d for d in districts}
        for district, row in zip(districts, data.DISTRICTS, strict=True):
            district.district = district
            district.successor = by_code[row[4]] if row[4] else None
        Division.objects.bulk_update(districts, ["district", "successor"])
        self.districts = by_code

        streets, pending = [], []
        for district_code, rows in data.STREETS.items():
            district = by_code[district_code]
            for street_code, name, kind, communities, villages in rows:
                street = Division(
                    code=f"{district_code}{street_code}000",
                    name=name,
                    kind=kind,
                    level=LEVEL_OF_KIND[kind],
                    parent=district,
                    district=district,
                )
                streets.append(street)
                pending.append((street, communities, villages))
        Division.objects.bulk_create(streets)
        self.streets = {s.name: s for s in streets}

        extra_share = max(0.0, self.scale - 1)
        communities: list[Division] = []
        for street, names, villages in pending:
            names = list(names)
            # Larger data sets get more communities: "<street stem>第N社区".
            stem = street.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            wanted = len(names) + math.ceil(extra_share * len(names))
            k = 1
            while len(names) < min(wanted, 199):
                names.append(f"{stem}第{k}社区")
                k += 1
            for number, name in enumerate(names, start=1):
                communities.append(self._community(street, f"{number:03d}", name, "community"))
            for number, name in enumerate(villages, start=201):
                communities.append(self._community(street, f"{number:03d}", name, "village"))
        Division.objects.bulk_create(communities, batch_size=500)
        self.communities = communities
        self.places = {c.name: c for c in communities if c.name in data.ARTICLE_PLACES}
        self.urban = [c for c in communities if c.kind == DivisionKind.COMMUNITY]
        self.villages = [c for c in communities if c.kind == DivisionKind.VILLAGE]
        s = self.summary
        s.divisions = len(districts) + len(streets) + len(communities)
        s.communities, s.villages = len(self.urban), len(self.villages)

    def _community(self, street: Division, number: str, name: str, kind: str) -> Division:
        return Division(
            code=street.code[:9] + number,
            name=name,
            kind=kind,
            level=DivisionLevel.COMMUNITY,
            parent=street,
            district=street.district,
        )

    # -- units and party organisations -------------------------------------------------------

    def build_units(self) -> None:
        units = [
            Unit(name=name, short_name=short, sort_order=(i + 1) * 10)
            for i, (name, short, _departments) in enumerate(data.UNITS)
        ]
        Unit.objects.bulk_create(units)
        self.units = {u.short_name: u for u in units}

        committees = [
            PartyOrg(name=f"{u.short_name}机关党委", kind=OrgKind.COMMITTEE, unit=u) for u in units
        ]
        PartyOrg.objects.bulk_create(committees)

        plans, generals = [], []
        for unit, committee, (_n, _s, departments) in zip(
            units, committees, data.UNITS, strict=True
        ):
            if not departments:
                count = self.rng.randint(2, 6)
                departments = self.rng.sample(data.GENERIC_DEPARTMENTS, count)
            general = None
            if len(departments) >= 3 and self.rng.random() < 0.35:
                general = PartyOrg(
                    name=f"{unit.short_name}机关党总支",
                    kind=OrgKind.GENERAL_BRANCH,
                    unit=unit,
                    parent=committee,
                )
                generals.append(general)
            plans.append((unit, committee, general, departments))
        PartyOrg.objects.bulk_create(generals)

        branches = []
        self.branches: dict[int, list[PartyOrg]] = {}
        self.branch_by_name: dict[str, PartyOrg] = {}
        for unit, committee, general, departments in plans:
            for index, department in enumerate(departments):
                # With a 党总支, the last two branches sit under it.
                parent = general if general and index >= len(departments) - 2 else committee
                branch = PartyOrg(
                    name=f"{unit.short_name}{department}支部",
                    kind=OrgKind.BRANCH,
                    unit=unit,
                    parent=parent,
                )
                branches.append(branch)
                self.branches.setdefault(unit.pk, []).append(branch)
                self.branch_by_name[branch.name] = branch
        PartyOrg.objects.bulk_create(branches)

        # 91 organs pair with 91 village party organisations (结对共建): one per village.
        big = {"滕头村", "湾底村", "横坎头村"}
        village_orgs = [
            PartyOrg(
                name=f"{v.name}党委" if v.name in big else f"{v.name}党支部",
                kind=OrgKind.COMMITTEE if v.name in big else OrgKind.BRANCH,
                division=v,
            )
            for v in self.villages
        ]
        PartyOrg.objects.bulk_create(village_orgs)
        s = self.summary
        s.units = len(units)
        s.party_orgs = len(committees) + len(generals) + len(branches) + len(village_orgs)
        s.village_orgs = len(village_orgs)

    # -- members -----------------------------------------------------------------------------

    def build_members(self) -> None:
        rng = self.rng
        units = list(self.units.values())
        total = max(round(BASE_MEMBERS * self.scale), len(units))
        weights = [rng.uniform(0.4, 2.0) for _ in units]
        counts = weighted_counts(total, weights, minimum=min(20, total // len(units)))
        named_by_unit: dict[str, list[tuple]] = {}
        for row in data.ARTICLE_MEMBERS:
            named_by_unit.setdefault(row[1], []).append(row)

        members: list[Member] = []
        for unit, count in zip(units, counts, strict=True):
            named = named_by_unit.get(unit.short_name, [])
            for name, _unit, rank, department, home, gender in named:
                branch = self.branch_by_name[f"{unit.short_name}{department}支部"]
                member = self._member(unit, rank=rank, gender=gender, name=name, branch=branch)
                member.home_community = self.places.get(home) if home else member.home_community
                members.append(member)
            for _ in range(max(count - len(named), 0)):
                members.append(self._member(unit))
        bulk.insert(Member, members)
        self.members = members
        self.summary.members = len(members)

    def _member(self, unit, *, rank=None, gender=None, name=None, branch=None) -> Member:
        rng = self.rng
        if rank is None:
            roll = rng.random()
            rank = (
                Rank.BUREAU
                if roll < 0.02
                else Rank.DIVISION
                if roll < 0.24
                else Rank.SECTION
                if roll < 0.62
                else Rank.OTHER
            )
        roll = rng.random()
        status = (
            MemberStatus.ACTIVE
            if roll < 0.93 or name
            else MemberStatus.RETIRED
            if roll < 0.97
            else MemberStatus.TRANSFERRED
            if roll < 0.99
            else MemberStatus.DECEASED
        )
        ages = {
            Rank.BUREAU: (45, 59),
            Rank.DIVISION: (34, 59),
            Rank.SECTION: (26, 58),
            Rank.OTHER: (22, 58),
        }[rank]
        if status in (MemberStatus.RETIRED, MemberStatus.DECEASED):
            ages = (60, 78)
        gender = gender or (Gender.MALE if rng.random() < 0.6 else Gender.FEMALE)
        birth = self._birth(*ages)
        home = None
        if rng.random() < 0.88:
            pool = self.urban if rng.random() < 0.9 else self.villages
            home = rng.choice(pool)
        region = home.district.code[:6] if home else None
        joined = birth.replace(year=birth.year + rng.randint(19, 35), day=1)
        member = Member(
            name=name or self._name(gender),
            gender=gender,
            mobile=self._mobile(),
            rank=rank,
            unit=unit,
            branch=branch or rng.choice(self.branches[unit.pk]),
            home_community=home,
            joined_party=min(joined, self.today),
            status=status,
        )
        member.set_id_number(self._id_for(birth, gender, region))
        return member

    # -- households --------------------------------------------------------------------------

    def build_households(self) -> None:
        rng = self.rng
        total = max(round(BASE_HOUSEHOLDS * self.scale), len(self._article_households()))
        plans = list(self._article_households())
        # Urban communities carry most households; villages fewer.
        pool = self.urban * 3 + self.villages
        while len(plans) < total:
            plans.append({"community": rng.choice(pool)})
        households, people = [], []
        for plan in plans:
            household, members = self._household(**plan)
            households.append(household)
            people.append(members)
        bulk.insert(Household, households)
        rows = []
        for household, members in zip(households, people, strict=True):
            for person in members:
                person.household = household
                rows.append(person)
        bulk.insert(Person, rows)
        self.summary.households = len(households)
        self.summary.people = len(rows)

    def _article_households(self) -> list[dict]:
        zhuangqiao = next(c for c in self.urban if c.parent_id == self.streets["庄桥街道"].pk)
        return [
            {
                "community": self.places["徐家漕社区"],
                "head": ("张国宝", Gender.MALE, 77),
                "occupation": "无业",
                "category": HardshipCategory.DISABILITY,
                "health": Health.DISABLED,
                "alone": True,
                "profile": (
                    "孤寡老人，独居，无子女。腿脚不便，平时几乎不出小区大门。",
                    "十四年前因事故造成左下肢截肢，丧失劳动能力，生活困苦。",
                    "感念党组织多年的关怀，曾给市纪委写感谢信。",
                    "年轻时做过钳工。",
                    "需要定期上门照料；想去小时候玩耍的东钱湖看看，需要轮椅和车辆。",
                ),
            },
            {
                "community": self.places["徐戎三村"],
                "head": ("邵国樑", Gender.MALE, 90),
                "occupation": "退休",
                "category": HardshipCategory.EXTREME,
                "health": Health.CHRONIC,
                "alone": True,
                "profile": (
                    "九十高龄的独居老人。",
                    "年老体弱，无劳动能力。",
                    "遇到拆迁补助事宜，需要一份十多年前的政策文件，多次信访未果，心事放不下。",
                    "无特殊专长。",
                    "帮助找到拆迁补助涉及的政策文件（约30页）并解释政策。",
                ),
            },
            {
                "community": zhuangqiao,
                "head": ("杨周宝", Gender.MALE, 58),
                "occupation": "无业",
                "category": HardshipCategory.MINIMUM_LIVING,
                "health": Health.CHRONIC,
                "alone": False,
                "family": [
                    ("spouse", "female", 56, "打零工", ""),
                    ("child", "male", 29, "待业", "正在找工作"),
                ],
                "profile": (
                    "一家三口，家庭生活困难，儿子暂无工作。",
                    "户主身体不好，收入低，儿子一直未找到稳定工作。",
                    "愿意配合帮扶，希望儿子早日就业。",
                    "儿子会使用电脑，做过仓库管理。",
                    "帮儿子推荐工作；解决生活上的燃眉之急。",
                ),
            },
        ]

    def _household(
        self,
        *,
        community: Division,
        head=None,
        category=None,
        health=None,
        alone=None,
        family=None,
        profile=None,
        occupation=None,
    ) -> tuple[Household, list[Person]]:
        rng = self.rng
        region = community.district.code[:6]
        if head:
            head_name, head_gender, head_age = head
            head_birth = datetime.date(self.today.year - head_age, 1, 15)
            if head_birth > self._years_ago(head_age):
                head_birth = head_birth.replace(year=head_birth.year - 1)
        else:
            head_gender = Gender.MALE if rng.random() < 0.55 else Gender.FEMALE
            head_birth = self._birth(*rng.choice([(35, 59), (60, 79), (60, 79), (80, 95)]))
            head_age = self._age(head_birth)
            head_name = self._name(head_gender, elderly=head_age >= 65)
        category = (
            category
            or rng.choices(
                list(HardshipCategory),
                weights=[30, 15, 8, 20, 12, 3, 7, 5],
            )[0]
        )
        village = community.kind == DivisionKind.VILLAGE
        head_number = self._id_for(head_birth, head_gender, region)
        head_person = Person(
            name=head_name,
            relation=Relation.HEAD,
            gender=head_gender,
            birth_date=head_birth,
            health=health or self._health(category, head_age),
            occupation=occupation or self._occupation(head_age, village),
        )
        head_person.set_id_number(head_number)
        people = [head_person]
        if family is None and not alone:
            family = [
                (relation, gender, age, self._occupation(age, village), "")
                for relation, gender, age in self._family(head_gender, head_age)
            ]
        family_name = head_name[0]
        for relation, gender, age, job, note in family or []:
            birth = self._birth(age, age)
            same_name = relation in (Relation.CHILD, Relation.GRANDCHILD) and (
                head is not None or rng.random() < 0.8
            )
            person = Person(
                name=self._name(
                    gender, elderly=age >= 65, family_name=family_name if same_name else None
                ),
                relation=relation,
                gender=gender,
                birth_date=birth,
                health=self._health(category, age, head=False),
                occupation=job,
                note=note,
            )
            person.set_id_number(self._id_for(birth, gender, region))
            people.append(person)

        if profile is None:
            profile = self._profile(people)
        situation, cause, outlook, skills, needs = profile
        household = Household(
            head_name=head_name,
            head_gender=head_gender,
            phone=self._phone(),
            community=community,
            address=self._address(community),
            category=category,
            status=rng.choices(list(HouseholdStatus), weights=[90, 7, 2, 1])[0]
            if not head
            else HouseholdStatus.ACTIVE,
            situation=f"家中{len(people)}口人，户主{head_age}岁。{situation}",
            hardship_cause=cause,
            outlook=outlook,
            skills=skills,
            needs=needs,
        )
        household.set_id_number(head_number)
        return household, people

    def _family(self, head_gender: str, head_age: int) -> list[tuple[str, str, int]]:
        """Relation, gender and age of the others in a household (0–3 people)."""
        rng = self.rng
        size = rng.choices([1, 2, 3, 4], weights=[25, 35, 25, 15])[0]
        if head_age >= 80:
            size = min(size, 2)
        other = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
        candidates = []
        if rng.random() < 0.75:
            candidates.append(("spouse", other, max(20, min(100, head_age + rng.randint(-6, 4)))))
        for _ in range(3):
            age = head_age - rng.randint(22, 34)
            if age >= 0:
                candidates.append(("child", rng.choice([Gender.MALE, Gender.FEMALE]), age))
        if head_age >= 60:
            age = head_age - rng.randint(45, 60)
            if age >= 1:
                candidates.append(("grandchild", rng.choice([Gender.MALE, Gender.FEMALE]), age))
        if head_age < 50:
            age = head_age + rng.randint(24, 32)
            candidates.append(("parent", rng.choice([Gender.MALE, Gender.FEMALE]), age))
        return candidates[: size - 1]

    def _occupation(self, age: int, village: bool = False) -> str:
        rng = self.rng
        if age < 7:
            return "学龄前"
        if age < 13:
            return "在读小学"
        if age < 16:
            return "在读初中"
        if age < 19:
            return rng.choice(["在读高中", "在读职高"])
        if village and rng.random() < 0.5:
            return "务农"
        if age >= 60:
            return rng.choice(data.OCCUPATIONS_ELDER)
        return rng.choice(data.OCCUPATIONS_ADULT)

    def _health(self, category: str, age: int, head: bool = True) -> str:
        rng = self.rng
        if head and category == HardshipCategory.ILLNESS:
            return rng.choice([Health.SERIOUS, Health.CHRONIC])
        if head and category == HardshipCategory.DISABILITY:
            return Health.DISABLED
        if age >= 65 and rng.random() < 0.5:
            return Health.CHRONIC
        return rng.choices(list(Health), weights=[80, 12, 4, 4])[0]

    def _profile(self, people: list[Person]) -> tuple[str, str, str, str, str]:
        """五清 texts that fit who lives in the household."""
        rng = self.rng
        ages = [self._age(p.birth_date) for p in people]
        relations = {p.relation for p in people}
        facts = {
            "minor": any(age < 19 for age in ages),
            "spouse": Relation.SPOUSE in relations,
            "no_spouse": Relation.SPOUSE not in relations,
            "child": Relation.CHILD in relations,
            "two_elders": sum(age >= 60 for age in ages) >= 2,
        }

        def fitting(texts: list[str]) -> list[str]:
            return [
                text
                for text in texts
                if all(facts[need] for word, need in data.PROFILE_REQUIREMENTS if word in text)
            ] or ["—"]

        situations = data.SITUATIONS_ALONE if len(people) == 1 else data.SITUATIONS_FAMILY
        causes, needs = fitting(data.CAUSES), fitting(data.NEEDS)
        return (
            rng.choice(fitting(situations)),
            "".join(rng.sample(causes, min(len(causes), rng.choice([1, 1, 2])))),
            rng.choice(fitting(data.OUTLOOKS)),
            rng.choice(data.SKILLS),
            "".join(rng.sample(needs, min(len(needs), rng.choice([1, 2, 2])))),
        )

    def _phone(self) -> str:
        if self.rng.random() < 0.7:
            return self._mobile()
        return f"0574-8{self.rng.randrange(10**7):07d}"

    def _address(self, community: Division) -> str:
        rng = self.rng
        if community.kind == DivisionKind.VILLAGE:
            return f"{community.name}{rng.randint(1, 400)}号"
        road = rng.choice(data.ROADS)
        return (
            f"{road}{rng.randint(1, 300)}弄{rng.randint(1, 40)}号"
            f"{rng.randint(1, 7)}{rng.randint(1, 4):02d}室"
        )

    # -- accounts ----------------------------------------------------------------------------

    def _settle_neighbours(self, community, demo_member) -> None:
        """Move active members of other units into `community` until XUJIACAO_NEIGHBOURS live
        there besides `demo_member` (a small demo has next to nobody in one community)."""
        active = [m for m in self.members if m.status == MemberStatus.ACTIVE and m != demo_member]
        missing = XUJIACAO_NEIGHBOURS - sum(1 for m in active if m.home_community == community)
        if missing <= 0:
            return
        movers = [
            m for m in active if m.unit_id != demo_member.unit_id and m.home_community != community
        ][:missing]
        for member in movers:
            member.home_community = community
        Member.objects.filter(pk__in=[m.pk for m in movers]).update(home_community=community)

    def build_accounts(self) -> None:
        jiwei = self.units["市纪委"]
        demo_member = next(
            m
            for m in self.members
            if m.unit_id == jiwei.pk and m.status == MemberStatus.ACTIVE and m.rank == Rank.SECTION
        )
        # The demo's member lives in 徐家漕社区, where the article's stories and the community
        # account are: its registration, activities, rating and 张国宝 are all there to find.
        xujiacao = self.places["徐家漕社区"]
        demo_member.home_community = xujiacao
        Member.objects.filter(pk=demo_member.pk).update(home_community=xujiacao)
        self._settle_neighbours(xujiacao, demo_member)
        wupeng = next(m for m in self.members if m.name == "吴鹏")
        scope = {
            "committee": {"display_name": "市直机关工委"},
            "unit_jiwei": {"unit": jiwei, "display_name": "市纪委机关党委"},
            "unit_fagaiwei": {"unit": self.units["市发改委"], "display_name": "市发改委机关党委"},
            "unit_shiyaojian": {
                "unit": self.units["市食品药品监管局"],
                "display_name": "市食品药品监管局机关党委",
            },
            "member_demo": {"member": demo_member, "unit": jiwei, "display_name": demo_member.name},
            "community_xujiacao": {
                "community": self.places["徐家漕社区"],
                "display_name": "徐家漕社区工作人员",
            },
            "community_xujiacao2": {
                "community": self.places["徐家漕社区"],
                "display_name": "徐家漕社区工作人员（二）",
            },
            "clerk_wupeng": {"member": wupeng, "unit": wupeng.unit, "display_name": "吴鹏"},
            "fund_officer": {"display_name": "市直机关工会“汇爱”帮扶金经办人"},
            "sysadmin": {"display_name": "系统管理员"},
            "secadmin": {"display_name": "安全管理员"},
            "auditadmin": {"display_name": "审计管理员"},
        }
        # One hash for the one documented demo password (hashing each account's costs seconds).
        password = make_password(DEMO_PASSWORD)
        users = [
            User(
                username=account.username,
                role=account.role,
                password=password,
                can_reveal_sensitive=account.can_reveal,
                **scope[account.username],
            )
            for account in DEMO_ACCOUNTS
        ]
        User.objects.bulk_create(users)
        self.summary.accounts = len(users)
        # The second factor of the accounts whose role needs one: a confirmed authenticator with
        # the documented secret (docs/demo.md), so that they sign in with password and code.
        by_name = {
            u.username: u
            for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
        }
        TOTPDevice.objects.bulk_create(
            [
                TOTPDevice(
                    user=by_name[account.username],
                    name="authenticator",
                    key=key_from_base32(account.otp_secret),
                    confirmed=True,
                )
                for account in DEMO_ACCOUNTS
                if account.otp_secret
            ]
        )

    # -- community workers --------------------------------------------------------------------

    def build_community_workers(self) -> None:
        """Two worker accounts for every community: a wish one posts the other approves (the
        micro-wish and community demos find them through the database). 徐家漕社区's are the demo
        accounts `community_xujiacao` and `community_xujiacao2`; the others cannot sign in."""
        # The names come from the third draw after this builder's own, as when the micro-wish
        # demo made these accounts (its builder leaves that draw untaken): one seed, one data set.
        state = self.rng.getstate()
        draws = [self.rng.random() for _ in range(3)]
        self.rng.setstate(state)
        rng = random.Random(draws[2])
        existing: dict[int, list[User]] = {}
        for user in User.objects.filter(
            role=Role.COMMUNITY_WORKER, community__isnull=False
        ).order_by("pk"):
            existing.setdefault(user.community_id, []).append(user)
        created: list[User] = []
        for community in self.communities:
            have = existing.get(community.pk, [])
            for n in range(len(have) + 1, 3):
                created.append(
                    User(
                        username=f"worker_{community.code}_{n}",
                        role=Role.COMMUNITY_WORKER,
                        community=community,
                        display_name=f"{self._worker_name(rng)}（{community.name}）",
                        password=make_password(None),
                    )
                )
        User.objects.bulk_create(created, batch_size=500)
        self.summary.workers = len(created)

    def _worker_name(self, rng: random.Random) -> str:
        while True:
            pool = data.MALE_GIVEN if rng.random() < 0.4 else data.FEMALE_GIVEN
            name = surname(rng) + "".join(rng.sample(pool, rng.choice([1, 2])))
            if name not in RESERVED_NAMES:
                return name

    def build(self) -> RegistryDemoSummary:
        self.build_divisions()
        self.build_units()
        self.build_members()
        self.build_households()
        self.build_accounts()
        self.build_community_workers()
        return self.summary
