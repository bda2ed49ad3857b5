"""Every Excel export writes whatever text is stored: characters that an xlsx file cannot hold
(C0 control characters, which older rows or a login attempt may carry) are left out, never a 500."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guanqing.core import audit
from guanqing.core.excel import XLSX_CONTENT_TYPE
from guanqing.core.models import AuditEvent
from guanqing.registry.models import Household, Member, Unit

DIRTY = "独居\u0001老人\u0008\u000b\u001f，有\t制表符\n和换行"
CLEAN = "独居老人，有\t制表符\n和换行"


def cell_values(response) -> list[object]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(response.content))
    return [cell.value for row in book.worksheets[0].iter_rows() for cell in row]


def test_audit_export_survives_a_control_character_in_a_failed_sign_in(client, world):
    # What an anonymous POST /api/v1/auth/token/ with username "apiprobe\u0001" leaves behind.
    audit.record(
        actor=None,
        action="login_failed",
        object_type="accounts.user",
        object_repr="apiprobe\u0001",
        actor_username="apiprobe\u0001",
        message="apiprobe\u0001",
    )
    client.force_login(world.users.audit_admin)
    values = cell_values(client.get(reverse("audit:event_export")))
    assert "apiprobe" in values
    assert not any(isinstance(v, str) and "\u0001" in v for v in values)
    assert AuditEvent.objects.filter(action="export").count() == 1


@pytest.mark.parametrize("kind", ["units", "members", "households"])
def test_registry_exports_survive_control_characters_in_stored_text(client, world, kind):
    # Written past the services' checks, as rows stored before those checks existed would be.
    Household.objects.filter(pk=world.household.pk).update(situation=DIRTY)
    Member.objects.filter(pk=world.member.pk).update(name="张\u0002三")
    Unit.objects.filter(pk=world.unit.pk).update(address="宁波\u0007市")
    client.force_login(world.users.committee)
    values = cell_values(client.get(f"/registry/excel/export/{kind}/"))
    expected = {"units": "宁波市", "members": "张三", "households": CLEAN}[kind]
    assert expected in values


def test_visit_export_survives_control_characters_in_notes(client, world):
    from guanqing.pairing.models import Visit
    from guanqing.pairing.tests import pair_world

    world = pair_world(world)
    # PostgreSQL cannot store NUL in text at all; every other C0 character it keeps
    Visit.objects.filter(pk=world.visit.pk).update(notes=DIRTY, in_kind_items="米\u0002油")
    client.force_login(world.users.committee)
    values = cell_values(client.get("/pairing/visits/export/"))
    assert CLEAN in values
    assert "米油" in values


def test_template_examples_from_stored_division_names_survive_control_characters(client, world):
    world.community.__class__.objects.filter(pk=world.community.pk).update(name="徐家漕\u0003社区")
    client.force_login(world.users.community_worker)
    response = client.get("/registry/excel/template/households/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    notes = [cell.value for row in book.worksheets[1].iter_rows() for cell in row]
    assert "徐家漕社区" in notes


def test_a_plain_rows_workbook_keeps_tab_and_newline(db):
    from guanqing.core import excel

    content = excel.rows_workbook(title="错误", headers=["原因"], rows=[[DIRTY]])
    book = load_workbook(io.BytesIO(content))
    assert book.worksheets[0]["A2"].value == CLEAN
