"""Tamper evidence for the audit log: a keyed hash chain.

Each record is signed twice:

- `content_hmac`, written in the same INSERT as the record (inside the business transaction, no
  lock): HMAC-SHA256 over everything the record shows — time, actor, action, object, root, changes,
  message, IP address.
- `seq` and `chain_hmac`, the record's place in the chain (an `AuditSeal` row), written just after
  the commit (`transaction.on_commit`) by `seal()`, a short transaction of its own that locks the
  one `AuditChainHead` row, takes the next records off the queue of unsealed ones
  (`AuditUnsealed`, which a trigger fills on every insert), numbers them consecutively in id order
  and links each to the one before:
  chain_hmac = HMAC(seq, id, content_hmac, previous chain_hmac).
  The place is an insert into a narrow table of its own, not an update of the record: an update
  changing an indexed column would write a new entry into each of the record's indexes.

Business transactions never wait for the chain head, so writers are not serialised and cannot
deadlock on it. Records a crash left unsealed are sealed by the daily job (`guanqing tick`) or by
`guanqing audit_verify --seal`.

`verify()` recomputes every hash from the anchor (the last archived record, or the start) to the
head and names the first record that does not match. The key comes from `GUANQING_AUDIT_KEY`, or is
derived from the secret key for this purpose alone; someone who can only write to the database
cannot recompute the hashes.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core import bulk

log = logging.getLogger("guanqing.audit.chain")

HEAD_PK = 1
BATCH = 1000
# A record committed longer ago than this and still unsealed is reported by `verify()`.
SEAL_GRACE = datetime.timedelta(minutes=1)

CONTENT_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "root_type",
    "root_id",
    "changes",
    "message",
    "ip_address",
)


# --- keys and hashes -------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _derive(secret: str, audit_key: str | None) -> bytes:
    if audit_key:
        return hashlib.sha256(b"guanqing-audit-key:" + audit_key.encode()).digest()
    return hmac.new(secret.encode(), b"guanqing-audit-chain", hashlib.sha256).digest()


def key() -> bytes:
    """The audit key: from GUANQING_AUDIT_KEY, or derived from the secret key for this purpose."""
    return _derive(settings.SECRET_KEY, getattr(settings, "AUDIT_KEY", None))


def mac(*parts: object) -> str:
    message = "\x1f".join(["" if p is None else str(p) for p in parts])
    return hmac.digest(key(), message.encode(), "sha256").hex()


def _number(value):
    # A whole float reads back from PostgreSQL's jsonb as an int: sign both the same way.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _canonical_json(value):
    if isinstance(value, dict):
        return {str(k): _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(v) for v in value]
    return _number(value)


def _canonical_time(value) -> str:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _canonical_ip(value) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        return str(value)


def content_of(event, *, signed_changes: dict | None = None) -> dict:
    """Everything an audit record shows, in the one form that is signed and archived.
    `signed_changes`: the changes, known to be in that form already (not copied again)."""
    get = event.get if isinstance(event, Mapping) else lambda name: getattr(event, name)
    values = {name: get(name) for name in CONTENT_FIELDS}
    if signed_changes is not None:
        changes = signed_changes
    else:
        changes = _canonical_json(values["changes"] if values["changes"] is not None else {})
    return {
        "at": _canonical_time(values["at"]),
        "actor_id": values["actor_id"],
        "actor_username": values["actor_username"] or "",
        "action": str(values["action"] or ""),
        "object_type": values["object_type"] or "",
        "object_id": str(values["object_id"] or ""),
        "object_repr": values["object_repr"] or "",
        "root_type": values["root_type"] or "",
        "root_id": str(values["root_id"] or ""),
        "changes": changes,
        "message": values["message"] or "",
        "ip_address": _canonical_ip(values["ip_address"]),
    }


# The signed form's JSON: keys sorted, no spaces, characters as they are (one encoder, not one
# built for every record).
_SIGNED_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hmac(content: dict) -> str:
    return mac("content", _SIGNED_JSON.encode(content))


def signed_json(value) -> str:
    """`value` (already in the signed form) as the signed text encodes it."""
    return _SIGNED_JSON.encode(value)


def content_hmac_with(content: dict, changes_text: str) -> str:
    """`content_hmac(content)` where the changes are already encoded (`signed_json`): their text
    is placed into the record's rather than encoded again. The content's "changes" is ignored.
    Keys are sorted, and every value before "changes" is a number or a string whose quotes the
    encoder escapes: `,"changes":0,` cannot occur earlier in the text."""
    text = _SIGNED_JSON.encode({**content, "changes": 0})
    return mac("content", text.replace(',"changes":0,', f',"changes":{changes_text},', 1))


def chain_hmac(seq: int, event_id: int, content_mac: str, previous: str) -> str:
    return mac("chain", seq, event_id, content_mac, previous)


def head_mac(head) -> str:
    return mac(
        "head", head.last_seq, head.last_hmac, head.anchor_seq, head.anchor_hmac, head.anchor_file
    )


# --- sealing ---------------------------------------------------------------------------------


def _models():
    from guanqing.core.models import AuditChainHead, AuditEvent

    return AuditChainHead, AuditEvent


def locked_head(using: str = "default"):
    """The chain head, locked until the end of the current transaction (created when missing)."""
    AuditChainHead, _event = _models()
    head = AuditChainHead.objects.using(using).select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        try:
            with transaction.atomic(using=using):
                fresh = AuditChainHead(pk=HEAD_PK)
                fresh.mac = head_mac(fresh)
                fresh.save(force_insert=True, using=using)
        except IntegrityError:  # another process created it first
            pass
        head = AuditChainHead.objects.using(using).select_for_update().get(pk=HEAD_PK)
    return head


def save_head(head, using: str = "default") -> None:
    head.mac = head_mac(head)
    head.save(using=using)


@dataclass
class SealResult:
    sealed: int = 0
    last_seq: int = 0
    last_hmac: str = ""
    mismatched: list[int] = field(default_factory=list)


# --- records written in bulk, known to the sealing ---------------------------------------------
#
# Sealing checks every record against its content hash before linking it (a record changed
# between its insert and its seal is logged). For a record `record_many()` has just written and
# hashed, hashing it again is most of the sealing's cost. Instead the sealing checks that the row
# is still the one written, by a marker kept until the record is sealed:
# - on PostgreSQL, the row version's `xmin`: the (sub)transaction that wrote it, read back just
#   after the insert. Any later change to the row, or a row deleted and written again, is a new
#   version with another xmin. Reading it costs the server nothing, and nothing is hashed twice;
# - elsewhere, a digest of the values sent for the row, compared with a digest of the row read
#   back.
# A row still as written and signed has the content hash it was written with; any other row, or
# a record this process did not write, is hashed again as before.

# Stored column values read back for the comparison, after the id (attribute names).
WRITTEN_COLUMNS = ("content_hmac", *CONTENT_FIELDS)

_written: dict[str, dict[int, bytes | str]] = {}  # id → digest, or row version (xmin)
_written_lock = threading.Lock()


def _comparable(value):
    """A stored or sent value in one form for both: what the driver was given and what it reads
    back can differ in type (a datetime read back for the text sent). Only databases without row
    versions compare digests (not PostgreSQL, whose JSON wrapper never reaches here)."""
    if value is None or type(value) is str or type(value) is int:
        return value
    if isinstance(value, datetime.datetime):
        return str(value)
    if isinstance(value, dict | list):
        return _SIGNED_JSON.encode(value)
    return str(value)


def written_digest(values: Iterable[object]) -> bytes:
    """A digest of one record's WRITTEN_COLUMNS values, as sent or as read back.

    The values are joined by NUL into one text: a string as it is when it holds no NUL and does
    not start with \x01 (nearly every one), anything else as \x01 and its repr() (which holds no
    NUL), so that no two lists of values join into the same text."""
    parts = []
    for value in values:
        kind = type(value)
        if value is not None and kind is not str and kind is not int:
            value = _comparable(value)
            kind = type(value)
        if kind is str and "\x00" not in value and not value.startswith("\x01"):
            parts.append(value)
        else:
            parts.append("\x01" + repr(value))
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).digest()


def _row_version_marked(connection) -> bool:
    return connection.vendor == "postgresql"


def note_written(using: str, events: list, sent: list[list], columns: list[str]) -> None:
    """Remember a marker of each record just inserted (`sent`: the values sent for each, by the
    attribute names `columns`), for the seal after the commit. Call it in the inserting
    transaction."""
    connection = transaction.get_connection(using)
    if _row_version_marked(connection):
        _head, AuditEvent = _models()
        meta = AuditEvent._meta
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(meta.pk.column)}, xmin::text FROM {quote(meta.db_table)} "
                f"WHERE {quote(meta.pk.column)} = ANY(%s::bigint[])",
                [bulk.pg_array([event.pk for event in events])],
            )
            markers = cursor.fetchall()
        if len(markers) != len(events):  # not all of them visible: leave them to be hashed
            return
    else:
        where = [columns.index(name) for name in WRITTEN_COLUMNS]
        markers = [
            (event.pk, written_digest([row[i] for i in where]))
            for event, row in zip(events, sent, strict=True)
        ]
    with _written_lock:
        _written.setdefault(using, {}).update(markers)


def _forget_written(using: str, sealed: list[int], *, up_to: int | None = None) -> None:
    """Drop what is kept for the records just sealed, and with `up_to` (the last seal of a run)
    for every record up to that id: one rolled back was never to be sealed."""
    with _written_lock:
        known = _written.get(using)
        if not known:
            return
        for pk in sealed:
            known.pop(pk, None)
        if up_to is not None:
            for pk in [pk for pk in known if pk <= up_to]:
                del known[pk]


class _Unsealed:
    """An unsealed record as the sealing needs it: id, content hash, place in the chain."""

    __slots__ = ("pk", "content_hmac", "seq", "chain_hmac")

    def __init__(self, pk, content_mac):
        self.pk, self.content_hmac, self.seq, self.chain_hmac = pk, content_mac, None, ""


def _queued(using: str) -> list[int]:
    """The ids of the next BATCH records in the queue, in id order (read from its primary key)."""
    from guanqing.core.models import AuditUnsealed

    return list(
        AuditUnsealed._base_manager.using(using)
        .order_by("event_id")
        .values_list("event_id", flat=True)[:BATCH]
    )


def _id_list(connection, ids: list[int]) -> tuple[str, list]:
    """A condition on a column for `ids`, and its one parameter: `= ANY(array)` on PostgreSQL,
    `IN` the values of a JSON array elsewhere."""
    if connection.vendor == "postgresql":
        return "= ANY(%s::bigint[])", [bulk.pg_array(ids)]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def _unsealed_batch(using: str, ids: list[int]) -> tuple[list, list[int]]:
    """The queued records `ids` that still exist, in id order, and the ids of those whose content
    must be hashed again (all of them unless records written in bulk are known)."""
    _head, AuditEvent = _models()
    rows = AuditEvent._base_manager.using(using)
    known = _written.get(using)  # looked up, never iterated, while others may add to it
    if not known:
        batch = list(rows.filter(pk__in=ids).order_by("id"))
        return batch, [event.pk for event in batch]
    meta = AuditEvent._meta
    connection = transaction.get_connection(using)
    quote = connection.ops.quote_name
    column_of = {f.attname: f.column for f in meta.concrete_fields}
    by_version = _row_version_marked(connection)
    read = ("id", "content_hmac") if by_version else ("id", *WRITTEN_COLUMNS)
    names = ", ".join(quote(column_of[name]) for name in read)
    where, params = _id_list(connection, ids)
    sql = (
        f"SELECT {names}{', xmin::text' if by_version else ''} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.pk.column)} {where} ORDER BY {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchall()
    if by_version:
        batch = [_Unsealed(pk, content_mac) for pk, content_mac, _version in stored]
        again = [pk for pk, _mac, version in stored if known.get(pk) != version]
        return batch, again
    # SQLite gives back the very text sent for the JSON column.
    batch, again = [], []
    for row in stored:
        batch.append(_Unsealed(row[0], row[1]))
        expected = known.get(row[0])
        if expected is None or expected != written_digest(row[1:]):
            again.append(row[0])
    return batch, again


def seal(using: str = "default") -> SealResult:
    """Link every queued record into the chain, in id order; a short transaction of its own for
    each thousand."""
    _head, AuditEvent = _models()
    result = SealResult()
    rows = AuditEvent._base_manager.using(using)
    while True:
        with transaction.atomic(using=using):
            head = locked_head(using)
            ids = _queued(using)
            if head.mac != head_mac(head):
                log.error("audit chain head does not match its signature; not sealing")
                return result
            batch, again = _unsealed_batch(using, ids) if ids else ([], [])
            if len(batch) < len(ids):
                # queued, then deleted before its seal: nothing is left to link
                gone = sorted(set(ids) - {event.pk for event in batch})
                log.error("audit records id=%s were deleted before they were sealed", gone)
            again = set(again)
            if again and not isinstance(batch[0], AuditEvent):
                # hashed again as before: read as records
                full = {event.pk: event for event in rows.filter(pk__in=again)}
                batch = [full.get(event.pk, event) for event in batch]
            seq, previous = head.last_seq, head.last_hmac
            places = []
            for event in batch:
                if event.pk in again and event.content_hmac != content_hmac(content_of(event)):
                    # Linked as it is: verify() names it; sealing does not hide a changed record.
                    result.mismatched.append(event.pk)
                    log.error("audit record id=%s does not match its content hash", event.pk)
                seq += 1
                previous = chain_hmac(seq, event.pk, event.content_hmac, previous)
                places.append((event.pk, seq, previous))
            if ids:
                _store_places(using, places, ids)
            head.last_seq, head.last_hmac = seq, previous
            if batch:
                save_head(head, using)
        result.sealed += len(batch)
        result.last_seq, result.last_hmac = seq, previous
        if ids:
            last = ids[-1] if len(ids) < BATCH else None
            _forget_written(using, ids, up_to=last)
        if len(ids) < BATCH:
            return result


def _store_places(using: str, places: list[tuple[int, int, str]], queued: list[int]) -> None:
    """Insert each record's place (id, seq, chain_hmac) and take the `queued` ids off the queue: on
    PostgreSQL one statement each from arrays, elsewhere one prepared statement executed for the
    batch."""
    from guanqing.core.models import AuditSeal, AuditUnsealed

    connection = transaction.get_connection(using)
    quote = connection.ops.quote_name
    stored = AuditSeal._meta
    table = quote(stored.db_table)
    event, seq, chain = (
        quote(stored.get_field(name).column) for name in ("event", "seq", "chain_hmac")
    )
    queue = AuditUnsealed._meta
    where, params = _id_list(connection, queued)
    with connection.cursor() as cursor:
        if places and connection.vendor == "postgresql":
            ids, seqs, macs = zip(*places, strict=True)
            cursor.execute(
                f"INSERT INTO {table} ({event}, {seq}, {chain}) "
                f"SELECT * FROM UNNEST(%s::bigint[], %s::bigint[], %s::text[])",
                [bulk.pg_array(ids), bulk.pg_array(seqs), bulk.pg_array(macs)],
            )
        elif places:
            cursor.executemany(
                f"INSERT INTO {table} ({event}, {seq}, {chain}) VALUES (%s, %s, %s)", places
            )
        cursor.execute(
            f"DELETE FROM {quote(queue.db_table)} "
            f"WHERE {quote(queue.get_field('event').column)} {where}",
            params,
        )


def _seal_quietly(using: str) -> None:
    try:
        seal(using)
    except Exception:  # the business write is committed; tick or audit_verify --seal finish this
        log.exception("sealing the audit chain failed; `guanqing tick` will seal these records")


def seal_after_commit(using: str = "default") -> None:
    """Seal once the current transaction commits (once per transaction, however many records)."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(
        getattr(entry[1], "_guanqing_seal", None) == using for entry in connection.run_on_commit
    ):
        return

    def run():
        _seal_quietly(using)

    run._guanqing_seal = using
    transaction.on_commit(run, using=using)


def daily_seal(today) -> SealResult:
    return seal()


def describe_daily_seal(result: SealResult) -> str:
    return _("审计链：新封存 %(sealed)s 条，末条序号 %(seq)s，链哈希 %(hash)s") % {
        "sealed": result.sealed,
        "seq": result.last_seq,
        "hash": result.last_hmac[:16] or "-",
    }


# --- verifying -------------------------------------------------------------------------------


@dataclass
class Problem:
    event_id: int | None  # None: no record to name (the head, or records missing at the end)
    seq: int | None  # None: a record not yet in the chain
    text: str
    on_head: bool = False


@dataclass
class Report:
    count: int = 0
    first_seq: int | None = None
    last_seq: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _chain_events(using: str) -> Iterator:
    _head, AuditEvent = _models()
    return (
        AuditEvent._base_manager.using(using)
        .select_related("seal")
        .filter(seal__isnull=False)
        .order_by("seal__seq")
        .iterator(chunk_size=2000)
    )


def verify(using: str = "default", *, first_only: bool = True, now=None) -> Report:
    """Recompute the chain from the anchor to the head; the problems found, first one first."""
    AuditChainHead, AuditEvent = _models()
    report = Report()
    now = now or timezone.now()

    def problem(event_id, seq, text) -> bool:
        report.problems.append(Problem(event_id, seq, text))
        return first_only

    head = AuditChainHead.objects.using(using).filter(pk=HEAD_PK).first()
    if head is None:
        head = AuditChainHead(pk=HEAD_PK)
        head.mac = head_mac(head)
    if head.mac != head_mac(head):
        report.problems.append(
            Problem(None, head.last_seq, _("链头记录被改动（与其签名不符）"), on_head=True)
        )
        return report
    expected, previous = head.anchor_seq + 1, head.anchor_hmac
    last_event_id = None
    for event in _chain_events(using):
        report.count += 1
        if report.first_seq is None:
            report.first_seq = event.seq
        if event.seq < expected:
            text = _("序号 %(seq)s 已归档或重复，该记录不应在表中") % {"seq": event.seq}
            if problem(event.pk, event.seq, text):
                return report
            continue
        if event.seq > expected:
            text = _("序号不连续：应为 %(expected)s，其前的记录缺失") % {"expected": expected}
            if problem(event.pk, event.seq, text):
                return report
            expected = event.seq
        if event.seq > head.last_seq:
            # sealed while this check runs? the head has moved on, and signs for it
            newer = AuditChainHead.objects.using(using).filter(pk=HEAD_PK).first()
            if (
                newer is not None
                and newer.mac == head_mac(newer)
                and newer.anchor_seq == head.anchor_seq
                and newer.last_seq >= event.seq
            ):
                head = newer
        if event.seq > head.last_seq:
            text = _("序号超出链头（链头记到序号 %(head)s）") % {"head": head.last_seq}
            if problem(event.pk, event.seq, text):
                return report
        if event.content_hmac != content_hmac(content_of(event)):
            text = _("内容与签名不符：记录写入后被改动，或为伪造")
            if problem(event.pk, event.seq, text):
                return report
        if event.chain_hmac != chain_hmac(event.seq, event.pk, event.content_hmac, previous):
            text = _("链接签名不符：序号、编号或前一条记录被改动")
            if problem(event.pk, event.seq, text):
                return report
        previous = event.chain_hmac
        report.last_seq = event.seq
        last_event_id = event.pk
        expected = event.seq + 1
    if report.last_seq < head.last_seq:
        if report.last_seq == 0 and report.count == 0 and head.anchor_seq == head.last_seq:
            pass  # everything is archived
        else:
            text = _("链尾记录缺失：链头记到序号 %(head)s，表中只到序号 %(last)s") % {
                "head": head.last_seq,
                "last": report.last_seq or head.anchor_seq,
            }
            if problem(None, report.last_seq + 1 if report.count else head.anchor_seq + 1, text):
                return report
    elif report.count and previous != head.last_hmac:
        text = _("链尾与链头记载的哈希不符")
        if problem(last_event_id, report.last_seq, text):
            return report
    for event in (
        AuditEvent._base_manager.using(using).filter(seal__isnull=True).order_by("id").iterator()
    ):
        if event.content_hmac != content_hmac(content_of(event)):
            text = _("尚未入链的记录内容与签名不符：记录写入后被改动，或为伪造")
            if problem(event.pk, None, text):
                return report
        elif event.at < now - SEAL_GRACE:
            text = _(
                "写入已超过一分钟仍未入链（运行 guanqing audit_verify --seal 或 guanqing tick）"
            )
            if problem(event.pk, None, text):
                return report
    return report


def describe_problem(item: Problem) -> str:
    if item.on_head:
        where = _("链头（序号 %(seq)s）") % {"seq": item.seq}
    elif item.event_id is None:
        where = _("序号 %(seq)s 起") % {"seq": item.seq}
    elif item.seq is None:
        where = _("记录 id %(id)s（未入链）") % {"id": item.event_id}
    else:
        where = _("记录 id %(id)s（序号 %(seq)s）") % {"id": item.event_id, "seq": item.seq}
    return _("%(where)s：%(what)s") % {"where": where, "what": item.text}
