"""What an upload is, decided from its content -- never from its name or declared type.

Framework-free. :func:`inspect` returns a :class:`Sniffed` (the kind, its MIME type and the
bytes to store: images re-encoded) or raises :class:`Unsupported` (415) with a Thai message.

* PDF: the ``%PDF-`` signature (``filetype``), parsed by pypdf; refused when it carries
  JavaScript or launches programs (``/JS``, ``/JavaScript``, ``/Launch``, an action of
  those kinds in ``/OpenAction``, ``/AA``, annotations, outlines or the name tree), or when
  it is encrypted with a password.
* PNG, JPEG: recognised by Pillow, fully decoded within a pixel budget, re-encoded (PNG
  stays PNG, JPEG stays JPEG): metadata and anything appended after the image are dropped.
* DOCX, XLSX (Office Open XML) and ODT, ODS (OpenDocument) are zips: the central directory
  is checked before anything is inflated (member count, total declared size, ratio of each
  member), then ``[Content_Types].xml`` names the main part, or the ``mimetype`` member names
  the OpenDocument type. Macro-enabled documents are refused.
* TXT, CSV: valid UTF-8 (a BOM allowed), no NUL. The name only tells a CSV from plain
  text, both equally harmless; a CSV must also look like one (a delimiter on its lines).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

import filetype

from ..errors import DomainError

KINDS = {
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "png": ("image/png", ".png", "รูปภาพ PNG"),
    "jpeg": ("image/jpeg", ".jpg", "รูปภาพ JPEG"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx",
             "เอกสาร Word (DOCX)"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx",
             "ตารางคำนวณ Excel (XLSX)"),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt", "เอกสาร OpenDocument (ODT)"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ".ods", "ตารางคำนวณ OpenDocument (ODS)"),
    "txt": ("text/plain; charset=utf-8", ".txt", "ข้อความ (TXT)"),
    "csv": ("text/csv; charset=utf-8", ".csv", "ข้อมูล CSV"),
}
EXTRA_EXTENSIONS = {"jpeg": (".jpeg", ".jpe"), "txt": (".text",)}
ALLOWED_TEXT = "PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS, TXT หรือ CSV"
NOT_ALLOWED = f"ไม่รองรับไฟล์ชนิดนี้ (ตรวจจากเนื้อหาของไฟล์ ไม่ใช่จากชื่อไฟล์) ไฟล์แนบต้องเป็น {ALLOWED_TEXT}"

# Zip limits: generous for real office documents, far below a bomb.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_TOTAL = 200 * 1024 * 1024  #: declared uncompressed bytes of all members
ZIP_MAX_RATIO = 200  #: uncompressed / compressed, for members over ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 1024 * 1024
CONTENT_TYPES_MAX = 1024 * 1024

IMAGE_MAX_PIXELS = 50_000_000
PDF_MAX_OBJECTS = 200_000

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ODF_TYPES = {"application/vnd.oasis.opendocument.text": "odt",
             "application/vnd.oasis.opendocument.spreadsheet": "ods"}


class Unsupported(DomainError):
    """Not a kind of file we keep (415, in Thai)."""

    status, code = 415, "unsupported_media_type"


class Refused(DomainError):
    """A kind we keep, but this file is unsafe or broken (422, in Thai)."""

    status, code = 422, "validation_error"

    def __init__(self, message: str):
        super().__init__(message, {"file": message})


@dataclass
class Sniffed:
    kind: str
    content: bytes  #: the bytes to store (images re-encoded; others as uploaded)

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][0]

    @property
    def extension(self) -> str:
        return KINDS[self.kind][1]


def label(kind: str) -> str:
    """The Thai name of a kind, for the pages."""
    return KINDS.get(kind, ("", "", kind))[2]


def inspect(data: bytes, filename: str = "") -> Sniffed:
    """The kind of ``data`` and the bytes to keep; Unsupported / Refused otherwise."""
    if not data:
        raise Refused("ไฟล์ว่างเปล่า กรุณาเลือกไฟล์ที่มีเนื้อหา")
    guessed = filetype.guess_mime(data[:8192])
    if data[:1024].lstrip().startswith(b"%PDF-") or guessed == "application/pdf":
        check_pdf(data)
        return Sniffed("pdf", data)
    if guessed in ("image/png", "image/jpeg"):
        kind = "png" if guessed == "image/png" else "jpeg"
        return Sniffed(kind, reencode_image(data, kind))
    if data.startswith(b"PK\x03\x04"):
        return Sniffed(zip_kind(data), data)
    if guessed is None:
        kind = text_kind(data, filename)
        if kind:
            return Sniffed(kind, data)
    raise Unsupported(NOT_ALLOWED)


# --- PDF ----------------------------------------------------------------------------------

PDF_JS = "ไฟล์ PDF นี้มีสคริปต์ (JavaScript) หรือคำสั่งเปิดโปรแกรมฝังอยู่ จึงรับไม่ได้ กรุณาพิมพ์เป็น PDF ใหม่แล้วแนบอีกครั้ง"
PDF_BROKEN = "ไฟล์ PDF เสียหายหรืออ่านไม่ได้"
PDF_LOCKED = "ไฟล์ PDF นี้ตั้งรหัสผ่านไว้ กรุณาแนบฉบับที่ไม่มีรหัสผ่าน"
_DANGEROUS_KEYS = {"/JS", "/JavaScript", "/Launch"}
_DANGEROUS_ACTIONS = {"/JavaScript", "/Launch"}
#: Keys that lead to page content, fonts and images: never actions, and possibly large streams.
_SKIP_KEYS = {"/Contents", "/Resources", "/Parent", "/Font", "/XObject", "/ColorSpace", "/Metadata",
              "/Thumb", "/FontFile", "/FontFile2", "/FontFile3", "/AP", "/Pattern", "/Shading",
              "/ExtGState", "/ProcSet", "/StructTreeRoot", "/ParentTree", "/MarkInfo", "/Properties"}
# Names in the uncompressed parts of the file, #xx escapes decoded below. Only long names
# count here (a short "/JS" turns up by chance in compressed image data); the walk of the
# object graph finds a plain /JS key, and an escaped one ("/J#53") is obfuscation anyway.
_RAW_NAMES = re.compile(rb"/(?:J|#4[aA])[A-Za-z0-9#]{1,24}|/(?:L|#4[cC])[A-Za-z0-9#]{1,16}")


def _decode_name(raw: bytes) -> str:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw).decode("latin-1")


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that carries JavaScript or a launch action, or that cannot be read."""
    for match in _RAW_NAMES.finditer(data):
        raw = match[0]
        name = _decode_name(raw) if b"#" in raw else raw.decode("latin-1")
        if name in ("/JavaScript", "/Launch") or (name == "/JS" and b"#" in raw):
            raise Refused(PDF_JS)
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise Refused(PDF_LOCKED)
            seen: set[tuple[int, int]] = set()
            stack = [reader.trailer.get("/Root")]
            visited = 0
            while stack:
                item = stack.pop()
                if isinstance(item, IndirectObject):
                    key = (item.idnum, item.generation)
                    if key in seen:
                        continue
                    seen.add(key)
                    item = item.get_object()
                visited += 1
                if visited > PDF_MAX_OBJECTS:
                    raise Refused(PDF_BROKEN)
                if isinstance(item, DictionaryObject):
                    if item.get("/S") in _DANGEROUS_ACTIONS and isinstance(item.get("/S"), NameObject):
                        raise Refused(PDF_JS)
                    for name, value in item.items():
                        if name in _DANGEROUS_KEYS:
                            raise Refused(PDF_JS)
                        if name not in _SKIP_KEYS:
                            stack.append(value)
                elif isinstance(item, ArrayObject):
                    stack.extend(item)
            if len(reader.pages) < 1:
                raise Refused(PDF_BROKEN)
    except Refused:
        raise
    except (PdfReadError, RecursionError, Exception):  # noqa: BLE001 - pypdf raises assorted errors on hostile input
        raise Refused(PDF_BROKEN) from None


# --- images ---------------------------------------------------------------------------------

IMAGE_BROKEN = "ไฟล์รูปภาพเสียหายหรืออ่านไม่ได้"


def reencode_image(data: bytes, kind: str) -> bytes:
    """Decode fully and encode again (as images.clean_image does for the emblem)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != ("PNG" if kind == "png" else "JPEG"):
                    raise Unsupported(NOT_ALLOWED)
                width, height = probe.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise Refused("รูปภาพมีขนาดพิกเซลใหญ่เกินไป (เกิน ๕๐ ล้านพิกเซล)")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                out = io.BytesIO()
                if kind == "jpeg":
                    image = ImageOps.exif_transpose(image)
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        image = image.convert("RGBA")
                    image.save(out, format="PNG", optimize=False)
    except (Unsupported, Refused):
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise Refused(IMAGE_BROKEN) from None
    return out.getvalue()


# --- zips: DOCX, XLSX, ODT, ODS ----------------------------------------------------------------

ZIP_BOMB = "ไฟล์บีบอัดนี้ขยายตัวผิดปกติ (อาจเป็น zip bomb) จึงรับไม่ได้"
ZIP_BROKEN = "ไฟล์เอกสารเสียหายหรืออ่านไม่ได้"
MACROS = "เอกสารที่มีมาโครรับไม่ได้ กรุณาบันทึกเป็น DOCX หรือ XLSX ธรรมดาแล้วแนบอีกครั้ง"


def zip_kind(data: bytes) -> str:
    """docx / xlsx / odt / ods from the zip's own description of itself; bombs refused unopened."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(ZIP_BROKEN) from None
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise Refused(ZIP_BOMB)
        total = 0
        for info in members:
            total += info.file_size
            if total > ZIP_MAX_TOTAL:
                raise Refused(ZIP_BOMB)
            if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                raise Refused(ZIP_BOMB)
        names = {info.filename for info in members}
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise Refused(MACROS)
        try:
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > CONTENT_TYPES_MAX:
                    raise Refused(ZIP_BOMB)
                types = archive.read(info).decode("utf-8", "replace")
                if "macroEnabled" in types:
                    raise Refused(MACROS)
                if DOCX_MAIN in types and "word/document.xml" in names:
                    return "docx"
                if XLSX_MAIN in types and "xl/workbook.xml" in names:
                    return "xlsx"
            elif members and members[0].filename == "mimetype" and members[0].file_size < 200:
                kind = ODF_TYPES.get(archive.read(members[0]).decode("ascii", "replace").strip())
                if kind and "content.xml" in names:
                    return kind
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            raise Refused(ZIP_BROKEN) from None
    raise Unsupported(NOT_ALLOWED)


# --- text ---------------------------------------------------------------------------------------

def text_kind(data: bytes, filename: str) -> str | None:
    """"txt" or "csv" for UTF-8 text without NUL; None for anything else."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if filename.lower().endswith(".csv") and _looks_like_csv(text):
        return "csv"
    return "txt"


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    if not lines:
        return False
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return False
    return all(len(row) >= 2 for row in rows[:-1] or rows)


# --- names ------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069]')
NAME_MAX = 150


def safe_filename(given: str | None, kind: str) -> str:
    """The stored name: the basename only, NFC, no control or reserved characters, the right
    extension for the kind found in the content ("../../etc/passwd.pdf" -> "passwd.pdf")."""
    name = unicodedata.normalize("NFC", given or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    wanted = KINDS[kind][1]
    if "." + ext.lower() not in (wanted, *EXTRA_EXTENSIONS.get(kind, ())):
        stem = name  # a wrong or missing extension is kept as part of the stem
        ext = wanted.lstrip(".")
    stem = stem.strip(" .")[:NAME_MAX] or "ไฟล์แนบ"
    return f"{stem}.{ext}"


def ascii_fallback(name: str, default: str) -> str:
    stem, _, ext = name.rpartition(".")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._")
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)
    return f"{ascii_stem or default}.{ext}" if ext else (ascii_stem or default)


def content_disposition(name: str, default: str, *, inline: bool = False) -> str:
    """RFC 6266 / 5987: an ASCII ``filename`` for old clients and the UTF-8 ``filename*``."""
    fallback = ascii_fallback(name, default)
    return (f'{"inline" if inline else "attachment"}; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")
