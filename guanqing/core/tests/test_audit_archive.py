"""Retention: records older than GUANQING_AUDIT_RETENTION_DAYS move into a signed archive file, the
chain in the database continues from the last of them, and the archive reads back — or is refused
when it was changed. Nothing is deleted unless the archive was written and verified."""

from __future__ import annotations

import datetime
import gzip
import json
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from openpyxl import load_workbook

from guanqing.core.audit import archive, chain
from guanqing.core.models import AppendOnlyError, AuditChainHead, AuditEvent, AuditSeal
from guanqing.core.tests.test_settings_env import GOOD_KEY, start
from guanqing.registry import services

pytestmark = pytest.mark.django_db(transaction=True)

JANUARY = datetime.datetime(2026, 1, 10, 2, 0, tzinfo=datetime.UTC)
AUGUST = datetime.datetime(2026, 8, 20, 2, 0, tzinfo=datetime.UTC)
TODAY = datetime.datetime(2026, 9, 1, 2, 0, tzinfo=datetime.UTC)  # January is 234 days back


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def read_back(*paths, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit_read_archive", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def shown(event: AuditEvent) -> dict:
    return {"id": event.pk, "seq": event.seq, **chain.content_of(event)}


@pytest.fixture
def history(world):
    """Three writes in January (past the 183 days on 1 September), two in August."""
    committee = world.users.committee
    with time_machine.travel(JANUARY, tick=False):
        unit = services.unit_create(actor=committee, name="市新设局")
        services.unit_update(actor=committee, unit=unit, address="中山东路 1 号")
        services.unit_update(actor=committee, unit=unit, address="中山东路 2 号")
    with time_machine.travel(AUGUST, tick=False):
        services.unit_update(actor=committee, unit=unit, address="中山东路 3 号")
        services.unit_update(actor=committee, unit=world.unit, address="解放南路 8 号")
    old = list(
        AuditEvent.objects.filter(at__lt=AUGUST).select_related("seal").order_by("seal__seq")
    )
    recent = list(
        AuditEvent.objects.filter(at__gte=AUGUST).select_related("seal").order_by("seal__seq")
    )
    assert len(old) >= 3 and len(recent) == 2
    return world, old, recent


def run_archive(directory) -> str:
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("audit_archive", "--to", str(directory), stdout=out)
    return out.getvalue()


def test_archive_moves_old_records_and_the_chain_still_verifies(history, tmp_path):
    world, old, recent = history
    expected = [shown(e) for e in old]

    out = run_archive(tmp_path)

    (path,) = tmp_path.glob("*.jsonl.gz")
    assert f"已归档 {len(old)} 条审计记录（序号 1–{old[-1].seq}）" in out
    assert list(AuditEvent.objects.order_by("seal__seq")) == recent
    # their places in the chain went with them
    assert sorted(AuditSeal.objects.values_list("event_id", flat=True)) == sorted(
        e.pk for e in recent
    )
    head = AuditChainHead.objects.get()
    assert (head.anchor_seq, head.anchor_hmac) == (old[-1].seq, old[-1].chain_hmac)
    assert verify() == (0, f"审计链完整：{len(recent)} 条\n")

    # the chain goes on from the anchor: a new write links to the last record, not the archive
    services.unit_update(actor=world.users.committee, unit=world.unit, address="新址")
    assert verify() == (0, f"审计链完整：{len(recent) + 1} 条\n")

    text, summary = read_back(path)
    records = [json.loads(line) for line in text.splitlines()]
    assert [{k: r[k] for k in expected[0]} for r in records] == expected
    assert f"归档完整：{len(old)} 条" in summary

    # nothing is due the second time
    assert "没有超过留存期（183 天）的审计记录" in run_archive(tmp_path)


def test_two_archives_read_back_together_and_must_continue_each_other(history, tmp_path):
    world, old, recent = history
    first = tmp_path / "a"
    second = tmp_path / "b"
    run_archive(first)
    with time_machine.travel(TODAY + datetime.timedelta(days=200), tick=False):
        call_command("audit_archive", "--to", str(second), stdout=StringIO())
    (one,) = first.glob("*.jsonl.gz")
    (two,) = second.glob("*.jsonl.gz")
    assert AuditEvent.objects.count() == 0
    assert verify() == (0, "审计链完整：0 条\n")

    text, summary = read_back(one, two)
    assert [json.loads(line)["id"] for line in text.splitlines()] == [e.pk for e in old + recent]
    assert f"归档完整：{len(old) + len(recent)} 条" in summary
    with pytest.raises(CommandError, match="没有接续"):
        read_back(two, one)


def test_read_back_as_a_workbook(history, tmp_path):
    _world, old, _recent = history
    run_archive(tmp_path / "archive")
    (path,) = (tmp_path / "archive").glob("*.jsonl.gz")
    output = tmp_path / "audit.xlsx"

    read_back(path, format="xlsx", output=str(output))

    rows = list(load_workbook(output).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "id", "时间")
    assert [row[1] for row in rows[1:]] == [e.pk for e in old]
    assert rows[1][2] == "2026-01-10 10:00:00"  # Beijing time
    assert rows[1][7] == "市新设局"


def _rewrite(path, change) -> None:
    with gzip.open(path, "rb") as gz:
        lines = gz.read().split(b"\n")
    lines = change(lines)
    with gzip.open(path, "wb") as gz:
        gz.write(b"\n".join(lines))


def _edit_record(lines):
    record = json.loads(lines[1])
    record["object_repr"] = "别的单位"
    lines[1] = json.dumps(
        record, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    return lines


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_edit_record, id="a record edited"),
        pytest.param(lambda lines: lines[:2] + lines[3:], id="a record removed"),
        pytest.param(lambda lines: lines[:-2] + [b""], id="signature cut off"),
    ],
)
def test_a_changed_archive_is_refused(history, tmp_path, change):
    run_archive(tmp_path)
    (path,) = tmp_path.glob("*.jsonl.gz")
    _rewrite(path, change)

    with pytest.raises(CommandError) as refused:
        read_back(path)

    assert str(path) in str(refused.value)
    assert "签名不符" in str(refused.value) or "不是审计归档文件" in str(refused.value)


def test_an_archive_signed_with_another_key_says_so(history, tmp_path):
    run_archive(tmp_path)
    (path,) = tmp_path.glob("*.jsonl.gz")
    other_key = override_settings(AUDIT_KEY="the-key-of-some-other-installation-0123456789")
    with other_key, pytest.raises(CommandError, match="另一个审计密钥"):
        read_back(path)


def test_archive_deletes_nothing_when_the_file_cannot_be_written(history, tmp_path):
    _world, old, recent = history
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive folder should be")

    with pytest.raises(CommandError, match="没有删除任何记录") as refused:
        run_archive(blocker / "archive")

    assert "无法写入归档文件" in str(refused.value)
    assert AuditEvent.objects.count() == len(old) + len(recent)
    assert AuditChainHead.objects.get().anchor_seq == 0
    assert verify()[0] == 0


def test_archive_deletes_nothing_when_the_file_does_not_read_back(history, tmp_path):
    _world, old, recent = history
    failing = mock.patch.object(
        archive, "read_archive", side_effect=archive.ArchiveError("读回失败")
    )
    with failing, pytest.raises(CommandError, match="读回失败"):
        run_archive(tmp_path)

    assert AuditEvent.objects.count() == len(old) + len(recent)
    assert list(tmp_path.iterdir()) == []  # the unverified file is not left behind


def test_archive_refuses_a_broken_chain(history, tmp_path):
    _world, old, recent = history
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE id = %s",
            ["改过", old[1].pk],
        )

    with pytest.raises(CommandError, match=f"记录 id {old[1].pk}"):
        run_archive(tmp_path)
    assert AuditEvent.objects.count() == len(old) + len(recent)
    assert list(tmp_path.iterdir()) == []


def test_the_application_still_cannot_delete_audit_records(history):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.first().delete()


@pytest.mark.parametrize(("value", "starts"), [("90", False), ("183", True), ("400", True)])
def test_retention_below_six_months_is_refused_at_start_up(tmp_path, value, starts):
    result = start(tmp_path, GUANQING_SECRET_KEY=GOOD_KEY, GUANQING_AUDIT_RETENTION_DAYS=value)
    assert (result.returncode == 0) is starts, result.stderr
    if not starts:
        assert "GUANQING_AUDIT_RETENTION_DAYS" in result.stderr
