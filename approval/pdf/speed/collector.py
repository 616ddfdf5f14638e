"""The cyclic garbage collector off for the length of a render."""

from __future__ import annotations

import contextlib
import gc
import threading

_GC_LOCK = threading.Lock()
_gc_paused = [0, False]  # renders in progress, whether gc was enabled before the first


@contextlib.contextmanager
def paused():
    """
    The cyclic garbage collector off for the length of a render (~14 ms of
    each render went to it, walking the DOM, story and tables that are all
    still alive).  A render allocates a few MB; what becomes garbage is
    mostly freed by reference counting, and the collector, turned back on
    when the last render in progress ends, takes the rest.  Renders in
    several threads count themselves in; a collector someone else turned
    off stays off.
    """
    with _GC_LOCK:
        if _gc_paused[0] == 0:
            _gc_paused[1] = gc.isenabled()
            gc.disable()
        _gc_paused[0] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_paused[0] -= 1
            if _gc_paused[0] == 0 and _gc_paused[1]:
                gc.enable()


def after_fork_in_child() -> None:
    """
    First thing in a process forked to render (services.render_budget): forked inside
    :func:`paused`, it starts with the collector off and the parent's count of renders in
    progress, which it never ends.  Everything it inherited is frozen first -- its collector
    never walks, nor finalises, the parent's objects (the parent's garbage included: a pooled
    database connection whose socket it shares, say) -- then the count is its own, with a lock
    no thread of the parent may hold, and the collector is on again if it was on before.
    """
    global _GC_LOCK
    enabled = _gc_paused[1] if _gc_paused[0] else gc.isenabled()
    gc.freeze()
    _GC_LOCK = threading.Lock()
    _gc_paused[0], _gc_paused[1] = 0, False
    if enabled:
        gc.enable()
