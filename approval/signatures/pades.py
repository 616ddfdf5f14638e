"""The frozen document: the memo's pages, a last page (ใบรับรองการลงนาม), a QR code on every page,
the step signatures embedded, PDF/A-3b, and -- last -- the PAdES signature of the person who
gave the order (pyHanko). Nothing is drawn after that signature.

The memo's pages are the renderer's bytes (:func:`approval.pdf.render_memo_pdf`, unchanged);
everything here works on them afterwards with pikepdf, so the renderer's golden bytes hold.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

import pikepdf
import segno

from ..thai import thai_datetime, thai_digits

#: The QR code's side and its distance from the bottom-right corner of each page (points).
QR_SIDE, QR_MARGIN = 42.0, 14.0
PRODUCER = "e-Saraban (xhtml2pdf, pikepdf, pyHanko)"
SIGNATURE_ROOM = 8192  #: bytes of DER reserved for the PAdES signature container (about 5 KB used; hex: twice)
_ICC: bytes | None = None


@dataclass
class Signer:
    """Who signs the PDF: their certificate and key in memory, and the CA certificate."""

    name: str
    location: str
    private_key: object  #: cryptography EC private key
    certificate: object  #: cryptography x509.Certificate
    ca_certificate: object


def srgb_profile() -> bytes:
    """An sRGB ICC profile (Pillow's littleCMS): the PDF/A output intent."""
    global _ICC
    if _ICC is None:
        from PIL import ImageCms

        _ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _ICC


def warm() -> None:
    """Import pyHanko and load the ICC profile and the certificate page's template now (at worker
    start, services.documents.warm): otherwise a worker's first order pays for them inside the
    request, 1-4 s of imports (pyHanko, its aiohttp time-stamp client, asn1crypto, ...)."""
    import pyhanko.pdf_utils.incremental_writer
    import pyhanko.sign.fields
    import pyhanko.sign.signers
    import pyhanko.sign.timestamps  # noqa: F401
    import pyhanko_certvalidator.registry  # noqa: F401

    from ..pdf.render import jinja_env

    srgb_profile()
    jinja_env().get_template("pdf/_signatures.html")


def grouped(fp: str) -> str:
    return " ".join(fp[i:i + 16] for i in range(0, len(fp), 16))


def certificate_page(context: dict) -> bytes:
    """The ใบรับรองการลงนาม page (templates/pdf/_signatures.html) as a PDF of its own."""
    from ..pdf import fonts
    from ..pdf.render import (
        compact_tables,
        html_to_pdf,
        install_thai_support,
        jinja_env,
    )

    install_thai_support()
    html = jinja_env().get_template("pdf/_signatures.html").render(font_faces=fonts.font_face_css(), **context)
    return html_to_pdf(compact_tables(html), [], context["created_at"])


def _qr_form(pdf: pikepdf.Pdf, url: str) -> pikepdf.Object:
    """The QR code as a Form XObject of filled squares (vector, no font, no image)."""
    qr = segno.make(url, error="m")
    matrix = list(qr.matrix)
    n = len(matrix)
    quiet = 2
    side = n + 2 * quiet
    ops = [f"1 g 0 0 {side} {side} re f 0 g"]
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                ops.append(f"{start + quiet} {side - quiet - y - 1} {x - start} 1 re")
            else:
                x += 1
    ops.append("f")
    form = pikepdf.Stream(pdf, " ".join(ops).encode("ascii"))
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox = [0, 0, side, side]
    form.Resources = pikepdf.Dictionary()
    return form


def _embedded_font(resources) -> pikepdf.Object | None:
    fonts = resources.get("/Font") if resources is not None else None
    for font in (fonts or {}).values():
        if "/FontDescriptor" in font or "/DescendantFonts" in font:
            return font
    return None


#: The operators that select a font or show text: the only ones _shows_with looks at.
_TEXT_OPERATORS = "Tf Tj TJ ' \""


def _shows_with(page: pikepdf.Page, name: str) -> bool:
    current = None
    # Only those operators are handed over from qpdf's parser: a page's other operators (half
    # of them or more) never become Python objects.
    for operands, op in pikepdf.parse_content_stream(page, _TEXT_OPERATORS):
        op = str(op)
        if op == "Tf":
            current = str(operands[0])
        elif op in ("Tj", "TJ", "'", '"') and current == name:
            return True
    return False


def embed_standard_fonts(pdf: pikepdf.Pdf) -> None:
    """Replace the unembedded Helvetica that ReportLab's canvas selects at the start of every
    page (``BT /F1 12 Tf 14.4 TL ET``, never used to show text) by the page's own embedded
    Sarabun, so that every font of the document is embedded (PDF/A)."""
    for page in pdf.pages:
        fonts = page.Resources.get("/Font")
        if fonts is None:
            continue
        for name, font in list(fonts.items()):
            if "/FontDescriptor" in font or "/DescendantFonts" in font:
                continue
            replacement = _embedded_font(page.Resources)
            if replacement is None or _shows_with(page, name):
                raise ValueError(f"font {font.get('/BaseFont')} is used for text and cannot be replaced")
            fonts[name] = replacement


def _pdf_date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def make_pdfa(pdf: pikepdf.Pdf, *, title: str, author: str, subject: str, created: dt.datetime) -> None:
    """PDF/A-3b: XMP with the PDF/A identification, sRGB output intent, document title shown."""
    for key in list(pdf.docinfo.keys()):
        del pdf.docinfo[key]
    pdf.docinfo.Title = title
    pdf.docinfo.Author = author
    pdf.docinfo.Subject = subject
    pdf.docinfo.Creator = "e-Saraban"
    pdf.docinfo.Producer = PRODUCER
    pdf.docinfo.CreationDate = _pdf_date(created)
    pdf.docinfo.ModDate = _pdf_date(created)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(pdf.docinfo)
        meta["pdfaid:part"] = "3"
        meta["pdfaid:conformance"] = "B"
    icc = pikepdf.Stream(pdf, srgb_profile())
    icc.N = 3
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier="sRGB IEC61966-2.1", RegistryName="http://www.color.org",
        Info="sRGB IEC61966-2.1", DestOutputProfile=pdf.make_indirect(icc),
    )])
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    pdf.Root.Lang = pikepdf.String("th-TH")


def attach(pdf: pikepdf.Pdf, files: list[tuple[str, bytes, str, str]], created: dt.datetime) -> None:
    """Embed (name, data, mime type, description) files as PDF/A-3 associated files."""
    specs = []
    for name, data, mime, description in files:
        spec = pikepdf.AttachedFileSpec(pdf, data, filename=name, mime_type=mime, description=description,
                                        relationship=pikepdf.Name.Supplement,
                                        creation_date=_pdf_date(created), mod_date=_pdf_date(created))
        pdf.attachments[name] = spec
        specs.append(spec.obj)
    if specs:
        pdf.Root.AF = pikepdf.Array(specs)


def build(rendered: bytes, *, url: str, page_context: dict, files: list[tuple[str, bytes, str, str]],
          title: str, author: str, subject: str, created: dt.datetime) -> bytes:
    """The memo's pages + the certificate page, QR codes, attachments, PDF/A-3b (unsigned)."""
    pdf = pikepdf.open(io.BytesIO(rendered))
    with pikepdf.open(io.BytesIO(certificate_page(page_context))) as last:
        pdf.pages.extend(last.pages)
    embed_standard_fonts(pdf)
    form = pdf.make_indirect(_qr_form(pdf, url))
    for page in pdf.pages:
        box = page.mediabox
        x1, y0 = float(box[2]) - QR_MARGIN, float(box[1]) + QR_MARGIN
        page.add_overlay(form, pikepdf.Rectangle(x1 - QR_SIDE, y0, x1, y0 + QR_SIDE))
    attach(pdf, files, created)
    make_pdfa(pdf, title=title, author=author, subject=subject, created=created)
    out = io.BytesIO()
    pdf.save(out, min_version="1.7", deterministic_id=True, fix_metadata_version=True)
    pdf.close()
    return out.getvalue()


def _asn1(signer: Signer):
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import serialization

    cert = ax509.Certificate.load(signer.certificate.public_bytes(serialization.Encoding.DER))
    ca_cert = ax509.Certificate.load(signer.ca_certificate.public_bytes(serialization.Encoding.DER))
    key = akeys.PrivateKeyInfo.load(signer.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, ca_cert, key


def sign(data: bytes, signer: Signer) -> bytes:
    """The PAdES baseline signature (B-B, or B-T with a configured RFC 3161 TSA), invisible."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert, ca_cert, key = _asn1(signer)
    pdf_signer = signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                      cert_registry=SimpleCertificateStore.from_certs([ca_cert]))
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        name=signer.name, location=signer.location, reason="ลงนามสั่งการ (e-Saraban)",
    )
    from .ca import setting

    tsa = setting("SIGNING_TSA_URL")
    timestamper = HTTPTimeStamper(tsa) if tsa else None
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = io.BytesIO()
    # An ECDSA P-256 signature with its two certificates is about 5 KB of DER: reserving room
    # for it skips pyHanko's trial signature (with a TSA the token's size is unknown: estimate).
    reserved = None if timestamper else SIGNATURE_ROOM
    coroutine = signers.PdfSigner(meta, signer=pdf_signer, timestamper=timestamper).async_sign_pdf(
        writer, output=out, bytes_reserved=reserved)
    asyncio.run(coroutine)
    return out.getvalue()


def page_rows(checks: list[dict], digits: bool) -> list[dict]:
    """The certificate page's rows from the step checks (see service.step_checks)."""
    rows = []
    for c in checks:
        rows.append({
            "seq": c["step"], "round": c["round"], "capacity": c["capacity"], "name": c["signer_name"],
            "position": c["signer_position"], "action": c["action_label"],
            "time": thai_datetime(c["signed_at"], digits=digits),
            "fingerprint": grouped(c["certificate_sha256"] or ""),
            "verdict": "ลายมือชื่อถูกต้อง" if c["valid"] else "ไม่ถูกต้อง: " + "; ".join(c["problems"]),
            "valid": c["valid"],
        })
    return rows


def digits_of(thai: bool):
    return (lambda value: thai_digits(str(value))) if thai else (lambda value: str(value))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
