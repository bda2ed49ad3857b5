"""Who may do what in 三服务 走亲连心: read by its pages, API, menu, home sections and services.

What a role sees once in is the data scope (`guanqing.frontline.models`): the committee every
problem and visit, a unit administrator its unit's (assigned to it, or collected by its
outreach), a member the visits it went on, a window clerk the problems it handed over.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "frontline",
    {
        # Outreach: a unit records its visits; the committee sees all; a member its own.
        "outreach": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和党员干部查看走访"),
        ),
        "outreach_record": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, denied=_("只有机关工委和单位党务管理员记录走访")
        ),
        "places": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和党员干部查看走访对象"),
        ),
        "places_edit": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, denied=_("只有机关工委和单位党务管理员登记走访对象")
        ),
        # Problems: the committee dispatches, a unit handles what it is sent.
        "problems": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.WINDOW_CLERK,
            denied=_("您的角色不处理难题"),
        ),
        "problem_report": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.WINDOW_CLERK,
            denied=_("只有机关工委、单位党务管理员和窗口受理员登记难题"),
        ),
        # 农村工作指导员: the instructor (a member) or its unit raises the village's problems.
        "instructor_report": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有农村工作指导员及其单位、机关工委反映驻村难题"),
        ),
        "dispatch": allow(Role.COMMITTEE, denied=_("只有机关工委派单、改派、并单和审批延期")),
        "handle": allow(Role.UNIT_ADMIN, denied=_("只有承办单位的党务管理员签收、办理和答复难题")),
        "catalogue_edit": allow(Role.COMMITTEE, denied=_("只有机关工委维护难题类别和派单目录")),
        "settings": allow(Role.COMMITTEE, denied=_("只有机关工委修改一线工作设置")),
        "figures": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            denied=_("只有机关工委和单位党务管理员查看走访和难题统计"),
        ),
        # Open311 application keys: the system administrator issues and revokes them.
        "open311_keys": allow(
            Role.SYSTEM_ADMIN, denied=_("只有系统管理员发放和吊销 Open311 接入密钥")
        ),
        # 金点子, service brands and pocket books: units write, the committee reviews and recognises.
        "practices": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和党员干部查看金点子"),
        ),
        "practice_write": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, denied=_("只有机关工委和单位党务管理员撰写金点子")
        ),
        "practice_review": allow(Role.COMMITTEE, denied=_("只有机关工委审核金点子")),
        "brands_edit": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, denied=_("只有机关工委和单位党务管理员维护服务品牌")
        ),
        "brand_recognise": allow(Role.COMMITTEE, denied=_("只有机关工委命名服务品牌")),
        "books": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有机关工委、单位党务管理员和党员干部查看口袋书"),
        ),
        "book_build": allow(
            Role.COMMITTEE, Role.UNIT_ADMIN, denied=_("只有机关工委和单位党务管理员编印口袋书")
        ),
    },
)
