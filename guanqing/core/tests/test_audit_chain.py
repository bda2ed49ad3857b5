"""The audit chain: every record is signed and linked to the one before it, so an edit made directly
in the database — a changed field, a deleted or forged row — is found and named by
`guanqing audit_verify`. These tests commit for real (the chain is linked after the commit)."""

from __future__ import annotations

import datetime
import secrets
import threading
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from guanqing.core.audit import chain
from guanqing.core.models import AuditChainHead, AuditEvent, AuditSeal, AuditUnsealed
from guanqing.registry import services
from guanqing.testing import factories as f
from guanqing.wishes.tests.test_concurrency import file_database  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = AuditEvent._meta.db_table
PLACES = AuditSeal._meta.db_table
QUEUE = AuditUnsealed._meta.db_table
NOW = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC)


def verify(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def db_value(name: str, value):
    return AuditEvent._meta.get_field(name).get_db_prep_save(value, connection)


def in_chain_order() -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("seal").order_by("seal__seq"))


def delete_record(event: AuditEvent) -> None:
    """What someone writing to the database would do to remove a record: it and its place."""
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    sql(f"DELETE FROM {PLACES} WHERE event_id = %s", [event.pk])


def five_writes(world) -> list[AuditEvent]:
    """Five audited writes, each its own transaction, as a committee user makes them."""
    committee = world.users.committee
    unit = services.unit_create(actor=committee, name="市新设局")
    services.unit_update(actor=committee, unit=unit, address="中山东路 1 号")
    services.unit_update(actor=committee, unit=unit, address="中山东路 2 号")
    services.unit_update(actor=committee, unit=world.unit, address="解放南路 8 号")
    services.unit_create(actor=committee, name="市另设局")
    return in_chain_order()


@pytest.fixture
def events(world):
    with time_machine.travel(NOW, tick=False):
        written = five_writes(world)
    assert len(written) == 5
    return written


def test_writes_through_services_are_linked_at_commit_and_verify(world):
    before = AuditEvent.objects.count()
    with time_machine.travel(NOW, tick=False):
        five_writes(world)
        Client(REMOTE_ADDR="10.1.2.3").post(
            reverse("accounts:login"), {"username": "nobody", "password": "wrong-password-1"}
        )
    events = in_chain_order()
    assert len(events) > before + 5
    assert any(e.ip_address == "10.1.2.3" for e in events)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))  # sealed without a job
    assert all(e.content_hmac and e.chain_hmac for e in events)
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hmac) == (events[-1].seq, events[-1].chain_hmac)

    code, out = verify()
    assert code == 0
    assert out.strip() == f"审计链完整：{len(events)} 条"
    code, out = verify("--language", "en")
    assert (code, out.strip()) == (0, f"Audit chain intact: {len(events)} records")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("object_repr", "市新设局（改）"),
        ("actor_username", "someone_else"),
        ("action", "delete"),
        ("changes", {"address": ["中山东路 1 号", "别处"]}),
        ("at", NOW - datetime.timedelta(days=3)),
        ("ip_address", "192.0.2.7"),
        ("message", "改过"),
    ],
)
def test_a_field_changed_in_the_database_is_named(events, column, value):
    target = events[2]
    sql(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [db_value(column, value), target.pk])

    code, out = verify()

    assert code == 1
    assert f"id {target.pk}（序号 {target.seq}）" in out
    assert "内容与签名不符" in out


def test_renumbering_records_breaks_the_links(events):
    a, b = events[1], events[2]
    sql(f"UPDATE {PLACES} SET seq = %s WHERE event_id = %s", [10**9, a.pk])
    sql(f"UPDATE {PLACES} SET seq = %s WHERE event_id = %s", [a.seq, b.pk])
    sql(f"UPDATE {PLACES} SET seq = %s WHERE event_id = %s", [b.seq, a.pk])

    code, out = verify()

    assert code == 1
    assert f"id {b.pk}（序号 {a.seq}）" in out
    assert "链接签名不符" in out


def test_a_record_deleted_in_the_middle_is_found(events):
    gone, after = events[2], events[3]
    delete_record(gone)

    code, out = verify()

    assert code == 1
    assert f"id {after.pk}（序号 {after.seq}）" in out
    assert f"应为 {gone.seq}" in out


def test_a_record_deleted_without_its_place_is_found_too(events):
    gone, after = events[2], events[3]
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [gone.pk])

    code, out = verify()

    assert code == 1
    assert f"id {after.pk}（序号 {after.seq}）" in out
    assert f"应为 {gone.seq}" in out


def test_a_place_deleted_leaves_its_record_out_of_the_chain_and_named(events):
    taken = events[2]
    sql(f"DELETE FROM {PLACES} WHERE event_id = %s", [taken.pk])

    code, out = verify("--all")

    assert code == 1
    assert f"应为 {taken.seq}" in out
    assert f"id {taken.pk}（未入链）" in out


def test_the_last_record_deleted_is_found(events):
    last = events[-1]
    delete_record(last)

    code, out = verify()

    assert code == 1
    assert f"序号 {last.seq} 起" in out
    assert f"链头记到序号 {last.seq}，表中只到序号 {last.seq - 1}" in out


def test_moving_the_head_back_to_hide_a_deletion_is_found(events):
    last, before_last = events[-1], events[-2]
    delete_record(last)
    sql(
        f"UPDATE {AuditChainHead._meta.db_table} SET last_seq = %s, last_hmac = %s",
        [before_last.seq, before_last.chain_hmac],
    )

    code, out = verify()

    assert code == 1
    assert "链头" in out and "被改动" in out


def _forge(place: tuple[int, str] | None = None, **extra) -> int:
    """A row written straight into the table, as someone without the key would; with `place`
    (seq, chain hash), given a place in the chain and taken off the queue as well."""
    values = {
        "at": NOW,
        "actor_id": None,
        "actor_username": "committee",
        "action": "update",
        "object_type": "registry.unit",
        "object_id": "1",
        "object_repr": "市纪委",
        "root_type": "registry.unit",
        "root_id": "1",
        "changes": {"address": ["甲", "乙"]},
        "message": "",
        "ip_address": "10.0.0.9",
        "content_hmac": secrets.token_hex(32),
        **extra,
    }
    names = list(values)
    sql(
        f"INSERT INTO {TABLE} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
        [db_value(name, values[name]) for name in names],
    )
    forged = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    if place is not None:
        sql(
            f"INSERT INTO {PLACES} (event_id, seq, chain_hmac) VALUES (%s, %s, %s)",
            [forged, *place],
        )
        sql(f"DELETE FROM {QUEUE} WHERE event_id = %s", [forged])
    return forged


def test_a_forged_row_is_named_even_after_later_writes_link_it(events, world):
    forged = _forge()
    code, out = verify()
    assert code == 1
    assert f"id {forged}（未入链）" in out

    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        services.unit_update(actor=world.users.committee, unit=world.unit, address="新址 9 号")
    assert AuditEvent.objects.filter(seal__isnull=True).count() == 0  # linked in, as it was

    code, out = verify()
    assert code == 1
    assert f"id {forged}（序号 {len(events) + 1}）" in out
    assert "内容与签名不符" in out


def test_a_forged_row_with_a_place_in_the_chain_is_named(events):
    forged = _forge(place=(len(events) + 1, secrets.token_hex(32)))

    code, out = verify()

    assert code == 1
    assert f"id {forged}（序号 {len(events) + 1}）" in out
    assert "超出链头" in out


def test_records_sealed_while_the_check_runs_are_no_finding(events, world):
    read_records = chain._chain_events

    def others_write_meanwhile(using):
        services.unit_update(actor=world.users.committee, unit=world.unit, address="新址 5 号")
        return read_records(using)

    with mock.patch.object(chain, "_chain_events", others_write_meanwhile):
        code, out = verify()

    assert (code, out.strip()) == (0, f"审计链完整：{len(events) + 1} 条")


def test_records_created_in_bulk_are_signed_and_linked_too(events):
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="import", object_repr=f"第 {i} 行") for i in range(3)]
    )

    new = list(AuditEvent.objects.filter(action="import").order_by("seal__seq"))
    assert [e.seq for e in new] == [len(events) + 1, len(events) + 2, len(events) + 3]
    assert verify() == (0, f"审计链完整：{len(events) + 3} 条\n")


def test_a_record_left_unsealed_is_reported_and_sealed_by_tick(world):
    with (
        time_machine.travel(NOW, tick=False),
        mock.patch.object(chain, "seal", side_effect=RuntimeError("connection lost")),
    ):
        unit = services.unit_create(actor=world.users.committee, name="市新设局")
    # the write itself stands; only the link is missing
    assert unit.pk
    event = AuditEvent.objects.get(object_type="registry.unit", object_id=str(unit.pk))
    assert event.seq is None

    with time_machine.travel(NOW + datetime.timedelta(seconds=20), tick=False):
        assert verify()[0] == 0  # just written: not yet a finding
    with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
        code, out = verify()
        assert code == 1
        assert f"id {event.pk}（未入链）" in out
        assert "仍未入链" in out

        out = StringIO()
        call_command("tick", today="2026-11-20", stdout=out)
        assert "审计链：新封存 1 条" in out.getvalue()
        code, out = verify()
    assert code == 0
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.seq == AuditChainHead.objects.get().last_seq


def test_verify_seal_links_stragglers_and_is_otherwise_read_only(events):
    with mock.patch.object(chain, "seal", side_effect=RuntimeError("connection lost")):
        AuditEvent.objects.create(action="login", actor_username="clerk")
    straggler = AuditEvent.objects.get(seal__isnull=True)
    verify()
    assert AuditEvent.objects.get(pk=straggler.pk).seq is None  # plain verify writes nothing

    code, out = verify("--seal")

    assert code == 0
    assert "已封存 1 条" in out
    assert AuditEvent.objects.get(pk=straggler.pk).seq == len(events) + 1


def test_the_key_is_needed_to_verify(events):
    with override_settings(AUDIT_KEY="another-key-that-someone-made-up-0123456789"):
        code, out = verify()
    assert code == 1
    assert "与其签名不符" in out


def test_english_problem_line(events):
    delete_record(events[1])
    with translation.override("en"):
        code, out = verify()
    assert code == 1
    assert f"record id {events[2].pk} (seq {events[2].seq})" in out
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in out)


THREADS = 64


def test_concurrent_writers_leave_one_complete_chain(file_database):  # noqa: F811
    committee = f.UserFactory(role="committee")
    barrier = threading.Barrier(THREADS)
    errors: list[str] = []
    lock = threading.Lock()

    def run(i):
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=60)
            services.unit_create(actor=committee, name=f"并发单位{i:02d}")
        except Exception as exc:  # recorded, so the test shows it instead of hanging
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert errors == []
    events = in_chain_order()
    assert len([e for e in events if e.object_type == "registry.unit"]) == THREADS
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    code, out = verify()
    assert (code, out.strip()) == (0, f"审计链完整：{len(events)} 条")


def test_the_audit_administrator_checks_the_chain_from_the_log_page(events, world, client):
    url = reverse("audit:chain_status")
    client.force_login(world.users.audit_admin)
    page = client.get(reverse("audit:event_list")).content.decode()
    assert url in page and "校验审计链" in page

    answer = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f"审计链：完整（{AuditEvent.objects.count()} 条）" in answer  # with the sign-in

    sql(f"UPDATE {TABLE} SET message = %s WHERE id = %s", ["改过", events[3].pk])
    answer = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f"审计链：发现问题（第一条：记录 id {events[3].pk}（序号 {events[3].seq}）" in answer
    assert "<html" not in answer
    assert "<html" in client.get(url).content.decode()  # without htmx: a page of its own

    client.cookies["django_language"] = "en"
    answer = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f"Audit chain: problem found (first: record id {events[3].pk}" in answer


@pytest.mark.parametrize("role", ["committee", "system_admin", "security_admin"])
def test_only_the_audit_administrator_checks_the_chain(world, client, role):
    client.force_login(getattr(world.users, role))
    assert client.get(reverse("audit:chain_status")).status_code == 403
