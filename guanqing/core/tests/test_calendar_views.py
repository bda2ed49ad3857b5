"""The calendar pages: every signed-in role reads the calendar; the committee and the system
administrator enter a year from the notice, amend a day, and import a notice from Excel."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from guanqing.conftest import api_as, client_for
from guanqing.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.usefixtures("official_calendar")

SHANGHAI = ZoneInfo("Asia/Shanghai")

ROLES = [
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]
WRITERS = {"committee", "system_admin"}
INDEX = reverse("calendar:index")
YEAR_2026 = reverse("calendar:year", args=[2026])
NEW = reverse("calendar:year_new")
IMPORT = reverse("calendar:import")
TEMPLATE = reverse("calendar:import_template")
DAY = reverse("calendar:day", args=["2026-03-06"])
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕7号）"


def _deadline(user, start: str, workdays: int):
    return api_as(user).get("/api/v1/calendar/deadline/", {"start": start, "workdays": workdays})


def _year_post(year=2027, source=NOTICE, holidays=(), makeups=()):
    data = {
        "year": year,
        "source": source,
        "holidays-TOTAL_FORMS": len(holidays),
        "holidays-INITIAL_FORMS": len(holidays),
        "makeups-TOTAL_FORMS": len(makeups),
        "makeups-INITIAL_FORMS": len(makeups),
    }
    for i, (name, start, end) in enumerate(holidays):
        data |= {f"holidays-{i}-name": name, f"holidays-{i}-start": start, f"holidays-{i}-end": end}
    for i, (date, name) in enumerate(makeups):
        data |= {f"makeups-{i}-date": date, f"makeups-{i}-name": name}
    return data


# The 2027 notice, as it might read: Spring Festival (正月初一) falls on Saturday 6 February.
HOLIDAYS_2027 = [
    ("元旦", "2027-01-01", "2027-01-03"),
    ("春节", "2027-02-05", "2027-02-11"),
    ("清明节", "", ""),  # a row with only its suggested name is skipped
]
MAKEUPS_2027 = [("2027-02-13", "春节")]


def _sheet(rows, headers=("日期", "是否上班", "节假日名称", "依据")) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "notice.xlsx"
    return buffer


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_the_calendar(world, role):
    client = client_for(getattr(world.users, role))
    assert client.get(INDEX).status_code == 200
    page = client.get(YEAR_2026)
    assert page.status_code == 200
    # only the writers get the links that open a day's form
    assert (DAY in page.content.decode()) == (role in WRITERS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [NEW, IMPORT, TEMPLATE, DAY])
def test_only_the_committee_and_system_admin_open_the_write_pages(world, role, url):
    response = client_for(getattr(world.users, role)).get(url)
    assert response.status_code == (200 if role in WRITERS else 403)


@pytest.mark.parametrize("role", sorted(set(ROLES) - WRITERS))
def test_other_roles_cannot_publish_or_amend(world, role):
    client = client_for(getattr(world.users, role))
    response = client.post(NEW, _year_post(holidays=HOLIDAYS_2027, makeups=MAKEUPS_2027))
    assert response.status_code == 403
    response = client.post(DAY, {"is_workday": "0", "holiday": "临时放假", "source": "x"})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert CalendarDay.objects.get(date="2026-03-06").is_workday


@pytest.mark.parametrize("url", [INDEX, YEAR_2026, NEW, IMPORT, TEMPLATE, DAY])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_year_not_held_answers_404(world):
    assert (
        client_for(world.users.committee).get(reverse("calendar:year", args=[2031])).status_code
        == 404
    )


# --- reading ---------------------------------------------------------------------------------


def test_index_lists_years_with_holidays_and_makeups_and_names_the_missing_year(world):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=SHANGHAI), tick=False):
        response = client_for(world.users.member).get(INDEX)
    html = response.content.decode()
    assert "2027 年尚未录入" in html
    row_2026 = next(r for r in response.context["years"] if r["year"] == 2026)
    assert row_2026["days"] == 365
    assert (
        row_2026["makeup"]
        == CalendarDay.objects.filter(
            date__year=2026, is_workday=True, date__week_day__in=(1, 7)
        ).count()
    )
    assert row_2026["makeup"] > 0
    assert row_2026["holidays"] > 20
    assert len(response.context["years"]) == 23  # 2004–2026


def test_year_page_marks_holidays_makeup_days_and_today(world):
    with time_machine.travel(datetime.datetime(2026, 2, 12, 10, tzinfo=SHANGHAI), tick=False):
        response = client_for(world.users.member).get(YEAR_2026)
    html = response.content.decode()
    assert 'class="cal-day cal-day--holiday" data-date="2026-02-17"' in html
    assert 'class="cal-day cal-day--makeup" data-date="2026-02-28"' in html
    assert 'class="cal-day cal-day--workday is-today" data-date="2026-02-12"' in html
    names = [p["name"] for p in response.context["periods"]]
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= set(names)
    spring = next(p for p in response.context["periods"] if p["name"] == "春节")
    assert spring["start"] == datetime.date(2026, 2, 15)
    assert datetime.date(2026, 2, 28) in [m.date for m in spring["makeups"]]


# --- entering a year from the notice -----------------------------------------------------------


def test_committee_publishes_2027_and_deadlines_count_over_its_spring_festival(world):
    user = world.users.committee
    assert _deadline(user, "2027-02-04", 1).status_code == 400
    response = client_for(user).post(NEW, _year_post(holidays=HOLIDAYS_2027, makeups=MAKEUPS_2027))
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar:year", args=[2027])
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert CalendarDay.objects.get(date="2027-02-13").is_workday
    assert CalendarDay.objects.get(date="2027-02-08").holiday == "春节"
    assert _deadline(user, "2027-02-04", 1).json()["deadline"] == "2027-02-12"
    assert _deadline(user, "2027-02-04", 2).json()["deadline"] == "2027-02-13"  # make-up Saturday
    assert _deadline(user, "2026-12-31", 1).json()["deadline"] == "2027-01-04"
    events = AuditEvent.objects.filter(object_type="core.calendarday", object_id="2027")
    assert events.count() == 1
    assert events.get().actor_username == user.username


def test_system_admin_may_publish_too(world):
    response = client_for(world.users.system_admin).post(NEW, _year_post(holidays=HOLIDAYS_2027))
    assert response.status_code == 302


def test_a_makeup_weekday_is_refused_next_to_its_row_and_nothing_is_written(world):
    response = client_for(world.users.committee).post(
        NEW, _year_post(holidays=HOLIDAYS_2027, makeups=[("2027-02-12", "春节")])
    )
    assert response.status_code == 200
    makeups = response.context["makeups"]
    assert "周末" in " ".join(makeups.forms[0].errors["date"])
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_form_rows_name_their_own_errors(world):
    response = client_for(world.users.committee).post(
        NEW,
        _year_post(
            source="",
            holidays=[("春节", "2027-02-11", "2027-02-05"), ("", "2027-05-01", "2027-05-05")],
            makeups=[("2027-02-13", "")],
        ),
    )
    assert response.status_code == 200
    ctx = response.context
    assert "source" in ctx["form"].errors
    assert "end" in ctx["holidays"].forms[0].errors
    assert "name" in ctx["holidays"].forms[1].errors
    assert "name" in ctx["makeups"].forms[0].errors
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_an_entered_year_cannot_be_entered_again(world):
    response = client_for(world.users.committee).post(NEW, _year_post(year=2026))
    assert "year" in response.context["form"].errors


def test_the_form_offers_the_lunar_dates_to_check_against(world):
    response = client_for(world.users.committee).get(NEW, {"year": 2027})
    assert "2027-02-06" in response.content.decode()  # 正月初一


# --- amending a day --------------------------------------------------------------------------


def test_amending_a_2026_day_shifts_a_deadline(world):
    user = world.users.committee
    assert _deadline(user, "2026-03-05", 1).json()["deadline"] == "2026-03-06"
    response = client_for(user).post(
        DAY, {"is_workday": "0", "holiday": "临时放假", "source": "市政府通知"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date="2026-03-06")
    assert (day.is_workday, day.holiday, day.source) == (False, "临时放假", "市政府通知")
    assert _deadline(user, "2026-03-05", 1).json()["deadline"] == "2026-03-09"
    assert AuditEvent.objects.filter(object_type="core.calendarday", action="update").count() == 1


def test_day_form_comes_as_a_fragment_for_htmx_and_reports_errors_in_place(world):
    client = client_for(world.users.committee)
    fragment = client.get(DAY, headers={"HX-Request": "true", "HX-Target": "day-panel"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    response = client.post(
        DAY, {"is_workday": "0", "holiday": "", "source": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "holiday" in response.context["form"].errors
    assert CalendarDay.objects.get(date="2026-03-06").is_workday
    done = client.post(
        DAY, {"is_workday": "0", "holiday": "临时放假"}, headers={"HX-Request": "true"}
    )
    assert done["HX-Redirect"].startswith(YEAR_2026)


def test_a_day_outside_the_calendar_answers_404(world):
    client = client_for(world.users.committee)
    assert client.get(reverse("calendar:day", args=["2031-01-05"])).status_code == 404
    assert client.get(reverse("calendar:day", args=["2026-02-30"])).status_code == 404


# --- Excel import ----------------------------------------------------------------------------


def test_template_has_the_four_columns(world):
    response = client_for(world.users.committee).get(TEMPLATE)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["日期", "是否上班", "节假日名称", "依据"]


def test_import_with_one_bad_row_writes_nothing_and_names_row_and_column(world):
    rows = [
        ("2027-01-01", "否", "元旦", NOTICE),
        ("2027-02-05", "否", "春节", NOTICE),
        ("2027-02-13", "也许", "春节", NOTICE),  # row 4
        ("2026-03-06", "否", "临时放假", "市政府通知"),
    ]
    response = client_for(world.users.committee).post(IMPORT, {"file": _sheet(rows)})
    assert response.status_code == 200
    errors = [(e.row, e.column) for e in response.context["errors"]]
    assert errors == [(4, "是否上班")]
    html = response.content.decode()
    assert 'data-row="4" data-column="是否上班"' in html
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert CalendarDay.objects.get(date="2026-03-06").is_workday
    assert not AuditEvent.objects.filter(object_type="core.calendarday").exists()


def test_import_reports_every_bad_row(world):
    rows = [
        ("2027-02-31", "否", "春节", NOTICE),  # no such date
        ("2027-02-12", "是", "春节", NOTICE),  # a Friday cannot be a make-up day
        ("2027-02-06", "否", "", NOTICE),  # a new year needs the name
        ("2027-02-06", "否", "春节", NOTICE),  # listed twice
        (None, "否", "春节", NOTICE),
    ]
    response = client_for(world.users.committee).post(IMPORT, {"file": _sheet(rows)})
    errors = {(e.row, e.column) for e in response.context["errors"]}
    assert errors == {(2, "日期"), (3, "是否上班"), (4, "节假日名称"), (5, "日期"), (6, "日期")}


def test_import_publishes_a_new_year_with_one_audit_event(world):
    rows = [
        (datetime.datetime(2027, 2, 5), "否", "春节", NOTICE),  # an Excel date cell
        ("2027-02-06", "否", "春节", NOTICE),
        ("2027/2/8", "否", "春节", NOTICE),
        ("2027-02-13", "是", "春节", NOTICE),
    ]
    user = world.users.system_admin
    response = client_for(user).post(IMPORT, {"file": _sheet(rows)})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert CalendarDay.objects.get(date="2027-02-08").holiday == "春节"
    assert CalendarDay.objects.get(date="2027-02-08").source == NOTICE
    assert AuditEvent.objects.filter(object_type="core.calendarday").count() == 1
    assert _deadline(user, "2027-02-11", 1).json()["deadline"] == "2027-02-12"
    assert _deadline(user, "2027-02-12", 1).json()["deadline"] == "2027-02-13"


def test_import_amends_an_entered_year_day_by_day(world):
    # the 2020 extension of the Spring Festival, replayed on 2026: two more days off
    rows = [
        ("2026-02-24", "否", "春节", "国务院办公厅关于延长2026年春节假期的通知"),
        ("2026-02-25", "否", "春节", "国务院办公厅关于延长2026年春节假期的通知"),
        ("2026-02-17", "否", "春节", CalendarDay.objects.get(date="2026-02-17").source),
    ]
    user = world.users.committee
    assert _deadline(user, "2026-02-23", 1).json()["deadline"] == "2026-02-24"
    response = client_for(user).post(IMPORT, {"file": _sheet(rows)})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(object_type="core.calendarday", action="update").count() == 2
    assert _deadline(user, "2026-02-23", 1).json()["deadline"] == "2026-02-26"


def test_import_without_a_required_column_names_it(world):
    response = client_for(world.users.committee).post(
        IMPORT, {"file": _sheet([("2026-03-06", "临时放假")], headers=("日期", "节假日名称"))}
    )
    assert [(e.row, e.column) for e in response.context["errors"]] == [(1, "是否上班")]


def test_import_refuses_a_file_that_is_not_xlsx(world):
    upload = io.BytesIO(b"not a workbook")
    upload.name = "notice.xlsx"
    response = client_for(world.users.committee).post(IMPORT, {"file": upload})
    assert "file" in response.context["form"].errors
