"""The demo's 金点子, service brands and pocket book, through the services (audited, reviewed).

The article's 市外经贸局 wrote its service brand "千方百计" into books such as 《宁波企业开拓国际
市场100招》: here about 40 approved 金点子 in six chapters and the book built from them; the
committee's list of recognised brands, 吴鹏服务法 of the 市食品药品监管局 among them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from guanqing.core.roles import Role
from guanqing.frontline import book_services as services
from guanqing.frontline.models import PocketBook
from guanqing.registry.models import Unit

BRAND_UNIT = "市外经贸局"
BOOK_TITLE = "宁波企业开拓国际市场100招"
BRAND = {
    "name": "千方百计",
    "slogan": "千方百计帮企业，百计千方拓市场",
    "aims": "想企业之所想，急企业之所急，帮助企业开拓国际市场",
    "core_ideas": "千家企业走访、百项难题破解、计策汇编成册",
    "measures": "处室结对重点外贸企业；难题清单化办理；办法编成口袋书送到企业",
    "results": "编印口袋书 15 册，解决企业难题 300 余件",
}
# (unit short name, brand name, slogan): the committee's recognised brands
RECOGNISED = [
    ("市食品药品监管局", "吴鹏服务法", "一次告知、容缺受理、限时办结"),
    (BRAND_UNIT, BRAND["name"], BRAND["slogan"]),
    ("市地税局", "纳税人之家", "办税不求人"),
    ("市交通委", "交通先锋", "路通民心"),
]
# chapter -> the practices' titles (the book's chapters, in order)
CHAPTERS: dict[str, list[str]] = {
    "出口信用保险": [
        "小微企业出口信用保险统保平台",
        "投保前先查买家资信",
        "出运前风险也能保",
        "信保保单融资解资金之急",
        "海外买家拖欠货款的索赔步骤",
        "短期险保费补助怎么申请",
        "新兴市场订单的限额审批",
    ],
    "境外参展": [
        "境外展会补助一次申报",
        "参展样品ATA单证册通关",
        "广交会之外的十个重点展会",
        "组团参展降低摊位成本",
        "展会现场的知识产权保护",
        "展后客户跟进的三个要点",
        "网上展会与线下展会结合",
    ],
    "汇率避险": [
        "远期结汇锁定汇率",
        "人民币跨境结算减少汇兑损失",
        "外汇期权的简单用法",
        "报价时留足汇率空间",
        "出口收汇的时间安排",
        "中小企业汇率避险培训",
    ],
    "跨境电商": [
        "跨境电商综试区政策用起来",
        "海外仓布局与补助",
        "跨境电商出口的退税办法",
        "第三方平台开店入门",
        "跨境物流的选择",
        "跨境电商人才的引进与培养",
        "跨境电商品牌出海",
    ],
    "贸易摩擦应对": [
        "反倾销调查的应诉准备",
        "技术性贸易措施预警",
        "行业协会牵头联合应诉",
        "原产地证书的申领",
        "贸易救济的法律援助",
        "出口产品质量追溯",
    ],
    "走出去投资": [
        "境外投资备案一次办",
        "境外园区抱团发展",
        "境外投资的风险评估",
        "海外并购的尽职调查",
        "对外承包工程的保函办理",
        "境外人员安全保障",
        "走出去企业的融资渠道",
    ],
}


@dataclass
class BooksDemoSummary:
    brands: int
    recognised: int
    practices: int
    book: PocketBook | None

    def __str__(self) -> str:
        pages = self.book.page_count if self.book else 0
        return gettext(
            "服务品牌 %(brands)s 个（命名 %(recognised)s 个）、金点子 %(practices)s 条、"
            "口袋书 1 册（%(pages)s 页）"
        ) % {
            "brands": self.brands,
            "recognised": self.recognised,
            "practices": self.practices,
            "pages": pages,
        }


def _admin_of(unit: Unit, committee):
    """The unit's administrator writes its own; the committee does when it has none."""
    User = get_user_model()
    admin = User.objects.filter(role=Role.UNIT_ADMIN, unit=unit, is_active=True).order_by("pk")
    return admin.first() or committee


def _practice_text(chapter: str, title: str, n: int) -> dict:
    return {
        "problem": f"企业反映：{title}方面政策不清楚、办理环节多，{chapter}的风险和成本难以把握。",
        "action": (
            f"局里处室与企业结对，上门讲解{chapter}政策；把{title}的办理步骤列成清单，"
            "材料一次告知，能网上办的网上办，遇到难题由处室牵头协调相关部门。"
        ),
        "result": f"已帮助 {20 + n * 3} 家企业解决问题，相关做法在全市外贸企业中推广。",
    }


def build(*, committee, today: datetime.date | None = None, with_book: bool = True):
    """The brands (recognised by the committee), the 千方百计 brand's approved 金点子 and its book.
    `committee` is the committee account that reviews and recognises; units missing from the
    registry are left out."""
    units = {u.short_name: u for u in Unit.objects.exclude(short_name="")}
    brands = 0
    recognised = 0
    main_brand = None
    for short_name, name, slogan in RECOGNISED:
        unit = units.get(short_name)
        if unit is None:
            continue
        actor = _admin_of(unit, committee)
        data = BRAND if name == BRAND["name"] else {"name": name, "slogan": slogan}
        brand = services.brand_save(actor=actor, unit=unit, **data)
        brands += 1
        services.brand_recognise(actor=committee, brand=brand, on=today)
        recognised += 1
        if short_name == BRAND_UNIT:
            main_brand = brand
    practices = 0
    book = None
    if main_brand is not None:
        writer = _admin_of(main_brand.unit, committee)
        n = 0
        for chapter, titles in CHAPTERS.items():
            for title in titles:
                n += 1
                row = services.practice_save(
                    actor=writer,
                    unit=main_brand.unit,
                    brand=main_brand,
                    title=title,
                    category_label=chapter,
                    tags=f"外贸,{chapter}",
                    **_practice_text(chapter, title, n),
                )
                row = services.practice_submit(actor=writer, practice=row)
                services.practice_review(actor=committee, practice=row, approved=True)
                practices += 1
        # one still waiting for review, one sent back: the review desk is not empty
        waiting = services.practice_save(
            actor=writer,
            unit=main_brand.unit,
            brand=main_brand,
            title="RCEP 原产地累积规则用足用好",
            category_label="贸易摩擦应对",
            **_practice_text("贸易摩擦应对", "RCEP 原产地规则", n + 1),
        )
        services.practice_submit(actor=writer, practice=waiting)
        if with_book:
            book = services.book_save(
                actor=committee,
                title=BOOK_TITLE,
                subtitle="千方百计服务品牌系列",
                brand=main_brand,
            )
            book = services.book_build(actor=committee, book=book)
    return BooksDemoSummary(brands=brands, recognised=recognised, practices=practices, book=book)
