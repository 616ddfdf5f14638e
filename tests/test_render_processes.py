"""The kept render processes (services.render_budget): one forked process renders many
documents, to the bytes an in-process render makes, and is replaced when it fails, overruns
its budget or dies; renders at once beyond the kept ones get a child each."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time

import pytest

from approval.pdf import render_memo_pdf
from approval.services import render_budget
from tests.pdf.reference_memo import reference_memo


@pytest.fixture(autouse=True)
def _fresh_pool():
    render_budget.stop_servers()
    yield
    render_budget.stop_servers()


def _pid(_arg) -> bytes:
    return str(os.getpid()).encode()


def _fail(_arg) -> bytes:
    raise ValueError("the renderer failed")


def _sleep(seconds) -> bytes:
    time.sleep(seconds)
    return str(os.getpid()).encode()


def _exit(_arg) -> bytes:
    os._exit(3)


def _freeze_count(_arg) -> bytes:
    return str(gc.get_freeze_count()).encode()


def _gc_enabled(_arg) -> bytes:
    return str(gc.isenabled()).encode()


def test_one_kept_process_renders_one_document_after_another():
    first = render_budget.run(_pid, None, 10)
    assert first != str(os.getpid()).encode()
    assert render_budget.run(_pid, None, 10) == first
    assert len(render_budget._pool.idle) == 1


def test_its_bytes_are_those_of_an_in_process_render_whatever_it_rendered_before():
    from approval.plan_report.demo import reference_report

    memo = reference_memo(signed=True)
    with_report = {**memo, "plan_report": reference_report(digits=True)}
    blank = reference_memo(signed=False)
    kept = [render_budget.run(render_memo_pdf, m, 60) for m in (with_report, memo, blank, memo)]
    assert len(render_budget._pool.idle) == 1
    assert kept == [render_memo_pdf(m) for m in (with_report, memo, blank, memo)]


def test_a_failed_render_is_reported_and_its_process_not_used_again():
    first = render_budget.run(_pid, None, 10)
    with pytest.raises(RuntimeError, match="ValueError: the renderer failed"):
        render_budget.run(_fail, None, 10)
    assert render_budget.run(_pid, None, 10) != first


def test_a_process_past_the_budget_is_killed_and_replaced():
    first = int(render_budget.run(_pid, None, 10))
    started = time.perf_counter()
    with pytest.raises(render_budget.RenderTooSlow):
        render_budget.run(_sleep, 30, 0.3)
    assert time.perf_counter() - started < 3
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)  # killed and reaped
    assert int(render_budget.run(_pid, None, 10)) != first


def test_a_process_that_dies_is_a_crash_then_replaced():
    with pytest.raises(render_budget.RenderCrashed):
        render_budget.run(_exit, None, 10)
    pid = int(render_budget.run(_pid, None, 10))
    os.kill(pid, signal.SIGKILL)  # dies while idle (the system's OOM killer, say)
    time.sleep(0.2)
    assert int(render_budget.run(_pid, None, 10)) != pid


def test_renders_at_once_beyond_the_kept_processes_get_a_child_each():
    results: list[bytes] = []

    def render():
        results.append(render_budget.run(_sleep, 0.5, 10))

    threads = [threading.Thread(target=render) for _ in range(render_budget.SERVERS + 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == render_budget.SERVERS + 2
    assert len(set(results)) == render_budget.SERVERS + 2  # no process rendered two at once
    assert len(render_budget._pool.idle) == render_budget.SERVERS


def test_a_function_that_cannot_be_named_gets_a_child_of_its_own():
    assert render_budget.run(lambda _arg: b"local", None, 10) == b"local"
    assert render_budget._pool.idle == []


def test_a_process_is_replaced_after_its_share_of_renders(monkeypatch):
    monkeypatch.setattr(render_budget, "RENDERS_PER_SERVER", 2)
    first = render_budget.run(_pid, None, 10)
    assert render_budget.run(_pid, None, 10) == first
    assert render_budget.run(_pid, None, 10) != first


def test_the_process_ends_when_the_workers_end_of_its_pipe_closes():
    render_budget.run(_pid, None, 10)
    server = render_budget._pool.idle.pop()
    server.conn.close()  # as when the worker dies
    server.process.join(5)
    assert server.process.exitcode == 0


def test_the_workers_frozen_objects_stay_frozen_and_the_childs_collector_runs():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert int(render_budget.run(_freeze_count, None, 10)) >= frozen  # the child froze what it inherited
        assert gc.get_freeze_count() == frozen  # and the worker's own freeze is as it was
        assert render_budget.run(_gc_enabled, None, 10) == b"True"
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_a_socket_the_worker_closes_is_closed_for_its_peer():
    """A client connection open in the worker when a kept process is forked: closed by the
    worker, its peer sees the end (the kept process holds no copy of it)."""
    import socket

    ours, peer = socket.socketpair()
    try:
        render_budget.run(_pid, None, 10)  # the kept process is forked with `ours` open
        ours.close()
        peer.settimeout(3)
        assert peer.recv(1) == b""
    finally:
        ours.close()
        peer.close()
