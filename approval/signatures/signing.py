"""The signature of one signing act: its canonical content, a detached CMS signature over it,
and the check of that signature against the organisation's CA and CRL.

The content is canonical JSON (:func:`approval.services.audit.canonical_json`): the memo's
content hash at that moment, the action and decision, the opinion, the capacity (the step's
title and acting), the signer, their certificate's fingerprint, and the time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from asn1crypto import cms as acms
from asn1crypto import tsp as _tsp  # noqa: F401  (registers the CMS attributes pyHanko uses, before any parse)
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7

from ..services.audit import canonical_json, format_time

CONTENT_TYPE = "e-saraban/step-signature/v1"
CLOCK_SKEW = dt.timedelta(minutes=5)


def memo_content(memo) -> dict:
    """What the memo says (text and attached plan report): the part a signer vouches for."""
    content = {
        "department": memo.department, "date": memo.date, "subject": memo.subject,
        "addressee": memo.addressee, "sections": [dict(s) for s in memo.sections or []],
        "closing": memo.closing, "number": memo.number,
    }
    report = memo.plan_report
    if report is not None:
        content["plan_report"] = {
            "fiscal_year": report.fiscal_year, "round": report.round,
            "minimum_projects": report.minimum_projects, "problems": list(report.problems or []),
            "suggestions": list(report.suggestions or []), "reporter_name": report.reporter_name,
            "reporter_position": report.reporter_position,
            "projects": [[p.no, p.dimension, p.name, p.budget, p.ordinance_budget, p.disbursed, p.status,
                          bool(p.in_ordinance), p.reason, p.note] for p in report.projects],
        }
    return content


def memo_sha256(memo) -> str:
    return hashlib.sha256(canonical_json(memo_content(memo)).encode("utf-8")).hexdigest()


def step_content(memo, step, user, action: str, certificate_sha256: str) -> str:
    """The canonical JSON a signer signs for `step` (signed_at already set)."""
    decision = memo.decision.value if action == "order" and memo.decision else None
    return canonical_json({
        "type": CONTENT_TYPE,
        "organization_id": memo.organization_id, "memo_id": memo.id, "number": memo.number,
        "memo_sha256": memo_sha256(memo),
        "round": step.round, "step": step.seq, "capacity": step.title, "acting": step.acting,
        "action": action, "decision": decision, "opinion": step.comment or "",
        "signer": {"user_id": user.id, "full_name": user.full_name, "position": user.position},
        "certificate_sha256": certificate_sha256, "signed_at": format_time(step.signed_at),
    })


def sign(content: str, private_key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate) -> bytes:
    """A detached CMS SignedData (DER) over the UTF-8 content, with the signer's certificate."""
    return (
        pkcs7.PKCS7SignatureBuilder().set_data(content.encode("utf-8"))
        .add_signer(certificate, private_key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                           pkcs7.PKCS7Options.NoCapabilities])
    )


@dataclass
class Check:
    """The verdict on one signature: valid when no problem was found."""

    problems: list[str] = field(default_factory=list)
    certificate_sha256: str | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


def _attr(signed_attrs, name: str):
    for attr in signed_attrs:
        if attr["type"].native == name:
            return attr["values"][0]
    return None


def verify(content: str, cms_der: bytes, ca_cert: x509.Certificate, crl: x509.CertificateRevocationList | None,
           *, signed_at: dt.datetime, expected_certificate: bytes | None = None) -> Check:
    """Check a detached CMS signature over `content`: digest, signature, issuer, validity, revocation.

    `signed_at` is the time the audit chain records for the act; a certificate revoked at or
    before it makes the signature invalid.
    """
    check = Check()
    try:
        info = acms.ContentInfo.load(cms_der)
        signed_data = info["content"]
        if info["content_type"].native != "signed_data" or len(signed_data["signer_infos"]) != 1:
            check.problems.append("ไม่ใช่ลายมือชื่อ CMS ของผู้ลงนามหนึ่งคน")
            return check
        signer_info = signed_data["signer_infos"][0]
        certs = [c.chosen for c in signed_data["certificates"] if c.name == "certificate"]
        sid = signer_info["sid"].chosen
        cert_der = next((c.dump() for c in certs if c.serial_number == sid["serial_number"].native
                         and c.issuer == sid["issuer"]), None)
        signed_attrs = signer_info["signed_attrs"]
        digest = _attr(signed_attrs, "message_digest")
        signing_time = _attr(signed_attrs, "signing_time")
        attrs_der = b"\x31" + signed_attrs.dump()[1:]
        signature = signer_info["signature"].native
        digest_algorithm = signer_info["digest_algorithm"]["algorithm"].native
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        check.problems.append(f"อ่านลายมือชื่อไม่ได้ ({type(exc).__name__})")
        return check
    if cert_der is None:
        check.problems.append("ไม่พบใบรับรองของผู้ลงนามในลายมือชื่อ")
        return check
    check.certificate_sha256 = hashlib.sha256(cert_der).hexdigest()
    if expected_certificate is not None and cert_der != expected_certificate:
        check.problems.append("ใบรับรองในลายมือชื่อไม่ใช่ใบรับรองที่บันทึกไว้ของผู้ลงนาม")
    if digest_algorithm != "sha256" or digest is None or digest.native != hashlib.sha256(content.encode("utf-8")).digest():
        check.problems.append("เนื้อหาที่ลงนามถูกแก้ไข (ค่าแฮชไม่ตรงกัน)")
    cert = x509.load_der_x509_certificate(cert_der)
    try:
        cert.public_key().verify(signature, attrs_der, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, TypeError, ValueError):
        check.problems.append("ลายมือชื่อดิจิทัลไม่ถูกต้อง")
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, ValueError, TypeError):
        check.problems.append("ใบรับรองไม่ได้ออกโดยหน่วยรับรองของหน่วยงาน")
    if not cert.not_valid_before_utc <= signed_at <= cert.not_valid_after_utc:
        check.problems.append("ลงนามนอกช่วงอายุของใบรับรอง")
    if signing_time is not None and abs(signing_time.native - signed_at) > CLOCK_SKEW:
        check.problems.append("เวลาในลายมือชื่อไม่ตรงกับเวลาที่บันทึกไว้")
    if crl is not None:
        revoked = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if revoked is not None and revoked.revocation_date_utc <= signed_at:
            check.problems.append("ใบรับรองถูกเพิกถอนก่อนเวลาที่ลงนาม")
    return check
