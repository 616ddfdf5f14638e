"""Signing blocks are fixed when signed: a later change of a signer's name, position or
signature image never changes what the frozen PDF prints (finding 11 of the attack)."""

from __future__ import annotations

import hashlib
import io

import pypdfium2 as pdfium
import sqlalchemy as sa
from PIL import Image

from approval.extensions import db
from approval.models import Event, Memo, SignatureImage, Step
from approval.services import documents, organizations

from . import helpers
from .pdf.conftest import flexible, full_text


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), color).save(out, format="PNG")
    return out.getvalue()


def image_colors(pdf: bytes) -> list[tuple[int, int, int]]:
    """The mean colour of every image drawn in the PDF."""
    doc = pdfium.PdfDocument(pdf)
    try:
        colors = []
        for page in doc:
            for obj in page.get_objects():
                if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE:
                    img = obj.get_bitmap(render=False).to_pil().convert("RGB").resize((1, 1))
                    colors.append(img.getpixel((0, 0)))
        return colors
    finally:
        doc.close()


def test_the_frozen_pdf_prints_each_block_as_it_was_when_signed(seeded, users):
    admin, head, legal = users["admin"], users["head"], users["legal"]
    blue, red, green = png((0, 0, 200)), png((200, 0, 0)), png((0, 160, 0))
    organizations.set_signature(db.session, head, blue, actor=admin)
    organizations.set_signature(db.session, legal, green, actor=admin)
    db.session.commit()
    old_name, old_position = head.full_name, head.position
    old_sha = hashlib.sha256(head.signature_png).hexdigest()
    author_name, author_sha = legal.full_name, hashlib.sha256(legal.signature_png).hexdigest()

    memo = helpers.memo_in("review_head")
    helpers.act(memo, "head", "forward", comment="เห็นควรนำเสนอ")
    # Between the signature and the order, the admin changes the head's block and the author's.
    organizations.update_user(db.session, head, full_name="นายเปลี่ยน ชื่อใหม่", position="ตำแหน่งใหม่",
                              roles=sorted(r.value for r in head.roles), actor=admin)
    organizations.set_signature(db.session, head, red, actor=admin)
    organizations.update_user(db.session, legal, full_name="นางสาวเปลี่ยน ผู้เขียน", position="นิติกรใหม่",
                              roles=sorted(r.value for r in legal.roles), actor=admin)
    organizations.set_signature(db.session, legal, red, actor=admin)
    db.session.commit()
    helpers.act(memo, "deputy", "forward", comment="เห็นควรอนุมัติ")
    helpers.act(memo, "mayor", "order", comment="อนุมัติ", decision="approve")

    memo = db.session.get(Memo, memo.id)
    step = db.session.scalar(sa.select(Step).where(Step.memo_id == memo.id, Step.assignee_id == head.id))
    assert (step.signer_name, step.signer_position, step.signature_sha256) == (old_name, old_position, old_sha)
    assert (memo.author_name, memo.author_signature_sha256) == (author_name, author_sha)
    kept = db.session.get(SignatureImage, old_sha)
    assert kept is not None and hashlib.sha256(kept.png).hexdigest() == old_sha
    # the signing act's event carries the block, so the hash chain covers it
    forward = db.session.scalar(sa.select(Event).where(Event.memo_id == memo.id, Event.action == "forward")
                                .order_by(Event.id))
    assert forward.data["signer"] == {"user_id": head.id, "full_name": old_name, "position": old_position,
                                      "signature_sha256": old_sha}
    submit = db.session.scalar(sa.select(Event).where(Event.memo_id == memo.id, Event.action == "submit"))
    assert submit.data["author"]["full_name"] == author_name

    pdf, sha = documents.pdf_for(memo)
    assert sha is not None  # the frozen document
    text = full_text(pdf)
    assert flexible(f"({old_name})").search(text) and flexible(old_position).search(text)
    assert flexible(f"({author_name})").search(text)
    assert "เปลี่ยน" not in text and "ตำแหน่งใหม่" not in text
    colors = image_colors(pdf)
    assert any(b > 150 and r < 60 for r, _g, b in colors), colors  # head's signature as signed: blue
    assert any(g > 120 and r < 60 for r, g, _b in colors), colors  # the author's as submitted: green
    assert not any(r > 150 and g < 60 and b < 60 for r, g, b in colors), colors  # never today's red


def test_unsigned_steps_of_a_preview_print_the_assignee_as_now(seeded, users):
    admin, deputy = users["admin"], users["deputy"]
    memo = helpers.memo_in("review_head")
    organizations.update_user(db.session, deputy, full_name="นายรอง ชื่อใหม่", position=deputy.position,
                              roles=sorted(r.value for r in deputy.roles), actor=admin)
    db.session.commit()
    text = full_text(documents.pdf_for(memo)[0])
    assert flexible("(นายรอง ชื่อใหม่)").search(text)
