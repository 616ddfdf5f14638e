"""Load shedding (approval/web/shed.py): past SHED_MAX_IN_FLIGHT requests in flight in one worker,
the next is answered 503 with Retry-After at once -- a Thai page, or the API's JSON error --
instead of waiting in a queue; /healthz never is; a proxy's X-Request-Start is honoured only
when trusted."""

from __future__ import annotations

import threading
import time

import pytest

from approval import create_app
from approval.web.shed import LoadShedder, request_start


def _blocking_app(started: threading.Semaphore, release: threading.Event):
    def app(environ, start_response):
        started.release()
        release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]

    return app


def _call(app, path: str, headers: dict | None = None) -> tuple[str, dict, bytes]:
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    for key, value in (headers or {}).items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def test_past_the_limit_the_next_request_is_refused_at_once_and_served_again_after():
    started, release = threading.Semaphore(0), threading.Event()
    shedder = LoadShedder(_blocking_app(started, release), max_in_flight=2, retry_after=3)
    answers = []
    holders = [threading.Thread(target=lambda: answers.append(_call(shedder, "/inbox"))) for _ in range(2)]
    for t in holders:
        t.start()
    assert started.acquire(timeout=5) and started.acquire(timeout=5)
    assert shedder.in_flight == 2
    clock = time.perf_counter()
    status, headers, body = _call(shedder, "/inbox")
    assert time.perf_counter() - clock < 0.5  # not queued behind the two
    assert status.startswith("503")
    assert headers["Retry-After"] == "3" and headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    assert "ระบบไม่พร้อมให้บริการชั่วคราว" in page and "3 วินาที" in page
    # The API: its JSON error (API.md), same status and Retry-After.
    status, headers, body = _call(shedder, "/api/v1/inbox")
    assert status.startswith("503") and headers["Content-Type"] == "application/json"
    import json

    error = json.loads(body)["error"]
    assert error["code"] == "service_unavailable" and "ลองใหม่" in error["message"]
    release.set()
    for t in holders:
        t.join(5)
    assert [a[0] for a in answers] == ["200 OK", "200 OK"]
    assert shedder.in_flight == 0 and shedder.refused == {"busy": 2, "queued": 0}
    assert _call(shedder, "/inbox")[0] == "200 OK"


def test_the_health_check_and_static_files_pass_even_when_full():
    def inner(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    shedder = LoadShedder(inner, max_in_flight=1)
    shedder.in_flight = 1  # one request in flight already
    assert _call(shedder, "/healthz")[0] == "200 OK"
    assert _call(shedder, "/static/app.css")[0] == "200 OK"
    assert _call(shedder, "/archive/")[0].startswith("503")


def test_an_exception_in_the_application_releases_its_place():
    def broken(environ, start_response):
        raise RuntimeError("boom")

    shedder = LoadShedder(broken, max_in_flight=1)
    with pytest.raises(RuntimeError):
        _call(shedder, "/inbox")
    assert shedder.in_flight == 0


@pytest.mark.parametrize("header, expected", [
    ("t=1764800000.250", 1764800000.25),     # nginx ${msec}
    ("t=1764800000250000", 1764800000.25),   # microseconds
    ("1764800000250", 1764800000.25),        # milliseconds
    ("", None), ("t=soon", None), (None, None),
])
def test_request_start_formats(header, expected):
    assert request_start(header) == (pytest.approx(expected) if expected else None)


def test_a_request_a_trusted_proxy_queued_too_long_is_refused():
    def inner(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    old = f"t={time.time() - 5:.3f}"
    fresh = f"t={time.time():.3f}"
    trusted = LoadShedder(inner, max_in_flight=8, queue_seconds=2, trust_request_start=True)
    assert _call(trusted, "/inbox", {"X-Request-Start": old})[0].startswith("503")
    assert _call(trusted, "/inbox", {"X-Request-Start": fresh})[0] == "200 OK"
    assert trusted.refused["queued"] == 1
    untrusted = LoadShedder(inner, max_in_flight=8, queue_seconds=2, trust_request_start=False)
    assert _call(untrusted, "/inbox", {"X-Request-Start": old})[0] == "200 OK"  # a client's own header


def test_the_app_is_wrapped_and_answers_its_refusals_in_thai(app, seeded):
    """The real application: a full worker refuses pages and the API before any view runs."""
    other = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "STORAGE_DIR")},
                        "APP_ENV": "testing", "TESTING": True, "RATELIMIT_ENABLED": False,
                        "SHED_MAX_IN_FLIGHT": 3})
    shedder = other.extensions["load_shedder"]
    assert shedder.max_in_flight == 3
    client = other.test_client()
    assert client.get("/login").status_code == 200
    shedder.in_flight = 3
    try:
        page = client.get("/login")
        assert page.status_code == 503 and page.headers["Retry-After"] == "2"
        assert "ระบบไม่พร้อมให้บริการชั่วคราว" in page.get_data(as_text=True)
        api = client.get("/api/v1/me", headers={"Authorization": "Bearer x"})
        assert api.status_code == 503 and api.get_json()["error"]["code"] == "service_unavailable"
        assert client.get("/healthz").status_code == 200
    finally:
        shedder.in_flight = 0
    assert client.get("/login").status_code == 200


def test_shedding_is_off_with_zero(app):
    other = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "STORAGE_DIR")},
                        "APP_ENV": "testing", "TESTING": True, "SHED_MAX_IN_FLIGHT": 0})
    assert "load_shedder" not in other.extensions
