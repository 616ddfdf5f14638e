"""Small real files of every kind an attachment may be, and a few that must be refused."""

from __future__ import annotations

import io
import zipfile

DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCX_BODY = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:body><w:p><w:r><w:t>บันทึกข้อความแนบ</w:t></w:r></w:p></w:body></w:document>'
)


def pdf(text: str = "Attachment", pages: int = 1) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i in range(pages):
        c.drawString(72, 720, f"{text} page {i + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def image(fmt: str = "PNG", size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def docx(document_xml: str = DOCX_BODY, extra: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        z.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "โครงการ"
    wb.active["B1"] = 1000
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def odf(mimetype: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                                  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
                   compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                                            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
                   compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def odt() -> bytes:
    return odf("application/vnd.oasis.opendocument.text")


def ods() -> bytes:
    return odf("application/vnd.oasis.opendocument.spreadsheet")


def txt() -> bytes:
    return "บันทึกข้อความ\nบรรทัดที่สอง\n".encode()


def csv() -> bytes:
    return "\ufeffลำดับ,โครงการ,งบประมาณ\n1,โครงการอบรม,10000\n".encode()


#: kind -> (file name, bytes factory, content type)
SAMPLES = {
    "pdf": ("หนังสือแนบ.pdf", pdf, "application/pdf"),
    "png": ("แผนที่.png", lambda: image("PNG"), "image/png"),
    "jpeg": ("ภาพถ่าย.jpg", lambda: image("JPEG"), "image/jpeg"),
    "docx": ("สัญญา.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("งบประมาณ.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": ("รายงาน.odt", odt, "application/vnd.oasis.opendocument.text"),
    "ods": ("ตาราง.ods", ods, "application/vnd.oasis.opendocument.spreadsheet"),
    "txt": ("บันทึก.txt", txt, "text/plain; charset=utf-8"),
    "csv": ("รายการ.csv", csv, "text/csv; charset=utf-8"),
}

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def pdf_with_js(where: str = "names") -> bytes:
    """A PDF that runs JavaScript when opened (name tree, OpenAction) or launches a program."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf())))
    if where == "names":
        js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hello');")})
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(js)])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    else:
        action = DictionaryObject({NameObject("/Type"): NameObject("/Action")})
        if where == "openaction":
            action[NameObject("/S")] = NameObject("/JavaScript")
            action[NameObject("/JS")] = TextStringObject("app.alert('x');")
        else:  # launch
            action[NameObject("/S")] = NameObject("/Launch")
            action[NameObject("/F")] = TextStringObject("calc.exe")
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb_docx(megabytes: int = 64) -> bytes:
    """A DOCX-looking zip whose document.xml inflates to ``megabytes`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()
