"""What travels over the wire for the memo page: first load and reload, in bytes and requests.

    .venv/bin/python bench/wire.py

Builds a small SQLite database (the demo organisation and a few memos), signs in with the
Flask test client and loads a memo page the way a browser does: the page, then every
stylesheet, script, icon and font it references (fonts from the stylesheets' url(...)).
Three loads:

- first load, no compression (no Accept-Encoding);
- first load, ``Accept-Encoding: br, gzip`` (what browsers send);
- reload with a warm cache: the page again; an asset whose answer said ``immutable`` or a
  fresh ``max-age`` is not asked for at all; any other is asked with If-None-Match /
  If-Modified-Since (a 304 carries no body).

Bytes are body bytes as sent (compressed when the answer is), plus the header lines.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BROWSER_ENCODING = "br, gzip"


def build():
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from web import PASSWORD, populate

    from approval import create_app
    from approval.cli import seed_demo
    from approval.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="bench-wire-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'wire.sqlite3'}", "SECRET_KEY": "bench-wire-" + "x" * 32,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "STORAGE_DIR": str(tmp / "files")})
    with app.app_context():
        upgrade()
        seed_demo(PASSWORD)
        populate(30)
        memo_id = db.session.scalar(sa.text("SELECT min(id) FROM memo WHERE pending_assignee_id IS NOT NULL"))
        db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"username": "head", "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    return client, f"/memos/{memo_id}"


def header_bytes(response) -> int:
    return len(f"HTTP/1.1 {response.status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + 2


def references(base: str, body: bytes, content_type: str) -> list[str]:
    """Same-site assets a browser loads for this page or stylesheet."""
    text = body.decode("utf-8", "replace")
    if content_type.startswith("text/html"):
        found = re.findall(r'<link[^>]+href="([^"]+)"', text) + re.findall(r'<script[^>]+src="([^"]+)"', text)
    elif content_type.startswith("text/css"):
        found = re.findall(r'url\(\s*["\']?([^"\')]+)["\']?\s*\)', text)
        found = [f for f in found if not f.startswith("data:")]
    else:
        found = []
    return [urljoin(base, f.replace("&amp;", "&")) for f in found if not urlsplit(f).netloc]


def fetch(client, url: str, headers: dict) -> tuple:
    response = client.get(url, headers=headers)
    body = response.get_data()  # as sent: compressed when Content-Encoding says so
    return response, body


def first_load(client, page: str, encoding: str | None) -> tuple[list, dict]:
    """[(url, status, encoding, body bytes, header bytes, cache-control)], and what the cache keeps."""
    headers = {"Accept-Encoding": encoding} if encoding else {}
    queue, seen, rows, cache = [page], set(), [], {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response, body = fetch(client, url, headers)
        rows.append((url, response.status_code, response.headers.get("Content-Encoding", ""), len(body),
                     header_bytes(response), response.headers.get("Cache-Control", "")))
        cache[url] = {"etag": response.headers.get("ETag"), "modified": response.headers.get("Last-Modified"),
                      "cache_control": response.headers.get("Cache-Control", "")}
        plain = body
        if response.headers.get("Content-Encoding") == "gzip":
            import gzip

            plain = gzip.decompress(body)
        elif response.headers.get("Content-Encoding") == "br":
            import brotli

            plain = brotli.decompress(body)
        queue.extend(references(url, plain, response.headers.get("Content-Type", "")))
    return rows, cache


def fresh(cache_control: str) -> bool:
    """Whether a browser serves this from its cache without asking (immutable or a positive max-age)."""
    parts = [p.strip() for p in cache_control.lower().split(",")]
    if "no-store" in parts or "no-cache" in parts:
        return False
    if "immutable" in parts:
        return True
    age = next((p.split("=", 1)[1] for p in parts if p.startswith("max-age=")), "0")
    return age.isdigit() and int(age) > 0


def reload(client, page: str, cache: dict) -> list:
    rows = []
    for url, kept in cache.items():
        if url != page and fresh(kept["cache_control"]):
            rows.append((url, "cache", "", 0, 0, kept["cache_control"]))
            continue
        headers = {"Accept-Encoding": BROWSER_ENCODING}
        if url != page and kept["etag"]:
            headers["If-None-Match"] = kept["etag"]
        if url != page and kept["modified"]:
            headers["If-Modified-Since"] = kept["modified"]
        response, body = fetch(client, url, headers)
        rows.append((url, response.status_code, response.headers.get("Content-Encoding", ""), len(body),
                     header_bytes(response), response.headers.get("Cache-Control", "")))
    return rows


def show(title: str, rows: list) -> tuple[int, int]:
    print(f"\n{title}")
    print(f"  {'status':>6} {'enc':<5}{'body':>10}{'headers':>9}  {'url':<58} cache-control")
    requests = body_total = header_total = 0
    for url, status, encoding, body, head, cache_control in rows:
        if status != "cache":
            requests += 1
        body_total += body
        header_total += head
        print(f"  {status!s:>6} {encoding:<5}{body:>10,}{head:>9,}  {url[:58]:<58} {cache_control}")
    print(f"  {requests} requests, {body_total + header_total:,} bytes ({body_total:,} body + {header_total:,} headers)")
    return requests, body_total + header_total


def main() -> None:
    client, page = build()
    plain_rows, _ = first_load(client, page, None)
    browser_rows, cache = first_load(client, page, BROWSER_ENCODING)
    reload_rows = reload(client, page, cache)
    summary = [
        ("first load, no Accept-Encoding", *show("First load, no Accept-Encoding", plain_rows)),
        (f"first load, Accept-Encoding: {BROWSER_ENCODING}", *show(f"First load, Accept-Encoding: {BROWSER_ENCODING}",
                                                                   browser_rows)),
        ("reload (warm cache, conditional)", *show("Reload with a warm cache", reload_rows)),
    ]
    print(f"\nmemo page {page}")
    print(f"  {'load':<40}{'requests':>9}{'bytes':>12}")
    for name, requests, total in summary:
        print(f"  {name:<40}{requests:>9}{total:>12,}")


if __name__ == "__main__":
    main()
