"""Uploaded images (the emblem, signatures): checked by content and re-encoded to PNG."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from ..errors import ValidationFailed

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
ALLOWED_FORMATS = {"PNG", "JPEG"}


def clean_image(data: bytes) -> bytes:
    """The PNG re-encoding of an uploaded PNG or JPEG, or ValidationFailed (Thai message).

    The upload is judged by its content, never its name or declared type: Pillow must
    recognise it as PNG or JPEG, verify() must pass, and a full decode must succeed. The
    re-encoded copy drops metadata and anything appended after the image data.
    """
    if not data:
        raise ValidationFailed("กรุณาเลือกไฟล์รูปภาพ", {"image": "กรุณาเลือกไฟล์รูปภาพ"})
    if len(data) > MAX_BYTES:
        raise ValidationFailed("ไฟล์รูปภาพต้องมีขนาดไม่เกิน ๒ เมกะไบต์", {"image": "ไฟล์ใหญ่เกิน ๒ เมกะไบต์"})
    bad = ValidationFailed("ไฟล์นี้ไม่ใช่รูปภาพ PNG หรือ JPEG ที่ถูกต้อง", {"image": "ต้องเป็นไฟล์ PNG หรือ JPEG"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise bad
                width, height = probe.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise ValidationFailed("รูปภาพต้องกว้างและสูงไม่เกิน ๔,๐๐๐ พิกเซล",
                                           {"image": "ขนาดภาพเกิน ๔,๐๐๐ พิกเซล"})
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable
                image.load()
                if image.mode not in ("RGB", "RGBA", "L", "LA"):
                    image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode else "RGB")
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=True)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise bad from None
    return out.getvalue()
