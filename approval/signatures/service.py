"""The verbs: sign a step, seal the frozen document, check a memo's signatures.

Services change data and flush, never commit (the page or API commits).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from cryptography import x509
from flask import has_request_context, request
from sqlalchemy.orm import Session, defer, joinedload

from ..labels import ACTION_LABELS, DECISION_LABELS
from ..models import Event, Memo, MemoDocument, Step
from ..services import audit
from ..thai import thai_date
from . import ca, keys, pades, signing
from .models import DocumentSeal, SigningAuthority, SigningKey, StepSignature

log = logging.getLogger(__name__)
SIGNING_ACTIONS = ("forward", "return", "order")


def _crl(authority: SigningAuthority) -> x509.CertificateRevocationList | None:
    return _parsed_crl(authority.crl) if authority.crl else None


def sign_step(session: Session, memo: Memo, user, password: str, event: Event,
              key: keys.UnlockedKey | None = None) -> keys.UnlockedKey:
    """Sign the act `event` records with the signer's own key (opened with their password, or
    ``key`` when the confirmation opened it already).

    The detached CMS signature is stored with the step, and its SHA-256 and the certificate's
    fingerprint join the event's data (the event's hash is recomputed: it is not yet committed,
    and nothing is chained after it yet), so the audit chain covers the signature.
    """
    step = next(s for s in memo.steps if s.round == event.round and s.seq == event.step)
    key = key if key is not None else keys.unlock(session, user, password)
    content = signing.step_content(memo, step, user, event.action, key.row.fingerprint)
    cms = signing.sign(content, key.private_key, key.certificate)
    authority = ca.authority_for(session, memo.organization_id)
    check = signing.verify(content, cms, key.ca_certificate, _crl(authority), signed_at=step.signed_at,
                           expected_certificate=key.row.certificate)
    if not check.valid:  # e.g. a certificate revoked meanwhile: refuse, record nothing
        raise keys.KeyUnavailable("ลงนามไม่ได้: " + "; ".join(check.problems))
    if step.id is None:
        session.flush()
    session.add(StepSignature(organization_id=memo.organization_id, memo_id=memo.id, step_id=step.id,
                              key_id=key.row.id, content=content, cms=cms, signed_at=step.signed_at))
    event.data = {**(event.data or {}), "signature_sha256": hashlib.sha256(cms).hexdigest(),
                  "certificate_sha256": key.row.fingerprint}
    event.hash = audit.compute_hash(event.prev_hash, audit.event_content(event))
    return key


def _signature_rows(session: Session, memo_id: int) -> list[StepSignature]:
    return list(session.scalars(
        sa.select(StepSignature).join(Step, Step.id == StepSignature.step_id)
        .where(StepSignature.memo_id == memo_id).order_by(Step.round, Step.seq)
        .options(joinedload(StepSignature.step), joinedload(StepSignature.key).joinedload(SigningKey.user))
    ))


@dataclass
class MemoSignatures:
    """What a memo's signature checks read: its step signatures (with their keys and signers),
    its organisation's CA, and the seal of its frozen document (None until decided)."""

    rows: list[StepSignature]
    authority: SigningAuthority | None
    seal: DocumentSeal | None


@lru_cache(maxsize=1)
def _memo_signatures_statement():
    """memo_signatures' statement, built once (its loader options cost more to build than to run).

    From the memo's own row, so that there is always a row: the CA, each step signature and the
    seal outer-joined (the CA and the seal are one at most each, so the rows are the signatures).
    """
    memo_id, org = sa.bindparam("memo_id"), sa.bindparam("memo_org")
    return (
        sa.select(Memo.id, SigningAuthority, StepSignature, DocumentSeal).select_from(Memo)
        .outerjoin(SigningAuthority, SigningAuthority.organization_id == Memo.organization_id)
        .outerjoin(StepSignature, sa.and_(StepSignature.memo_id == Memo.id,
                                          StepSignature.organization_id == Memo.organization_id))
        .outerjoin(DocumentSeal, sa.and_(DocumentSeal.memo_id == Memo.id,
                                         DocumentSeal.organization_id == Memo.organization_id))
        .where(Memo.id == memo_id, Memo.organization_id == org)
        .options(defer(SigningAuthority.key_encrypted),
                 joinedload(StepSignature.key).options(defer(SigningKey.wrapped_key), defer(SigningKey.salt),
                                                       joinedload(SigningKey.user)))
    )


def memo_signatures(session: Session, memo: Memo) -> MemoSignatures:
    """The memo's step signatures, its organisation's CA and its seal, in one statement."""
    result = session.execute(_memo_signatures_statement(), {"memo_id": memo.id, "memo_org": memo.organization_id})
    rows, authority, seal = [], None, None
    for _, found_authority, signature, found_seal in result:
        authority = authority or found_authority
        seal = seal or found_seal
        if signature is not None:
            rows.append(signature)
    return MemoSignatures(rows, authority, seal)


#: Each step signature's cryptographic verdict (signing.verify), by what it depends on: the
#: row, the SHA-256 of its CMS bytes, of its signed content, of the signer's recorded
#: certificate, of the CA's certificate and of the CRL, and the signing time. A changed byte in
#: any of them is another key: a tampered row or a new CRL is checked afresh at once.
_VERDICTS: OrderedDict[tuple, tuple[tuple[str, ...], str | None]] = OrderedDict()
_VERDICTS_MAX = 4096
_VERDICTS_LOCK = threading.Lock()


def _sha(data: bytes | None) -> bytes:
    return hashlib.sha256(data).digest() if data is not None else b""


#: The CA certificates and CRLs parsed, by their bytes (a new CRL is other bytes: parsed anew).
@lru_cache(maxsize=16)
def _parsed_ca(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


@lru_cache(maxsize=16)
def _parsed_crl(der: bytes) -> x509.CertificateRevocationList:
    return x509.load_der_x509_crl(der)


def _verdict(row: StepSignature, cms_sha: bytes, authority: SigningAuthority, ca_sha: bytes,
             crl_sha: bytes) -> signing.Check:
    """signing.verify of `row`, remembered in this process under a content-addressed key."""
    key = (row.id, cms_sha, _sha(row.content.encode("utf-8")), _sha(row.key.certificate), ca_sha, crl_sha,
           row.signed_at.isoformat() if row.signed_at is not None else "")
    with _VERDICTS_LOCK:
        found = _VERDICTS.get(key)
        if found is not None:
            _VERDICTS.move_to_end(key)
    if found is None:
        crl = _parsed_crl(authority.crl) if authority.crl else None
        check = signing.verify(row.content, row.cms, _parsed_ca(authority.certificate), crl,
                               signed_at=row.signed_at, expected_certificate=row.key.certificate)
        found = (tuple(check.problems), check.certificate_sha256)
        with _VERDICTS_LOCK:
            _VERDICTS[key] = found
            while len(_VERDICTS) > _VERDICTS_MAX:
                _VERDICTS.popitem(last=False)
    return signing.Check(list(found[0]), found[1])


def step_checks(session: Session, memo: Memo, loaded: MemoSignatures | None = None) -> list[dict]:
    """Every step signature of the memo, checked: CMS, CA, CRL, the audit event, the memo's text.

    `loaded`: what :func:`memo_signatures` read (the memo page reads it once for the panel).
    The cryptographic verdict of each signature is remembered by content (see _VERDICTS); the
    checks against the audit chain and the memo's text are made each time.
    """
    loaded = loaded if loaded is not None else memo_signatures(session, memo)
    if not loaded.rows:
        return []
    authority = loaded.authority
    ca_sha = _sha(authority.certificate) if authority else b""
    crl_sha = _sha(authority.crl) if authority else b""
    events = {}
    for event in sorted(memo.events, key=lambda e: e.id or 0):  # loaded with the memo's page
        if event.action in SIGNING_ACTIONS:
            events[(event.round, event.step)] = event
    steps = {s.id: s for s in memo.steps}
    # A row whose step is not one of this memo's (a tampered row) is still shown, with its own step.
    rows = sorted(((steps.get(row.step_id) or row.step, row) for row in loaded.rows),
                  key=lambda pair: (pair[0].round, pair[0].seq, pair[1].id))
    current_sha = None
    results = []
    for step, row in rows:
        key, cms_sha = row.key, _sha(row.cms)
        if authority is None:
            check = signing.Check(["หน่วยงานไม่มีหน่วยรับรอง"])
        else:
            check = _verdict(row, cms_sha, authority, ca_sha, crl_sha)
        event = events.get((step.round, step.seq))
        data = (event.data or {}) if event is not None else {}
        if data.get("signature_sha256") != cms_sha.hex():
            check.problems.append("ลายมือชื่อไม่ตรงกับที่บันทึกในห่วงโซ่เหตุการณ์")
        if event is not None and audit.compute_hash(event.prev_hash, audit.event_content(event)) != event.hash:
            check.problems.append("เหตุการณ์การลงนามถูกแก้ไข")
        content = _content(row.content)
        if content.get("memo_id") != memo.id or content.get("round") != step.round or content.get("step") != step.seq:
            check.problems.append("ลายมือชื่อเป็นของหนังสือหรือขั้นตอนอื่น")
        if step.round == memo.round:
            if current_sha is None:
                current_sha = signing.memo_sha256(memo)
            if content.get("memo_sha256") != current_sha:
                check.problems.append("เนื้อหาหนังสือถูกแก้ไขหลังการลงนาม")
        if content.get("opinion") != (step.comment or ""):
            check.problems.append("ความเห็นที่บันทึกไม่ตรงกับที่ลงนาม")
        action = content.get("action", "")
        label = ACTION_LABELS.get(action, action)
        if action == "order" and memo.decision is not None:
            label = DECISION_LABELS.get(memo.decision, label)
        results.append({
            "step": step.seq, "round": step.round, "signer": key.user,
            # as they were when signing (the step's kept block), not as they are now
            "signer_name": step.signer_name or key.user.full_name,
            "signer_position": step.signer_position or key.user.position,
            "capacity": step.title + (f" ({step.acting})" if step.acting else ""),
            "action": action, "action_label": label, "signed_at": row.signed_at,
            "certificate_sha256": key.fingerprint, "valid": check.valid, "problems": check.problems,
        })
    return results


def _content(text: str) -> dict:
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def public_url(path: str) -> str:
    """An absolute URL of this site: PUBLIC_URL when set, else the request's host."""
    base = ca.setting("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://localhost/").rstrip("/") + path


def seal_document(session: Session, memo: Memo, doc: MemoDocument, key: keys.UnlockedKey | None) -> DocumentSeal:
    """Turn the frozen render into the archival, signed document (in place: doc.content, doc.sha256)."""
    rendered = doc.content
    token = secrets.token_urlsafe(24)
    url = public_url(f"/verify/{token}")
    org = memo.organization
    thai = org.uses_thai_digits
    checks = step_checks(session, memo)
    files = []
    for row in _signature_rows(session, memo.id):
        stem = f"step-r{row.step.round}-{row.step.seq}"
        files.append((f"{stem}.json", row.content.encode("utf-8"), "application/json",
                      "เนื้อหาที่ผู้ลงนามลงนาม (canonical JSON)"))
        files.append((f"{stem}.p7s", row.cms, "application/pkcs7-signature",
                      "ลายมือชื่อ CMS ของขั้นตอน (detached)"))
    authority = ca.authority_for(session, memo.organization_id)
    files.append(("organization-ca.cer", authority.certificate, "application/pkix-cert", "ใบรับรองของหน่วยรับรองของหน่วยงาน"))
    if authority.crl:
        files.append(("organization-ca.crl", authority.crl, "application/pkix-crl", "รายการใบรับรองที่ถูกเพิกถอน"))
    created = memo.decided_at
    context = {
        "memo": {"number": memo.number, "subject": memo.subject, "date_text": thai_date(memo.date, digits=thai)},
        "rows": pades.page_rows(checks, thai), "digits": pades.digits_of(thai),
        "pdf_signer": key.row.user.full_name if key else None, "org_name": org.name,
        "verify_url": url, "rendered_sha256": hashlib.sha256(rendered).hexdigest(),
        "rendered_sha256_grouped": pades.grouped(hashlib.sha256(rendered).hexdigest()),
        "tsa": bool(ca.setting("SIGNING_TSA_URL")), "created_at": created,
    }
    content = pades.build(rendered, url=url, page_context=context, files=files, title=memo.subject,
                          author=memo.author_name or memo.author.full_name, subject=memo.subject, created=created)
    if key is not None:
        signer = pades.Signer(name=key.row.user.full_name, location=org.name, private_key=key.private_key,
                              certificate=key.certificate, ca_certificate=key.ca_certificate)
        content = pades.sign(content, signer)
    doc.content, doc.sha256 = content, hashlib.sha256(content).hexdigest()
    seal = DocumentSeal(organization_id=memo.organization_id, memo_id=memo.id, token=token,
                        rendered_sha256=hashlib.sha256(rendered).hexdigest(),
                        key_id=key.row.id if key else None, pdf_signed=key is not None)
    session.add(seal)
    return seal


def seal_for(session: Session, memo_id: int) -> DocumentSeal | None:
    return session.scalar(sa.select(DocumentSeal).where(DocumentSeal.memo_id == memo_id))


def keys_of(session: Session, user) -> list[SigningKey]:
    return list(session.scalars(sa.select(SigningKey).where(SigningKey.user_id == user.id).order_by(SigningKey.id)))
