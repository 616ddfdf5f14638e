"""Shedding load: past what a worker can serve quickly, answer 503 with Retry-After at once
instead of letting requests queue for ten seconds (issue 20, item 3).

Two checks, both before the application (no session, no database, no template):

* **In flight, per worker process.** gunicorn runs the ``gthread`` worker (gunicorn.conf.py)
  with more threads than ``SHED_MAX_IN_FLIGHT``: every request reaches this middleware at
  once, and past ``SHED_MAX_IN_FLIGHT`` requests being served in this process the next is
  refused in about a millisecond. Served requests share one core (the GIL), so a request's
  time grows with how many are in flight; bounding that number bounds the wait (Little's law:
  8 in flight at ~25-40 ms of CPU each is about 0.3 s, an order with its PDF about 1 s) where
  an unbounded queue grew to 10-13 s at 200 users. A sync worker cannot do this: its waiting
  requests sit in the kernel's accept queue, unseen, and reach the application already late.
* **Time queued before the worker, when a proxy says.** Behind a proxy that stamps
  ``X-Request-Start`` (nginx: ``proxy_set_header X-Request-Start "t=${msec}";``, Heroku and
  others in micro- or milliseconds), a request that already waited more than
  ``SHED_QUEUE_SECONDS`` is refused: its client has waited long enough, serving it would only
  make the next ones later. Read only with ``SHED_TRUST_REQUEST_START=1`` (a client could
  otherwise send the header itself).

The refusal: pages get a short Thai page, the API its JSON error (API.md conventions,
code ``service_unavailable``), both with ``Retry-After`` and ``Cache-Control: no-store``.
``/healthz`` and static files are never refused (a load balancer must not take a busy node
for a dead one). The counts (in flight, refused) are kept per process for tests and the bench.
"""

from __future__ import annotations

import json
import threading
import time

#: Never refused: the load balancer's health check and the static files.
EXEMPT_PREFIXES = ("/healthz", "/static/")
MESSAGE = "ขณะนี้มีผู้ใช้งานระบบจำนวนมาก กรุณาลองใหม่อีกครั้งในอีก {seconds} วินาที"
PAGE = """<!doctype html>
<html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ระบบไม่พร้อมให้บริการชั่วคราว</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>ระบบไม่พร้อมให้บริการชั่วคราว</h1><p>{message}</p>
<p>ยังไม่มีการบันทึกสิ่งใดจากคำขอนี้ เมื่อลองใหม่ระบบจะดำเนินการตามปกติ</p>
<p><a href="javascript:location.reload()">ลองใหม่</a></p></body></html>"""


def request_start(header: str | None) -> float | None:
    """Epoch seconds from ``X-Request-Start`` (``t=`` optional; seconds, milli- or microseconds)."""
    if not header:
        return None
    value = header.strip().removeprefix("t=")
    try:
        stamp = float(value)
    except ValueError:
        return None
    if stamp > 1e14:  # microseconds
        return stamp / 1e6
    if stamp > 1e11:  # milliseconds
        return stamp / 1e3
    return stamp


class LoadShedder:
    """WSGI middleware: at most ``max_in_flight`` requests served at once in this process."""

    def __init__(self, app, *, max_in_flight: int, queue_seconds: float = 0.0, retry_after: int = 2,
                 trust_request_start: bool = False):
        self.app = app
        self.max_in_flight = max_in_flight
        self.queue_seconds = queue_seconds
        self.retry_after = retry_after
        self.trust_request_start = trust_request_start
        self.in_flight = 0
        self.refused = {"busy": 0, "queued": 0}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or ""
        if path.startswith(EXEMPT_PREFIXES):
            return self.app(environ, start_response)
        if self.trust_request_start and self.queue_seconds > 0:
            started = request_start(environ.get("HTTP_X_REQUEST_START"))
            if started is not None and time.time() - started > self.queue_seconds:
                return self._refuse(environ, start_response, "queued")
        with self._lock:
            busy = self.max_in_flight > 0 and self.in_flight >= self.max_in_flight
            if not busy:
                self.in_flight += 1
        if busy:
            return self._refuse(environ, start_response, "busy")
        try:
            # Flask does the request's work inside this call (the view runs, the body is built);
            # what is left is sending bytes, which costs the worker no CPU worth counting.
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _refuse(self, environ, start_response, why: str):
        with self._lock:
            self.refused[why] += 1
        message = MESSAGE.format(seconds=self.retry_after)
        if (environ.get("PATH_INFO") or "").startswith("/api/"):
            body = json.dumps({"error": {"code": "service_unavailable", "message": message}},
                              ensure_ascii=False).encode("utf-8")
            kind = "application/json"
        else:
            body = PAGE.format(message=message).encode("utf-8")
            kind = "text/html; charset=utf-8"
        start_response("503 SERVICE UNAVAILABLE", [
            ("Content-Type", kind), ("Content-Length", str(len(body))), ("Retry-After", str(self.retry_after)),
            ("Cache-Control", "no-store"), ("Connection", "close"),
        ])
        return [body]


def install(app) -> LoadShedder | None:
    """Wrap the app's WSGI callable when SHED_MAX_IN_FLIGHT (or the trusted queue check) is set."""
    max_in_flight = int(app.config.get("SHED_MAX_IN_FLIGHT") or 0)
    queue_seconds = float(app.config.get("SHED_QUEUE_SECONDS") or 0)
    trust = bool(app.config.get("SHED_TRUST_REQUEST_START"))
    if max_in_flight <= 0 and not (trust and queue_seconds > 0):
        return None
    shedder = LoadShedder(app.wsgi_app, max_in_flight=max_in_flight, queue_seconds=queue_seconds,
                          retry_after=int(app.config.get("SHED_RETRY_AFTER") or 2), trust_request_start=trust)
    app.wsgi_app = shedder
    app.extensions["load_shedder"] = shedder
    return shedder
