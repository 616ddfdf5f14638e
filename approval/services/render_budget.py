"""The memo's PDF made under a time budget, in a child process killed at the deadline.

xhtml2pdf is CPU-bound pure Python: a thread cannot be stopped, and a cooperative check
would have to patch the renderer (approval/pdf, not ours to change).  So each render runs
in a child forked from the worker: it inherits the worker's loaded fonts, dictionary,
patches and templates (gunicorn.conf.py loads them per worker; :func:`_warm` does it here
for any other process), so its bytes are those an in-process render makes.  Nothing is
pickled on the way in (the print dict is in the forked memory); the PDF comes back through
a pipe.  Past the budget the child is killed (SIGKILL) and :class:`RenderTooSlow` is
raised; a child whose parent died meanwhile dies by its own alarm a moment later.

With gunicorn's 2 sync workers a worker is thus held by one preview or order for at most
``PDF_RENDER_SECONDS`` (plus the fork, ~10-30 ms, see bench/adversarial.py), which must
stay below gunicorn's ``timeout`` (gunicorn.conf.py): /healthz waits at most that long.

Where fork is unavailable (not Linux/BSD), or with a budget of 0, the render runs in
process without a deadline.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import signal
from collections.abc import Callable
from typing import Any

from ..errors import DomainError

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 10.0
TOO_SLOW = "เอกสารนี้ใช้เวลาจัดหน้านานเกินกำหนด กรุณาลดความยาวของเนื้อหา"
#: Signals a gunicorn worker handles itself: the child takes the default action instead.
_RESET_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2",
                                       "SIGABRT", "SIGWINCH", "SIGCHLD", "SIGALRM")
    if hasattr(signal, name)
)


class RenderTooSlow(DomainError):
    """The document took longer than the budget to lay out: the content is too heavy.

    422 rather than 503: retrying the same content will not help, the person has to
    shorten it (and on the order, nothing has been recorded).
    """

    status, code = 422, "pdf_too_slow"


class RenderCrashed(RuntimeError):
    """The child died without an answer (killed by the system, out of memory...)."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _child(writer, fn: Callable[[Any], bytes], arg: Any, seconds: float) -> None:
    for sig in _RESET_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    signal.alarm(int(seconds) + 2)  # never outlive the deadline, even when the parent is gone
    try:
        result = ("ok", fn(arg))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        result = ("error", f"{type(exc).__name__}: {exc}")
    try:
        writer.send(result)
    finally:
        writer.close()


def run(fn: Callable[[Any], bytes], arg: Any, seconds: float | None) -> bytes:
    """``fn(arg)`` in a forked child; RenderTooSlow past ``seconds`` (the child killed)."""
    if not seconds or seconds <= 0 or not can_fork():
        return fn(arg)
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(writer, fn, arg, seconds), daemon=True,
                        name="pdf-render")
    # Objects alive at the fork are frozen for the child's collector: it never finalises
    # the worker's garbage (a pooled database connection, say, whose socket it shares) and
    # touches fewer copy-on-write pages.
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()
    writer.close()  # the child holds the only writer: its death reads as EOF here
    try:
        if not reader.poll(seconds):
            log.warning("PDF render stopped after %.1f s (budget)", seconds)
            raise RenderTooSlow(TOO_SLOW)
        try:
            status, payload = reader.recv()
        except EOFError:
            raise RenderCrashed(f"the render process ended without a result (exit {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        reader.close()
    if status != "ok":
        raise RuntimeError(f"PDF render failed in the child process: {payload}")
    return payload
