"""What a page costs and what travels: SQL per page, static files, compression, cache headers,
HSTS, and the preview cache (a memo's draft PDF rendered once per content)."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
import sqlalchemy as sa

from approval import create_app
from approval.extensions import db
from approval.services import documents, memos, render_budget
from tests import helpers
from tests.conftest import login

#: The most SQL statements the inbox and the memo page may issue, however much is waiting.
PAGE_QUERIES_MAX = 8


class Statements:
    """Every SQL statement the app's engine runs while the block is open."""

    def __enter__(self):
        self.seen: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", self._on)
        return self

    def _on(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._on)

    def __len__(self):
        return len(self.seen)


def signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def submit_memos(count: int) -> list[int]:
    """``count`` more memos by legal, submitted: each waits for head."""
    legal = helpers.user("legal")
    ids = []
    for i in range(count):
        memo = memos.create_memo(db.session, legal, {
            "department": "สำนักปลัด", "date": "2026-01-05", "subject": f"เรื่องทดสอบ {i}",
            "addressee": "นายก", "sections": [{"title": "เรื่องเดิม", "body": "ข้อความ"}], "closing": "จึงเรียนมา"})
        db.session.commit()
        helpers.act(memo, "legal", "submit")
        ids.append(memo.id)
    return ids


def count_queries(client, path: str) -> int:
    client.get(path)  # warm: the first request of a client may set up what later ones reuse
    with Statements() as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)


# --- SQL per page ----------------------------------------------------------------------------

def test_inbox_and_memo_page_issue_few_queries_whatever_is_waiting(seeded):
    helpers.act(helpers.reference_memo(), "legal", "submit")
    client = signed_in(seeded, "head")
    memo_id = helpers.reference_memo().id
    inbox_small, page_small = count_queries(client, "/inbox"), count_queries(client, f"/memos/{memo_id}")
    submit_memos(3)
    inbox_more, page_more = count_queries(client, "/inbox"), count_queries(client, f"/memos/{memo_id}")
    assert inbox_small <= PAGE_QUERIES_MAX and page_small <= PAGE_QUERIES_MAX, (inbox_small, page_small)
    # The inbox: the session with its user, both counts, the page with its authors, the days off,
    # who covers the person (their own memos are waiting).
    assert inbox_small <= 5, inbox_small
    assert (inbox_more, page_more) == (inbox_small, page_small)


def test_the_user_is_loaded_once_per_request(seeded):
    client = signed_in(seeded, "head")
    client.get("/inbox")
    with Statements() as statements:
        assert client.get("/inbox").status_code == 200
    sessions = [s for s in statements.seen if "FROM user_session" in s]
    users = [s for s in statements.seen if re.search(r'FROM "?user"?\s+WHERE "?user"?\.id =', s)]
    assert len(sessions) == 1 and users == [], statements.seen  # the user comes with the session row


def test_static_files_and_the_health_probe_read_no_session(seeded):
    client = signed_in(seeded, "head")
    asset = page_assets(client.get("/inbox").get_data(as_text=True))[0]
    client.get("/healthz")
    with Statements() as statements:
        assert client.get("/healthz").status_code == 200
        assert client.get(asset).status_code == 200
    assert statements.seen == []


def test_lists_read_the_hash_of_frozen_pdfs_never_their_bytes(seeded, token_for):
    helpers.memo_in("decided")
    headers = {"Authorization": f"Bearer {token_for('mayor')}"}
    client = seeded.test_client()
    client.get("/api/v1/memos", headers=headers)
    with Statements() as statements:
        response = client.get("/api/v1/memos", headers=headers)
    decided = [m for m in response.get_json()["items"] if m["pdf"]]
    assert decided and len(decided[0]["pdf"]["sha256"]) == 64
    assert not [s for s in statements.seen if "memo_document.content" in s]
    assert len(statements) <= PAGE_QUERIES_MAX + 2, statements.seen


# --- the preview cache -----------------------------------------------------------------------

@pytest.fixture()
def preview_cache(seeded, tmp_path, monkeypatch):
    """The preview cache on, in a folder of this test; counts the renders."""
    monkeypatch.setitem(seeded.config, "PREVIEW_CACHE_BYTES", 50 * 1024 * 1024)
    monkeypatch.setitem(seeded.config, "PREVIEW_CACHE_DIR", str(tmp_path / "previews"))
    renders = []
    real = render_budget.run

    def counting(*args, **kwargs):
        renders.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(render_budget, "run", counting)
    return renders


def test_a_second_view_of_a_preview_renders_nothing(seeded, preview_cache):
    client = signed_in(seeded, "legal")
    memo_id = helpers.reference_memo().id
    first = client.get(f"/memos/{memo_id}/pdf")
    second = client.get(f"/memos/{memo_id}/pdf")
    assert first.status_code == second.status_code == 200
    assert first.data.startswith(b"%PDF") and second.data == first.data
    assert len(preview_cache) == 1
    assert first.headers["ETag"] and first.headers["ETag"] == second.headers["ETag"]
    assert "no-store" in first.headers["Cache-Control"]  # kept on the server, not in a shared browser


def test_if_none_match_answers_304_without_rendering(seeded, preview_cache):
    client = signed_in(seeded, "legal")
    memo_id = helpers.reference_memo().id
    etag = client.get(f"/memos/{memo_id}/pdf").headers["ETag"]
    again = client.get(f"/memos/{memo_id}/pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert len(preview_cache) == 1


def test_an_edit_invalidates_the_preview(seeded, preview_cache):
    client = signed_in(seeded, "legal")
    memo = helpers.reference_memo()
    first = client.get(f"/memos/{memo.id}/pdf")
    memos.update_memo(db.session, memo, helpers.user("legal"), {"subject": "เรื่องที่แก้ไขแล้ว"})
    db.session.commit()
    second = client.get(f"/memos/{memo.id}/pdf", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.data != first.data
    assert second.headers["ETag"] != first.headers["ETag"]
    assert len(preview_cache) == 2


def test_an_organisation_setting_that_prints_invalidates_the_preview(seeded, preview_cache):
    memo = helpers.reference_memo()
    first_key = documents.document_for(memo)[2]
    org = memo.organization
    org.settings = {**(org.settings or {}), "digits": "arabic" if org.setting("digits") != "arabic" else "thai"}
    db.session.commit()
    assert documents.document_for(memo)[2] != first_key
    assert len(preview_cache) == 2


def test_the_cache_stays_within_its_bound(seeded, preview_cache, tmp_path):
    from approval.services import previews

    folder = tmp_path / "bounded"
    folder.mkdir()
    for i in range(5):
        (folder / f"k{i}.pdf").write_bytes(b"x" * 1000)
    assert previews.prune(folder, 2500) == 3
    assert sorted(p.name for p in folder.iterdir()) == ["k3.pdf", "k4.pdf"] or len(list(folder.iterdir())) == 2


def test_a_decided_memo_answers_its_frozen_hash_as_etag(seeded, preview_cache):
    memo = helpers.memo_in("decided")
    renders = len(preview_cache)
    client = signed_in(seeded, "mayor")
    response = client.get(f"/memos/{memo.id}/pdf")
    assert response.headers["ETag"].strip('"') == response.headers["X-Content-SHA256"] == memo.document.sha256
    assert client.get(f"/memos/{memo.id}/pdf", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert len(preview_cache) == renders  # the frozen bytes, never a render


# --- static files ----------------------------------------------------------------------------

def page_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_urls_carry_their_content_hash_and_are_immutable(seeded):
    client = signed_in(seeded, "legal")
    assets = page_assets(client.get("/inbox").get_data(as_text=True))
    assert assets and all(re.search(r"\?v=[0-9a-f]{16}$", a) for a in assets), assets
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        assert response.headers["ETag"]


def test_a_static_file_without_its_version_revalidates(seeded):
    client = seeded.test_client()
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    again = client.get("/static/css/app.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/static/css/none.css").status_code == 404
    assert client.get("/static/../approval/config.py").status_code == 404


def test_fonts_are_woff2_referenced_with_their_version(seeded):
    client = seeded.test_client()
    css = client.get("/static/css/app.css").get_data(as_text=True)
    fonts = re.findall(r'url\("(\.\./fonts/[^"]+)"\)', css)
    assert fonts and all(re.fullmatch(r"\.\./fonts/Sarabun-\w+\.woff2\?v=[0-9a-f]{16}", f) for f in fonts), fonts
    response = client.get("/static/fonts/" + fonts[0].removeprefix("../fonts/"))
    assert response.status_code == 200 and response.mimetype == "font/woff2"
    assert response.data[:4] == b"wOF2"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert ".ttf" not in css


@pytest.mark.parametrize(("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_text_static_files_are_compressed_as_the_browser_accepts(seeded, encoding, decode):
    client = seeded.test_client()
    plain = client.get("/static/vendor/bootstrap/bootstrap.min.css")
    packed = client.get("/static/vendor/bootstrap/bootstrap.min.css", headers={"Accept-Encoding": encoding})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
    assert decode(packed.data) == plain.data and len(packed.data) < len(plain.data) / 5
    assert packed.headers["ETag"] != plain.headers["ETag"]


@pytest.mark.parametrize(("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_and_api_answers_are_compressed(seeded, token_for, encoding, decode):
    client = signed_in(seeded, "legal")
    plain = client.get("/inbox")
    packed = client.get("/inbox", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert decode(packed.data).decode().count("งานรอพิจารณา") == plain.get_data(as_text=True).count("งานรอพิจารณา")
    api = seeded.test_client().get("/api/v1/openapi.json", headers={"Accept-Encoding": encoding})
    assert api.headers["Content-Encoding"] == encoding and decode(api.data).startswith(b"{")


# --- cache and transport headers -------------------------------------------------------------

def test_private_pages_and_api_answers_are_not_stored(seeded, token_for):
    client = signed_in(seeded, "legal")
    memo_id = helpers.reference_memo().id
    for path in ("/inbox", f"/memos/{memo_id}", "/memos", "/login", "/healthz"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    api = seeded.test_client()
    headers = {"Authorization": f"Bearer {token_for('legal')}"}
    for path in ("/api/v1/memos", f"/api/v1/memos/{memo_id}", "/api/v1/inbox", "/api/v1/nothing-here"):
        assert api.get(path, headers=headers).headers["Cache-Control"] == "no-store", path


def test_hsts_only_over_https(seeded):
    client = seeded.test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _app(tmp_path, **config):
    return create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "wire-" + "k" * 32,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite3'}", **config})


def test_x_forwarded_proto_is_believed_only_behind_a_configured_proxy(tmp_path):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    direct = _app(tmp_path).test_client().get("/healthz", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers
    proxied = _app(tmp_path, TRUST_PROXY=True).test_client().get("/healthz", headers=forwarded)
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_can_be_turned_off(tmp_path):
    response = _app(tmp_path, HSTS_SECONDS=0).test_client().get("/healthz", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers
