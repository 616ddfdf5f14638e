"""Every change this app makes to xhtml2pdf and ReportLab, in one list.

A :class:`Patch` names its target (``"module:Owner.attribute"``), the
replacement, why it exists (one line), its layer -- ``"thai"`` (Thai
correctness: shaping, word breaking, deterministic bytes) or ``"speed"``
(the same output, sooner) -- and a fingerprint of the original it replaces.
The patches are declared with :func:`patch` in :mod:`approval.pdf.thai` and
:mod:`approval.pdf.speed`; :func:`install` applies them once per process,
after checking that the installed xhtml2pdf and ReportLab are the pinned
versions and that every original is the very function the replacement was
written against (the SHA-256 of its source).  Anything else fails loudly
with a RuntimeError naming the patch: a replacement written for another
version would silently print something else.

Switching off (:func:`thai_layers`): each target is set to a small
dispatcher that calls the replacement while the layers are on and the
original otherwise.  The switch is a context variable, so a render in one
thread (the benchmark's "stock xhtml2pdf") never changes what a render in
another thread gets, which swapping the attributes back and forth would.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import importlib
import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

#: The versions the patches were written against (requirements.txt pins them).
PINNED = {"xhtml2pdf": "0.2.28", "reportlab": "5.1.0"}

#: Whether the layers are on (the benchmark and a few tests turn them off).
ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("pdf_layers_enabled", default=True)

Layer = Literal["thai", "speed"]


@dataclass(frozen=True)
class Patch:
    #: ``"package.module:Owner.attribute"`` or ``"package.module:function"``.
    target: str
    replacement: Callable
    #: One line: what goes wrong (or slow) without it.
    why: str
    layer: Layer
    #: The first 16 hex digits of the SHA-256 of the original's source.
    original_sha256: str
    #: When given and false at install time, the patch is skipped (not an error).
    when: Callable[[], bool] | None = None

    @property
    def module_name(self) -> str:
        return self.target.split(":", 1)[0]

    @property
    def path(self) -> list[str]:
        return self.target.split(":", 1)[1].split(".")

    def owner(self):
        obj = importlib.import_module(self.module_name)
        for name in self.path[:-1]:
            obj = getattr(obj, name)
        return obj

    @property
    def attribute(self) -> str:
        return self.path[-1]


PATCHES: list[Patch] = []
#: target -> the original it replaced (what the replacements hand over to).
ORIGINALS: dict[str, Callable] = {}
#: target -> the Patch installed there.
INSTALLED: dict[str, Patch] = {}

_lock = threading.Lock()
_installed = False


def patch(target: str, *, layer: Layer, why: str, original_sha256: str, when: Callable[[], bool] | None = None):
    """Declare the decorated function as the replacement of ``target``."""

    def register(replacement: Callable) -> Callable:
        if any(p.target == target for p in PATCHES):
            raise RuntimeError(f"PDF patch {target} declared twice")
        if not why or "\n" in why:
            raise RuntimeError(f"PDF patch {target}: 'why' must be one line")
        PATCHES.append(Patch(target, replacement, why, layer, original_sha256, when))
        return replacement

    return register


def fingerprint(obj) -> str:
    """The first 16 hex digits of the SHA-256 of ``obj``'s source text.

    Source rather than bytecode: the same for every Python version and hash
    seed, and it changes exactly when the library's code does.
    """
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError) as exc:
        raise RuntimeError(f"cannot read the source of {obj!r} to check it: {exc}") from exc
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def check_versions() -> None:
    for dist, wanted in PINNED.items():
        try:
            found = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found = None
        if found != wanted:
            raise RuntimeError(
                f"approval.pdf patches are written for {dist}=={wanted}, but {dist} {found} is installed: "
                "check every patch in approval/pdf/thai and approval/pdf/speed against it, then update PINNED "
                "and the fingerprints"
            )


def dispatcher(original: Callable, replacement: Callable, flag: contextvars.ContextVar[bool] = ENABLED):
    """A function that calls ``replacement`` while ``flag`` is on, ``original`` otherwise."""
    get = flag.get

    def patched(*args, **kwargs):
        if get():
            return replacement(*args, **kwargs)
        return original(*args, **kwargs)

    patched.__name__ = getattr(replacement, "__name__", "patched")
    patched.__qualname__ = getattr(replacement, "__qualname__", patched.__name__)
    patched.__doc__ = getattr(replacement, "__doc__", None)
    patched.__wrapped__ = replacement
    return patched


def _load_layers() -> None:
    # Importing the packages declares their patches.
    importlib.import_module(f"{__package__}.thai")
    importlib.import_module(f"{__package__}.speed")


def _check(p: Patch):
    """The owner and the original of ``p``, after checking the original."""
    try:
        owner = p.owner()
        original = getattr(owner, p.attribute)
    except (ImportError, AttributeError) as exc:
        raise RuntimeError(f"PDF patch {p.target} ({p.layer}): target not found: {exc}") from exc
    found = fingerprint(original)
    if found != p.original_sha256:
        raise RuntimeError(
            f"PDF patch {p.target} ({p.layer}): the original is not the one the replacement was written for "
            f"(source SHA-256 {found}, expected {p.original_sha256}); check the patch against the installed "
            "version before updating the fingerprint"
        )
    return owner, original


def apply(patches: list[Patch]) -> dict[str, Callable]:
    """Check every patch, then apply them all (each target set to a
    :func:`dispatcher`); return target -> original.  A failed check raises
    before anything is changed, so the libraries stay stock."""
    planned = []
    for p in patches:
        if p.when is not None and not p.when():
            continue
        owner, original = _check(p)
        planned.append((p, owner, original))
    for p, owner, original in planned:
        setattr(owner, p.attribute, dispatcher(original, p.replacement))
    return {p.target: original for p, _owner, original in planned}


def install() -> None:
    """Check and apply every declared patch (once per process; idempotent)."""
    global _installed
    if _installed:  # every render asks: no lock then (a process forked while another thread
        return      # held it, services.render_budget, would wait on it forever)
    with _lock:
        if _installed:
            return
        check_versions()
        _load_layers()
        originals = apply(PATCHES)
        ORIGINALS.update(originals)
        INSTALLED.update({p.target: p for p in PATCHES if p.target in originals})
        _installed = True


def installed() -> bool:
    return _installed


def enabled() -> bool:
    """Whether the patches act on what is rendered now."""
    return _installed and ENABLED.get()


@contextlib.contextmanager
def thai_layers(on: bool):
    """Turn the Thai and speed layers on or off for the renders inside the
    block: off is stock xhtml2pdf and ReportLab (every patched target hands
    over to its original)."""
    token = ENABLED.set(on)
    try:
        yield
    finally:
        ENABLED.reset(token)
