"""Anchors of the audit chain: signed checkpoints of each organisation's chain heads, kept
where someone with database access alone cannot rewrite them.

The event log is hash-chained (:mod:`approval.services.audit`), but a chain proves nothing
to someone who can rewrite the table: delete the tail, or edit an event and recompute every
hash after it, and the chain verifies again. A *checkpoint* records, for one organisation,
the head (event id and hash) of every chain -- each memo's, and the organisation's admin
chain -- that changed since the previous checkpoint, the organisation's latest event and
how many events it had up to it. The record is signed and

* stored as an ``audit_checkpoint`` row (convenient, but the database is what we distrust),
* appended as one JSON line to ``AUDIT_ANCHOR_DIR/<organisation id>.jsonl`` (default
  ``instance/anchors/``): append-only, fsync'd -- the trusted copy. Ship that folder off
  the database host (or make it append-only, ``chattr +a``) and keep the key off it.
* E-mailed to the organisation's admins: not done, people have no e-mail address yet.

The signature is HMAC-SHA256 (``scheme: "hmac-sha256"``) with ``AUDIT_ANCHOR_KEY``, or,
when that is not set, a key derived from ``SECRET_KEY`` under the label
:data:`KEY_LABEL` (so it is never the session-signing key itself). The key is never in the
database. Once organisations have signing keys, a new ``scheme`` (a digital signature
by the organisation's key) can replace it: the record and the verification are per scheme.

A hash chain links each event to the one before, so an anchored head pins every earlier
event of its chain: :func:`verify` finds an anchored event that is gone (a deleted tail),
one whose hash is no longer the anchored one (rewritten and re-hashed), fewer events than
anchored, a checkpoint row that differs from the file, and a record whose signature fails.

When: ``flask anchor-chain`` from cron or a systemd timer (README), and automatically
after each order is given (:func:`anchor_after_commit`, run by ``transaction.commit``
once the order is committed). A checkpoint reads the heads of the organisation's chains
(one grouped query over its events) and the previous checkpoints' heads: linear in the
organisation's events, a few milliseconds for tens of thousands.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import AuditCheckpoint, Event, Organization
from ..thai import utcnow
from .audit import ChainProblem, canonical_json, format_time

log = logging.getLogger(__name__)

SCHEME = "hmac-sha256"
#: The domain-separation label of the key derived from SECRET_KEY when AUDIT_ANCHOR_KEY is unset.
KEY_LABEL = b"e-saraban/audit-anchor/hmac-sha256/v1"
ADMIN_CHAIN = "admin"


@dataclass(frozen=True)
class AnchorSettings:
    key: bytes
    directory: Path
    derived: bool  #: True when the key is derived from SECRET_KEY

    def path(self, organization_id: int) -> Path:
        return self.directory / f"{int(organization_id)}.jsonl"


def settings(app=None) -> AnchorSettings:
    """The key and the export folder from the app's configuration."""
    if app is None:
        from flask import current_app

        app = current_app
    configured = app.config.get("AUDIT_ANCHOR_KEY")
    if configured:
        key = configured if isinstance(configured, bytes) else str(configured).encode("utf-8")
        derived = False
    else:
        secret = app.config["SECRET_KEY"]
        secret = secret if isinstance(secret, bytes) else str(secret).encode("utf-8")
        key, derived = hmac.new(secret, KEY_LABEL, hashlib.sha256).digest(), True
    directory = app.config.get("AUDIT_ANCHOR_DIR") or os.path.join(app.instance_path, "anchors")
    return AnchorSettings(key=key, directory=Path(directory), derived=derived)


def chain_key(memo_id: int | None) -> str:
    return ADMIN_CHAIN if memo_id is None else f"memo:{memo_id}"


def _memo_of(key: str) -> int | None:
    return None if key == ADMIN_CHAIN else int(key.split(":", 1)[1])


def sign(key: bytes, record: dict) -> str:
    """The HMAC-SHA256 of the record's canonical JSON, without its signature."""
    payload = canonical_json({k: v for k, v in record.items() if k != "signature"})
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_ok(key: bytes, record: dict) -> bool:
    return record.get("scheme") == SCHEME and hmac.compare_digest(sign(key, record), str(record.get("signature")))


def record_of(row: AuditCheckpoint) -> dict:
    """The signed record of a checkpoint row, as the file holds it."""
    return {
        "v": 1, "organization_id": row.organization_id, "seq": row.seq, "at": format_time(row.at),
        "last_event_id": row.last_event_id, "head_hash": row.head_hash, "event_count": row.event_count,
        "heads": {k: list(v) for k, v in (row.heads or {}).items()}, "prev_signature": row.prev_signature,
        "scheme": row.scheme, "signature": row.signature,
    }


def current_heads(session: Session, organization_id: int) -> dict[str, list]:
    """Each chain of the organisation -> [its last event id, that event's hash]."""
    last = (sa.select(sa.func.max(Event.id).label("id")).where(Event.organization_id == organization_id)
            .group_by(Event.memo_id).subquery())
    rows = session.execute(sa.select(Event.memo_id, Event.id, Event.hash).join(last, Event.id == last.c.id))
    return {chain_key(memo_id): [event_id, digest] for memo_id, event_id, digest in rows}


def _export(path: Path, record: dict) -> None:
    """Append one line and fsync it (and the folder, when the file is new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (canonical_json(record) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def anchor(session: Session, organization_id: int, conf: AnchorSettings, *, force: bool = False,
           now: dt.datetime | None = None) -> AuditCheckpoint | None:
    """Write a checkpoint of the organisation's chains (row + exported line); None when
    nothing changed since the last one (unless ``force``). Flushes; the caller commits.

    The line is exported before the caller commits: an export that fails leaves no row.
    """
    # The organisation's row serialises checkpoints (and admin events) of one organisation.
    session.scalar(sa.select(Organization.id).where(Organization.id == organization_id).with_for_update())
    previous = list(session.scalars(sa.select(AuditCheckpoint).where(AuditCheckpoint.organization_id == organization_id)
                                    .order_by(AuditCheckpoint.seq)))
    anchored: dict[str, list] = {}
    for row in previous:
        anchored.update({k: list(v) for k, v in (row.heads or {}).items()})
    changed = {k: v for k, v in current_heads(session, organization_id).items() if anchored.get(k) != v}
    last = session.execute(sa.select(Event.id, Event.hash).where(Event.organization_id == organization_id)
                           .order_by(Event.id.desc()).limit(1)).first()
    last_id, head_hash = (last[0], last[1]) if last else (None, None)
    count = session.scalar(sa.select(sa.func.count(Event.id)).where(
        Event.organization_id == organization_id, Event.id <= (last_id or 0))) or 0
    before = previous[-1] if previous else None
    if not force and not changed and before is not None and (before.last_event_id, before.event_count) == (
            last_id, count):
        return None
    moment = now or utcnow()
    record = {
        "v": 1, "organization_id": organization_id, "seq": (before.seq + 1) if before else 1,
        "at": format_time(moment), "last_event_id": last_id, "head_hash": head_hash, "event_count": count,
        "heads": changed, "prev_signature": before.signature if before else "", "scheme": SCHEME,
    }
    record["signature"] = sign(conf.key, record)
    row = AuditCheckpoint(
        organization_id=organization_id, seq=record["seq"], at=moment, last_event_id=last_id,
        head_hash=head_hash, event_count=count, heads=changed, prev_signature=record["prev_signature"],
        scheme=SCHEME, signature=record["signature"],
    )
    session.add(row)
    session.flush()
    _export(conf.path(organization_id), record)
    return row


def anchor_after_commit(session: Session, organization_id: int) -> None:
    """Ask for a checkpoint of the organisation once the current transaction commits
    (``transaction.commit`` runs it, in its own transaction; a failure is logged, never
    undoes what was committed -- the next checkpoint covers the same events)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return
    app = current_app._get_current_object()

    def run() -> None:
        anchor(session, organization_id, settings(app))

    session.info.setdefault("after_commit", []).append(run)


# --- verification -----------------------------------------------------------------------

def read_file(path: Path) -> tuple[list[dict], list[str]]:
    """The records of an exported file and the problems reading it (missing file: none)."""
    if not path.exists():
        return [], []
    records, problems = [], []
    with path.open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                problems.append(f"บรรทัดที่ {number} ของไฟล์จุดยึด {path.name} อ่านไม่ได้")
                continue
            records.append(record)
    return records, problems


def verify(session: Session, conf: AnchorSettings, organization_id: int | None = None
           ) -> tuple[list[ChainProblem], int]:
    """Every checkpoint against the exported file (the trusted copy), its signature, and the
    events as they are now; returns the problems and how many checkpoints were checked."""
    orgs = sa.select(Organization.id).order_by(Organization.id)
    if organization_id is not None:
        orgs = orgs.where(Organization.id == organization_id)
    problems: list[ChainProblem] = []
    checked = 0
    for (org_id,) in session.execute(orgs).all():
        found, n = _verify_org(session, conf, org_id)
        problems += found
        checked += n
    return problems, checked


def _verify_org(session: Session, conf: AnchorSettings, org_id: int) -> tuple[list[ChainProblem], int]:
    path = conf.path(org_id)
    records, unreadable = read_file(path)
    problems = [ChainProblem(0, None, p) for p in unreadable]

    def finding(text: str, event_id: int = 0, memo_id: int | None = None) -> None:
        problems.append(ChainProblem(event_id, memo_id, text))

    trusted: list[dict] = []
    prev_signature, expected_seq = "", 1
    for record in records:
        seq = record.get("seq")
        if not signature_ok(conf.key, record) or record.get("organization_id") != org_id:
            finding(f"จุดยึด #{seq} ในไฟล์ {path.name}: ลายมือชื่อ ({SCHEME}) ไม่ถูกต้อง (ไฟล์ถูกแก้ไขหรือปลอม)")
            continue
        if seq != expected_seq or record.get("prev_signature") != prev_signature:
            finding(f"จุดยึด #{seq} ในไฟล์ {path.name}: ไม่ต่อจากจุดยึดก่อนหน้า (จุดยึดบางจุดหายไป)")
        trusted.append(record)
        prev_signature, expected_seq = record["signature"], int(seq) + 1

    # The database's copy against the file's: a row that differs, or is missing, is a finding.
    by_seq = {r["seq"]: r for r in trusted}
    rows = list(session.scalars(sa.select(AuditCheckpoint).where(AuditCheckpoint.organization_id == org_id)
                                .order_by(AuditCheckpoint.seq)))
    for row in rows:
        mine = record_of(row)
        if not signature_ok(conf.key, mine):
            finding(f"จุดยึด #{row.seq} ในฐานข้อมูล: ลายมือชื่อ ({SCHEME}) ไม่ถูกต้อง (แถวถูกปลอมหรือแก้ไข)")
        theirs = by_seq.get(row.seq)
        if theirs is None:
            finding(f"จุดยึด #{row.seq} ในฐานข้อมูลไม่มีในไฟล์ที่ส่งออก {path.name}")
        elif canonical_json(mine) != canonical_json(theirs):
            finding(f"จุดยึด #{row.seq} ในฐานข้อมูลไม่ตรงกับไฟล์ที่ส่งออก {path.name} (แถวถูกแก้ไข)")
    in_db = {row.seq for row in rows}
    for record in trusted:
        if record["seq"] not in in_db:
            finding(f"จุดยึด #{record['seq']} ในไฟล์ไม่มีในฐานข้อมูล (แถวถูกลบ)")

    # The events now against what the file anchored.
    events = {event_id: (memo_id, digest) for event_id, memo_id, digest in session.execute(
        sa.select(Event.id, Event.memo_id, Event.hash).where(Event.organization_id == org_id))}
    ids = sorted(events)
    reported: set[int] = set()
    fewer = False
    for record in trusted:
        seq = record["seq"]
        pins = [(key, head[0], head[1]) for key, head in (record.get("heads") or {}).items()]
        if record.get("last_event_id") is not None:
            last_id = record["last_event_id"]
            pins.append((None, last_id, record.get("head_hash")))
        for key, event_id, digest in pins:
            if event_id in reported:
                continue
            memo_id = _memo_of(key) if key is not None else events.get(event_id, (None,))[0]
            now = events.get(event_id)
            if now is None:
                reported.add(event_id)
                finding(f"เหตุการณ์ {event_id} ที่ยึดไว้ในจุดยึด #{seq} หายไป (เหตุการณ์ถูกลบหลังจุดยึด)",
                        event_id, memo_id)
            elif now[1] != digest or (key is not None and chain_key(now[0]) != key):
                reported.add(event_id)
                finding(f"เหตุการณ์ {event_id} ไม่ตรงกับที่ยึดไว้ในจุดยึด #{seq} "
                        "(ถูกแก้ไขและคำนวณแฮชใหม่หลังจุดยึด)", event_id, memo_id)
        if record.get("last_event_id") is not None and not fewer:
            count = bisect.bisect_right(ids, record["last_event_id"])
            if count < int(record.get("event_count") or 0):
                fewer = True
                finding(f"มีเหตุการณ์ถึงเหตุการณ์ {record['last_event_id']} เพียง {count} รายการ "
                        f"น้อยกว่า {record['event_count']} ที่ยึดไว้ในจุดยึด #{seq} (เหตุการณ์ถูกลบ)")
    return problems, len(trusted)
