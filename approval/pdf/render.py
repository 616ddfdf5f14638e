"""The printed memo: ``templates/pdf/memo.html`` -> PDF bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from reportlab.pdfbase.pdfmetrics import stringWidth
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from approval.thai import money, thai_date, thai_digits, to_local

from . import fonts, grid, process, registry, thaibreak
from .speed import collector
from .thai import stamp

PACKAGE_DIR = Path(__file__).resolve().parent
#: The app's own assets for the printed memo; the resource policy's base.
ASSETS_DIR = PACKAGE_DIR / "assets"
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}

_env: Environment | None = None


def jinja_env() -> Environment:
    global _env
    if _env is None:
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["money"] = money
        _env = env
    return _env


def install_thai_support() -> None:
    """Register Sarabun, load the dictionary and patch xhtml2pdf (once per process)."""
    fonts.register_fonts()
    thaibreak.warm_up()
    registry.install()


def _image(path) -> Path | None:
    """An image file the memo may show, or None (missing, not an image)."""
    if not path:
        return None
    p = Path(path)
    try:
        p = p.resolve(strict=True)
    except OSError:
        return None
    if not p.is_file() or p.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    return p


def _lines(text) -> list[str]:
    """Non-empty lines of ``text``: each is one printed paragraph."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


_ORG_PREFIXES = ("องค์การบริหารส่วนตำบล", "องค์การบริหารส่วนจังหวัด", "เทศบาลตำบล", "เทศบาลเมือง",
                 "เทศบาลนคร", "อบต.", "อบจ.", "ทต.", "ทม.", "ทน.", "อำเภอ", "จังหวัด")


def place_words(memo: dict) -> frozenset[str]:
    """The memo's organisation's place names: the words its line breaking keeps
    whole (a render input, like the memo itself; see thaibreak.custom_words)."""
    return thaibreak.word_set(_place_words(memo.get("organization") or {}))


def _place_words(org: dict) -> list[str]:
    words = []
    for key in ("name", "district", "province"):
        value = str(org.get(key) or "").strip()
        for prefix in _ORG_PREFIXES:
            if value.startswith(prefix) and len(value) > len(prefix):
                value = value[len(prefix):].strip()
                break
        if value and " " not in value:
            words.append(value)
    return words


def _label_width(label: str, size: float = 20) -> float:
    return stringWidth(label, "sarabun_10", size) + 6


#: The text column of the portrait pages: A4 less the 3 cm and 2 cm margins.
TEXT_WIDTH = (21.0 - 3.0 - 2.0) / 2.54 * 72
#: td.val's left padding (templates/pdf/memo.html).
FIELD_PADDING = 4.0
#: Room left at the end of a field's line, so that xhtml2pdf, measuring the
#: same words, never breaks the line again.
_FIELD_SLACK = 2.0
#: The width of the ที่ cell: 47% of the table (templates/pdf/memo.html).
NUMBER_SHARE = 0.47


def field_lines(text, width: float, font: str = "sarabun_00", size: float = 16) -> list[str]:
    """
    ``text`` broken into the lines a field value of ``width`` points prints
    as: at spaces and between Thai words (:mod:`.thaibreak`), as the patched
    line breaker does.  Each line becomes its own table row in the template,
    so that every line of the value has its dotted line under it -- a cell's
    bottom border is drawn under its last line only.
    """
    text = " ".join(str(text or "").split())
    if not text:
        return [""]
    room = width - _FIELD_SLACK
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    line, used = "", 0.0
    for word in thaibreak.glue(text).split(" "):
        for k, seg in enumerate(thaibreak.segments(word)):
            if not seg:
                continue
            seg = thaibreak.unglue(seg)
            sep = " " if (k == 0 and line) else ""
            w = stringWidth(seg, font, size)
            if line and used + (space if sep else 0.0) + w > room:
                lines.append(line)
                line, used = "", 0.0
                sep = ""
            if w > room:
                # wider than the field (a long code or URL): cut between clusters
                for cluster in thaibreak.clusters(seg):
                    cw = stringWidth(cluster, font, size)
                    if line and used + cw > room:
                        lines.append(line)
                        line, used = "", 0.0
                    line += sep + cluster
                    used += (space if sep else 0.0) + cw
                    sep = ""
                continue
            line += sep + seg
            used += (space if sep else 0.0) + w
    lines.append(line)
    return lines


#: The signing block's width: the text column less .sig's 7.5 cm left margin.
SIG_WIDTH = TEXT_WIDTH - 7.5 / 2.54 * 72
#: Where a position reads best broken: before the organisation's name.
_ORG_NAMES = ("องค์การบริหารส่วนตำบล", "องค์การบริหารส่วนจังหวัด", "เทศบาลตำบล", "เทศบาลเมือง", "เทศบาลนคร",
              "อบต.", "อบจ.")


def position_lines(position, width: float = SIG_WIDTH) -> list[str]:
    """A signer's position as its printed lines: whole when it fits; otherwise
    broken before the organisation's name (นายก / องค์การบริหารส่วนตำบลขอนหาด),
    and each part between words when it is still too wide."""
    text = " ".join(str(position or "").split())
    if not text:
        return []
    if stringWidth(text, "sarabun_00", 16) <= width - _FIELD_SLACK:
        return [text]
    starts = [i for name in _ORG_NAMES if (i := text.find(name)) > 0]
    if starts:
        i = min(starts)
        return field_lines(text[:i].strip(), width) + field_lines(text[i:], width)
    return field_lines(text, width)


def capacity_lines(position, capacity: dict | None, thai: bool = True, width: float = SIG_WIDTH) -> list[str]:
    """The signer's own position, then a stand-in's capacity, as the regulation's examples print:

        ปลัดองค์การบริหารส่วนตำบลขอนหาด รักษาราชการแทน
        นายกองค์การบริหารส่วนตำบลขอนหาด

    The word follows the signer's position on its last line when it fits, else its own line;
    the holder's position is broken as any position is; the order, when given, last.
    """
    lines = position_lines(position, width)
    if not capacity:
        return lines
    word = capacity.get("word") or ""
    if lines and stringWidth(f"{lines[-1]} {word}", "sarabun_00", 16) <= width - _FIELD_SLACK:
        lines[-1] = f"{lines[-1]} {word}"
    else:
        lines.append(word)
    lines += position_lines(capacity.get("position"), width)
    order = ""
    if capacity.get("order_number"):
        number = str(capacity["order_number"])
        order = f"ตามคำสั่งที่ {thai_digits(number) if thai else thai_digits_to_arabic(number)}"
    if capacity.get("order_date"):
        order += f" ลงวันที่ {thai_date(capacity['order_date'], digits=thai)}"
    if order:
        lines += field_lines(order.strip(), width)
    return lines


def esign_text(moment, thai: bool) -> str:
    """The electronic signature mark printed in place of a signature image:
    ``ลงนามอิเล็กทรอนิกส์ ๒ ธ.ค. ๒๕๖๙ ๑๐:๑๘ น.`` (Bangkok time)."""
    if moment is None:
        return "ลงนามอิเล็กทรอนิกส์"
    clock = to_local(moment).strftime("%H:%M") if isinstance(moment, dt.datetime) else ""
    when = thai_date(moment, digits=thai, short=True) + (f" {thai_digits(clock, thai)} น." if clock else "")
    return f"ลงนามอิเล็กทรอนิกส์ {when}"


def _field_rows(values: list[tuple[str, float]]) -> list[list[str | None]]:
    """Rows of a field table: one column per (text, width); None past a value's last line."""
    columns = [field_lines(text, width - FIELD_PADDING) for text, width in values]
    depth = max(len(c) for c in columns)
    return [[c[i] if i < len(c) else None for c in columns] for i in range(depth)]


def build_context(memo: dict) -> tuple[dict, list[Path]]:
    """What the template sees, and the image files it may read."""
    thai = memo.get("digits", "thai") != "arabic"

    def num(value) -> str:
        text = "" if value is None else str(value)
        return thai_digits(text) if thai else thai_digits_to_arabic(text)

    images: list[Path] = []

    def img(path):
        p = _image(path)
        if p is not None:
            images.append(p)
            return p.as_uri()
        return None

    org = dict(memo.get("organization") or {})
    org["emblem_src"] = img(org.get("emblem_path"))
    decided = not memo.get("is_draft")
    author = dict(memo.get("author") or {})
    author["signature_src"] = img(author.get("signature_path"))
    # without an image: the electronic signature mark on a decided memo, room to sign on a preview
    author["esign_text"] = esign_text(author.get("signed_at"), thai) if decided else ""
    author["position_lines"] = position_lines(author.get("position"))

    # Titled sections are numbered ๑. ๒. ...; an untitled one (a one-paragraph memo) prints its
    # paragraphs alone, indented like any other, with no heading and no number.
    sections = []
    numbered = 0
    for section in memo.get("sections") or []:
        number = ""
        if section.get("title"):
            numbered += 1
            number = num(f"{numbered}.")
        sections.append({**section, "number": number, "paragraphs": _lines(section.get("body"))})

    steps = []
    for step in memo.get("steps") or []:
        signer = dict(step.get("signer") or {})
        signer["signature_src"] = img(signer.get("signature_path"))
        signed = step.get("status") in {"done", "returned"} and step.get("signed_at") is not None
        signer["esign_text"] = esign_text(step.get("signed_at"), thai) if signed and decided else ""
        signer["position_lines"] = capacity_lines(signer.get("position"), step.get("capacity"), thai)
        steps.append(
            {
                **step,
                "signer": signer,
                "signed": signed,
                "comment_lines": _lines(step.get("comment")),
                "date_text": thai_date(step.get("signed_at"), digits=thai) if signed else "",
            }
        )

    ctx = {
        "memo": memo,
        "org": org,
        "author": author,
        "sections": sections,
        "steps": steps,
        "number_text": num(memo.get("number")) if memo.get("number") else "",
        "date_text": thai_date(memo.get("date"), digits=thai) if memo.get("date") else "",
        "thai_digits": thai,
        "num": num,
        "font_faces": fonts.font_face_css(),
        "label_width": _label_width,
        "department_rows": _field_rows([(memo.get("department"), TEXT_WIDTH - _label_width("ส่วนราชการ"))]),
        "number_rows": _field_rows([
            (num(memo.get("number")) if memo.get("number") else "", TEXT_WIDTH * NUMBER_SHARE),
            (thai_date(memo.get("date"), digits=thai) if memo.get("date") else "",
             TEXT_WIDTH * (1 - NUMBER_SHARE) - _label_width("ที่") - _label_width("วันที่")),
        ]),
        "subject_rows": _field_rows([(memo.get("subject"), TEXT_WIDTH - _label_width("เรื่อง"))]),
    }
    return ctx, images


def thai_digits_to_arabic(text: str) -> str:
    return text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))


#: White space between two table tags (``</td>\n  <td>``): no meaning in a
#: table, but xhtml2pdf walks each such text node like any other, and the
#: plan report's tables have over a thousand of them.
_TABLE_GAP = re.compile(
    r"(<(?:/?(?:table|thead|tbody|tfoot|tr)\b[^>]*|/t[dh])>)\s+(?=</?(?:table|thead|tbody|tfoot|tr|td|th)\b)"
)


def compact_tables(html: str) -> str:
    """``html`` without the white space between table tags (:data:`_TABLE_GAP`): the same
    document for xhtml2pdf, with fewer nodes to walk."""
    return _TABLE_GAP.sub(r"\1", html)


def render_memo_html(memo: dict) -> tuple[str, list[Path]]:
    with thaibreak.custom_words(place_words(memo)):  # field_lines breaks lines here
        ctx, images = build_context(memo)
        html = jinja_env().get_template("pdf/memo.html").render(**ctx)
    return compact_tables(html), images


def resource_policy(images: list[Path]) -> ResourceAccessPolicy:
    """Reads confined to the app's assets, the fonts and the memo's images."""
    roots = [fonts.font_dir()]
    for p in images:
        if p.parent not in roots:
            roots.append(p.parent)
    return ResourceAccessPolicy.server(
        base_dir=ASSETS_DIR, allow_remote=False, extra_roots=tuple(roots)
    )


def _creation_date(memo: dict) -> dt.datetime:
    created = memo.get("created_at")
    if isinstance(created, dt.datetime):
        return created
    day = memo.get("date")
    if isinstance(day, dt.date):
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def html_to_pdf(html: str, images: list[Path], created_at: dt.datetime, meta: dict | None = None,
                words: frozenset[str] = frozenset()) -> bytes:
    """``html`` as PDF bytes dated ``created_at``; no line breaks inside ``words``."""
    process.check_process()
    out = io.BytesIO()
    layers = registry.enabled()
    # With the layers on, grid tables are read by approval.pdf.grid, not by html5lib.
    tables = grid.cut_tables(html) if layers else contextlib.nullcontext(html)
    gc_paused = collector.paused() if layers else contextlib.nullcontext()
    with stamp.render_date(created_at), thaibreak.custom_words(words), gc_paused, tables as page:
        result = pisa.CreatePDF(
            page,
            dest=out,
            encoding="utf-8",
            resource_policy=resource_policy(images),
            context_meta=meta or None,
        )
    if getattr(result, "err", 0):
        raise RuntimeError(f"xhtml2pdf could not render the memo ({result.err} errors)")
    return out.getvalue()


def render_memo_pdf(memo: dict) -> bytes:
    """The memo as PDF bytes, in the official บันทึกข้อความ layout."""
    install_thai_support()
    html, images = render_memo_html(memo)
    return html_to_pdf(html, images, _creation_date(memo), words=place_words(memo))
