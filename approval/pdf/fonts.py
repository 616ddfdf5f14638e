"""Sarabun for the printed memo, from the ``fontpkg-sarabun`` package.

The four faces (regular, bold, italic, bold italic) are registered with
ReportLab once per process under the names xhtml2pdf gives the faces of an
``@font-face`` family (``sarabun_00`` ... ``sarabun_11``), so the template's
``@font-face`` rules find them already built and ReportLab never parses a
font file again.  A fifth name, ``sarabunnum_00``, is the regular face under
another name: text drawn in it gets Thai digits (used for the page number,
which xhtml2pdf only knows how to write in Arabic digits).

Shaping (see :mod:`.thai.shaping`) draws some glyphs that have no Unicode code
point: Sarabun's raised and narrow tone marks, the short ฎ ฏ and the ญ ฐ
without their tails.  ReportLab gives them private-use code points as it
meets them; each face is shaped once here with every Thai combination, so
those code points are the same in every process and every document, and
:data:`PUA_TEXT` says which real characters each one stands for.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path

import fontpkg
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, shapeStr

from .thaibreak import ZWSP

FAMILY = "sarabun"
NUM_FAMILY = "sarabunnum"

#: (bold, italic) -> (weight, style) in fontpkg.
_FACES = {(0, 0): (400, "normal"), (1, 0): (700, "normal"), (0, 1): (400, "italic"), (1, 1): (700, "italic")}

#: Face name (as in a PDF BaseFont, "Sarabun-Bold") -> private-use code
#: point -> the text it stands for, for the ToUnicode maps.
PUA_TEXT: dict[str, dict[int, str]] = {}

#: Font names whose text is drawn with Thai digits.
THAI_DIGIT_FONTS: set[str] = set()

_NAMED_GLYPHS = {
    "yoYingthai": "\u0e0d",
    "doChadathai": "\u0e0e",
    "toPatakthai": "\u0e0f",
    "thoThanthai": "\u0e10",
    "loChulathai": "\u0e2c",
}
_UNI = re.compile(r"^uni((?:[0-9A-F]{4})+)")


def font_path(bold: int, italic: int) -> Path:
    weight, style = _FACES[(bold, italic)]
    return Path(fontpkg.path(FAMILY, weight, style))


def font_dir() -> Path:
    """The directory the TTFs are in (a root the resource policy allows)."""
    return font_path(0, 0).parent


def _warm_text() -> str:
    # One consonant of each shape class is enough to meet every mark glyph:
    # plain, ascender, descender, and the ones that lose a tail or a foot.
    cons = "กปฝฟฬญฐฎฏฤฦ"
    uppers = ["", "ั", "ิ", "ี", "ึ", "ื", "็", "ํ"]
    tones = ["", "่", "้", "๊", "๋", "์", "ํ"]
    lowers = ["", "ุ", "ู", "ฺ"]
    words = [c + lo + up + t for c in cons for up in uppers for t in tones for lo in lowers]
    words += [c + t + "ำ" for c in cons for t in tones]
    return " ".join(words) + " ฤๅ ฦๅ"


def _glyph_text(name: str) -> str | None:
    base = name.split(".")[0]
    m = _UNI.match(base)
    if m:
        hexes = m.group(1)
        return "".join(chr(int(hexes[i : i + 4], 16)) for i in range(0, len(hexes), 4))
    return _NAMED_GLYPHS.get(base)


def _prepare(font: TTFont) -> None:
    """Zero-width U+200B, fixed private-use code points, their real text."""
    face = font.face
    # The line breaker marks Thai word boundaries inside a line's text with
    # U+200B (see thai/lines.py); Sarabun has no glyph for it, so without this
    # ReportLab would measure it as .notdef (0.7 em).  It is never drawn.
    face.charWidths[ord(ZWSP)] = 0
    for word in _warm_text().split():  # word by word: one long string costs ~50 MB
        shapeStr(word, font.fontName, 16)
    hb = font.hbFont(16)
    name = face.name.decode("latin-1") if isinstance(face.name, bytes) else str(face.name)
    table = PUA_TEXT.setdefault(name, {})
    for code, gid in face.charToGlyph.items():
        if 0xE000 <= code <= 0xF8FF:
            text = _glyph_text(hb.glyph_to_string(gid))
            if text and not any(0xE000 <= ord(ch) <= 0xF8FF for ch in text):
                table[code] = text


def _measure_thai_digits(font: TTFont) -> None:
    """
    Text set in the digit face is written with Arabic digits (xhtml2pdf's
    page number) and drawn with Thai ones, so it must be measured with the
    Thai digits' widths: Sarabun's Arabic digits are 0.55 em, its Thai ones
    0.66-0.74 em, and "- ๒ -" measured as "- 2 -" was centred some 1-2 pt to
    the right.  ReportLab makes a second font of an already registered face
    name an alias of the first, so this one gets a copy of the face under its
    own name ("Sarabun-ThaiDigits": its own small subset in the PDF) with its
    own width table; the Arabic digits are never drawn in it, and the
    subset's widths are the Thai digits' own.
    """
    face = copy.copy(font.face)
    face.name = type(face.name)(b"Sarabun-ThaiDigits")
    face.charWidths = dict(face.charWidths)
    for d in range(10):
        face.charWidths[ord("0") + d] = face.charWidths.get(0x0E50 + d, face.defaultWidth)
    font.face = face


#: ``file://`` URI (as :func:`font_face_css` writes it) -> the file, for every face
#: registered with ReportLab from that very file (see :mod:`.speed.fontfiles`).
_REGISTERED_FILES: dict[str, Path] = {}


def registered_file(uri: str) -> Path | None:
    """The font file behind ``uri`` when :func:`register_fonts` registered a face from it."""
    return _REGISTERED_FILES.get(uri)


def _note_file(name: str, path: Path) -> None:
    if getattr(pdfmetrics.getFont(name).face, "filename", None) == str(path):
        _REGISTERED_FILES[path.as_uri()] = path


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, ...]:
    """Register the Sarabun faces with ReportLab (once); return their names."""
    names = []
    for (bold, italic) in _FACES:
        name = f"{FAMILY}_{bold}{italic}"
        if name not in pdfmetrics.getRegisteredFontNames():
            font = TTFont(name, str(font_path(bold, italic)))
            pdfmetrics.registerFont(font)
            _prepare(font)
        _note_file(name, font_path(bold, italic))
        addMapping(FAMILY, bold, italic, name)
        names.append(name)
    num = f"{NUM_FAMILY}_00"
    if num not in pdfmetrics.getRegisteredFontNames():
        font = TTFont(num, str(font_path(0, 0)))
        _measure_thai_digits(font)
        pdfmetrics.registerFont(font)
        _prepare(font)
    _note_file(num, font_path(0, 0))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(NUM_FAMILY, bold, italic, num)
    THAI_DIGIT_FONTS.add(num)
    names.append(num)
    return tuple(names)


def font_face_css() -> str:
    """The ``@font-face`` rules of the template (absolute file URLs)."""
    rules = []
    for (bold, italic) in _FACES:
        rules.append(
            "@font-face {{ font-family: {}; src: url('{}'); font-weight: {}; font-style: {}; }}".format(FAMILY, font_path(bold, italic).as_uri(), "bold" if bold else "normal",
               "italic" if italic else "normal")
        )
    rules.append(
        f"@font-face {{ font-family: {NUM_FAMILY}; src: url('{font_path(0, 0).as_uri()}'); }}"
    )
    return "\n".join(rules)
