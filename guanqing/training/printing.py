"""The sign-in sheet of a session-day as PDF (WeasyPrint, the Noto CJK fonts, through
`guanqing.core.pdf`): per class, the plan's title, the venue, the date and the class, then a table
序号 姓名 单位 职级 签名 with blank signature cells; each class starts a page, the class header is
repeated on every page, and pages are numbered."""

from __future__ import annotations

import datetime

from guanqing.core.calendar.workdays import business_date
from guanqing.core.pdf import inline_pdf_response, render_document
from guanqing.training.attendance import session_roster
from guanqing.training.models import Session

TEMPLATE = "training/attendance/signin_pdf.html"


def signin_context(session: Session, day: datetime.date) -> dict:
    classes = [
        (number, [row for row in rows if row.assignment is not None or day in row.records])
        for number, rows in session_roster(session).items()
    ]
    return {
        "plan": session.plan,
        "session": session,
        "day": day,
        "day_number": session.dates.index(day) + 1,
        "classes": classes,
        "printed": business_date(),
    }


def signin_pdf(session: Session, day: datetime.date, *, request=None) -> bytes:
    return render_document(TEMPLATE, signin_context(session, day), request=request)


def signin_response(request, session: Session, day: datetime.date):
    plan = session.plan
    filename = f"{plan.title}第{session.number}期签到表{day:%Y%m%d}.pdf"
    return inline_pdf_response(signin_pdf(session, day, request=request), filename=filename)
