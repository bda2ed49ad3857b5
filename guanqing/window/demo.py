"""满意窗口 demo data: 吴鹏's window at the administrative service centre, its catalogue and four
years of cases, and three other units' windows for the city-wide board.

The demo builder of order 50 (`build`, registered in `WindowConfig.ready`): it runs after the
registry demo, inside the same transaction and from the same seed, and reads the units and members
from the database. Like the rest of the demo this is seed data: rows are bulk-inserted, not written
through the services (they would audit every row); the demo's one audit event carries the counts
built here. Every case still tells its story the way the services would have written it: its
deadlines come from `guanqing.window.rules.deadline` on the official calendar, its states follow
the lifecycle table `rules.CASE`, and each step is a `CaseEvent` (accept, complete, deliver; the
corrections, 容缺 materials supplied, pauses and resumptions where there were any).

The story (the Ningbo Daily article): 吴鹏 of 市食品药品监管局 handles 31 approval items (67 matters)
and accepted 15,700 cases in four years (at scale 1), every one completed before its promised time
limit, with the average promised limit cut to within 7 working days:
- The catalogue was published four years ago (version 1); two years ago most limits were cut
  (version 2, the current one): a case keeps the version it was accepted under.
- Cases are accepted on working days only, make-up Saturdays included; all of them are completed
  before their deadline (a 即办件 the same day) except the ones accepted on the last working day up
  to today, which wait in 吴鹏's queue (one of them paused for a site survey, one accepted with a
  deferred material). A few were paused (some over a public holiday), a few accepted under 容缺
  with the material supplied in time, a few asked for corrections first.
- Two colleagues at the same window (window clerks without a sign-in) handle cases too, on top
  of 吴鹏's.
- 市人力社保局, 市住建局 and 市交通委 have a window each, with their own catalogue and clerks; most
  of their cases are completed early, some on the deadline day, the latest few are still open.

When the calendar has no data for the year a deadline falls in (late December before next year's
notice), the case is left out rather than given a guessed deadline.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone, translation
from django.utils.translation import gettext
from stdnum.cn import ric

from guanqing.accounts.models import User
from guanqing.core import sensitive
from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays, is_workday
from guanqing.core.demo import DemoContext, DemoDatabaseNotEmpty
from guanqing.core.demo.province import Volume
from guanqing.core.demo.shared import historic_timestamps, insert_rows, surname
from guanqing.core.roles import Role
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member, Unit
from guanqing.window import demo_zero, rules
from guanqing.window.choices import (
    AppealDecision,
    ApplicantKind,
    CaseEventKind,
    CaseState,
    FeedbackMethod,
    FollowUpState,
    MaterialForm,
    MatterKind,
    Outcome,
    PauseKind,
    RatingChannel,
    RatingRound,
)
from guanqing.window.models import (
    Appeal,
    ApprovalItem,
    Case,
    CaseEvent,
    CaseMissingMaterial,
    CasePause,
    FollowUp,
    Material,
    Matter,
    MatterVersion,
    QuestionSet,
    Rating,
    RatingInvite,
    RatingOption,
    Window,
    WindowSettings,
)

# At a province's scale: two million cases, their events, pauses and ratings with them; the
# windows and matters follow their units, and a copied window has no clerk (a clerk keeps the
# windows it has, not every copy of them).
PROVINCE = Volume(targets={"Case": 2_000_000}, keep=("Window_clerks",))

WUPENG_CASES = 15_700  # the article: 四年来受理办件15700件, every one completed early
YEARS = 4
WUPENG_UNIT = "市食品药品监管局"
WUPENG = "吴鹏"
CENTRE = "宁波市行政服务中心"
# Cases of 吴鹏's two colleagues at the window over the four years (at scale 1).
COLLEAGUE_CASES = (900, 600)
# Cases accepted on the last working day that are still open (at scale 1; at least a few).
OPEN_TODAY = 8
SHARE_CORRECTION = 0.02  # asked for corrections (补正) before acceptance
SHARE_DEFERRAL = 0.03  # of the cases of a version with deferrable materials: 容缺受理
SHARE_PAUSE = 0.015  # of the cases with five or more promised working days
SHARE_DENIED = 0.008

ORIGINAL, COPY, BOTH, ELECTRONIC = (
    MaterialForm.ORIGINAL,
    MaterialForm.COPY,
    MaterialForm.BOTH,
    MaterialForm.ELECTRONIC,
)

# Materials by key: (name, form, copies, deferrable under 容缺受理). "{item}" is the item's name.
MATERIALS: dict[str, tuple[str, str, int, bool]] = {
    "application": ("《{item}申请书》", ORIGINAL, 1, False),
    "licence": ("营业执照或其他主体资格证明文件", COPY, 1, False),
    "legal_id": ("法定代表人（负责人）身份证明", COPY, 1, False),
    "agent": ("委托代理人授权委托书及其身份证明", ORIGINAL, 1, False),
    "premises": ("经营场所使用证明（产权证明或租赁合同）", COPY, 1, True),
    "layout": ("经营场所平面布局图及周边环境示意图", ORIGINAL, 1, True),
    "food_rules": ("食品安全管理制度文本", ORIGINAL, 1, True),
    "food_staff": ("食品安全管理人员及从业人员健康证明", COPY, 1, True),
    "equipment": ("主要设备设施清单", ORIGINAL, 1, True),
    "process": ("生产工艺流程图及设备布局图", ORIGINAL, 1, True),
    "product_list": ("申请生产的食品类别及品种明细", ORIGINAL, 1, False),
    "formula": ("产品配方及生产工艺简述", ORIGINAL, 1, False),
    "test_report": ("产品检验报告", ORIGINAL, 1, True),
    "old_cert": ("原许可证正本、副本", ORIGINAL, 1, False),
    "change_proof": ("与变更事项有关的证明材料", COPY, 1, False),
    "conditions": ("许可条件变化情况说明", ORIGINAL, 1, True),
    "cancel_note": ("注销原因说明", ORIGINAL, 1, False),
    "loss_note": ("证件遗失声明", ORIGINAL, 1, False),
    "pharmacist": ("执业药师注册证及劳动合同", COPY, 1, False),
    "quality": ("质量管理文件及质量管理体系自查报告", ORIGINAL, 1, True),
    "storage": ("仓储设施设备目录", ORIGINAL, 1, True),
    "quality_staff": ("质量负责人学历、职称证明", COPY, 1, True),
    "device_list": ("经营医疗器械品种目录", ORIGINAL, 1, False),
    "it_system": ("计算机信息管理系统基本情况", ORIGINAL, 1, True),
    "product_docs": ("产品技术要求", ORIGINAL, 1, False),
    "label": ("产品说明书及最小销售单元标签样稿", ORIGINAL, 1, False),
    "ad_sample": ("广告样件（文字、图片或音视频）", ELECTRONIC, 1, False),
    "approval_doc": ("产品注册证书或备案凭证", COPY, 1, False),
    "education": ("学历证书", BOTH, 1, False),
    "qualification": ("执业药师职业资格证书", BOTH, 1, False),
    "health": ("近六个月内的健康证明", ORIGINAL, 1, True),
    "employer": ("执业单位开业证明", COPY, 1, False),
    "continuing": ("继续教育学分证明", COPY, 1, True),
    "security": ("安全管理制度及专用储存设施情况", ORIGINAL, 1, False),
    "hospital": ("医疗机构执业许可证", COPY, 1, False),
    "doctors": ("具有麻醉药品和第一类精神药品处方资格的执业医师名单", ORIGINAL, 1, False),
    "purchase_plan": ("购买计划及用途说明", ORIGINAL, 1, False),
    "website": ("网站或网络平台基本情况及 ICP 备案信息", COPY, 1, False),
    "radiation": ("辐射安全许可证及放射性药品管理人员资质证明", COPY, 1, False),
    "event_plan": ("活动餐饮服务方案及食品安全保障预案", ORIGINAL, 1, False),
    "platform": ("第三方平台食品安全管理制度及分支机构情况", ORIGINAL, 1, False),
    # other units' windows
    "staff_list": ("专职工作人员名单及资格证明", COPY, 1, True),
    "rules_hr": ("服务范围、服务流程及管理制度", ORIGINAL, 1, True),
    "capital": ("注册资本验资证明或财务审计报告", COPY, 1, False),
    "work_hours": ("实行特殊工时制度的岗位及职工意见", ORIGINAL, 1, False),
    "school_plan": ("办学章程、培训计划和教学计划", ORIGINAL, 1, True),
    "id_card": ("本人身份证", ORIGINAL, 1, False),
    "photo": ("近期一寸免冠照片", ORIGINAL, 2, False),
    "land": ("国有土地使用权证及建设工程规划许可证", COPY, 1, False),
    "presale_plan": ("商品房预售方案及工程进度证明", ORIGINAL, 1, False),
    "fund_account": ("预售资金监管协议", COPY, 1, True),
    "engineers": ("注册建造师、技术负责人及专业技术人员证明", COPY, 1, True),
    "performance": ("企业代表工程业绩证明", COPY, 1, True),
    "contract": ("施工合同及监理合同", COPY, 1, False),
    "drawings": ("施工图设计文件审查合格书", COPY, 1, True),
    "waste_plan": ("建筑垃圾运输及消纳方案", ORIGINAL, 1, False),
    "vehicles": ("营运车辆行驶证及车辆技术等级评定", COPY, 1, True),
    "drivers": ("驾驶员从业资格证及驾驶证", COPY, 1, True),
    "safety": ("安全生产管理制度文本", ORIGINAL, 1, True),
    "route": ("客运线路及站点方案", ORIGINAL, 1, False),
    "platform_ride": ("网络服务平台数据接入及服务承诺", ORIGINAL, 1, False),
    "vehicle_licence": ("车辆行驶证及营运保险单", COPY, 1, False),
    "training_site": ("教练场地及教学车辆证明", COPY, 1, False),
}

# Materials of a matter by what it does, before its item's own.
NEW, CHANGE, RENEW, CANCEL, REISSUE, FILE = "new", "change", "renew", "cancel", "reissue", "file"
VERB_MATERIALS = {
    NEW: ["application", "licence", "legal_id"],
    CHANGE: ["application", "old_cert", "change_proof"],
    RENEW: ["application", "old_cert", "conditions"],
    CANCEL: ["application", "cancel_note", "old_cert"],
    REISSUE: ["application", "loss_note"],
    FILE: ["application", "licence"],
}
VERB_NAMES = {
    NEW: "新办",
    CHANGE: "变更",
    RENEW: "延续",
    CANCEL: "注销",
    REISSUE: "补办",
    FILE: "备案",
}

# Applicants by the kind of business: a person, or an enterprise with the endings of its name.
PERSON = "person"
NAME_ENDINGS = {
    "food": [
        "餐饮店",
        "小吃店",
        "食品商行",
        "超市",
        "便利店",
        "餐饮管理有限公司",
        "面馆",
        "烘焙坊",
    ],
    "maker": ["食品有限公司", "食品厂", "调味品有限公司", "食品科技有限公司"],
    "drug": ["大药房有限公司", "药店", "医药连锁有限公司", "大药房"],
    "device": ["医疗器械有限公司", "医疗科技有限公司", "生物科技有限公司"],
    "cosmetic": ["化妆品有限公司", "日化有限公司", "生物科技有限公司"],
    "hospital": ["医院", "中医医院", "社区卫生服务中心", "口腔医院"],
    "hr": ["人力资源有限公司", "劳务服务有限公司", "企业管理咨询有限公司"],
    "builder": ["建设有限公司", "建筑工程有限公司", "置业有限公司", "房地产开发有限公司"],
    "transport": ["运输有限公司", "物流有限公司", "汽车服务有限公司", "客运有限公司"],
    "school": ["职业技能培训学校", "驾驶员培训有限公司"],
}
BRAND = "甬鑫华顺兴隆康泰宏达利源海天盛丰和美嘉禾润德瑞安信诚永福宁春江明东方新远"
DISTRICTS = ["海曙区", "江北区", "鄞州区", "北仑区", "镇海区", "奉化区", "余姚", "慈溪"]
REGIONS = ["330203", "330205", "330206", "330211", "330212", "330213", "330281", "330282"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国海燕红梅晓峰斌波亮婷"

# One matter: (verb or own name, statutory working days, promised at first, promised now, fee,
# extra materials, share of the item's cases). A promised limit of 0 is a 即办件.
MatterSpec = tuple[str, int, int, int, int, list[str], float]
# One item: (name, legal basis, applicant kind, item materials, [matters]).
ItemSpec = tuple[str, str, str, list[str], list[MatterSpec]]
FDA_ITEMS: list[ItemSpec] = [
    (
        "食品经营许可",
        "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "food",
        ["premises", "layout", "food_rules", "food_staff", "equipment"],
        [
            (NEW, 20, 15, 7, 0, [], 20),
            (CHANGE, 20, 10, 5, 0, [], 10),
            (RENEW, 20, 10, 5, 0, ["food_staff"], 6),
            (CANCEL, 20, 3, 0, 0, [], 4),
        ],
    ),
    (
        "食品生产许可",
        "《中华人民共和国食品安全法》第三十五条；《食品生产许可管理办法》",
        "maker",
        ["premises", "process", "equipment", "food_rules", "product_list"],
        [
            (NEW, 20, 15, 10, 0, [], 1.2),
            (CHANGE, 20, 10, 7, 0, [], 1.5),
            (RENEW, 20, 10, 7, 0, [], 1),
            (CANCEL, 20, 3, 0, 0, [], 0.3),
        ],
    ),
    (
        "食品生产加工小作坊登记",
        "《浙江省食品小作坊小餐饮店小食杂店和食品摊贩管理规定》",
        PERSON,
        ["premises", "process", "food_staff"],
        [(NEW, 15, 10, 5, 0, [], 1), (CHANGE, 15, 5, 3, 0, [], 0.5), (RENEW, 15, 5, 3, 0, [], 0.5)],
    ),
    (
        "小餐饮店登记",
        "《浙江省食品小作坊小餐饮店小食杂店和食品摊贩管理规定》",
        "food",
        ["premises", "layout", "food_staff"],
        [(NEW, 15, 7, 3, 0, [], 6), (CHANGE, 15, 3, 0, 0, [], 2)],
    ),
    (
        "食品摊贩登记",
        "《浙江省食品小作坊小餐饮店小食杂店和食品摊贩管理规定》",
        PERSON,
        ["health"],
        [(FILE, 10, 3, 0, 0, [], 1.5)],
    ),
    (
        "保健食品生产许可",
        "《中华人民共和国食品安全法》第三十五条；《食品生产许可管理办法》",
        "maker",
        ["premises", "process", "equipment", "formula", "test_report"],
        [(NEW, 20, 20, 10, 0, [], 0.3), (CHANGE, 20, 10, 7, 0, [], 0.3)],
    ),
    (
        "食品添加剂生产许可",
        "《中华人民共和国食品安全法》第三十九条；《食品生产许可管理办法》",
        "maker",
        ["premises", "process", "equipment", "product_list"],
        [
            (NEW, 20, 20, 10, 0, [], 0.2),
            (CHANGE, 20, 10, 7, 0, [], 0.2),
            (RENEW, 20, 10, 7, 0, [], 0.2),
        ],
    ),
    (
        "网络餐饮服务第三方平台分支机构备案",
        "《网络餐饮服务食品安全监督管理办法》第五条",
        "food",
        ["platform"],
        [(FILE, 20, 5, 0, 0, [], 0.3)],
    ),
    (
        "大型活动餐饮服务食品安全保障备案",
        "《大型群众性活动安全管理条例》；《餐饮服务食品安全操作规范》",
        "food",
        ["event_plan"],
        [(FILE, 10, 5, 3, 0, [], 0.4)],
    ),
    (
        "仅销售预包装食品备案",
        "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "food",
        ["premises"],
        [(FILE, 5, 0, 0, 0, [], 8), ("变更备案", 5, 0, 0, 0, [], 2)],
    ),
    (
        "药品零售企业经营许可",
        "《中华人民共和国药品管理法》第五十一条；《药品经营和使用质量监督管理办法》",
        "drug",
        ["premises", "pharmacist", "quality", "storage"],
        [
            (NEW, 15, 15, 7, 0, [], 3),
            (CHANGE, 15, 10, 5, 0, [], 5),
            ("换证", 15, 10, 7, 0, ["quality"], 2),
            (CANCEL, 15, 3, 0, 0, [], 1),
        ],
    ),
    (
        "药品零售连锁总部经营许可",
        "《中华人民共和国药品管理法》第五十一条；《药品经营和使用质量监督管理办法》",
        "drug",
        ["premises", "quality", "storage", "quality_staff", "it_system"],
        [(NEW, 30, 20, 15, 0, [], 0.3), (CHANGE, 15, 10, 7, 0, [], 0.5)],
    ),
    (
        "第二类精神药品零售业务审批",
        "《麻醉药品和精神药品管理条例》第三十一条",
        "drug",
        ["security", "pharmacist"],
        [("审批", 20, 10, 7, 0, [], 0.4)],
    ),
    (
        "麻醉药品和第一类精神药品购用印鉴卡",
        "《麻醉药品和精神药品管理条例》第三十六条",
        "hospital",
        ["hospital", "doctors", "security"],
        [
            ("核发", 40, 20, 10, 0, [], 0.3),
            (CHANGE, 20, 10, 5, 0, [], 0.3),
            ("换发", 40, 20, 10, 0, [], 0.3),
        ],
    ),
    (
        "药品类易制毒化学品购用证明",
        "《易制毒化学品管理条例》第十五条",
        "drug",
        ["purchase_plan", "security"],
        [("核发", 10, 5, 3, 0, [], 0.3)],
    ),
    (
        "执业药师注册",
        "《执业药师注册管理办法》",
        PERSON,
        ["employer"],
        [
            ("首次注册", 20, 10, 5, 0, ["education", "qualification", "health"], 3),
            ("变更注册", 20, 5, 0, 0, [], 4),
            ("延续注册", 20, 10, 5, 0, ["continuing", "health"], 2),
            ("注销注册", 20, 3, 0, 0, [], 1),
        ],
    ),
    (
        "互联网药品信息服务审批",
        "《互联网药品信息服务管理办法》",
        "drug",
        ["website", "quality_staff"],
        [("核发", 20, 15, 10, 0, [], 0.3), (CHANGE, 20, 10, 5, 0, [], 0.2)],
    ),
    (
        "放射性药品使用许可证（第一、二类）",
        "《放射性药品管理办法》第二十条",
        "hospital",
        ["hospital", "radiation"],
        [("核发", 20, 15, 10, 0, [], 0.2)],
    ),
    (
        "第三类医疗器械经营许可",
        "《医疗器械监督管理条例》第五十二条；《医疗器械经营监督管理办法》",
        "device",
        ["premises", "storage", "quality_staff", "device_list", "it_system"],
        [
            (NEW, 20, 20, 10, 0, [], 1.5),
            (CHANGE, 20, 10, 5, 0, [], 2),
            (RENEW, 20, 15, 7, 0, [], 1),
            (CANCEL, 20, 3, 0, 0, [], 0.5),
        ],
    ),
    (
        "第二类医疗器械经营备案",
        "《医疗器械监督管理条例》第五十一条；《医疗器械经营监督管理办法》",
        "device",
        ["premises", "device_list"],
        [(FILE, 5, 0, 0, 0, [], 5), ("变更备案", 5, 0, 0, 0, [], 2)],
    ),
    (
        "医疗器械网络销售备案",
        "《医疗器械网络销售监督管理办法》第八条",
        "device",
        ["website"],
        [(FILE, 5, 0, 0, 0, [], 1), ("变更备案", 5, 0, 0, 0, [], 0.3)],
    ),
    (
        "第一类医疗器械生产备案",
        "《医疗器械监督管理条例》第三十一条；《医疗器械生产监督管理办法》",
        "device",
        ["premises", "process", "approval_doc"],
        [(FILE, 5, 0, 0, 0, [], 0.4), ("变更备案", 5, 0, 0, 0, [], 0.3)],
    ),
    (
        "第一类医疗器械产品备案",
        "《医疗器械监督管理条例》第十五条；《医疗器械注册与备案管理办法》",
        "device",
        ["product_docs", "label"],
        [(FILE, 5, 0, 0, 0, [], 0.8), ("变更备案", 5, 0, 0, 0, [], 0.4)],
    ),
    (
        "医疗器械广告审查",
        "《药品、医疗器械、保健食品、特殊医学用途配方食品广告审查管理暂行办法》",
        "device",
        ["ad_sample", "approval_doc"],
        [("审查", 10, 10, 5, 0, [], 0.3)],
    ),
    (
        "药品广告审查",
        "《药品、医疗器械、保健食品、特殊医学用途配方食品广告审查管理暂行办法》",
        "drug",
        ["ad_sample", "approval_doc"],
        [("审查", 10, 10, 5, 0, [], 0.3)],
    ),
    (
        "保健食品广告审查",
        "《药品、医疗器械、保健食品、特殊医学用途配方食品广告审查管理暂行办法》",
        "maker",
        ["ad_sample", "approval_doc"],
        [("审查", 10, 10, 5, 0, [], 0.3)],
    ),
    (
        "特殊医学用途配方食品广告审查",
        "《药品、医疗器械、保健食品、特殊医学用途配方食品广告审查管理暂行办法》",
        "maker",
        ["ad_sample", "approval_doc"],
        [("审查", 10, 10, 5, 0, [], 0.1)],
    ),
    (
        "化妆品生产许可",
        "《化妆品监督管理条例》第二十七条；《化妆品生产经营监督管理办法》",
        "cosmetic",
        ["premises", "process", "equipment", "quality"],
        [
            (NEW, 30, 20, 15, 0, [], 0.3),
            (CHANGE, 30, 10, 7, 0, [], 0.4),
            (RENEW, 30, 15, 10, 0, [], 0.2),
            (CANCEL, 30, 3, 0, 0, [], 0.1),
        ],
    ),
    (
        "国产普通化妆品备案",
        "《化妆品监督管理条例》第十七条；《化妆品注册备案管理办法》",
        "cosmetic",
        ["formula", "label", "test_report"],
        [(FILE, 5, 0, 0, 0, [], 1.5), ("变更备案", 5, 0, 0, 0, [], 0.5)],
    ),
    (
        "许可证件补办",
        "《食品经营许可和备案管理办法》；《药品经营和使用质量监督管理办法》",
        "food",
        ["licence"],
        [
            ("食品经营许可证补办", 10, 5, 0, 0, [], 1),
            ("药品经营许可证补发", 10, 5, 0, 0, [], 0.3),
            ("医疗器械经营许可证补发", 10, 5, 0, 0, [], 0.2),
        ],
    ),
    (
        "食品相关产品生产许可",
        "《中华人民共和国工业产品生产许可证管理条例》；《食品相关产品质量安全监督管理暂行办法》",
        "maker",
        ["premises", "process", "equipment", "test_report"],
        [(NEW, 20, 15, 10, 0, [], 0.3)],
    ),
]

# The other units' windows: (unit, window, location, [clerks' count, cases at scale 1],
# share of cases completed on the deadline day, items with one version each).
OTHER_WINDOWS: list[tuple[str, str, str, int, int, float, list[ItemSpec]]] = [
    (
        "市人力社保局",
        "市人力社保局窗口",
        "二楼 B 区 5 号窗口",
        2,
        2_400,
        0.08,
        [
            (
                "人力资源服务许可",
                "《人力资源市场暂行条例》第十八条",
                "hr",
                ["staff_list", "rules_hr"],
                [(NEW, 20, 7, 7, 0, [], 1.5), (CHANGE, 20, 3, 3, 0, [], 1)],
            ),
            (
                "劳务派遣经营许可",
                "《中华人民共和国劳动合同法》第五十七条；《劳务派遣行政许可实施办法》",
                "hr",
                ["capital", "rules_hr"],
                [
                    (NEW, 20, 10, 10, 0, [], 1),
                    (CHANGE, 20, 5, 5, 0, [], 1),
                    (RENEW, 20, 5, 5, 0, [], 1),
                ],
            ),
            (
                "企业实行不定时工作制和综合计算工时工作制审批",
                "《中华人民共和国劳动法》第三十九条",
                "hr",
                ["work_hours"],
                [("审批", 20, 7, 7, 0, [], 2)],
            ),
            (
                "民办职业培训学校设立",
                "《中华人民共和国民办教育促进法》第十二条",
                "school",
                ["premises", "school_plan", "capital"],
                [(NEW, 30, 15, 15, 0, [], 0.3)],
            ),
            (
                "就业创业证申领",
                "《就业服务与就业管理规定》第六十三条",
                PERSON,
                ["id_card", "photo"],
                [("申领", 5, 0, 0, 0, [], 4)],
            ),
        ],
    ),
    (
        "市住建局",
        "市住建局窗口",
        "三楼 A 区 2 号窗口",
        2,
        1_800,
        0.12,
        [
            (
                "商品房预售许可",
                "《中华人民共和国城市房地产管理法》第四十五条",
                "builder",
                ["land", "presale_plan", "fund_account"],
                [("核发", 10, 5, 5, 0, [], 2)],
            ),
            (
                "建筑业企业资质",
                "《中华人民共和国建筑法》第十三条；《建筑业企业资质管理规定》",
                "builder",
                ["engineers", "performance", "capital"],
                [(NEW, 20, 10, 10, 0, [], 1), (RENEW, 20, 5, 5, 0, [], 1)],
            ),
            (
                "建筑工程施工许可",
                "《中华人民共和国建筑法》第七条",
                "builder",
                ["land", "contract", "drawings"],
                [("核发", 15, 5, 5, 0, [], 2)],
            ),
            (
                "房地产开发企业资质核定",
                "《房地产开发企业资质管理规定》",
                "builder",
                ["capital", "engineers"],
                [("核定", 20, 7, 7, 0, [], 0.8), (RENEW, 20, 5, 5, 0, [], 0.6)],
            ),
            (
                "城市建筑垃圾处置核准",
                "《城市建筑垃圾管理规定》第七条",
                "builder",
                ["waste_plan", "vehicles"],
                [("核准", 20, 5, 5, 0, [], 1)],
            ),
        ],
    ),
    (
        "市交通委",
        "市交通委窗口",
        "二楼 C 区 9 号窗口",
        2,
        2_200,
        0.1,
        [
            (
                "道路旅客运输经营许可",
                "《中华人民共和国道路运输条例》第十条",
                "transport",
                ["vehicles", "drivers", "safety", "route"],
                [(NEW, 20, 10, 10, 0, [], 0.5)],
            ),
            (
                "道路货物运输经营许可",
                "《中华人民共和国道路运输条例》第二十四条",
                "transport",
                ["vehicles", "drivers", "safety"],
                [(NEW, 20, 5, 5, 0, [], 2), (CHANGE, 20, 3, 3, 0, [], 1.5)],
            ),
            (
                "网络预约出租汽车经营许可",
                "《网络预约出租汽车经营服务管理暂行办法》第五条",
                "transport",
                ["platform_ride", "safety"],
                [(NEW, 20, 10, 10, 0, [], 0.2)],
            ),
            (
                "网络预约出租汽车运输证",
                "《网络预约出租汽车经营服务管理暂行办法》第十三条",
                PERSON,
                ["vehicle_licence"],
                [("核发", 10, 3, 3, 0, [], 3)],
            ),
            (
                "机动车驾驶员培训备案",
                "《中华人民共和国道路运输条例》第三十九条",
                "school",
                ["training_site", "safety"],
                [(FILE, 5, 0, 0, 0, [], 0.5)],
            ),
        ],
    ),
]

CORRECTION_NOTES = [
    "缺少经营场所使用证明",
    "申请书未签字盖章",
    "营业执照复印件未加盖公章",
    "平面布局图未标明功能分区",
    "委托书未写明委托权限",
]
DENIAL_REASONS = [
    "经现场核查，经营场所不符合许可条件",
    "申请经营项目超出许可范围",
    "质量管理人员资质不符合要求",
]
PAUSE_REASONS = {
    PauseKind.SITE_SURVEY: "需现场核查经营场所和设施设备，已与申请人约定核查时间",
    PauseKind.INSPECTION: "产品须送检验机构检验，待出具检验报告",
    PauseKind.EXPERT_REVIEW: "组织专家对质量管理体系进行技术评审",
    PauseKind.HEARING: "申请人依法申请听证，等待听证结束",
}
PROMISE = "本人（单位）承诺于约定期限内补齐所缺材料，逾期未补齐的，同意终止办理并承担相应责任。"
CATALOGUE_START_YEARS = YEARS  # version 1 published as the period began
CUT_YEARS = 2  # version 2 (the limits cut) two years ago

# 好差评: the share of completed cases rated (参评率), the levels of the good ones, the share rated
# at the window's screen (the rest later, with a code); and the 差评, a fixed handful whatever the
# scale, each with the story of its follow-up: (story, rated that many working days ago, or None
# for one closed long ago, spread over the years).
SHARE_RATED = 0.9
# (level, its share of what the levels before it left): 72 % 非常满意, 24 % 满意, 4 % 基本满意
LEVEL_SHARES = [(5, 0.72), (4, 24 / 28), (3, 1.0)]
SHARE_KIOSK = 0.65
CLOSED_STORIES = ("closed_callback", "closed_code")
BAD_STORIES: list[tuple[str, int | None]] = [
    ("closed_callback", None),
    ("closed_code", None),
    ("closed_callback", None),
    ("upheld", None),
    ("closed_code", None),
    ("closed_callback", None),
    ("closed_code", None),
    ("awaiting", 10),  # fed back; the applicant has the code to rate the fix
    ("rectify", 2),  # verified yesterday, rectification due in a few working days
    ("pending", 3),  # appealed; the committee has to decide
]
GOOD_COMMENTS = [
    "窗口人员态度热情，一次就办好了",
    "材料不齐也给容缺受理了，少跑一趟",
    "比承诺时间提前办结，点赞",
    "讲解很耐心，流程清楚",
    "办事效率高",
]
BAD_COMMENTS = [
    "等候时间太长，叫号系统出故障也没人解释",
    "工作人员态度生硬，问了两遍才回答",
    "材料要求前后说法不一致，多跑了一趟",
]
FOLLOW_UP_TEXTS = [
    (
        "经调阅窗口录像并与当班人员谈话，当日叫号系统故障约四十分钟，未及时向等候群众说明情况，差评属实。",
        "增设导办人员，叫号系统故障时立即人工叫号并告知等候时间；当班人员作书面检查。",
        "电话联系申请人，说明整改措施并致歉，申请人表示理解。",
    ),
    (
        "经核实，窗口人员答复简单生硬，未按首问负责制一次讲清，差评属实。",
        "组织窗口人员文明服务培训，落实首问负责和一次性告知，纳入月度考核。",
        "上门回访申请人，通报整改情况，申请人表示满意。",
    ),
    (
        "经核实，网上办事指南材料清单未与窗口同步更新，导致申请人多跑一次，差评属实。",
        "当日更新网上办事指南，建立办事指南与窗口告知单同步核对机制。",
        "电话回访申请人，告知办事指南已更新并致歉。",
    ),
]
APPEAL_REASONS = [
    "经调阅窗口录像和办件记录，申请人评价所述情况与事实不符，系恶意差评，申请不计入统计。",
]
UPHELD_NOTE = "经调阅窗口录像和办件记录，差评所述情况与事实不符，申诉成立，该评价不计入统计。"
FEEDBACK_METHODS = [FeedbackMethod.PHONE, FeedbackMethod.PHONE, FeedbackMethod.VISIT]


@dataclass
class WindowDemoSummary:
    windows: int = 0
    items: int = 0  # of every window's unit
    matters: int = 0
    wupeng_items: int = 0  # of 吴鹏's unit
    wupeng_matters: int = 0
    cases: int = 0
    wupeng_cases: int = 0
    open_cases: int = 0
    early: int = 0
    pauses: int = 0
    deferrals: int = 0
    events: int = 0
    average_promised: float = 0.0
    ratings: int = 0  # counted: round 1, no upheld appeal
    bad_ratings: int = 0
    first: datetime.date | None = None
    last: datetime.date | None = None

    def as_changes(self) -> dict:
        return {
            "windows": [None, self.windows],
            "window_items": [None, self.items],
            "window_matters": [None, self.matters],
            "window_cases": [None, self.cases],
            "window_case_events": [None, self.events],
            "window_ratings": [None, self.ratings],
        }

    def describe(self) -> str:
        return gettext(
            "%(windows)s 个服务窗口；吴鹏的窗口 %(wupeng_items)s 个审批事项（%(wupeng_matters)s "
            "个办理项），平均承诺时限 %(average_promised).1f 个工作日；%(first)s至%(last)s "
            "受理办件 %(cases)s 件，其中吴鹏 %(wupeng_cases)s 件，提前办结 %(early)s 件，"
            "办理中 %(open_cases)s 件"
        ) % vars(self)

    def note(self) -> str:
        return (
            f"{self.windows} 个服务窗口、{self.items} 个审批事项（{self.matters} 个办理项）、"
            f"办件 {self.cases} 件（吴鹏 {self.wupeng_cases} 件）"
        )


def build(ctx: DemoContext) -> WindowDemoSummary:
    """The windows, their catalogues and cases; refuses a database that already holds windows."""
    if Window.objects.exists() or ApprovalItem.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    return _WindowBuilder(ctx).build()


def period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The four years up to today (both ends included): the demo's cases."""
    return _years_before(today, YEARS) + datetime.timedelta(days=1), today


def _verb_of(name: str) -> str:
    """What a matter named by its own words does, for its materials (变更备案 is a change)."""
    if name in VERB_NAMES:
        return name
    for words, verb in (
        ("补", REISSUE),
        ("变更", CHANGE),
        ("注销", CANCEL),
        ("延续", RENEW),
        ("换", RENEW),
        ("备案", FILE),
    ):
        if words in name:
            return verb
    return NEW


def _uscc_check_digit(body: str) -> str:
    """The check digit of a 统一社会信用代码 (GB 32100-2015), as `stdnum.cn.uscc` computes it."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# ---------------------------------------------------------------------------------------------
# The plan of one case, before the rows are made
# ---------------------------------------------------------------------------------------------


@dataclass
class _Version:
    row: MatterVersion
    materials: list[Material]
    deferrable: list[Material]


@dataclass
class _Matter:
    row: Matter
    item: ApprovalItem
    applicant: str  # PERSON or a key of NAME_ENDINGS
    versions: list[_Version]  # oldest first
    weight: float

    def version_on(self, day: datetime.date) -> _Version:
        chosen = self.versions[0]
        for version in self.versions:
            if version.row.valid_from <= day:
                chosen = version
        return chosen


@dataclass
class _Window:
    row: Window
    clerks: list[User]
    matters: list[_Matter]
    on_deadline: float  # share completed on the deadline day instead of early
    all_done: bool  # every case before the last working day is completed (吴鹏's window)


@dataclass
class _Case:
    window: _Window
    clerk: User
    matter: _Matter
    version: _Version
    accepted: int  # index of the acceptance day in the working days
    received: int
    applicant: tuple[str, str, str, str, str]  # kind, name, id number, credit code, phone
    state: str = CaseState.ACCEPTED
    deadline: datetime.date | None = None
    first_deadline: datetime.date | None = None  # at acceptance, before any pause
    statutory: datetime.date | None = None
    completed: int | None = None
    delivered: int | None = None
    outcome: str = ""
    outcome_note: str = ""
    pause: tuple[int, int | None, str] | None = None  # start, end (None: running), kind
    deferred: list[Material] = field(default_factory=list)
    supply_by: datetime.date | None = None
    supplied: int | None = None
    correction: str = ""
    receipt_no: str = ""
    pk: int | None = None
    created_at: datetime.datetime | None = None


class _Timeline:
    """The events of one case at increasing moments: the first at the case's turn in the day's
    queue, each later one on its own day, or a little after the one before on the same day."""

    def __init__(self, builder: _WindowBuilder, case: _Case, first_minute: int):
        self.builder, self.case = builder, case
        self.minute = first_minute
        self.index: int | None = None
        self.first: datetime.datetime | None = None
        self.at: datetime.datetime | None = None
        self.state = ""

    def add(
        self, kind: str, index: int, note: str = "", *, action: str = "", created: str = ""
    ) -> None:
        """One step: `action` of the lifecycle table, or the state a new case is `created` in."""
        rng = self.builder.rng
        if self.index is None:
            minute = self.minute
        elif index == self.index:
            minute = self.minute + rng.randint(5, 90)
        else:
            minute = 8 * 60 + 40 + rng.randrange(500)
        self.minute = minute = min(minute, 23 * 60 + 59)
        at = datetime.datetime.combine(
            self.builder.days[index],
            datetime.time(minute // 60, minute % 60, rng.randrange(60)),
            tzinfo=self.builder.tz,
        )
        if self.at is not None and at <= self.at:
            at = self.at + datetime.timedelta(seconds=rng.randint(30, 600))
        to_state = rules.CASE.target(self.state, action) if action else created
        self.builder.events.append(
            {
                "case": self.case,
                "kind": kind,
                "on": self.builder.days[index],
                "actor_id": self.case.clerk.pk,
                "from_state": self.state,
                "to_state": to_state,
                "note": note,
                "at": at,
            }
        )
        if self.first is None:
            self.first = at
        self.index, self.at, self.state = index, at, to_state


class _RatingPlan:
    """The rating rows of the demo before they are inserted: the ratings (with their options),
    the 差评's follow-ups and appeals, and the codes that were handed out."""

    def __init__(self, builder: _WindowBuilder, question_set, options, config):
        self.builder, self.question_set, self.options, self.config = (
            builder,
            question_set,
            options,
            config,
        )
        self.ratings: list[tuple[dict, list[int]]] = []
        self.follow_ups: list[tuple[dict, dict]] = []
        self.appeals: list[tuple[dict, dict]] = []
        self.invites: list[dict] = []
        self.counted = 0

    def _at(self, day: datetime.date, first_hour: int = 9, last_hour: int = 16):
        minute = int(self.builder.rng.random() * (last_hour - first_hour + 1) * 60)
        moment = datetime.time(first_hour + minute // 60, minute % 60)
        return datetime.datetime.combine(day, moment, tzinfo=self.builder.tz)

    def rate(self, case: _Case, round: int, level: int, channel: str, rated_on, *, comment=""):
        rng = self.builder.rng
        offered = self.options.get(level, [])
        chosen = rng.sample(offered, min(len(offered), rng.choice([0, 1, 1, 2])))
        kiosk = channel == RatingChannel.KIOSK
        row = {
            "case_id": case.pk,
            "round": round,
            "level": level,
            "channel": channel,
            "question_set_id": self.question_set.pk,
            "comment": comment,
            "rated_on": rated_on,
            "rated_at": self._at(rated_on, 9 if kiosk else 8, 16 if kiosk else 21),
        }
        self.ratings.append((row, chosen))
        return row

    def _rectify_due(self, rated_on: datetime.date) -> datetime.date | None:
        try:
            return rules.rectify_due(rated_on, self.config.rectify_workdays)
        except CalendarYearMissing:  # counted by the daily job once the year is entered
            return None

    def follow_up(self, rating: dict, rated_on: datetime.date) -> dict:
        row = {
            "state": FollowUpState.VERIFY,
            "opened_on": rated_on,
            "rectify_due": self._rectify_due(rated_on),
            "finding": "",
            "verified_on": None,
            "verified_by_id": None,
            "measures": "",
            "rectified_on": None,
            "rectified_by_id": None,
            "feedback_method": "",
            "feedback_note": "",
            "fed_back_on": None,
            "fed_back_by_id": None,
            "closed_on": None,
        }
        self.follow_ups.append((rating, row))
        return row

    def invite(self, case: _Case, round: int, issued_on, expires_on, by, *, used) -> None:
        # only the hash of a code is ever kept; the demo's codes were never shown to anyone
        secret = self.builder.rng.getrandbits(128).to_bytes(16, "big")
        self.invites.append(
            {
                "case_id": case.pk,
                "round": round,
                "code_hash": hashlib.sha256(secret).hexdigest(),
                "issued_on": issued_on,
                "expires_on": expires_on,
                "issued_by_id": by.pk if by is not None else None,
                "used_at": self._at(used, 8, 21) if used is not None else None,
                "revoked_at": None,
            }
        )

    def insert(self) -> None:
        insert_rows(Rating, [row for row, _chosen in self.ratings])
        ids = {
            (case_id, round): pk
            for case_id, round, pk in Rating.objects.values_list("case_id", "round", "pk")
        }
        insert_rows(
            Rating.options.through,
            [
                {"rating_id": ids[row["case_id"], row["round"]], "ratingoption_id": option}
                for row, chosen in self.ratings
                for option in chosen
            ],
        )
        follow_ups = []
        for rating, row in self.follow_ups:
            last = max(
                day
                for day in (
                    row["opened_on"],
                    row["verified_on"],
                    row["fed_back_on"],
                    row["closed_on"],
                )
                if day is not None
            )
            follow_ups.append(
                FollowUp(
                    rating_id=ids[rating["case_id"], rating["round"]],
                    updated_at=self._at(last),
                    **row,
                )
            )
        with historic_timestamps(FollowUp):
            FollowUp.objects.bulk_create(follow_ups)
        made = {
            id(row): obj for (_rating, row), obj in zip(self.follow_ups, follow_ups, strict=True)
        }
        Appeal.objects.bulk_create(
            [Appeal(follow_up=made[id(row)], **appeal) for row, appeal in self.appeals]
        )
        insert_rows(RatingInvite, self.invites)
        excluded = sum(1 for _r, row in self.follow_ups if row["state"] == FollowUpState.EXCLUDED)
        self.counted = (
            sum(1 for row, _chosen in self.ratings if row["round"] == RatingRound.CASE) - excluded
        )


class _WindowBuilder:
    def __init__(self, ctx: DemoContext):
        # One draw from the demo's generator seeds this one: same seed, same windows and cases.
        self.rng = ctx.fork()
        self.scale = ctx.scale
        self.today = ctx.today
        self.tz = timezone.get_current_timezone()
        self.first, _last = period(self.today)
        self.summary = WindowDemoSummary(first=self.first, last=self.today)
        self.units = {u.short_name: u for u in Unit.objects.order_by("pk") if u.short_name}
        # The working days of the period, oldest first; the last one is the current day (today,
        # or the last working day before it when the centre is closed today).
        self.days = self._workdays(self.first, self.today)
        self.current = len(self.days) - 1
        self._deadlines: dict[tuple[datetime.date, int], datetime.date] = {}
        self._enterprises: dict[str, list[tuple]] = {}
        self._persons: list[tuple] = []
        self._codes: set[str] = set()
        self._ids: dict[str, tuple[str, str]] = {}
        self.cases: list[_Case] = []
        self.events: list[dict] = []
        # Stored text is in the site language, whatever the language of the process.
        with translation.override(settings.LANGUAGE_CODE):
            self.labels = {
                value: str(label) for value, label in [*Outcome.choices, *PauseKind.choices]
            }

    # -- calendar -------------------------------------------------------------------------------

    @staticmethod
    def _workdays(first: datetime.date, last: datetime.date) -> list[datetime.date]:
        days, day = [], first
        while day <= last:
            if is_workday(day):
                days.append(day)
            day += datetime.timedelta(days=1)
        return days

    def _deadline(self, accepted_on: datetime.date, workdays: int, pauses=()) -> datetime.date:
        """`rules.deadline`, remembered for the cases without pauses (nearly all of them)."""
        if pauses:
            return rules.deadline(accepted_on, workdays, pauses, today=self.today)
        key = (accepted_on, workdays)
        if key not in self._deadlines:
            self._deadlines[key] = rules.deadline(accepted_on, workdays, today=self.today)
        return self._deadlines[key]

    # -- catalogue ------------------------------------------------------------------------------

    def _catalogue(self, unit: Unit, prefix: str, items: list, *, versioned: bool) -> list:
        """The unit's items, matters, versions and materials; returns the `_Matter`s. Version 1
        was published as the period began; where `versioned`, version 2 (the limits cut) two
        years ago."""
        start = _years_before(self.today, CATALOGUE_START_YEARS) - datetime.timedelta(days=30)
        cut = _years_before(self.today, CUT_YEARS)
        item_rows, plans = [], []
        for n, (name, basis, applicant, item_materials, matters) in enumerate(items, start=1):
            item = ApprovalItem(
                unit=unit, code=f"{prefix}-{n:03d}", name=name, legal_basis=basis, sort_order=n
            )
            item_rows.append(item)
            for m, spec in enumerate(matters, start=1):
                plans.append((item, m, spec, applicant, item_materials))
        ApprovalItem.objects.bulk_create(item_rows)
        matter_rows = []
        for item, m, spec, _applicant, _materials in plans:
            label = VERB_NAMES.get(spec[0], spec[0])
            name = label if item.name in label else f"{item.name}（{label}）"
            matter_rows.append(
                Matter(item=item, code=f"{item.code}-{m:02d}", name=name, sort_order=m)
            )
        Matter.objects.bulk_create(matter_rows)
        version_rows, version_keys = [], []
        for (item, _m, spec, _applicant, item_materials), matter in zip(
            plans, matter_rows, strict=True
        ):
            verb, statutory, promised_then, promised_now, fee, extra, _weight = spec
            limits = [(promised_then, start)]
            if versioned and promised_now != promised_then:
                limits.append((promised_now, cut))
            elif promised_now != promised_then:
                limits = [(promised_now, start)]
            does = _verb_of(verb)
            keys = list(VERB_MATERIALS[does])
            if does in (NEW, RENEW, FILE):
                keys += [k for k in item_materials if k not in keys]
            keys += [k for k in extra if k not in keys]
            if self.rng.random() < 0.3:
                keys.append("agent")
            for number, (promised, valid_from) in enumerate(limits, start=1):
                version_rows.append(
                    MatterVersion(
                        matter=matter,
                        number=number,
                        kind=MatterKind.IMMEDIATE if promised == 0 else MatterKind.PROMISED,
                        statutory_workdays=statutory,
                        promised_workdays=promised,
                        fee=Decimal(fee),
                        fee_note="" if fee else "不收费",
                        legal_basis=item.legal_basis,
                        valid_from=valid_from,
                        created_at=datetime.datetime.combine(
                            valid_from, datetime.time(9), tzinfo=self.tz
                        ),
                    )
                )
                version_keys.append((item, keys))
        with historic_timestamps(MatterVersion):
            MatterVersion.objects.bulk_create(version_rows)
        material_rows, of_version = [], []
        for version, (item, keys) in zip(version_rows, version_keys, strict=True):
            own = []
            for order, key in enumerate(keys, start=1):
                name, form, copies, deferrable = MATERIALS[key]
                own.append(
                    Material(
                        version=version,
                        name=name.format(item=item.name),
                        form=form,
                        copies=copies,
                        deferrable=deferrable,
                        sort_order=order,
                    )
                )
            material_rows += own
            of_version.append(own)
        Material.objects.bulk_create(material_rows)
        versions_of: dict[int, list[_Version]] = {}
        for version, own in zip(version_rows, of_version, strict=True):
            versions_of.setdefault(id(version.matter), []).append(
                _Version(version, own, [x for x in own if x.deferrable])
            )
        result = []
        for (_item, _m, spec, applicant, _materials), matter in zip(
            plans, matter_rows, strict=True
        ):
            versions = versions_of[id(matter)]
            matter.current = versions[-1].row
            result.append(_Matter(matter, matter.item, applicant, versions, spec[-1]))
        Matter.objects.bulk_update(matter_rows, ["current"])
        self.summary.items += len(item_rows)
        self.summary.matters += len(matter_rows)
        return result

    # -- windows and clerks ---------------------------------------------------------------------

    def _window(self, unit: Unit, name: str, location: str, clerks: list[User]) -> Window:
        window = Window.objects.create(unit=unit, name=name, location=f"{CENTRE}{location}")
        window.clerks.set(clerks)
        self.summary.windows += 1
        return window

    def _clerks(self, unit: Unit, count: int, tag: str) -> list[User]:
        """`count` window clerks of the unit, accounts of its members that do not sign in."""
        members = list(
            Member.objects.filter(unit=unit, status=MemberStatus.ACTIVE, account__isnull=True)
            .exclude(name=WUPENG)
            .order_by("pk")[:200]
        )
        chosen = self.rng.sample(members, min(count, len(members)))
        password = make_password(None)
        users = [
            User(
                username=f"window_{tag}_{n}",
                role=Role.WINDOW_CLERK,
                unit=unit,
                member=member,
                display_name=member.name,
                password=password,
            )
            for n, member in enumerate(chosen, start=1)
        ]
        User.objects.bulk_create(users)
        return users

    # -- applicants -----------------------------------------------------------------------------

    def _phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def _person(self) -> tuple:
        rng = self.rng
        if self._persons and rng.random() < 0.15:
            return rng.choice(self._persons)
        male = rng.random() < 0.5
        name = surname(rng) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 42))
        sequence = rng.randrange(500) * 2 + (1 if male else 0)
        body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{sequence:03d}"
        person = (
            ApplicantKind.PERSON,
            name,
            body + ric.calc_check_digit(body + "0"),
            "",
            self._phone(),
        )
        self._persons.append(person)
        return person

    def _credit_code(self) -> str:
        while True:
            body = "91" + self.rng.choice(REGIONS) + "".join(self.rng.choices(USCC_ALPHABET, k=9))
            code = body + _uscc_check_digit(body)
            if code not in self._codes:
                self._codes.add(code)
                return code

    def _enterprise(self, kind: str) -> tuple:
        rng = self.rng
        known = self._enterprises.setdefault(kind, [])
        if known and rng.random() < 0.3:
            return rng.choice(known)
        ending = rng.choice(NAME_ENDINGS[kind])
        place = "宁波" if ending.endswith("有限公司") else rng.choice(DISTRICTS)
        name = f"{place}{''.join(rng.sample(BRAND, 2))}{ending}"
        enterprise = (ApplicantKind.ENTERPRISE, name, "", self._credit_code(), self._phone())
        known.append(enterprise)
        return enterprise

    def _sensitive(self, number: str) -> tuple[str, str]:
        """(look-up hash, encrypted) of an ID number, as `set_id_number` stores them."""
        if number not in self._ids:
            self._ids[number] = (sensitive.lookup_hash(number), sensitive.encrypt(number))
        return self._ids[number]

    # -- the plan -------------------------------------------------------------------------------

    def _plan_window(self, window: _Window, counts: list[int]) -> None:
        """Cases of each clerk (`counts`, in the clerks' order) spread over the working days, a
        little more each year. At 吴鹏's window only the first clerk's open cases are on the
        current day (one paused for a site survey, one accepted with a material deferred)."""
        rng = self.rng
        weights = list(itertools.accumulate(m.weight for m in window.matters))
        span = self.current if window.all_done else self.current + 1
        growth = [1 + 0.3 * i / max(span, 1) for i in range(span)]
        cumulative = list(itertools.accumulate(growth))
        open_now = max(3, round(OPEN_TODAY * self.scale)) if window.all_done else 0
        flagship = max(
            (
                m
                for m in window.matters
                if m.versions[-1].row.promised_workdays >= 5 and m.versions[-1].deferrable
            ),
            key=lambda m: m.weight,
            default=None,
        )
        for clerk, count in zip(window.clerks, counts, strict=True):
            today = min(open_now, count) if clerk is window.clerks[0] else 0
            days = sorted(rng.choices(range(span), cum_weights=cumulative, k=count - today))
            for index in days:
                self._plan_case(window, clerk, index, weights)
            for n in range(today):
                story = ("pause", "defer")[n] if n < 2 and flagship is not None else ""
                matter = flagship if story else None
                self._plan_case(window, clerk, self.current, weights, matter, story)

    def _plan_case(
        self,
        window: _Window,
        clerk: User,
        index: int,
        weights: list[float],
        matter: _Matter | None = None,
        story: str = "",
    ) -> None:
        rng = self.rng
        day = self.days[index]
        if matter is None:
            matter = rng.choices(window.matters, cum_weights=weights)[0]
            if index == self.current and window.all_done and day < self.today:
                # the centre is closed today: what is open from the last working day is a case
                # with time to run, never a 即办件
                matter = rng.choice(
                    [m for m in window.matters if m.version_on(day).row.promised_workdays >= 2]
                )
        version = matter.version_on(day)
        applicant = (
            self._person() if matter.applicant == PERSON else self._enterprise(matter.applicant)
        )
        case = _Case(window, clerk, matter, version, index, index, applicant)
        promised = version.row.promised_workdays
        if story == "pause":
            case.pause = (-1, None, "")
        elif story == "defer":
            case.deferred = version.deferrable[:1]
        else:
            if index > 0 and rng.random() < SHARE_CORRECTION:
                case.received = max(0, index - rng.randint(1, 5))
                case.correction = "、".join(rng.sample(CORRECTION_NOTES, rng.randint(1, 2)))
            if promised >= 3 and version.deferrable and rng.random() < SHARE_DEFERRAL:
                case.deferred = rng.sample(
                    version.deferrable, min(len(version.deferrable), rng.choice([1, 1, 2]))
                )
            elif promised >= 5 and rng.random() < SHARE_PAUSE:
                case.pause = (-1, None, "")  # placed once the deadline is known
        self.cases.append(case)

    def _holiday_pauses(self, window: _Window) -> None:
        """Around each long holiday a case or two paused over it: begun on the last working day
        before the holiday, resumed a few working days after it."""
        rng = self.rng
        by_day: dict[int, list[_Case]] = {}
        for case in self.cases:
            if case.window is window and case.pause is None and not case.deferred:
                by_day.setdefault(case.accepted, []).append(case)
        for index in range(4, self.current - 7):
            if (self.days[index + 1] - self.days[index]).days <= 3:  # a weekend at most
                continue
            candidates = [
                case
                for back in range(1, 4)
                for case in by_day.get(index - back, [])
                if case.accepted + case.version.row.promised_workdays - 2 >= index
                and case.version.row.promised_workdays >= 5
            ]
            for case in rng.sample(candidates, min(len(candidates), 2)):
                case.pause = (index, index + rng.randint(1, 4), PauseKind.SITE_SURVEY)

    def _complete_day(self, case: _Case, earliest: int, deadline_index: int) -> int:
        """A working day from `earliest` to the one before the deadline, most often in the first
        half of the time left; the deadline day itself for the window's share of such cases."""
        if self.rng.random() < case.window.on_deadline:
            return deadline_index
        latest = max(earliest, deadline_index - 1)
        return earliest + round((latest - earliest) * self.rng.triangular(0, 1, 0.3))

    def _settle(self, case: _Case) -> bool:
        """Deadlines, pause, 容缺 and completion of a planned case; False leaves it out (its
        deadline falls in a year the calendar has no data for yet)."""
        rng = self.rng
        i = case.accepted
        accepted_on = self.days[i]
        promised = case.version.row.promised_workdays
        statutory = case.version.row.statutory_workdays
        is_current = i == self.current
        pauses: list[rules.Pause] = []
        if case.pause is not None:
            start, end, kind = case.pause
            if is_current:  # paused the day it came (吴鹏's); elsewhere the pause is dropped
                case.pause = (i, None, PauseKind.SITE_SURVEY) if case.window.all_done else None
            elif start < 0:
                start = i + rng.randint(1, promised - 2)
                end = start + rng.randint(1, 5)
                kind = rng.choices(list(PAUSE_REASONS), weights=[70, 20, 8, 2])[0]
                case.pause = (start, end, kind) if end < self.current else None
            if case.pause is not None:
                start, end, _kind = case.pause
                pauses = [(self.days[start], self.days[end] if end is not None else None)]
        try:
            case.first_deadline = self._deadline(accepted_on, promised)
            case.deadline = self._deadline(accepted_on, promised, pauses)
            case.statutory = self._deadline(accepted_on, statutory, pauses)
            if case.deferred:
                case.supply_by = add_workdays(accepted_on, min(3, promised - 1))
        except CalendarYearMissing:
            return False
        if is_current and case.window.all_done:
            case.state = CaseState.PAUSED if pauses else CaseState.ACCEPTED
            return True
        # the deadline's index among the working days (it may lie beyond the last one)
        deadline_index = i + promised
        if case.pause is not None:
            start, end, _kind = case.pause
            done = self._complete_day(case, end + 1, deadline_index + end - start)
        elif promised:
            done = self._complete_day(case, i + 1, deadline_index)
        else:
            done = i  # 即办件: the same day
        if done > self.current and case.window.all_done:
            done = self.current  # 吴鹏's: everything before the current day is done by now
        if case.deferred:
            latest = min(i + min(3, promised - 1), done)
            case.supplied = rng.randint(min(i + 1, latest), latest)
            if case.supplied > self.current:
                case.supplied = None
        if done > self.current:
            return True  # still open, its deadline ahead
        case.completed = done
        case.state = CaseState.COMPLETED
        if not case.deferred and rng.random() < SHARE_DENIED:
            case.outcome, case.outcome_note = Outcome.DENIED, rng.choice(DENIAL_REASONS)
        else:
            case.outcome = Outcome.APPROVED
        pickup = done if promised == 0 else done + rng.choice([0, 0, 1, 1, 2, 3, 5])
        if pickup <= self.current:
            case.delivered = pickup
            case.state = CaseState.DELIVERED
        return True

    # -- rows -----------------------------------------------------------------------------------

    def _timeline(self, case: _Case, sequence: int) -> _Timeline:
        """The case's events through the lifecycle table, as the services write them."""
        line = _Timeline(self, case, 8 * 60 + 45 + min(sequence * self.rng.randint(6, 14), 480))
        K = CaseEventKind
        if case.correction:
            note = f"一次性告知需补正：{case.correction}"
            line.add(K.CORRECTION, case.received, note, created=CaseState.CORRECTION)
            line.add(K.ACCEPT, case.accepted, self._accept_note(case), action="accept")
        else:  # accepted at once: the case is created accepted
            line.add(K.ACCEPT, case.accepted, self._accept_note(case), created=CaseState.ACCEPTED)
        if case.supplied is not None:
            names = "、".join(m.name for m in case.deferred)
            line.add(K.SUPPLY, case.supplied, f"{names}（容缺材料已全部补齐）", action="supply")
        if case.pause is not None:
            start, end, kind = case.pause
            note = f"{self.labels[kind]}：{PAUSE_REASONS[kind]}"
            line.add(K.PAUSE, start, note, action="pause")
            if end is not None:
                note = f"中止 {self.days[start]} 至 {self.days[end]}，承诺办结日期 {case.deadline}"
                line.add(K.RESUME, end, note, action="resume")
        if case.completed is not None:
            label = self.labels[case.outcome]
            note = f"{label}：{case.outcome_note}" if case.outcome_note else label
            line.add(K.COMPLETE, case.completed, note, action="complete")
        if case.delivered is not None:
            line.add(K.DELIVER, case.delivered, action="deliver")
        if line.state != case.state:  # pragma: no cover - the plan and the table disagree
            raise RuntimeError(f"a planned case ends {line.state}, not {case.state}")
        return line

    @staticmethod
    def _accept_note(case: _Case) -> str:
        note = f"承诺办结日期 {case.first_deadline}"
        if case.deferred:
            names = "、".join(m.name for m in case.deferred)
            note += f"；容缺受理：{names}，应于 {case.supply_by} 前补齐"
        return note

    def _rows(self) -> list[dict]:
        """The case rows ({attname: value}) in the order they were received, with each window's
        running number of the day in the receipt number."""
        sequences: dict[tuple[int, int], int] = {}
        rows = []
        for case in sorted(self.cases, key=lambda c: (c.received, c.window.row.pk, c.accepted)):
            window_id = case.window.row.pk
            key = (window_id, case.received)
            sequences[key] = sequence = sequences.get(key, 0) + 1
            received_on = self.days[case.received]
            kind, name, id_number, credit_code, phone = case.applicant
            line = self._timeline(case, sequence)
            case.created_at = line.first
            id_hash, id_encrypted = self._sensitive(id_number) if id_number else (None, "")
            case.receipt_no = rules.receipt_number(window_id, received_on, sequence)
            rows.append(
                {
                    "window_id": window_id,
                    "version_id": case.version.row.pk,
                    "receipt_no": case.receipt_no,
                    "state": case.state,
                    "applicant_kind": kind,
                    "applicant_name": name,
                    "id_number_hash": id_hash,
                    "id_number_encrypted": id_encrypted,
                    "credit_code": credit_code,
                    "applicant_phone": phone,
                    "phone_tail": phone[-4:],
                    "received_on": received_on,
                    "accepted_on": self.days[case.accepted],
                    "deadline": case.deadline,
                    "statutory_deadline": case.statutory,
                    "handled_by_id": case.clerk.pk,
                    "correction_note": (
                        f"一次性告知需补正：{case.correction}" if case.correction else ""
                    ),
                    "refusal_reason": "",
                    "deferral_promise": PROMISE if case.deferred else "",
                    "supply_by": case.supply_by,
                    "outcome": case.outcome,
                    "outcome_note": case.outcome_note,
                    "completed_on": self._day(case.completed),
                    "delivered_on": self._day(case.delivered),
                    "terminated_on": None,
                    "created_at": line.first,
                    "updated_at": line.at,
                }
            )
        return rows

    def _day(self, index: int | None) -> datetime.date | None:
        return None if index is None else self.days[index]

    def _insert(self) -> None:
        rows = self._rows()
        insert_rows(Case, rows)
        # the windows are the demo's own (`build` refuses a database holding any): every case is
        ids = dict(Case.objects.values_list("receipt_no", "pk"))
        pauses, missing = [], []
        for case in self.cases:
            case.pk = ids[case.receipt_no]
            if case.pause is not None:
                start, end, kind = case.pause
                pauses.append(
                    {
                        "case_id": case.pk,
                        "kind": kind,
                        "reason": PAUSE_REASONS[kind],
                        "started_on": self.days[start],
                        "ended_on": self._day(end),
                        "created_at": case.created_at,
                    }
                )
            for material in case.deferred:
                missing.append(
                    {
                        "case_id": case.pk,
                        "material_id": material.pk,
                        "supplied_on": self._day(case.supplied),
                    }
                )
        insert_rows(CasePause, pauses)
        insert_rows(CaseMissingMaterial, missing)
        for event in self.events:
            event["case_id"] = event.pop("case").pk
        self.events.sort(key=lambda e: (e["case_id"], e["at"]))
        insert_rows(CaseEvent, self.events)
        s = self.summary
        s.cases = len(rows)
        s.events = len(self.events)
        s.pauses = len(pauses)
        s.deferrals = sum(1 for case in self.cases if case.deferred)
        s.open_cases = sum(1 for case in self.cases if case.completed is None)
        s.early = sum(
            1
            for row in rows
            if row["completed_on"] is not None and row["completed_on"] < row["deadline"]
        )

    # -- 好差评 ----------------------------------------------------------------------------------

    def _ratings(self, windows: list[_Window]) -> None:
        """Most completed cases rated once (一次一评) on or after their completion, within the
        rating window: at the window's rating screen the day the case was completed or collected,
        or later with a code; mostly 非常满意 and 满意. A fixed handful of 差评 (whatever the scale)
        with their follow-ups: most verified, rectified, fed back and rated again; one waiting for
        the applicant's rating of the fix, one in rectification within its limit, one appealed and
        upheld (kept, out of the figures) and one appealed waiting for the committee."""
        question_set = QuestionSet.current()
        if question_set is None or not self.cases:
            return
        rng = self.rng
        config = WindowSettings.current()
        options: dict[int, list[int]] = {}
        for option in RatingOption.objects.filter(question_set=question_set):
            options.setdefault(option.level, []).append(option.pk)
        # v1 of the choices was in force as the period began
        QuestionSet.objects.filter(pk=question_set.pk, number=1).update(
            published_at=datetime.datetime.combine(self.first, datetime.time(9), tzinfo=self.tz)
        )
        done = [case for case in self.cases if case.completed is not None]
        admins = self._unit_admins(windows)
        committee = User.objects.filter(role=Role.COMMITTEE).order_by("pk").first()
        plan = _RatingPlan(self, question_set, options, config)
        bad = self._bad_cases(done, admins)
        draw = rng.random
        for case in done:
            if id(case) in bad:
                continue
            rated_on, channel = self._rating_day(case, config.rating_window_days)
            if rated_on is None or rng.random() >= SHARE_RATED:
                continue
            level = next(level for level, share in LEVEL_SHARES if draw() < share)
            comment = rng.choice(GOOD_COMMENTS) if rng.random() < 0.08 else ""
            plan.rate(case, RatingRound.CASE, level, channel, rated_on, comment=comment)
        for story, case in bad.values():
            self._bad_story(plan, story, case, admins[case.window.row.unit_id], committee)
        plan.insert()
        self.summary.ratings = plan.counted
        self.summary.bad_ratings = len(bad)

    def _unit_admins(self, windows: list[_Window]) -> dict[int, User]:
        """The administrator of each window's unit who works its 差评 (an account that does not
        sign in, made here when the unit has none)."""
        admins: dict[int, User] = {}
        password = make_password(None)
        for window in windows:
            unit = window.row.unit
            if unit.pk in admins:
                continue
            admin = User.objects.filter(role=Role.UNIT_ADMIN, unit=unit).order_by("pk").first()
            if admin is None:
                member = (
                    Member.objects.filter(
                        unit=unit, status=MemberStatus.ACTIVE, account__isnull=True
                    )
                    .exclude(name=WUPENG)
                    .order_by("pk")
                    .first()
                )
                admin = User.objects.create(
                    username=f"window_admin_{unit.pk}",
                    role=Role.UNIT_ADMIN,
                    unit=unit,
                    member=member,
                    display_name=member.name if member else f"{unit.short_name}管理员",
                    password=password,
                )
            admins[unit.pk] = admin
        return admins

    def _rating_day(self, case: _Case, window_days: int) -> tuple[datetime.date | None, str]:
        """When and how the applicant rated: at the window (the day the case was completed, or
        collected) or later with a code, never after today nor after the rating window."""
        completed_on = self.days[case.completed]
        last = min(rules.rating_open_until(completed_on, window_days), self.today)
        if self.rng.random() < SHARE_KIOSK:
            visit = case.delivered if case.delivered is not None else case.completed
            return self.days[visit], RatingChannel.KIOSK
        day = completed_on + datetime.timedelta(days=round(self.rng.triangular(0, 14, 1)))
        if day > last:
            return None, ""  # still to come
        return day, RatingChannel.LINK

    def _bad_cases(self, done: list[_Case], admins) -> dict[int, tuple[str, _Case]]:
        """The cases of the 差评, by story: the recent ones a few working days back, the others
        spread over the years."""
        rng = self.rng
        chosen: dict[int, tuple[str, _Case]] = {}
        window_days = WindowSettings.current().rating_window_days
        old = [c for c in done if c.completed <= self.current - 45]  # before the last two months
        slices = sum(1 for _story, back in BAD_STORIES if back is None)
        size = max(1, len(old) // slices)
        n = 0
        for story, back in BAD_STORIES:
            if back is None:  # the n-th of them in the n-th slice of the years
                pool = [c for c in old[n * size : (n + 1) * size] if id(c) not in chosen]
                n += 1
                if not pool:
                    continue
                case = rng.choice(pool)
            else:  # rated `back` working days ago, completed within the rating window before
                rated = self.current - back
                pool = [
                    c
                    for c in done
                    if c.completed <= rated
                    and (self.days[rated] - self.days[c.completed]).days <= window_days
                    and id(c) not in chosen
                ]
                if not pool:
                    continue
                case = rng.choice(pool)
            chosen[id(case)] = (story, case)
        return chosen

    def _bad_story(self, plan: _RatingPlan, story: str, case: _Case, admin, committee) -> None:
        rng = self.rng
        back = dict(BAD_STORIES)[story]
        # long ago: the day it was completed or a little after; else `back` working days ago
        rated = case.completed + rng.choice([0, 0, 1, 2]) if back is None else self.current - back
        rated_on = self.days[rated]
        channel = RatingChannel.KIOSK if rated == case.completed else RatingChannel.LINK
        level = rng.choice([1, 2, 2])
        comment = rng.choice(BAD_COMMENTS)
        rating = plan.rate(case, RatingRound.CASE, level, channel, rated_on, comment=comment)
        follow_up = plan.follow_up(rating, rated_on)
        finding, measures, note = rng.choice(FOLLOW_UP_TEXTS)
        if story in ("upheld", "pending"):
            filed = self.days[rated + 1]
            appeal = {
                "reason": rng.choice(APPEAL_REASONS),
                "filed_on": filed,
                "filed_by_id": admin.pk,
                "decision": "",
                "decision_note": "",
                "decided_on": None,
                "decided_by_id": None,
            }
            follow_up["state"] = FollowUpState.APPEALED
            if story == "upheld":
                decided = self.days[rated + 4]
                appeal.update(
                    decision=AppealDecision.UPHELD,
                    decision_note=UPHELD_NOTE,
                    decided_on=decided,
                    decided_by_id=committee.pk if committee else None,
                )
                follow_up.update(state=FollowUpState.EXCLUDED, closed_on=decided)
            plan.appeals.append((follow_up, appeal))
            return
        follow_up.update(
            state=FollowUpState.RECTIFY,
            finding=finding,
            verified_on=self.days[rated + 1],
            verified_by_id=admin.pk,
        )
        if story == "rectify":
            return
        fed_back = self.days[rated + 4]
        follow_up.update(
            state=FollowUpState.AWAITING,
            measures=measures,
            rectified_on=self.days[rated + 3],
            rectified_by_id=admin.pk,
            feedback_method=rng.choice(FEEDBACK_METHODS),
            feedback_note=note,
            fed_back_on=fed_back,
            fed_back_by_id=admin.pk,
        )
        expires = rules.rating_open_until(fed_back, plan.config.rating_window_days)
        if story == "closed_callback":
            level = rng.choice([4, 5, 5])
            plan.rate(case, RatingRound.FIX, level, RatingChannel.CALLBACK, fed_back)
            follow_up.update(state=FollowUpState.CLOSED, closed_on=fed_back)
            return
        if story == "awaiting":
            plan.invite(case, RatingRound.FIX, fed_back, expires, admin, used=None)
            return
        rerated = fed_back + datetime.timedelta(days=rng.randint(1, 6))
        plan.invite(case, RatingRound.FIX, fed_back, expires, admin, used=rerated)
        plan.rate(case, RatingRound.FIX, rng.choice([4, 5, 5]), RatingChannel.LINK, rerated)
        follow_up.update(state=FollowUpState.CLOSED, closed_on=rerated)

    # -- the whole ------------------------------------------------------------------------------

    def build(self) -> WindowDemoSummary:
        fda = self.units.get(WUPENG_UNIT)
        wupeng = User.objects.filter(username="clerk_wupeng").first()
        if fda is None or wupeng is None or not self.days:
            return self.summary  # no registry demo: nothing to attach a window to
        colleagues = self._clerks(fda, len(COLLEAGUE_CASES), "spyj")
        clerks = [wupeng, *colleagues]
        row = self._window(fda, f"{WUPENG_UNIT}窗口", " 三楼 C 区 12 号窗口", clerks)
        matters = self._catalogue(fda, "SPYP", FDA_ITEMS, versioned=True)
        windows = [_Window(row, clerks, matters, on_deadline=0.0, all_done=True)]
        counts = [round(WUPENG_CASES * self.scale)]
        counts += [round(n * self.scale) for n in COLLEAGUE_CASES][: len(colleagues)]
        self._plan_window(windows[0], counts)
        current = [m.versions[-1].row.promised_workdays for m in matters]
        self.summary.average_promised = sum(current) / len(current)
        self.summary.wupeng_items = len({id(m.item) for m in matters})
        self.summary.wupeng_matters = len(matters)
        for tag, (unit_name, name, location, clerk_count, total, on_deadline, items) in zip(
            ("rsj", "zjj", "jtw"), OTHER_WINDOWS, strict=True
        ):
            unit = self.units.get(unit_name)
            if unit is None:
                continue
            clerks = self._clerks(unit, clerk_count, tag)
            if not clerks:
                continue
            row = self._window(unit, name, f" {location}", clerks)
            window = _Window(
                row,
                clerks,
                self._catalogue(unit, tag.upper(), items, versioned=False),
                on_deadline=on_deadline,
                all_done=False,
            )
            windows.append(window)
            first = round(total * self.scale * 0.6)
            counts = [first, round(total * self.scale) - first][: len(clerks)]
            self._plan_window(window, counts)
        for window in windows:
            self._holiday_pauses(window)
        self.cases = [case for case in self.cases if self._settle(case)]
        self._insert()
        self._ratings(windows)
        demo_zero.build(self.today)  # after the ratings: a 差评 is evidence against 零投诉
        self.summary.wupeng_cases = sum(1 for case in self.cases if case.clerk is wupeng)
        return self.summary
