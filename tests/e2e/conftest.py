"""Real-browser suite: a server of its own (fresh SQLite, demo data), Debian's Chromium.

Every page a scenario visits is screenshotted full-page at 1366x768 and at 390x844 under
tests/e2e/artifacts/. Any JavaScript error, console error, failed request or unexpected
HTTP status >= 400 fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "demo-pass-123"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    """Migrate and seed a fresh SQLite database, serve it, yield the base URL, stop it."""
    workdir = Path(tempfile.mkdtemp(prefix="e2e-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
        "STORAGE_DIR": str(workdir / "files"),
        # the run's own anchors and previews: another run's (same ids, another database) are not ours
        "AUDIT_ANCHOR_DIR": str(workdir / "anchors"),
        "PREVIEW_CACHE_DIR": str(workdir / "preview-cache"),
        "SECRET_KEY": "e2e-secret-not-for-production",
        "APP_ENV": "development",
        "FLASK_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["seed-demo", "--password", PASSWORD]):
        done = subprocess.run([*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    port = _free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115  (kept open while the server runs)
    proc = subprocess.Popen([*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload",
                             "--no-debugger"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded CI machine imports the app slowly
    while True:
        try:
            with urllib.request.urlopen(base + "/login", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the e2e server did not start:\n" + (workdir / "server.log").read_text())
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def _artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    yield


class Watch:
    """Collects the problems of one page; `expect(status, url_part)` allows one error status."""

    def __init__(self, page, label: str):
        self.page, self.label = page, label
        self.problems: list[str] = []
        self.allowed: list[tuple[int, str]] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda exc: self.problems.append(f"JS error: {exc}"))
        page.on("console", self._console)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    def _console(self, msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {msg.text}")

    def _failed(self, request):
        if request.url.split("?")[0].endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED":
            return  # the icon's fetch is dropped when the test navigates on before it lands
        self.problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _response(self, response):
        if response.status >= 400:
            for i, (status, part) in enumerate(self.allowed):
                if status == response.status and part in response.url:
                    del self.allowed[i]
                    return
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.accept()

    def expect(self, status: int, url_part: str = "") -> None:
        self.allowed.append((status, url_part))


class Session:
    """One user's browser context and page, with screenshots and problem watching."""

    def __init__(self, browser, base: str, test_name: str, user: str | None, states: dict, counter: list):
        self.base, self.user, self.test_name, self.counter = base, user or "anon", test_name, counter
        kwargs = {"viewport": DESKTOP, "locale": "th-TH", "timezone_id": "Asia/Bangkok"}
        if user and user in states:
            kwargs["storage_state"] = states[user]
        self.context = browser.new_context(**kwargs)
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.watch = Watch(self.page, self.user)
        if user and user not in states:
            self.login(user)
            states[user] = self.context.storage_state()

    def goto(self, path: str, *, expect_status: int | None = None):
        if expect_status:
            self.watch.expect(expect_status, path)
        response = self.page.goto(self.base + path)
        if expect_status:
            assert response.status == expect_status, (path, response.status)
        return response

    def login(self, user: str, password: str = PASSWORD) -> None:
        self.goto("/login")
        self.page.get_by_label("ชื่อผู้ใช้").fill(user)
        self.page.get_by_label("รหัสผ่าน").fill(password)
        self.page.get_by_role("button", name="เข้าสู่ระบบ").click()
        self.page.wait_for_url(re.compile(r".*/(inbox|profile)$"))

    def shot(self, name: str) -> None:
        """The current page, full-page, at the desktop and at the phone size."""
        self.page.wait_for_load_state("load")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        stem = f"{self.test_name}-{len(self.counter):02d}-{self.user}-{name}"
        self.counter.append(stem)
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(ARTIFACTS / f"{stem}-{label}.png"), full_page=True)
            width = self.page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                self.watch.problems.append(f"{stem}: the page is {width}px wide at {size['width']}px (sideways scrolling)")
        self.page.set_viewport_size(DESKTOP)

    def badge(self) -> int:
        text = self.page.locator("#inbox-badge").inner_text().strip()
        return int(text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))

    def close(self) -> list[str]:
        self.page.wait_for_load_state("load")
        problems = list(self.watch.problems)
        self.context.close()
        return problems


@pytest.fixture(scope="session")
def _states():
    return {}


@pytest.fixture
def as_user(browser, server, request, _states):
    """as_user("legal") -> a Session in its own context, signed in (anonymous with None)."""
    sessions: list[Session] = []
    counter: list[str] = []
    name = re.sub(r"^test_", "", request.node.name)

    def make(user: str | None) -> Session:
        s = Session(browser, server, name, user, _states, counter)
        sessions.append(s)
        return s

    yield make
    problems = []
    for s in sessions:
        problems += [f"[{s.user}] {p}" for p in s.close()]
    assert not problems, "browser problems:\n" + "\n".join(problems)
