"""The signing block as it is at the moment of signing: name, position, signature image.

A step keeps what its signer's block was when they signed (forward, return, the order),
and the memo keeps the author's at submission; the signature PNG itself is kept once in
``signature_image`` under its SHA-256, so a later change of a person's name, position or
signature never changes what an old memo prints.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import SignatureImage
from ..thai import utcnow


def keep_image(session: Session, png: bytes | None) -> str | None:
    """Store the PNG once under its SHA-256 (never rewritten) and return the hash; None for no image."""
    if not png:
        return None
    sha = hashlib.sha256(png).hexdigest()
    if session.get(SignatureImage, sha) is not None:
        return sha
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Two signers with the same image at once: the second insert does nothing.
    session.execute(insert(SignatureImage).values(sha256=sha, png=png, created_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["sha256"]))
    return sha


def snapshot(session: Session, person) -> dict:
    """The person's signing block now, its image kept: what the signing event records."""
    return {
        "user_id": person.id, "full_name": person.full_name, "position": person.position,
        "signature_sha256": keep_image(session, person.signature_png),
    }


def image(session: Session, sha: str | None) -> bytes | None:
    """The kept PNG of this SHA-256, checked against it (None when absent or not matching)."""
    if not sha:
        return None
    png = session.scalar(sa.select(SignatureImage.png).where(SignatureImage.sha256 == sha))
    if png is None or hashlib.sha256(png).hexdigest() != sha:
        return None
    return png
