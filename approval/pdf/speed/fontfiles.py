"""Speed: the @font-face rules of faces registered at start (the same fonts, sooner).

14. A registered face's file is not fetched again.
"""

from __future__ import annotations

from pathlib import Path

from xhtml2pdf.files import pisaFileObject

from .. import fonts
from ..registry import ORIGINALS, patch

GET_FILE = "xhtml2pdf.context:pisaContext.getFile"


class RegisteredFontFile(pisaFileObject):
    """One of :mod:`approval.pdf.fonts`' faces, as an ``@font-face`` source: already read,
    registered with ReportLab under the name xhtml2pdf gives it (``sarabun_00``...) and in a
    directory the resource policy allows, so nothing is fetched: the file's path is all
    xhtml2pdf's ``loadFont`` asks of it (its registerTTFont then finds the name registered)."""

    def __init__(self, uri: str, path: Path) -> None:  # no fetch, hence no super().__init__
        self.uri = uri
        self.basepath = None
        self.instance = None
        self.policy = None
        self.path = path

    def notFound(self) -> bool:
        """Found: the face was registered from this very file at start."""
        return False

    def getNamedFile(self) -> str:
        return str(self.path)

    def getData(self) -> bytes:
        return self.path.read_bytes()

    getFileContent = getData

    def getAbsPath(self) -> Path:
        return self.path


@patch(GET_FILE, layer="speed", original_sha256="ca33f144a7fd2097",
       why="each @font-face rule read its font file twice and copied it into a temporary directory, every render")
def _getFile(self, name, relative=None):
    """
    Every render's ``@font-face`` rules (templates: ``fonts.font_face_css``)
    name the Sarabun files by ``file://`` URI.  For each, xhtml2pdf read the
    whole file to see that it exists, read it again to copy it into a
    temporary directory made for the render (a ``file://`` source is not
    opened in place), then read the copy to fingerprint it -- and found the
    face registered already, as it is from the start of the process
    (:func:`approval.pdf.fonts.register_fonts`).  A URI that is exactly one of
    those files gets a stand-in that hands over the path; any other source is
    fetched as before, under the resource policy.
    """
    path = fonts.registered_file(name) if isinstance(name, str) else None
    if path is None:
        return ORIGINALS[GET_FILE](self, name, relative)
    return RegisteredFontFile(name, path)
