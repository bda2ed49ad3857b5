"""Archiving audit records past their retention, and reading an archive back.

An archive is one gzip file of JSON lines:

1. a header: format, version, the sequence numbers it holds, the chain hash it continues from
   (`previous_hmac`) and the one it ends with (`last_hmac`), and which key signed it (`key_id`);
2. one line per record, in sequence order: id, seq, content hash, chain hash and everything the
   record shows (the same fields the content hash covers);
3. a signature: HMAC-SHA256 with the audit key over the SHA-256 of every line before it.

`archive()` writes the file, reads it back and verifies it, and only then — in one transaction with
the chain head locked — deletes those records and moves the head's anchor to the last of them, so
the chain in the database continues where the archive ends. This is the only code that deletes
audit records; the model and its queryset still refuse.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core.audit import chain

FORMAT = "guanqing-audit-archive"
VERSION = 1
DELETE_BATCH = 1000


class ArchiveError(Exception):
    """Archiving was refused, or an archive file is not what it claims to be (message for people)."""


@dataclass
class ArchiveResult:
    path: Path
    count: int
    first_seq: int
    last_seq: int


@dataclass
class ArchiveContents:
    path: Path
    header: dict
    records: list[dict] = field(default_factory=list)


def default_directory() -> Path:
    return Path(settings.DATA_DIR) / "audit-archive"


def key_id() -> str:
    """Which key signed an archive, without giving the key away."""
    return chain.mac("key-id")[:16]


def _record_line(event) -> dict:
    return {
        "id": event.pk,
        "seq": event.seq,
        "content_hmac": event.content_hmac,
        "chain_hmac": event.chain_hmac,
        **chain.content_of(event),
    }


def _dumps(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _signature(body: bytes) -> str:
    return chain.mac("archive", hashlib.sha256(body).hexdigest())


def due(*, before: datetime.datetime, using: str = "default") -> list:
    """The sealed records right after the anchor written before `before`, in sequence order; stops
    at the first later one, so an archive is always one unbroken stretch of the chain."""
    from guanqing.core.models import AuditChainHead, AuditEvent

    head = AuditChainHead.objects.using(using).filter(pk=chain.HEAD_PK).first()
    anchor = head.anchor_seq if head else 0
    events = []
    rows = (
        AuditEvent._base_manager.using(using)
        .select_related("seal")
        .filter(seal__seq__gt=anchor)
        .order_by("seal__seq")
        .iterator(chunk_size=2000)
    )
    for event in rows:
        if event.at >= before:
            break
        events.append(event)
    return events


def write_archive(path: Path, header: dict, records: list[dict]) -> None:
    """Write the file beside its final name, flush it to disk, then give it its name."""
    lines = [_dumps(header)] + [_dumps(r) for r in records]
    body = b"".join(line + b"\n" for line in lines)
    signature = _dumps({"signature": _signature(body)}) + b"\n"
    temporary = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise ArchiveError(_("归档文件 %(path)s 已存在，未覆盖") % {"path": path})
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw, mtime=0) as gz:
                gz.write(body)
                gz.write(signature)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise ArchiveError(
            _("无法写入归档文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror or exc}
        ) from exc


def read_archive(path: Path | str) -> ArchiveContents:
    """The archive's header and records, after checking its signature and the chain inside it."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as gz:
            data = gz.read()
    except (OSError, EOFError) as exc:
        raise ArchiveError(
            _("无法读取归档文件 %(path)s：%(error)s")
            % {"path": path, "error": getattr(exc, "strerror", None) or exc}
        ) from exc
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    try:
        parsed = [json.loads(line) for line in lines]
    except ValueError:
        raise ArchiveError(_("%(path)s 不是审计归档文件") % {"path": path}) from None
    if len(parsed) < 2 or not isinstance(parsed[0], dict) or parsed[0].get("format") != FORMAT:
        raise ArchiveError(_("%(path)s 不是审计归档文件") % {"path": path})
    header, records, trailer = parsed[0], parsed[1:-1], parsed[-1]
    body = b"".join(line + b"\n" for line in lines[:-1])
    if not isinstance(trailer, dict) or trailer.get("signature") != _signature(body):
        if header.get("key_id") != key_id():
            raise ArchiveError(
                _("%(path)s 的签名不符：它由另一个审计密钥签名（密钥标识 %(key)s）")
                % {"path": path, "key": header.get("key_id")}
            )
        raise ArchiveError(_("%(path)s 的签名不符：文件被改动或不完整") % {"path": path})
    _check_chain(path, header, records)
    return ArchiveContents(path=path, header=header, records=records)


def _check_chain(path: Path, header: dict, records: list[dict]) -> None:
    previous = header.get("previous_hmac", "")
    expected = header.get("first_seq")
    for record in records:
        content = {name: record.get(name) for name in chain.CONTENT_FIELDS}
        where = {"path": path, "id": record.get("id"), "seq": record.get("seq")}
        if record.get("seq") != expected:
            raise ArchiveError(_("%(path)s 中记录 id %(id)s（序号 %(seq)s）：序号不连续") % where)
        if record.get("content_hmac") != chain.content_hmac(chain.content_of(content)):
            raise ArchiveError(
                _("%(path)s 中记录 id %(id)s（序号 %(seq)s）：内容与签名不符") % where
            )
        if record.get("chain_hmac") != chain.chain_hmac(
            record["seq"], record.get("id"), record.get("content_hmac"), previous
        ):
            raise ArchiveError(_("%(path)s 中记录 id %(id)s（序号 %(seq)s）：链接签名不符") % where)
        previous = record["chain_hmac"]
        expected += 1
    if (
        len(records) != header.get("count")
        or (records and records[-1]["seq"] != header.get("last_seq"))
        or previous != header.get("last_hmac")
    ):
        raise ArchiveError(_("%(path)s 的记录与其文件头不符") % {"path": path})


def check_continuity(archives: list[ArchiveContents]) -> None:
    """Several archives read in order: each must continue exactly where the one before ends."""
    for before, after in zip(archives, archives[1:], strict=False):
        if after.header.get("first_seq") != before.header.get(
            "last_seq", 0
        ) + 1 or after.header.get("previous_hmac") != before.header.get("last_hmac"):
            raise ArchiveError(
                _("%(after)s 没有接续 %(before)s：两者之间缺少记录")
                % {"after": after.path, "before": before.path}
            )


def archive(
    *,
    before: datetime.datetime | None = None,
    directory: Path | None = None,
    using: str = "default",
) -> ArchiveResult | None:
    """Move the records older than the retention into a signed archive file; None if none are."""
    from guanqing.core.models import AuditEvent, AuditSeal

    if before is None:
        before = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    directory = Path(directory) if directory is not None else default_directory()
    chain.seal(using)
    report = chain.verify(using)
    if not report.ok:
        raise ArchiveError(
            _("审计链有问题，未归档：%(problem)s")
            % {"problem": chain.describe_problem(report.problems[0])}
        )
    from guanqing.core.models import AuditChainHead

    head = AuditChainHead.objects.using(using).get(pk=chain.HEAD_PK)
    events = due(before=before, using=using)
    if not events:
        return None
    records = [_record_line(event) for event in events]
    first, last = events[0].seq, events[-1].seq
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "before": before.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "first_seq": first,
        "last_seq": last,
        "count": len(records),
        "previous_hmac": head.anchor_hmac,
        "last_hmac": events[-1].chain_hmac,
        "key_id": key_id(),
    }
    path = directory / f"audit-{first:010d}-{last:010d}.jsonl.gz"
    write_archive(path, header, records)
    try:
        contents = read_archive(path)  # what is on disk must be what was meant
        if contents.records != records:
            raise ArchiveError(_("归档文件 %(path)s 读回的内容与数据库不符") % {"path": path})
    except ArchiveError:
        path.unlink(missing_ok=True)
        raise

    with transaction.atomic(using=using):
        head = chain.locked_head(using)
        if head.mac != chain.head_mac(head) or head.anchor_seq != first - 1:
            raise ArchiveError(_("审计链头在归档期间被改动，未删除任何记录"))
        rows = AuditEvent._base_manager.using(using)
        places = AuditSeal._base_manager.using(using)
        ids = [event.pk for event in events]
        deleted = 0
        for start in range(0, len(ids), DELETE_BATCH):
            chunk = ids[start : start + DELETE_BATCH]
            deleted += rows.filter(
                pk__in=chunk, seal__seq__gte=first, seal__seq__lte=last
            ).delete()[0]
            places.filter(event_id__in=chunk).delete()
        if deleted != len(ids):
            raise ArchiveError(_("删除的记录数与归档不符，已撤销"))
        head.anchor_seq = last
        head.anchor_hmac = events[-1].chain_hmac
        head.anchor_file = path.name[:255]
        head.anchor_at = timezone.now()
        chain.save_head(head, using)
    return ArchiveResult(path=path, count=len(records), first_seq=first, last_seq=last)
