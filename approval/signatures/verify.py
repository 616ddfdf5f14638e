"""Verification by anyone: a PDF's SHA-256 against the archive, its PAdES signatures against the
organisation's CA and CRL (pyHanko), and the whole archive's signatures (``flask verify-archive``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Memo, MemoDocument, MemoState
from . import ca
from .models import DocumentSeal, SigningAuthority

log = logging.getLogger(__name__)
_ORG_UNIT = re.compile(r"e-Saraban org ([0-9]+)")


@dataclass
class PdfSignatureResult:
    signer: str
    valid: bool  #: the signature is cryptographically sound and its certificate chains to the CA, unrevoked
    intact: bool  #: the signed bytes are unchanged and the signature covers the whole file
    organization_id: int | None = None
    signed_at: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class PdfReport:
    sha256: str
    memo: Memo | None
    signatures: list[PdfSignatureResult]
    readable: bool = True


def _authority_of(session: Session, signer_cert) -> SigningAuthority | None:
    """The CA that says it issued `signer_cert` (by the organisation unit in the issuer's name)."""
    for value in signer_cert.issuer.native.values():
        found = _ORG_UNIT.search(str(value))
        if found:
            return session.scalar(sa.select(SigningAuthority).where(
                SigningAuthority.organization_id == int(found.group(1))))
    return None


def check_pdf_signatures(session: Session, data: bytes) -> list[PdfSignatureResult]:
    """Each PDF signature of `data`, validated with pyHanko against its organisation's CA and CRL."""
    from asn1crypto import crl as acrl
    from asn1crypto import x509 as ax509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    results = []
    for sig in reader.embedded_signatures:
        cert = sig.signer_cert
        name = cert.subject.native.get("common_name", "") if cert is not None else ""
        result = PdfSignatureResult(signer=str(name), valid=False, intact=False)
        results.append(result)
        authority = _authority_of(session, cert) if cert is not None else None
        if authority is None:
            result.problems.append("ใบรับรองไม่ได้ออกโดยหน่วยรับรองของหน่วยงานใดในระบบนี้")
            continue
        result.organization_id = authority.organization_id
        signed_at = sig.self_reported_timestamp
        result.signed_at = signed_at
        context = ValidationContext(
            trust_roots=[ax509.Certificate.load(authority.certificate)],
            crls=[acrl.CertificateList.load(authority.crl)] if authority.crl else [],
            allow_fetching=False, revocation_mode="hard-fail",
            # Without a timestamp authority the signing time is the signer's claim; the archive's
            # own record (the audit chain) is what vouches for it.
            moment=signed_at,
        )
        try:
            status = validate_pdf_signature(sig, context)
        except (SignatureValidationError, ValueError) as exc:
            result.problems.append(f"ตรวจสอบลายมือชื่อไม่ได้: {exc}")
            continue
        result.intact = bool(status.intact and status.coverage is not None
                             and status.coverage.name == "ENTIRE_FILE")
        result.valid = bool(status.valid and status.trusted and not status.revoked)
        if not status.intact:
            result.problems.append("เนื้อหาที่ลงนามถูกแก้ไข")
        elif not result.intact:
            result.problems.append("มีการแก้ไขเอกสารหลังการลงนาม")
        if not status.valid:
            result.problems.append("ลายมือชื่อดิจิทัลไม่ถูกต้อง")
        if not status.trusted:
            result.problems.append("ใบรับรองไม่ผ่านการตรวจสอบกับหน่วยรับรองของหน่วยงาน (หรือถูกเพิกถอน)")
    return results


def verify_pdf(session: Session, data: bytes) -> PdfReport:
    """Is this the archived original, and do its signatures hold?"""
    sha = hashlib.sha256(data).hexdigest()
    memo = session.scalar(sa.select(Memo).join(MemoDocument, MemoDocument.memo_id == Memo.id)
                          .where(MemoDocument.sha256 == sha).limit(1))
    try:
        signatures = check_pdf_signatures(session, data)
    except Exception:  # not a PDF, or one pyHanko cannot read: say so, never a 500
        log.info("uploaded file is not a readable PDF", exc_info=True)
        return PdfReport(sha, memo, [], readable=False)
    return PdfReport(sha, memo, signatures)


def seal_by_token(session: Session, token: str) -> DocumentSeal | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(sa.select(DocumentSeal).where(DocumentSeal.token == token))


@dataclass
class SignatureProblem:
    memo_id: int
    detail: str

    def __str__(self) -> str:
        return f"signature memo {self.memo_id}: {self.detail}"


def archive_problems(session: Session, organization_id: int | None = None) -> list[SignatureProblem]:
    """Every step signature and every sealed document's PDF signature, checked."""
    from .service import step_checks

    problems: list[SignatureProblem] = []
    query = sa.select(Memo).where(Memo.round > 0).order_by(Memo.id)
    if organization_id is not None:
        query = query.where(Memo.organization_id == organization_id)
    for memo in session.scalars(query):
        for check in step_checks(session, memo):
            if not check["valid"]:
                problems.append(SignatureProblem(memo.id, f"step {check['round']}.{check['step']}: "
                                                 + "; ".join(check["problems"])))
        if memo.state not in (MemoState.DECIDED, MemoState.ARCHIVED) or memo.document is None:
            continue
        seal = session.scalar(sa.select(DocumentSeal).where(DocumentSeal.memo_id == memo.id))
        if seal is None:
            continue  # frozen before this feature: its SHA-256 is checked by verify_archive
        try:
            results = check_pdf_signatures(session, memo.document.content)
        except Exception as exc:  # a forged or damaged file: reported, never a crash
            log.warning("the frozen PDF of memo %s cannot be read", memo.id, exc_info=True)
            problems.append(SignatureProblem(memo.id, f"PDF unreadable ({type(exc).__name__})"))
            continue
        if seal.pdf_signed and not results:
            problems.append(SignatureProblem(memo.id, "PDF signature missing"))
        for result in results:
            if not (result.valid and result.intact):
                problems.append(SignatureProblem(memo.id, f"PDF signature of {result.signer}: "
                                                 + "; ".join(result.problems)))
    return problems


def ca_for(session: Session, organization_id: int) -> SigningAuthority | None:
    return ca.authority_for(session, organization_id, create=False)
