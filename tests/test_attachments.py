"""Attachments (สิ่งที่ส่งมาด้วย): kinds by content, limits, who may read, sealing, printing, integrity."""

from __future__ import annotations

import hashlib
import io
import re
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from approval import create_app
from approval.attachments import sniff
from approval.attachments.models import Attachment
from approval.extensions import db
from approval.models import MemoDocument
from approval.services import archive, organizations
from tests import attachment_files as files
from tests.conftest import PASSWORD, login
from tests.helpers import act, memo_in, reference_memo, user

API = "/api/v1"


@pytest.fixture()
def bearer(token_for):
    return lambda username: {"Authorization": f"Bearer {token_for(username)}"}


@pytest.fixture()
def api(seeded):
    return seeded.test_client()


def upload(api, headers, memo_id, name, data, title=None):
    form = {"file": (io.BytesIO(data), name)}
    if title is not None:
        form["title"] = title
    return api.post(f"{API}/memos/{memo_id}/attachments", data=form, headers=headers,
                    content_type="multipart/form-data")


def raw_multipart(name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body built by hand (the test client spools big ones to a file it never closes)."""
    boundary = "----attachment-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def error_code(response):
    return response.get_json()["error"]["code"]


# --- kinds, decided from the content -------------------------------------------------------------

@pytest.mark.parametrize("kind", list(files.SAMPLES))
def test_each_allowed_kind_is_kept_with_its_sha256(api, bearer, kind):
    name, make, content_type = files.SAMPLES[kind]
    memo = reference_memo()
    legal = bearer("legal")
    response = upload(api, legal, memo.id, name, make(), title=f"ไฟล์ {kind}")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "title", "filename", "content_type", "size", "sha256", "url"}
    assert body["content_type"] == content_type and body["kind"] == kind
    assert body["filename"] == name and body["title"] == f"ไฟล์ {kind}"
    got = api.get(body["url"], headers=legal)
    assert got.status_code == 200
    assert hashlib.sha256(got.data).hexdigest() == body["sha256"] == got.headers["X-Content-SHA256"]
    assert len(got.data) == body["size"]
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    assert unquote(got.headers["Content-Disposition"].split("''", 1)[1]) == name
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    listed = api.get(f"{API}/memos/{memo.id}", headers=legal).get_json()["attachments"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_images_are_reencoded(api, bearer):
    from PIL import Image

    original = files.image("PNG") + b"trailing junk after IEND"
    body = upload(api, bearer("legal"), reference_memo().id, "a.png", original).get_json()
    stored = api.get(body["url"], headers=bearer("legal")).data
    assert stored != original and b"trailing junk" not in stored
    assert Image.open(io.BytesIO(stored)).format == "PNG"


@pytest.mark.parametrize(("name", "data"), [
    ("program.pdf", files.ELF),
    ("script.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100),
    ("latin1.txt", "caf\xe9".encode("latin-1")),
    ("nul.csv", b"a,b\n1,\x002\n"),
    ("archive.docx", files.odf("application/zip")),
    ("image.png", b"GIF89a" + b"\x00" * 50),
])
def test_anything_else_is_415_in_thai(api, bearer, name, data):
    response = upload(api, bearer("legal"), reference_memo().id, name, data)
    assert response.status_code == 415 and error_code(response) == "unsupported_media_type"
    assert re.search("[ก-๙]", response.get_json()["error"]["message"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


@pytest.mark.parametrize("where", ["names", "openaction", "launch"])
def test_a_pdf_with_javascript_or_launch_is_refused(api, bearer, where):
    response = upload(api, bearer("legal"), reference_memo().id, "form.pdf", files.pdf_with_js(where))
    assert response.status_code == 422 and "JavaScript" in response.get_json()["error"]["message"]


def test_the_object_walk_finds_javascript_without_the_raw_scan(monkeypatch):
    monkeypatch.setattr(sniff, "_RAW_NAMES", re.compile(rb"(?!x)x"))
    for where in ("names", "openaction", "launch"):
        with pytest.raises(sniff.Refused):
            sniff.check_pdf(files.pdf_with_js(where))
    sniff.check_pdf(files.pdf())


def test_a_zip_bomb_disguised_as_docx_is_refused_quickly(api, bearer):
    bomb = files.zip_bomb_docx(64)
    assert len(bomb) < 200_000
    started = time.perf_counter()
    response = upload(api, bearer("legal"), reference_memo().id, "สัญญา.docx", bomb)
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 422 and "zip bomb" in response.get_json()["error"]["message"]


def test_macro_documents_are_refused():
    macro = files.docx(extra={"word/vbaProject.bin": b"\x00" * 10})
    with pytest.raises(sniff.Refused):
        sniff.inspect(macro, "a.docx")


def test_a_path_in_the_file_name_keeps_only_the_sanitized_basename(api, bearer):
    body = upload(api, bearer("legal"), reference_memo().id, "../../etc/passwd.pdf", files.pdf()).get_json()
    assert body["filename"] == "passwd.pdf"
    body = upload(api, bearer("legal"), reference_memo().id, "a<b>|c.exe", files.pdf()).get_json()
    assert body["filename"] == "a_b__c.exe.pdf"
    assert sniff.safe_filename('C:\\tmp\\a"b\x00.pdf', "pdf") == "a_b_.pdf"
    assert sniff.safe_filename("..", "txt") == "ไฟล์แนบ.txt"
    assert not list(Path("/etc").glob("passwd.pdf"))


def test_content_disposition_has_an_ascii_fallback():
    header = sniff.content_disposition("หนังสือ แนบ.pdf", "attachment-7")
    assert header.startswith('attachment; filename="attachment-7.pdf"; filename*=UTF-8\'\'')
    assert sniff.content_disposition("report.pdf", "x", inline=True).startswith('inline; filename="report.pdf"')


# --- limits ------------------------------------------------------------------------------------------

def test_the_default_limits_are_20_and_50_megabytes(tmp_path):
    app = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["ATTACHMENT_MAX_BYTES"] == 20 * 1024 * 1024
    assert app.config["MEMO_ATTACHMENTS_MAX_BYTES"] == 50 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024  # every other body stays small
    from flask import request

    with app.test_request_context(f"{API}/memos/1/attachments", method="POST"):
        app.before_request_funcs[None][0]()  # the first hook, before CSRF reads any form
        assert request.max_content_length == 21 * 1024 * 1024
    with app.test_request_context(f"{API}/memos", method="POST"):
        app.before_request_funcs[None][0]()
        assert request.max_content_length == 5 * 1024 * 1024
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def small_limits(seeded, monkeypatch):
    monkeypatch.setitem(seeded.config, "ATTACHMENT_MAX_BYTES", 200_000)
    monkeypatch.setitem(seeded.config, "MEMO_ATTACHMENTS_MAX_BYTES", 300_000)


def _padded_pdf(size: int) -> bytes:
    data = files.pdf()
    return data + b"%" + b"x" * (size - len(data) - 2) + b"\n"


def test_too_large_file_and_too_large_memo_are_413(api, bearer, small_limits):
    legal, memo_id = bearer("legal"), reference_memo().id
    over = upload(api, legal, memo_id, "big.pdf", _padded_pdf(250_000))  # within the envelope margin
    assert over.status_code == 413 and error_code(over) == "too_large"
    body, content_type = raw_multipart("huge.pdf", _padded_pdf(1_500_000))  # past the body limit
    huge = api.post(f"{API}/memos/{memo_id}/attachments", data=body, content_type=content_type, headers=legal)
    assert huge.status_code == 413 and error_code(huge) == "too_large"
    assert upload(api, legal, memo_id, "a.pdf", _padded_pdf(190_000)).status_code == 201
    total = upload(api, legal, memo_id, "b.pdf", _padded_pdf(190_000))
    assert total.status_code == 413 and "รวมกัน" in total.get_json()["error"]["message"]


def test_other_bodies_keep_the_small_limit(api, bearer, seeded, monkeypatch):
    monkeypatch.setitem(seeded.config, "MAX_CONTENT_LENGTH", 1000)
    legal = bearer("legal")
    memo_id = reference_memo().id
    assert api.patch(f"{API}/memos/{memo_id}", json={"subject": "ก" * 2000}, headers=legal).status_code == 413
    assert upload(api, legal, memo_id, "a.pdf", _padded_pdf(5000)).status_code == 201


def test_a_sixty_megabyte_page_upload_is_413(seeded, monkeypatch):
    """The page route: with a 1 MB limit a 3 MB body is refused before it is read."""
    monkeypatch.setitem(seeded.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    client = seeded.test_client()
    login(client, "legal")
    memo_id = reference_memo().id
    body, content_type = raw_multipart("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    response = client.post(f"/memos/{memo_id}/attachments", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "ใหญ่เกิน" in response.get_data(as_text=True)


# --- who may read --------------------------------------------------------------------------------

def test_everyone_who_may_read_the_memo_may_download_and_nobody_else(api, bearer, seeded):
    memo = reference_memo()
    body = upload(api, bearer("legal"), memo.id, "แนบ.pdf", files.pdf()).get_json()
    # A draft is its author's alone.
    assert api.get(body["url"], headers=bearer("records")).status_code == 404
    act(memo, "legal", "submit")
    org = user("legal").organization
    organizations.create_user(db.session, org, username="clerk", full_name="นายเสมียน ทดสอบ", position="เจ้าพนักงานธุรการ",
                              roles=["officer"], password=PASSWORD, enforce_policy=False)
    db.session.commit()
    for who in ("legal", "head", "deputy", "mayor", "records", "admin"):
        response = api.get(body["url"], headers=bearer(who))
        assert response.status_code == 200, who
        assert hashlib.sha256(response.data).hexdigest() == body["sha256"]
    for who in ("clerk", "org2.legal", "org2.mayor"):
        response = api.get(body["url"], headers=bearer(who))
        assert response.status_code == 404 and error_code(response) == "not_found", who
    # the pages agree
    for who, status in (("mayor", 200), ("records", 200), ("clerk", 404), ("org2.legal", 404)):
        client = seeded.test_client()
        login(client, who)
        assert client.get(f"/memos/{memo.id}/attachments/{body['id']}").status_code == status, who
    # an attachment id of another memo is 404 too
    assert api.get(f"{API}/memos/{memo.id}/attachments/999999", headers=bearer("legal")).status_code == 404


def test_another_organisations_memo_is_404_for_upload(api, bearer):
    memo = reference_memo()
    response = upload(api, bearer("org2.legal"), memo.id, "a.pdf", files.pdf())
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_only_the_author_changes_attachments(api, bearer):
    memo = reference_memo()
    act(memo, "legal", "submit")
    act(memo, "head", "return", comment="แก้ไขเอกสารแนบ")
    response = upload(api, bearer("head"), memo.id, "a.pdf", files.pdf())
    assert response.status_code == 403 and error_code(response) == "not_your_turn"
    assert upload(api, bearer("legal"), memo.id, "a.pdf", files.pdf()).status_code == 201


# --- editing, sealing, history ------------------------------------------------------------------------

def test_rename_reorder_and_delete_through_the_api(api, bearer):
    legal, memo_id = bearer("legal"), reference_memo().id
    ids = [upload(api, legal, memo_id, f"{n}.txt", files.txt()).get_json()["id"] for n in ("a", "b", "c")]
    url = f"{API}/memos/{memo_id}/attachments"
    renamed = api.patch(f"{url}/{ids[2]}", json={"title": "ตารางสรุป", "position": 1}, headers=legal)
    assert renamed.status_code == 200 and renamed.get_json()["title"] == "ตารางสรุป"
    assert [a["id"] for a in api.get(url, headers=legal).get_json()["items"]] == [ids[2], ids[0], ids[1]]
    assert api.patch(f"{url}/{ids[0]}", json={"position": 0}, headers=legal).status_code == 422
    assert api.delete(f"{url}/{ids[0]}", headers=legal).status_code == 204
    assert [a["id"] for a in api.get(url, headers=legal).get_json()["items"]] == [ids[2], ids[1]]
    # never submitted: the removed file is gone for good
    assert db.session.get(Attachment, ids[0]) is None
    actions = [e["action"] for e in api.get(f"{API}/memos/{memo_id}", headers=legal).get_json()["events"]]
    assert {"attachment_add", "attachment_rename", "attachment_move", "attachment_remove"} <= set(actions)


def test_a_decided_memo_is_sealed(api, bearer):
    memo = reference_memo()
    legal = bearer("legal")
    att = upload(api, legal, memo.id, "a.pdf", files.pdf()).get_json()
    memo = memo_in("decided")
    for response in (upload(api, legal, memo.id, "b.pdf", files.pdf()),
                     api.delete(att["url"], headers=legal),
                     api.patch(att["url"], json={"title": "ใหม่"}, headers=legal)):
        assert response.status_code == 409 and error_code(response) == "invalid_transition"
        assert "ปิดผนึก" in response.get_json()["error"]["message"]
    doc = db.session.scalar(sa.select(MemoDocument).where(MemoDocument.memo_id == memo.id))
    assert doc.attachments == [{"id": att["id"], "filename": "a.pdf", "title": "a", "size": att["size"],
                                "sha256": att["sha256"]}]
    assert api.get(att["url"], headers=bearer("records")).status_code == 200


def test_a_file_removed_in_a_later_round_stays_in_the_history(api, bearer, seeded):
    memo = reference_memo()
    legal = bearer("legal")
    first = upload(api, legal, memo.id, "รอบแรก.pdf", files.pdf()).get_json()
    act(memo, "legal", "submit")
    act(memo, "head", "return", comment="ขอแก้ไขเอกสารแนบ")
    assert api.delete(first["url"], headers=legal).status_code == 204
    second = upload(api, legal, memo.id, "รอบสอง.pdf", files.pdf("second")).get_json()
    body = api.get(f"{API}/memos/{memo.id}", headers=legal).get_json()
    assert [a["id"] for a in body["attachments"]] == [second["id"]]
    kept = db.session.get(Attachment, first["id"])
    assert kept.removed_at is not None and kept.removed_round == 2 and kept.round_added == 1
    assert api.get(first["url"], headers=bearer("head")).status_code == 200  # still readable
    client = seeded.test_client()
    login(client, "head")
    html = client.get(f"/memos/{memo.id}").get_data(as_text=True)
    assert "ไฟล์ที่นำออกแล้ว" in html and "รอบแรก.pdf" in html and "นำออกก่อนเสนอรอบที่ ๒" in html


# --- on paper -------------------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_the_printed_memo_lists_the_attachments_and_seals_them(api, bearer):
    memo = reference_memo()
    legal = bearer("legal")
    a = upload(api, legal, memo.id, "ใบเสนอราคา.pdf", files.pdf(), title="ใบเสนอราคา").get_json()
    b = upload(api, legal, memo.id, "ภาพ.png", files.image(), title="ภาพสถานที่").get_json()
    memo = memo_in("decided")
    doc = db.session.scalar(sa.select(MemoDocument).where(MemoDocument.memo_id == memo.id))
    text = re.sub(r"\s+", "", _pdf_text(doc.content))
    assert "สิ่งที่ส่งมาด้วย" in text
    assert "๒.ใบเสนอราคา" in text and "๓.ภาพสถานที่" in text  # ๑. is the plan report
    assert a["sha256"] in text and b["sha256"] in text
    merged = api.get(f"{API}/memos/{memo.id}/print.pdf", headers=legal)
    assert merged.status_code == 200
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(merged.data)) == len(pdfium.PdfDocument(doc.content)) + 1


# --- integrity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["database", "files"])
def test_a_changed_byte_is_reported_by_verify_archive(api, bearer, seeded, monkeypatch, mode):
    monkeypatch.setitem(seeded.config, "ATTACHMENT_STORAGE", mode)
    memo = reference_memo()
    att = upload(api, bearer("legal"), memo.id, "a.pdf", files.pdf()).get_json()
    memo_in("decided")
    assert archive.verify_archive(db.session) == []
    row = db.session.get(Attachment, att["id"])
    assert row.stored_in == mode
    if mode == "database":
        data = bytearray(row.content)
        data[100] ^= 1
        db.session.execute(sa.update(Attachment).where(Attachment.id == row.id).values(content=bytes(data)))
        db.session.commit()
    else:
        path = Path(seeded.config["STORAGE_DIR"]) / "attachments" / att["sha256"][:2] / att["sha256"][2:4] / att["sha256"]
        data = bytearray(path.read_bytes())
        data[100] ^= 1
        path.write_bytes(bytes(data))
    problems = archive.verify_archive(db.session)
    assert [p.kind for p in problems] == ["attachment"] and str(att["id"]) in problems[0].detail
    result = seeded.test_cli_runner().invoke(args=["verify-archive"])
    assert result.exit_code == 1 and "attachment" in result.output

    # The hash column rewritten to match: the seal of the decided memo still tells.
    db.session.execute(sa.update(Attachment).where(Attachment.id == att["id"])
                       .values(sha256=hashlib.sha256(bytes(data)).hexdigest()))
    db.session.commit()
    if mode == "files":  # the file is found by its (new) hash
        new = Path(seeded.config["STORAGE_DIR"]) / "attachments"
        sha = hashlib.sha256(bytes(data)).hexdigest()
        (new / sha[:2] / sha[2:4]).mkdir(parents=True, exist_ok=True)
        (new / sha[:2] / sha[2:4] / sha).write_bytes(bytes(data))
    problems = archive.verify_archive(db.session)
    assert problems and "sealed" in problems[0].detail


def test_files_mode_is_content_addressed(api, bearer, seeded, monkeypatch):
    monkeypatch.setitem(seeded.config, "ATTACHMENT_STORAGE", "files")
    memo_id, legal = reference_memo().id, bearer("legal")
    data = files.pdf()
    one = upload(api, legal, memo_id, "a.pdf", data).get_json()
    two = upload(api, legal, memo_id, "b.pdf", data).get_json()
    assert one["sha256"] == two["sha256"]
    path = Path(seeded.config["STORAGE_DIR"]) / "attachments" / one["sha256"][:2] / one["sha256"][2:4] / one["sha256"]
    assert path.read_bytes() == data
    assert not list(path.parent.glob(".upload-*"))
    assert db.session.get(Attachment, one["id"]).content is None
    api.delete(one["url"], headers=legal)
    assert path.exists()  # still used by the other row
    api.delete(two["url"], headers=legal)
    assert not path.exists()  # a draft's removed file is deleted once nothing refers to it


@pytest.mark.parametrize("mode", ["database", "files"])
def test_backup_and_restore_carry_the_attachments(api, bearer, seeded, monkeypatch, tmp_path, mode):
    monkeypatch.setitem(seeded.config, "ATTACHMENT_STORAGE", mode)
    memo_id = reference_memo().id
    att = upload(api, bearer("legal"), memo_id, "a.pdf", files.pdf()).get_json()
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["backup", "-o", str(tmp_path / "b")]).exit_code == 0
    db.session.execute(sa.delete(Attachment))
    db.session.commit()
    if mode == "files":
        import shutil

        shutil.rmtree(Path(seeded.config["STORAGE_DIR"]) / "attachments")
    assert runner.invoke(args=["restore", str(tmp_path / "b"), "--yes"]).exit_code == 0
    response = api.get(att["url"], headers=bearer("legal"))
    assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == att["sha256"]


# --- the pages -------------------------------------------------------------------------------------

@pytest.fixture()
def page(seeded):
    client = seeded.test_client()
    login(client, "legal")
    return client


def test_the_author_uploads_renames_moves_and_removes_on_the_edit_page(page):
    memo_id = reference_memo().id
    edit = page.get(f"/memos/{memo_id}/edit").get_data(as_text=True)
    assert 'type="file"' in edit and "เลือกไฟล์ที่จะแนบ" in edit and 'enctype="multipart/form-data"' in edit
    for name, data in (("หนึ่ง.pdf", files.pdf()), ("สอง.png", files.image())):
        response = page.post(f"/memos/{memo_id}/attachments", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(data), name), "title": ""})
        assert response.status_code == 303
    first, second = sorted(db.session.scalars(sa.select(Attachment.id)))
    assert page.post(f"/memos/{memo_id}/attachments/{second}/move", data={"direction": "up"}).status_code == 303
    assert page.post(f"/memos/{memo_id}/attachments/{first}/rename", data={"title": "เอกสารหลัก"}).status_code == 303
    html = page.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert html.index("สอง") < html.index("เอกสารหลัก")
    assert "รูปภาพ PNG" in html and "PDF" in html and "กิโลไบต์" in html or "ไบต์" in html
    assert f"/memos/{memo_id}/attachments/{second}/view" in html  # the image is shown
    bad = page.post(f"/memos/{memo_id}/attachments", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(files.ELF), "x.pdf")})
    assert bad.status_code == 415 and "ไม่รองรับไฟล์ชนิดนี้" in bad.get_data(as_text=True)
    assert page.post(f"/memos/{memo_id}/attachments/{first}/remove").status_code == 303
    assert [a for (a,) in db.session.execute(sa.select(Attachment.id))] == [second]


def test_inline_view_only_for_pdfs_and_images_and_sandboxed(page):
    memo_id = reference_memo().id
    for name, data in (("a.pdf", files.pdf()), ("b.txt", files.txt())):
        page.post(f"/memos/{memo_id}/attachments", content_type="multipart/form-data",
                  data={"file": (io.BytesIO(data), name)})
    pdf_id, txt_id = sorted(db.session.scalars(sa.select(Attachment.id)))
    view = page.get(f"/memos/{memo_id}/attachments/{pdf_id}/view")
    assert view.status_code == 200 and view.headers["Content-Disposition"].startswith("inline;")
    assert view.headers["Content-Security-Policy"].startswith("sandbox")
    assert view.headers["X-Content-Type-Options"] == "nosniff"
    assert page.get(f"/memos/{memo_id}/attachments/{txt_id}/view").status_code == 404
    download = page.get(f"/memos/{memo_id}/attachments/{txt_id}")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    merged = page.get(f"/memos/{memo_id}/print.pdf")
    assert merged.status_code == 200 and merged.data.startswith(b"%PDF")


def test_the_plan_report_link_appears_only_where_it_belongs(seeded, api, bearer):
    client = seeded.test_client()
    login(client, "legal")
    reference = reference_memo()
    assert "รายงานแนบ</a>" in client.get(f"/memos/{reference.id}").get_data(as_text=True)
    other = seeded.test_client()
    login(other, "org2.legal")
    created = api.post(f"{API}/memos", headers=bearer("org2.legal"), json={
        "department": "สำนักปลัด", "date": "2024-06-03", "subject": "ขออนุมัติจัดซื้อวัสดุ", "addressee": "นายก",
        "sections": [{"title": "เรื่องเดิม", "body": "ทดสอบ"}], "closing": "จึงเรียนมาเพื่อโปรดพิจารณา"})
    html = other.get(f"/memos/{created.get_json()['id']}").get_data(as_text=True)
    assert "รายงานแนบ</a>" not in html and "สิ่งที่ส่งมาด้วย" in html
