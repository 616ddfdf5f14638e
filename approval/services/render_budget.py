"""The memo's PDF made under a time budget, in a child process killed at the deadline.

xhtml2pdf is CPU-bound pure Python: a thread cannot be stopped, and a cooperative check
would have to patch the renderer (approval/pdf, not ours to change).  So each render runs
in a child process forked from the worker: it inherits the worker's loaded fonts,
dictionary, patches and templates (gunicorn.conf.py loads them per worker; :func:`_warm`
does it here for any other process), so its bytes are those an in-process render makes.
Past the budget the child is killed (SIGKILL) and :class:`RenderTooSlow` is raised; a
child whose parent died meanwhile dies by its own alarm a moment later.

The children are kept (:class:`_Server`, :data:`SERVERS` per worker): forking one
per render cost more CPU than most renders -- the fork copies the worker's page tables, the
child copies every page of the worker's memory it touches (reference counts: the fonts, the
dictionary, the shaping tables) and the address space is torn down again at its exit, some
60 ms of CPU per order on a 200 MB worker, against ~45 ms for the memo's layout itself.  A
kept child pays that once; each render then costs the pickling of the print dict on the way
in (well under a millisecond) and of the PDF on the way back.  A child is forked again after
:data:`RENDERS_PER_SERVER` renders, after a render that failed (so nothing a failed render
left behind is ever seen by another), and when it was killed at the deadline or died.  The
renderer is deterministic -- every memo prints to the same bytes in any process, whatever it
rendered before (tests/pdf/test_golden_bytes.py, tests/test_limits.py) -- so a kept child's
bytes are those of a fresh one.  When every kept child is busy (several renders at once in
a threaded worker), or for a function that cannot be named across processes (a test's
lambda), the render gets a child of its own, forked for it and ended after it.  A kept child
holds none of the worker's sockets (:func:`_drop_inherited_sockets`): a client connection the
worker closes is closed.

With gunicorn's workers a worker's request is thus held by one preview or order for at most
``PDF_RENDER_SECONDS`` (plus the fork, when there is one), which must stay below gunicorn's
``timeout`` (gunicorn.conf.py): /healthz waits at most that long.

The garbage collector is off across each fork (approval.pdf.speed.collector.paused), and
the child freezes everything it inherited before turning it back on: it never finalises the
worker's garbage (a pooled database connection, say, whose socket it shares) and never walks
the worker's objects.  The worker's own frozen generation (approval.pdf.process, preload) is
left as it is.

Where fork is unavailable (not Linux/BSD), or with a budget of 0, the render runs in
process without a deadline.
"""

from __future__ import annotations

import contextvars
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import stat
import threading
from collections.abc import Callable
from typing import Any

from ..errors import DomainError

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 10.0
TOO_SLOW = "เอกสารนี้ใช้เวลาจัดหน้านานเกินกำหนด กรุณาลดความยาวของเนื้อหา"
#: Kept render processes per worker: renders at once beyond this get a child each.  Each
#: costs memory: ~30 MB of its own beside a quiet worker, up to ~90 MB once the worker has
#: rewritten much of the memory they shared (bench/order.py prints it).
SERVERS = 1
#: Renders before a kept process is replaced by a fresh fork: what it accumulated, and the
#: pages the worker has rewritten since (each then the kept process's own copy), go with it.
RENDERS_PER_SERVER = 100
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


# --- the child's side ------------------------------------------------------------------------

def _child_start(close: list) -> None:
    """First thing in a forked child: its own collector state, the worker's objects frozen,
    the default signals, and none of the worker's other pipe ends held open."""
    from ..pdf.speed import collector

    collector.after_fork_in_child()  # re-enables the collector after freezing what was inherited
    for sig in _RESET_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    for conn in close:
        try:
            conn.close()
        except OSError:
            pass


def _answer(fn: Callable[[Any], bytes], arg: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(arg)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        return "error", f"{type(exc).__name__}: {exc}"


def _child(writer, fn: Callable[[Any], bytes], arg: Any, seconds: float, close: list) -> None:
    """A child forked for one render."""
    _child_start(close)
    signal.alarm(int(seconds) + 2)  # never outlive the deadline, even when the parent is gone
    result = contextvars.Context().run(_answer, fn, arg)
    try:
        writer.send(result)
    finally:
        writer.close()


def _inherited_fds() -> list[int]:
    try:
        return sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:  # no /proc (BSD): every possible descriptor
        return list(range(3, min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 65536)))


def _drop_inherited_sockets(keep: int) -> None:
    """
    Point every socket the worker had open at the fork (but ``keep``) at /dev/null.

    A kept child would otherwise hold them for its whole life: the listening socket, the
    database's, and the connections of the clients in flight at the fork -- a connection the
    worker closes stays open at the kernel while another process holds it, so the client
    would get no end of it (a kept-alive browser connection hanging until its own timeout).
    The descriptors are replaced, not closed: the worker's objects copied into this process
    still name them, and a number closed here could be reused and then closed by mistake.
    Pipes and files are left alone (multiprocessing's sentinel is a pipe).
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in _inherited_fds():
            if fd <= 2 or fd in (keep, devnull):
                continue
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(devnull, fd, inheritable=False)
            except OSError:
                continue
    finally:
        os.close(devnull)


def _serve(conn, close: list) -> None:
    """A kept child: render each request it is sent, until its pipe closes (the worker is gone
    or retired it). Each render in a fresh context (no context variable of the worker's)."""
    _child_start(close)
    _drop_inherited_sockets(conn.fileno())
    while True:
        try:
            request = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            # The only writer of this pipe is the worker that forked this process (a private
            # socketpair, never a network peer): its requests are as trusted as its own code.
            fn, arg, seconds = pickle.loads(request)  # nosec B301
        except BaseException as exc:  # noqa: BLE001 - e.g. a function this process cannot import
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        signal.alarm(int(seconds) + 2)  # never outlive the deadline, even when the parent is gone
        result = contextvars.Context().run(_answer, fn, arg)
        signal.alarm(0)
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return


# --- the worker's side -----------------------------------------------------------------------

def _fork(target, args: tuple, name: str):
    """Start ``target(*args)`` in a forked child, the collector off across the fork."""
    from ..pdf.speed import collector

    child = multiprocessing.get_context("fork").Process(target=target, args=args, daemon=True, name=name)
    with collector.paused():
        child.start()
    return child


class _Server:
    """A kept render process and the worker's end of its pipe."""

    def __init__(self, close: list) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, theirs = ctx.Pipe(duplex=True)
        self.process = _fork(_serve, (theirs, [self.conn, *close]), "pdf-render-server")
        theirs.close()
        self.renders = 0
        self.owner = os.getpid()

    def call(self, request: bytes, seconds: float) -> tuple[str, Any]:
        try:
            self.conn.send_bytes(request)
        except OSError:  # it died while idle (killed by the system...)
            raise RenderCrashed(f"the render process had ended (exit {self._exit()})") from None
        if not self.conn.poll(seconds):
            log.warning("PDF render stopped after %.1f s (budget)", seconds)
            raise RenderTooSlow(TOO_SLOW)
        try:
            answer = self.conn.recv()
        except (EOFError, OSError):
            raise RenderCrashed(f"the render process ended without a result (exit {self._exit()})") from None
        self.renders += 1
        return answer

    def _exit(self):
        self.process.join(1)
        return self.process.exitcode

    def stop(self) -> None:
        """End the process (its render, if any, is abandoned) and reap it."""
        try:
            self.conn.close()
        except OSError:
            pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


class _Pool:
    """The worker's kept render processes: idle ones, and how many there are in all."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: list[_Server] = []
        self.busy: list[_Server] = []
        self.owner = os.getpid()

    def _ends(self) -> list:
        return [s.conn for s in self.idle + self.busy]

    def take(self) -> _Server | None:
        """An idle kept process (forked now if there are fewer than SERVERS), or None."""
        with self.lock:
            if self.owner != os.getpid():  # this process is a fork of the one that made them
                self.idle, self.busy, self.owner = [], [], os.getpid()
            while self.idle:
                server = self.idle.pop()
                if server.process.is_alive():
                    self.busy.append(server)
                    return server
                server.stop()
            if len(self.busy) >= SERVERS:
                return None
            server = _Server(self._ends())
            self.busy.append(server)
            return server

    def give_back(self, server: _Server, keep: bool) -> None:
        with self.lock:
            if server in self.busy:
                self.busy.remove(server)
            keep = keep and server.owner == os.getpid() and server.renders < RENDERS_PER_SERVER
            if keep:
                self.idle.append(server)
        if not keep:
            server.stop()

    def ends(self) -> list:
        with self.lock:
            return self._ends() if self.owner == os.getpid() else []

    def stop_all(self) -> None:
        """End every idle kept process (the tests; a busy one ends when its render does)."""
        with self.lock:
            idle, self.idle = self.idle, []
        for server in idle:
            server.stop()


_pool = _Pool()


def _request(fn: Callable[[Any], bytes], arg: Any, seconds: float) -> bytes | None:
    """The render request as bytes for a kept process, or None when it cannot be sent (a
    function that is not importable by name: a kept process could not find it)."""
    try:
        return pickle.dumps((fn, arg, seconds), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - PicklingError, AttributeError (lambdas, local functions)
        return None


def _result(status: str, payload: Any) -> bytes:
    if status != "ok":
        raise RuntimeError(f"PDF render failed in the child process: {payload}")
    return payload


def run(fn: Callable[[Any], bytes], arg: Any, seconds: float | None) -> bytes:
    """``fn(arg)`` in a child process; RenderTooSlow past ``seconds`` (the child killed)."""
    if not seconds or seconds <= 0 or not can_fork():
        return fn(arg)
    request = _request(fn, arg, seconds)
    server = _pool.take() if request is not None else None
    if server is None:
        return _run_once(fn, arg, seconds)
    status = "crashed"
    try:
        status, payload = server.call(request, seconds)
    finally:
        # a failed render's process is not used again, nor one killed at the deadline
        _pool.give_back(server, keep=status == "ok")
    return _result(status, payload)


def _run_once(fn: Callable[[Any], bytes], arg: Any, seconds: float) -> bytes:
    """``fn(arg)`` in a child forked for it alone."""
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = _fork(_child, (writer, fn, arg, seconds, [reader, *_pool.ends()]), "pdf-render")
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
    return _result(status, payload)


def stop_servers() -> None:
    """End the kept render processes of this process (they are forked again when needed)."""
    _pool.stop_all()

