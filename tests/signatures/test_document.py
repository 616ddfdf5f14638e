"""The frozen document: PAdES valid with the organisation's CA as trust root (pyHanko's API),
one changed byte caught, PDF/A-3b checked property by property (pikepdf: no veraPDF here)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from asn1crypto import crl as acrl
from asn1crypto import x509 as ax509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from approval.extensions import db
from approval.signatures import ca, service, verify

from .conftest import run_chain


@pytest.fixture()
def pdf(decided):
    return decided.document.content


def _context(memo):
    authority = ca.authority_for(db.session, memo.organization_id)
    return ValidationContext(trust_roots=[ax509.Certificate.load(authority.certificate)],
                             crls=[acrl.CertificateList.load(authority.crl)], allow_fetching=False)


def test_pades_signature_is_valid_with_the_organisation_ca_as_trust_root(decided, pdf):
    reader = PdfFileReader(io.BytesIO(pdf))
    [sig] = reader.embedded_signatures
    status = validate_pdf_signature(sig, _context(decided))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert sig.signer_cert.subject.native["common_name"] == "นายประยงค์ หนูบุญคง"  # the mayor gave the order
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    seal = service.seal_for(db.session, decided.id)
    assert seal.pdf_signed and decided.document.sha256 == verify.hashlib.sha256(pdf).hexdigest()


def test_another_organisation_ca_does_not_trust_it(decided, pdf, users):
    other = ca.authority_for(db.session, users["admin2"].organization_id) if "admin2" in users else None
    if other is None:
        other = next(a for a in db.session.scalars(verify.sa.select(verify.SigningAuthority))
                     if a.organization_id != decided.organization_id)
    [sig] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(sig, ValidationContext(
        trust_roots=[ax509.Certificate.load(other.certificate)], allow_fetching=False))
    assert not status.trusted and not status.bottom_line


def test_the_archived_original_verifies(decided, pdf):
    report = verify.verify_pdf(db.session, pdf)
    assert report.memo.id == decided.id
    assert [(s.valid, s.intact) for s in report.signatures] == [(True, True)]
    assert verify.archive_problems(db.session) == []


@pytest.mark.parametrize("where", [0.3, 0.6])
def test_one_changed_byte_is_caught(decided, pdf, where):
    data = bytearray(pdf)
    start = pdf.index(b"stream\n", int(len(pdf) * where)) + 7  # a byte inside some stream's data
    data[start] ^= 0x01
    report = verify.verify_pdf(db.session, bytes(data))
    assert report.memo is None
    assert not report.signatures or not all(s.valid and s.intact for s in report.signatures)


def test_an_appended_change_is_not_intact(decided, pdf):
    """A later incremental update (here: a new title) leaves the signature valid but not covering the file."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = writer.trailer["/Info"].get_object()
    info["/Title"] = generic.TextStringObject("ปลอม")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    report = verify.verify_pdf(db.session, out.getvalue())
    assert report.memo is None
    assert [(s.valid, s.intact) for s in report.signatures] == [(True, False)]


def test_a_file_that_is_not_a_pdf(seeded):
    report = verify.verify_pdf(db.session, b"hello")
    assert report.memo is None and report.signatures == [] and not report.readable


# --- PDF/A-3b, property by property ---------------------------------------------------------

def _all_fonts(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            yield font
            yield from font.get("/DescendantFonts", [])


def test_pdfa_3b_properties(decided, pdf):
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.pdf_version >= "1.7"
        assert not doc.is_encrypted and "/Encrypt" not in doc.trailer
        meta = doc.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == decided.subject
        [intent] = doc.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        icc = intent.DestOutputProfile.read_bytes()
        assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB "
        assert doc.Root.ViewerPreferences.DisplayDocTitle is True
        assert doc.docinfo.Title == decided.subject
        fonts = list(_all_fonts(doc))
        assert fonts
        for font in fonts:
            if font.Subtype == "/Type0":
                continue  # its descendant carries the descriptor
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, font.get("/BaseFont")
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
        assert "Helvetica" not in str([str(f.get("/BaseFont")) for f in fonts])
        # The step signatures travel inside, as PDF/A-3 associated files.
        names = set(doc.attachments)
        assert {"step-r1-1.p7s", "step-r1-2.p7s", "step-r1-3.p7s", "step-r1-3.json", "organization-ca.cer"} <= names
        for spec in doc.Root.AF:
            assert spec.AFRelationship == "/Supplement" and "/UF" in spec and "/Subtype" in spec.EF.F
        # Nothing drawn after the signature: the signature covers the whole file (one revision after it: none).
        assert doc.Root.AcroForm.Fields[0].FT == "/Sig"


def test_every_page_has_the_qr_code_and_the_last_is_the_certificate_page(decided, pdf):
    import pypdfium2

    token = service.seal_for(db.session, decided.id).token
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            forms = [x for x in page.Resources.XObject.values() if x.Subtype == "/Form"]
            assert forms, "no QR code on a page"
    document = pypdfium2.PdfDocument(pdf)
    last = document[len(document) - 1].get_textpage().get_text_range()
    assert "ใบรับรองการลงนาม" in last and token in last.replace("\r", "").replace("\n", "")
    assert "นายประยงค์" in last


def test_the_qr_code_reads_back_as_the_verify_url(decided, pdf):
    """Decode the drawn squares back into the segno matrix of the URL."""
    import segno

    token = service.seal_for(db.session, decided.id).token
    expected = segno.make(f"http://localhost/verify/{token}", error="m")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        form = next(x for x in doc.pages[0].Resources.XObject.values() if x.Subtype == "/Form")
        ops = form.read_bytes().decode()
    import re

    matrix = [list(row) for row in expected.matrix]
    n, quiet = len(matrix), 2
    side = n + 2 * quiet
    assert f"0 0 {side} {side} re" in ops
    drawn = [[0] * n for _ in range(n)]
    for x, y, width in re.findall(r"(\d+) (\d+) (\d+) 1 re", ops):
        row = side - quiet - 1 - int(y)
        for col in range(int(x) - quiet, int(x) - quiet + int(width)):
            drawn[row][col] = 1
    assert drawn == [[1 if v else 0 for v in row] for row in matrix]


def test_the_reference_memo_with_its_report_is_sealed(seeded):
    memo = run_chain("decided", with_report=True)
    report = verify.verify_pdf(db.session, memo.document.content)
    assert report.memo.id == memo.id and [(s.valid, s.intact) for s in report.signatures] == [(True, True)]
