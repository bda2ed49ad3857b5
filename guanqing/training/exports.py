"""The Excel roster of a session (every export audited): one sheet per class, a row per person and
training day — 期次 班次 姓名 单位 职级 职务 日期 签到 — with the day's attendance (blank: not
recorded yet). People moved to a make-up since stay on the sheet of the class they were in."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from guanqing.core.excel import audited_export, literal_row
from guanqing.training.attendance import session_roster
from guanqing.training.choices import AttendanceStatus
from guanqing.training.models import Session


def headers() -> list[str]:
    return [
        _("期次"),
        _("班次"),
        _("姓名"),
        _("单位"),
        _("职级"),
        _("职务"),
        _("日期"),
        _("签到"),
    ]


def sheet_title(class_number: int) -> str:
    return _("第%(n)s班") % {"n": class_number}


def roster_workbook(session: Session) -> tuple[bytes, int]:
    """The workbook's bytes and how many rows it holds (all sheets)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    statuses = dict(AttendanceStatus.choices)
    wb = Workbook(write_only=True)
    count = 0
    for class_number, rows in session_roster(session).items():
        ws = wb.create_sheet(sheet_title(class_number))
        for index, width in enumerate((8, 8, 12, 24, 10, 10, 12, 10), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        fill = PatternFill("solid", fgColor="FFDCE6F1")
        header = []
        for title in headers():
            cell = WriteOnlyCell(ws, value=title)
            cell.font = Font(bold=True)
            cell.fill = fill
            header.append(cell)
        ws.append(header)
        for row in rows:
            participant = row.participant
            for day in session.dates:
                status = row.status(day)
                ws.append(
                    literal_row(
                        ws,
                        [
                            session.number,
                            class_number,
                            participant.member.name,
                            participant.unit.name,
                            participant.member.get_rank_display(),
                            participant.get_leader_role_display(),
                            day.isoformat(),
                            str(statuses[status]) if status else "",
                        ],
                    )
                )
                count += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


def roster_response(*, actor, session: Session):
    content, rows = roster_workbook(session)
    plan = session.plan
    return audited_export(
        actor=actor,
        content=content,
        title=f"{plan.year}{plan.title}第{session.number}期名单",
        object_type="training.roster",
        rows=rows,
        filters={"plan": plan.pk, "session": session.number},
    )
