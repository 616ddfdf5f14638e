"""Administration: settings, people, the chain editor, images and the admin log."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from approval.errors import DomainError, ValidationFailed
from approval.extensions import db
from approval.models import Event, MemoState, Organization, StepStatus, User
from approval.services import images, memos, organizations, printing
from tests.conftest import PASSWORD, login
from tests.helpers import act, memo_in, reference_memo, user


def png_bytes(size=(40, 20), mode="RGB", fmt="PNG", color=(10, 20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt)
    return out.getvalue()


def upload(data: bytes, name: str = "image.png"):
    return (io.BytesIO(data), name)


def admin_client(app):
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    return client


def settings_form(org: Organization, **changes) -> dict:
    data = {"name": org.name, "district": org.district, "province": org.province, "prefix": org.number_prefix,
            "digits": "thai", "archive_mode": "records", "require_signing_password": "y",
            "level_thresholds": "80 มาก\n50 ปานกลาง\n0 น้อย"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def chain_form(rows: list[tuple]) -> dict:
    data = {}
    for i, (title, kind, assignee_id, acting) in enumerate(rows):
        data.update({f"steps-{i}-title": title, f"steps-{i}-kind": kind,
                     f"steps-{i}-assignee_id": str(assignee_id), f"steps-{i}-acting": acting})
    return data


def admin_events(action: str) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.memo_id.is_(None), Event.action == action)))


# --- images ---------------------------------------------------------------------------------

class TestCleanImage:
    def test_a_png_is_re_encoded_without_what_follows_it(self):
        original = png_bytes() + b"trailing bytes: a zip, a script, anything"
        cleaned = images.clean_image(original)
        assert cleaned.startswith(b"\x89PNG\r\n\x1a\n")
        assert b"trailing" not in cleaned
        assert Image.open(io.BytesIO(cleaned)).size == (40, 20)

    def test_a_jpeg_becomes_a_png(self):
        cleaned = images.clean_image(png_bytes(fmt="JPEG"))
        assert Image.open(io.BytesIO(cleaned)).format == "PNG"

    def test_a_palette_png_with_transparency_keeps_it(self):
        cleaned = images.clean_image(png_bytes(mode="RGBA", color=(0, 0, 0, 0)))
        assert Image.open(io.BytesIO(cleaned)).mode in ("RGBA", "LA", "P")

    @pytest.mark.parametrize("data, words", [
        (b"", "เลือกไฟล์"),
        (b"%PDF-1.7 not an image at all", "ไม่ใช่รูปภาพ"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "ไม่ใช่รูปภาพ"),  # a PNG signature, then nothing valid
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "๒ เมกะไบต์"),
    ])
    def test_refused(self, data, words):
        with pytest.raises(ValidationFailed) as exc:
            images.clean_image(data)
        assert words in exc.value.message

    def test_a_gif_is_refused_by_its_content(self):
        with pytest.raises(ValidationFailed):
            images.clean_image(png_bytes(fmt="GIF", mode="P", color=1))

    def test_too_many_pixels_is_refused(self):
        with pytest.raises(ValidationFailed) as exc:
            images.clean_image(png_bytes(size=(4001, 2), mode="L", color=255))
        assert "๔,๐๐๐" in exc.value.message

    def test_a_truncated_png_is_refused(self):
        data = png_bytes(size=(200, 200), color=(1, 2, 3))
        with pytest.raises(ValidationFailed):
            images.clean_image(data[: len(data) // 2])


# --- who may open the pages -------------------------------------------------------------

ADMIN_PAGES = ["/admin/settings", "/admin/people", "/admin/people/new", "/admin/chain",
               "/admin/people/{legal}", "/admin/settings/emblem.png", "/admin/people/{legal}/signature.png"]
ADMIN_POSTS = ["/admin/people/{legal}/deactivate", "/admin/people/{legal}/activate",
               "/admin/people/{legal}/reset-password", "/admin/settings", "/admin/chain", "/admin/people/new"]


@pytest.mark.parametrize("username", ["legal", "head", "deputy", "mayor", "records", "org2.legal"])
def test_only_administrators_open_the_admin_pages(users, client, username):
    login(client, username)
    ids = {"legal": users["legal"].id}
    for url in ADMIN_PAGES:
        assert client.get(url.format(**ids)).status_code == 403, url
    for url in ADMIN_POSTS:
        assert client.post(url.format(**ids), data={}).status_code == 403, url
    assert users["legal"].is_active and not users["legal"].must_change_password


def test_signed_out_visitors_are_sent_to_login(users, client):
    for url in ["/admin/settings", "/admin/people", "/admin/chain", "/admin/log", "/admin/my-signature"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_organisations_people_are_not_found(users, app):
    client = admin_client(app)
    other = users["org2.legal"].id
    for url in [f"/admin/people/{other}", f"/admin/people/{other}/signature.png"]:
        assert client.get(url).status_code == 404
    for url in [f"/admin/people/{other}", f"/admin/people/{other}/deactivate",
                f"/admin/people/{other}/reset-password"]:
        assert client.post(url, data={"full_name": "x", "position": "y", "roles": ["admin"]}).status_code == 404
    db.session.expire_all()
    assert user("org2.legal").is_active and user("org2.legal").full_name != "x"
    assert client.get("/admin/people/999999").status_code == 404


def test_every_admin_page_renders_for_the_admin(users, app):
    client = admin_client(app)
    for url in ["/admin/settings", "/admin/people", "/admin/people/new", f"/admin/people/{users['legal'].id}",
                "/admin/chain", "/admin/log", "/admin/my-signature"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>" not in response.get_data(as_text=True)  # CSP: no inline scripts


def test_people_page_lists_only_this_organisation(users, app):
    page = admin_client(app).get("/admin/people").get_data(as_text=True)
    assert users["legal"].full_name in page and users["org2.legal"].username not in page


# --- settings -------------------------------------------------------------------------------

def test_settings_change_and_leave_an_event(users, app):
    client = admin_client(app)
    org = users["admin"].organization
    response = client.post("/admin/settings", data=settings_form(
        org, name="องค์การบริหารส่วนตำบลทดสอบ", digits="arabic", archive_mode="auto",
        require_signing_password=None, level_thresholds="90 ดีมาก\n60 พอใช้\n0 ต้องปรับปรุง"))
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organization, org.id)
    assert org.name == "องค์การบริหารส่วนตำบลทดสอบ"
    assert org.setting("digits") == "arabic" and not org.uses_thai_digits
    assert org.setting("archive_mode") == "auto"
    assert org.setting("require_signing_password") is False
    assert org.setting("level_thresholds")[0] == {"min_pct": "90.00", "label": "ดีมาก"}
    [event] = admin_events("admin.update_settings")
    assert event.actor_id == users["admin"].id and "digits" in event.data["changed"]
    # The page shows what is stored.
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "90.00 ดีมาก" in page


def test_auto_archive_setting_archives_at_the_order(users, app):
    client = admin_client(app)
    org = users["admin"].organization
    client.post("/admin/settings", data=settings_form(org, archive_mode="auto"))
    db.session.expire_all()
    assert memo_in("decided").state is MemoState.ARCHIVED


@pytest.mark.parametrize("changes, field", [
    ({"name": ""}, "name"),
    ({"prefix": "x" * 51}, "prefix"),
    ({"digits": "roman"}, "digits"),
    ({"archive_mode": "never"}, "archive_mode"),
    ({"level_thresholds": "80 มาก\n50 ปานกลาง"}, "level_thresholds"),  # no band starts at 0
    ({"level_thresholds": "abc มาก\n0 น้อย"}, "level_thresholds"),
    ({"level_thresholds": "80 มาก\n80 น้อย\n0 ต่ำ"}, "level_thresholds"),
])
def test_invalid_settings_are_refused_and_nothing_changes(users, app, changes, field):
    client = admin_client(app)
    org = users["admin"].organization
    name = org.name
    response = client.post("/admin/settings", data=settings_form(org, **changes))
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True) or "invalid-feedback" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organization, org.id).name == name
    assert not admin_events("admin.update_settings")


def test_blank_thresholds_mean_the_default(users, app):
    client = admin_client(app)
    org = users["admin"].organization
    assert client.post("/admin/settings", data=settings_form(org, level_thresholds="")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, org.id).setting("level_thresholds") is None


def test_emblem_upload_is_re_encoded_and_printed(users, app):
    client = admin_client(app)
    org = users["admin"].organization
    jpeg = png_bytes(size=(120, 120), fmt="JPEG")
    data = settings_form(org, emblem=upload(jpeg, "garuda.jpg"))
    response = client.post("/admin/settings", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organization, org.id)
    assert org.emblem_png.startswith(b"\x89PNG")
    assert client.get("/admin/settings/emblem.png").data == org.emblem_png
    printed = printing.memo_print_dict(reference_memo())
    with open(printed["organization"]["emblem_path"], "rb") as fh:
        assert fh.read() == org.emblem_png
    # Removing it.
    client.post("/admin/settings", data=settings_form(org, remove_emblem="y"))
    db.session.expire_all()
    assert db.session.get(Organization, org.id).emblem_png is None


@pytest.mark.parametrize("data, name", [
    (b"<?php echo 'not an image'; ?>", "emblem.png"),
    (b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024 + 10), "big.jpg"),
])
def test_emblem_that_is_not_an_acceptable_image_is_refused(users, app, data, name):
    client = admin_client(app)
    org = users["admin"].organization
    # Encoded here: the test client would spool a large body to a temporary file it never closes.
    fields = settings_form(org)
    fields["emblem"] = FileStorage(io.BytesIO(data), filename=name)
    boundary, body = encode_multipart(fields)
    response = client.post("/admin/settings", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Organization, org.id).emblem_png is None


# --- people -----------------------------------------------------------------------------------

def new_person(client, **changes):
    data = {"username": "somchai", "full_name": "นายสมชาย ใจดี", "position": "นักจัดการงานทั่วไป",
            "roles": ["officer", "reviewer"]}
    data.update(changes)
    return client.post("/admin/people/new", data=data, content_type="multipart/form-data")


def shown_password(response) -> str:
    match = re.search(r'<code class="fs-5 password-once">([^<]+)</code>', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


def test_create_a_person_shows_the_password_once_and_forces_a_change(users, app):
    client = admin_client(app)
    response = new_person(client, signature=upload(png_bytes(), "sig.png"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = shown_password(response)
    person = user("somchai")
    assert person.organization_id == users["admin"].organization_id
    assert {r.value for r in person.roles} == {"officer", "reviewer"}
    assert person.must_change_password and person.signature_png.startswith(b"\x89PNG")
    assert password not in str([e.data for e in admin_events("admin.create_user")])
    assert admin_events("admin.create_user") and admin_events("admin.set_signature")

    own = app.test_client()
    response = login(own, "somchai", password)
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")


@pytest.mark.parametrize("changes, field", [
    ({"username": "legal"}, "username"),  # taken
    ({"username": "สมชาย"}, "username"),
    ({"full_name": ""}, "full_name"),
    ({"position": ""}, "position"),
    ({"roles": []}, "roles"),
    ({"roles": ["superuser"]}, "roles"),
])
def test_invalid_people_are_refused(users, app, changes, field):
    response = new_person(admin_client(app), **changes)
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(users)


def test_edit_a_person(users, app):
    client = admin_client(app)
    legal = users["legal"]
    response = client.post(f"/admin/people/{legal.id}", data={
        "full_name": "นางสาวอนุศาสน์ อภัยรัตน์", "position": "นิติกรชำนาญการ", "roles": ["officer", "records"]})
    assert response.status_code == 302
    db.session.expire_all()
    legal = user("legal")
    assert legal.position == "นิติกรชำนาญการ" and {r.value for r in legal.roles} == {"officer", "records"}
    [event] = admin_events("admin.update_user")
    assert event.data["changed"].keys() == {"position", "roles"}


def test_the_last_admin_cannot_give_up_the_role_or_be_deactivated(users, app):
    client = admin_client(app)
    admin = users["admin"]
    response = client.post(f"/admin/people/{admin.id}", data={
        "full_name": admin.full_name, "position": admin.position, "roles": ["officer"]})
    assert response.status_code == 422
    client.post(f"/admin/people/{admin.id}/deactivate")
    db.session.expire_all()
    assert user("admin").is_active and user("admin").has_role(user("admin").roles.pop())
    with pytest.raises(ValidationFailed):
        organizations.set_active(db.session, user("admin"), False, actor=None)


def test_a_deactivated_person_cannot_sign_in_and_is_signed_out(users, app):
    legal_client = app.test_client()
    login(legal_client, "legal")
    assert legal_client.get("/inbox").status_code == 200
    client = admin_client(app)
    response = client.post(f"/admin/people/{users['legal'].id}/deactivate", follow_redirects=True)
    assert "ระงับการใช้งานบัญชี" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not user("legal").is_active
    assert legal_client.get("/inbox").status_code == 302  # the open session is gone
    response = login(app.test_client(), "legal")
    assert response.status_code == 200 and "ไม่ถูกต้อง" in response.get_data(as_text=True)
    assert app.test_client().post("/api/v1/auth/token",
                                  json={"username": "legal", "password": PASSWORD}).status_code == 401
    assert admin_events("admin.deactivate_user")
    # And back.
    client.post(f"/admin/people/{users['legal'].id}/activate")
    assert login(app.test_client(), "legal").status_code == 302
    assert admin_events("admin.activate_user")


def test_deactivated_person_keeps_their_signatures_but_gets_no_new_steps(users, app):
    memo = memo_in("review_deputy")  # head has signed
    client = admin_client(app)
    response = client.post(f"/admin/people/{users['head'].id}/deactivate", follow_redirects=True)
    assert "ยังอยู่ในสายการลงนาม" in response.get_data(as_text=True)
    db.session.expire_all()
    act(memo, "deputy", "forward", comment="เห็นควรอนุมัติ")
    act(memo, "mayor", "order", decision="approve")
    assert memo.state is MemoState.DECIDED
    head_step = next(s for s in memo.steps if s.assignee_id == users["head"].id)
    assert head_step.status is StepStatus.DONE and head_step.signed_at is not None
    # A new memo cannot start a chain that names the deactivated head ...
    fresh = memos.create_memo(db.session, user("legal"), {
        "department": "สำนักปลัด", "date": "2024-05-02", "subject": "ทดสอบ", "addressee": "นายก",
        "sections": [{"title": "เรื่องเดิม", "body": "ข้อความ"}], "closing": "จึงเรียนมาเพื่อโปรดทราบ"})
    db.session.commit()
    with pytest.raises(DomainError):
        memos.act(db.session, fresh, user("legal"), "submit", password=PASSWORD)
    db.session.rollback()
    # ... and the chain editor will not name them.
    org = users["admin"].organization
    rows = [("ความเห็นหัวหน้า", "opinion", users["head"].id, ""), ("คำสั่งนายก", "order", users["mayor"].id, "")]
    assert client.post("/admin/chain", data=chain_form(rows)).status_code == 422
    assert next(s.assignee_id for s in db.session.get(Organization, org.id).chain) == users["head"].id


def test_an_admin_cannot_deactivate_themself(users, app):
    client = admin_client(app)
    response = client.post(f"/admin/people/{users['admin'].id}/deactivate", follow_redirects=True)
    assert "ตนเอง" in response.get_data(as_text=True)
    db.session.expire_all()
    assert user("admin").is_active


def test_reset_password_forces_a_change_before_any_other_page(users, app):
    legal_client = app.test_client()
    login(legal_client, "legal")
    client = admin_client(app)
    response = client.post(f"/admin/people/{users['legal'].id}/reset-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert admin_events("admin.reset_password")
    assert legal_client.get("/inbox").status_code == 302  # old sessions end
    assert login(app.test_client(), "legal").status_code == 200  # the old password is dead

    own = app.test_client()
    assert login(own, "legal", password).headers["Location"].endswith("/profile")
    for url in ["/inbox", "/memos", "/memos/new", "/admin/my-signature"]:
        response = own.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/profile"), url
    assert own.get("/profile").status_code == 200
    response = own.post("/profile", data={"current_password": password, "new_password": "a-brand-new-pass-9",
                                          "confirm_password": "a-brand-new-pass-9"})
    assert response.status_code == 302
    assert own.get("/inbox").status_code == 200
    db.session.expire_all()
    assert not user("legal").must_change_password


def test_signature_upload_by_the_admin(users, app):
    client = admin_client(app)
    legal = users["legal"]
    base = {"full_name": legal.full_name, "position": legal.position, "roles": ["officer"]}
    response = client.post(f"/admin/people/{legal.id}", data={**base, "signature": upload(b"GIF89a...", "s.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    response = client.post(f"/admin/people/{legal.id}", data={**base, "signature": upload(png_bytes(), "s.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    stored = user("legal").signature_png
    assert stored.startswith(b"\x89PNG")
    assert client.get(f"/admin/people/{legal.id}/signature.png").data == stored
    assert printing.memo_print_dict(reference_memo())["author"]["signature_path"]
    client.post(f"/admin/people/{legal.id}", data={**base, "remove_signature": "y"})
    db.session.expire_all()
    assert user("legal").signature_png is None
    assert admin_events("admin.remove_signature")


def test_anyone_uploads_their_own_signature(users, app, client):
    login(client, "head")
    response = client.post("/admin/my-signature", data={"signature": upload(b"not an image", "s.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    response = client.post("/admin/my-signature", data={"signature": upload(png_bytes(fmt="JPEG"), "s.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert Image.open(io.BytesIO(user("head").signature_png)).format == "PNG"
    assert client.get("/admin/my-signature.png").data == user("head").signature_png
    [event] = admin_events("admin.set_signature")
    assert event.actor_id == users["head"].id
    assert client.post("/admin/my-signature", data={}).status_code == 422


# --- the chain ------------------------------------------------------------------------------

def test_chain_editor_saves_the_chain_without_an_acting_line(users, app):
    """The free-text acting line went away: a stand-in is an appointment (the page says where)."""
    client = admin_client(app)
    rows = [("ความเห็นหัวหน้าสำนักปลัด", "opinion", users["head"].id, ""),
            ("คำสั่ง", "order", users["deputy"].id, "ปฏิบัติราชการแทนนายกองค์การบริหารส่วนตำบลขอนหาด")]
    assert client.post("/admin/chain", data=chain_form(rows)).status_code == 302
    org = db.session.get(Organization, users["admin"].organization_id)
    db.session.refresh(org)
    assert [(s.title, s.kind.value, s.assignee_id) for s in org.chain] == [(t, k, a) for t, k, a, _ in rows]
    [event] = admin_events("admin.set_chain")
    assert event.actor_id == users["admin"].id
    page = client.get("/admin/chain").get_data(as_text=True)
    assert "ปฏิบัติราชการแทนนายกองค์การบริหารส่วนตำบลขอนหาด" not in page and "steps-0-acting" not in page
    assert 'id="chain-acting-note"' in page and "/admin/appointments" in page


@pytest.mark.parametrize("rows, key", [
    ([], "chain"),
    ([("ความเห็น", "opinion", "head", "")], "chain"),  # no order step
    ([("คำสั่ง", "order", "mayor", ""), ("ความเห็น", "opinion", "head", "")], "chain"),  # order not last
    ([("คำสั่ง", "order", "deputy", ""), ("คำสั่ง", "order", "mayor", "")], "chain"),  # two orders
    ([("", "opinion", "head", ""), ("คำสั่ง", "order", "mayor", "")], "chain.0.title"),
    ([("ความเห็น", "opinion", "org2.head", ""), ("คำสั่ง", "order", "mayor", "")], "chain.0.assignee"),
    ([("ความเห็น", "opinion", "", ""), ("คำสั่ง", "order", "mayor", "")], "chain.0.assignee"),
    ([("ความเห็น", "sideways", "head", ""), ("คำสั่ง", "order", "mayor", "")], "chain.0.kind"),
])
def test_invalid_chains_are_refused(users, app, rows, key):
    client = admin_client(app)
    before = [(s.title, s.assignee_id) for s in users["admin"].organization.chain]
    form = chain_form([(t, k, users[a].id if a else "", acting) for t, k, a, acting in rows])
    response = client.post("/admin/chain", data=form)
    assert response.status_code == 422
    with pytest.raises(ValidationFailed) as exc:
        organizations.set_chain_rows(db.session, users["admin"].organization,
                                     [{"title": t, "kind": k, "assignee_id": users[a].id if a else "",
                                       "acting": acting} for t, k, a, acting in rows])
    assert key in exc.value.fields
    db.session.rollback()
    db.session.expire_all()
    assert [(s.title, s.assignee_id) for s in db.session.get(Organization, users["admin"].organization_id).chain] \
        == before


def test_chain_commands_and_preview_without_javascript(users, app):
    client = admin_client(app)
    rows = [("ความเห็นหัวหน้า", "opinion", users["head"].id, ""),
            ("คำสั่งนายก", "order", users["mayor"].id, "รักษาราชการแทนนายกองค์การบริหารส่วนตำบล")]
    page = client.post("/admin/chain", data={**chain_form(rows), "chain_cmd": "preview"}).get_data(as_text=True)
    preview = page[page.index("data-chain-preview>"):]
    assert preview.index("ความเห็นหัวหน้า") < preview.index("คำสั่งนายก")
    assert f"({users['mayor'].full_name})" in preview and users["mayor"].position in preview
    assert "รักษาราชการแทนนายกองค์การบริหารส่วนตำบล" not in preview and "......" in preview
    page = client.post("/admin/chain", data={**chain_form(rows), "chain_cmd": "up:1"}).get_data(as_text=True)
    preview = page[page.index("data-chain-preview>"):]
    assert preview.index("คำสั่งนายก") < preview.index("ความเห็นหัวหน้า")
    page = client.post("/admin/chain", data={**chain_form(rows), "chain_cmd": "add"}).get_data(as_text=True)
    assert 'name="steps-2-title"' in page
    page = client.post("/admin/chain", data={**chain_form(rows), "chain_cmd": "remove:0"}).get_data(as_text=True)
    assert 'name="steps-1-title"' not in page and "ความเห็นหัวหน้า" not in page.split("<template")[0]
    assert not admin_events("admin.set_chain")  # nothing is saved by a command


def test_preview_blocks_match_the_printed_memo(users):
    """The preview shows what pdf/memo.html prints for an unsigned step: heading, (name), position."""
    from approval.web.admin import preview_blocks

    org = users["admin"].organization
    people = {u.id: u for u in users.values()}
    rows = [{"title": s.title, "kind": s.kind.value, "assignee_id": s.assignee_id} for s in org.chain]
    blocks = preview_blocks(rows, people)
    printed = printing.memo_print_dict(memo_in("review_head"))["steps"]
    assert [(b["title"], b["full_name"], b["position"]) for b in blocks] == [
        (s["title"], s["signer"]["full_name"], s["signer"]["position"]) for s in printed]
    assert all(s["acting"] is None and s["capacity"] is None for s in printed)


def test_memos_in_flight_keep_their_chain(users, app):
    memo = memo_in("review_head")
    before = [(s.seq, s.title, s.assignee_id) for s in memo.steps]
    client = admin_client(app)
    rows = [("ความเห็นปลัด", "opinion", users["deputy"].id, ""), ("คำสั่ง", "order", users["mayor"].id, "")]
    assert client.post("/admin/chain", data=chain_form(rows)).status_code == 302
    db.session.expire_all()
    memo = reference_memo()
    assert [(s.seq, s.title, s.assignee_id) for s in memo.steps] == before
    act(memo, "head", "forward", comment="เห็นควรเสนอ")  # still head's turn on the old chain
    assert memo.pending_assignee_id == users["deputy"].id


# --- the admin log ----------------------------------------------------------------------------

def test_records_officer_reads_the_admin_log(users, app, client):
    admin = admin_client(app)
    admin.post(f"/admin/people/{users['legal'].id}/reset-password")
    admin.post("/admin/settings", data=settings_form(users["admin"].organization, digits="arabic"))
    login(client, "records")
    page = client.get("/admin/log").get_data(as_text=True)
    assert "ตั้งรหัสผ่านใหม่" in page and "แก้ไขการตั้งค่าหน่วยงาน" in page and "legal" in page
    assert "เปลี่ยน: ตัวเลขในเอกสาร" in page and "digits" not in page  # the field by its Thai label
    assert users["admin"].full_name in page
    assert client.get("/admin/settings").status_code == 403
    other = app.test_client()
    login(other, "org2.legal")
    assert other.get("/admin/log").status_code == 403


def test_admin_log_shows_only_this_organisation(users, app):
    organizations.reset_password(db.session, users["org2.legal"], actor=users["org2.head"])
    db.session.commit()
    page = admin_client(app).get("/admin/log").get_data(as_text=True)
    assert "org2.legal" not in page


# --- behind a proxy -------------------------------------------------------------------------

def test_proxy_headers_are_trusted_only_when_configured(app):
    from flask import request
    from werkzeug.middleware.proxy_fix import ProxyFix

    from approval import create_app

    proxied = create_app({"APP_ENV": "testing", "SECRET_KEY": "x", "TRUST_PROXY": True,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(proxied.wsgi_app, ProxyFix)
    proxied.add_url_rule("/_where", "where", lambda: f"{request.scheme} {request.host} {request.remote_addr}")
    response = proxied.test_client().get("/_where", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "saraban.example.go.th", "X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "https saraban.example.go.th 203.0.113.9"
    assert not isinstance(app.wsgi_app, ProxyFix)  # not trusted unless configured


def test_the_admin_decides_whether_memos_offer_the_plan_report(users, app):
    """รายงานแนบ is offered where it belongs: an organisation setting the admin switches."""
    from approval.services import memos

    client = admin_client(app)
    org = users["admin"].organization
    fresh = memos.create_memo(db.session, users["legal"], {
        "department": "สำนักปลัด", "date": "2024-05-01", "subject": "ไม่มีรายงานแนบ", "addressee": "นายก",
        "sections": [{"title": "เรื่อง", "body": "ข้อความ"}], "closing": "จึงเรียนมา"})
    db.session.commit()
    legal = app.test_client()
    login(legal, "legal")
    assert client.post("/admin/settings", data=settings_form(org)).status_code == 302  # box left unticked
    assert db.session.get(Organization, org.id).setting("plan_report") is False
    assert f"/memos/{fresh.id}/plan-report" not in legal.get(f"/memos/{fresh.id}").get_data(as_text=True)
    assert client.post("/admin/settings", data=settings_form(org, plan_report="y")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, org.id).setting("plan_report") is True
    assert f"/memos/{fresh.id}/plan-report" in legal.get(f"/memos/{fresh.id}").get_data(as_text=True)
    [*_, event] = admin_events("admin.update_settings")
    assert "plan_report" in event.data["changed"]
    assert 'id="plan_report"' in client.get("/admin/settings").get_data(as_text=True)
