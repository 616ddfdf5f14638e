"""Make the web fonts: static/fonts/Sarabun-{Regular,Bold}.woff2 from fontpkg-sarabun's TTFs.

    .venv/bin/python tools/make_woff2.py      (needs fonttools and brotli: requirements-dev.txt)

Browsers get WOFF2 (about half the bytes of the TTF); the PDF renderer keeps reading the
TTFs from the fontpkg-sarabun package (approval/pdf/fonts.py). The output is shipped in the
repository; run this again when the font package changes.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg_sarabun
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parent.parent / "static" / "fonts"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for face in ("Regular", "Bold"):
        source = Path(fontpkg_sarabun.ROOT) / "files" / f"Sarabun-{face}.ttf"
        font = TTFont(str(source))
        font.flavor = "woff2"
        target = OUT / f"Sarabun-{face}.woff2"
        font.save(str(target))
        print(f"{source.name}: {source.stat().st_size:,} bytes -> {target.name}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
