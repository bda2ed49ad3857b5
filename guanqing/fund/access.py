"""Who may do what with the 汇爱 fund: read by the pages, API, menu, home sections and services.

What a role sees once in is the data scope (`guanqing.fund.models`): the fund officer and the
committee everything; a unit administrator its unit's donations and applications (without the
illness data); a member its own gifts and application; every other role nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanqing.core.access import AccessTable, allow
from guanqing.core.roles import Role

access = AccessTable(
    "fund",
    {
        # The books: accounts, vouchers, balance, periods, reversals, the yearly report.
        "books": allow(
            Role.FUND_OFFICER,
            Role.COMMITTEE,
            denied=_("只有帮扶金经办人和机关工委查看帮扶金账目"),
        ),
        # Posting by hand (interest, fees), reversing, closing a month: the fund officer.
        "post": allow(Role.FUND_OFFICER, denied=_("只有帮扶金经办人记账")),
        # Donations: the list (within scope) and recording one or importing a unit's list.
        "donations": allow(
            Role.FUND_OFFICER,
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有帮扶金经办人、机关工委、单位党务管理员和捐款人本人查看捐款"),
        ),
        "donation_record": allow(Role.FUND_OFFICER, denied=_("只有帮扶金经办人登记捐款")),
        # Aid applications: prepared by the unit (or the fund officer), decided by the approvers.
        "applications": allow(
            Role.FUND_OFFICER,
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            denied=_("只有帮扶金经办人、机关工委、单位党务管理员和申请人本人查看帮扶金申请"),
        ),
        "apply": allow(
            Role.UNIT_ADMIN,
            Role.FUND_OFFICER,
            denied=_("只有单位党务管理员和帮扶金经办人填写帮扶金申请"),
        ),
        "approve": allow(
            Role.FUND_OFFICER,
            Role.COMMITTEE,
            denied=_("只有帮扶金经办人和机关工委审批帮扶金申请"),
        ),
        "pay": allow(Role.FUND_OFFICER, denied=_("只有帮扶金经办人发放帮扶金")),
        # Illness data (diagnosis, costs, documents): the approvers only, every read audited.
        "illness": allow(
            Role.FUND_OFFICER,
            Role.COMMITTEE,
            denied=_("病情和医疗费用信息只有帮扶金经办人和机关工委查看"),
        ),
        # The rule table and the thresholds.
        "settings": allow(Role.COMMITTEE, denied=_("只有机关工委修改帮扶标准和审批限额")),
        # 公示: the yearly public list, for everyone signed in to the business side.
        "publicity": allow(
            Role.COMMITTEE,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.COMMUNITY_WORKER,
            Role.WINDOW_CLERK,
            Role.FUND_OFFICER,
            denied=_("帮扶金公示只对业务用户开放"),
        ),
    },
)
