"""The year report of the pledges as an Excel workbook (every export audited): one row per
pledge with its lead units, target, progress, status, milestones done, self-assessment and
rating."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from guanqing.core.excel import audited_export, rows_workbook
from guanqing.pledges import selectors
from guanqing.pledges.models import Pledge


def year_rows(user, year: int, today: datetime.date) -> tuple[list[str], list[list]]:
    headers = [
        _("序号"),
        _("实事名称"),
        _("牵头单位"),
        _("目标"),
        _("完成"),
        _("完成率"),
        _("状态"),
        _("节点完成"),
        _("牵头单位自评"),
        _("机关工委评定"),
        _("评定意见"),
    ]
    pledges = Pledge.objects.visible_to(user).out_of_draft().filter(year=year)
    data = []
    for row in selectors.rows(selectors.with_details(pledges), today):
        p = row.pledge
        done = sum(1 for m in row.milestones if m.done_on)
        data.append(
            [
                p.number,
                p.title,
                "、".join(u.name for u in p.lead_units.all()),
                f"{p.target_value} {p.target_unit}",
                row.progress,
                f"{row.percent}%",
                row.status_label,
                f"{done}/{len(row.milestones)}",
                p.self_assessment,
                p.get_rating_display() if p.rating else "",
                p.rating_note,
            ]
        )
    return headers, data


def excel_response(user, year: int, today: datetime.date):
    headers, rows = year_rows(user, year, today)
    return audited_export(
        actor=user,
        content=rows_workbook(title=str(year), headers=headers, rows=rows),
        title=f"{year}年十件实事年度报告",
        object_type="pledges.report",
        rows=len(rows),
        filters={"year": year},
    )
