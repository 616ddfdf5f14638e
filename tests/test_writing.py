"""Writing helpers (issue 18, item 4): templates, untitled sections, the writer's division and the
chain's addressee as defaults, the return reason above the form, and what changed since the last round."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import sqlalchemy as sa

from approval.errors import NotFound, ValidationFailed
from approval.extensions import db
from approval.models import Event, Memo, MemoState, Organization, User
from approval.services import documents
from approval.services import memos as memo_service
from approval.writing import diff, service
from approval.writing.models import MemoTemplate
from tests.conftest import PASSWORD, login

KHONHAT = "องค์การบริหารส่วนตำบลขอนหาด"
OFFICE = "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด"
MAYOR = "นายกองค์การบริหารส่วนตำบลขอนหาด"
ONE_PARAGRAPH = ("ด้วยสำนักปลัดมีความประสงค์จะขออนุญาตใช้ห้องประชุมองค์การบริหารส่วนตำบลขอนหาด "
                 "ในวันที่ ๑๐ มิถุนายน ๒๕๖๗ เพื่อจัดประชุมคณะกรรมการชุมชน")


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def client_for(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.fixture()
def clients(seeded):
    cache: dict = {}

    def get(username: str):
        if username not in cache:
            cache[username] = client_for(seeded, username)
        return cache[username]

    return get


def text_of(response) -> str:
    return response.get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def memo_form(**overrides) -> dict:
    data = {"department": OFFICE, "date": "2024-06-03", "subject": "ขออนุญาตใช้ห้องประชุม",
            "addressee": MAYOR, "sections-0-title": "", "sections-0-body": ONE_PARAGRAPH,
            "closing": "จึงเรียนมาเพื่อโปรดพิจารณาอนุญาต", "save": "1"}
    data.update(overrides)
    return data


def new_memo_id(client, **overrides) -> int:
    response = client.post("/memos/new", data=memo_form(**overrides))
    assert response.status_code == 302, text_of(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def act(client, memo_id: int, action: str, comment: str = "") -> None:
    response = client.post(f"/memos/{memo_id}/action",
                           data={"action": action, "comment": comment, "password": PASSWORD})
    assert response.status_code == 302, text_of(response)


def admin_events(action: str) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.action == action).order_by(Event.id)))


# --- the diff ----------------------------------------------------------------------------

def test_the_diff_marks_whole_thai_words_not_letters():
    pieces = diff.diff_text("ขออนุมัติจัดซื้อวัสดุสำนักงาน จำนวน ๕ รายการ",
                            "ขออนุมัติจัดซื้อวัสดุคอมพิวเตอร์ จำนวน ๖ รายการ")
    assert pieces == [("equal", "ขออนุมัติจัดซื้อวัสดุ"), ("delete", "สำนักงาน"), ("insert", "คอมพิวเตอร์"),
                      ("equal", " จำนวน "), ("delete", "๕"), ("insert", "๖"), ("equal", " รายการ")]
    # Joined, the pieces give back both texts.
    assert "".join(t for k, t in pieces if k != "insert") == "ขออนุมัติจัดซื้อวัสดุสำนักงาน จำนวน ๕ รายการ"
    assert "".join(t for k, t in pieces if k != "delete") == "ขออนุมัติจัดซื้อวัสดุคอมพิวเตอร์ จำนวน ๖ รายการ"
    assert diff.diff_text("เหมือนเดิม", "เหมือนเดิม") == [("equal", "เหมือนเดิม")]
    assert diff.diff_text("", "") == []


def test_sections_are_aligned_before_they_are_compared():
    old = [{"title": "เรื่องเดิม", "body": "ตามที่ได้รับแจ้ง"}, {"title": "ข้อเสนอ", "body": "เห็นควรอนุมัติ"}]
    new = [{"title": "", "body": "ความเป็นมาโดยย่อ"}, {"title": "เรื่องเดิม", "body": "ตามที่ได้รับแจ้ง"},
           {"title": "ข้อเสนอ", "body": "เห็นควรอนุมัติให้ดำเนินการ"}]
    changes = diff.diff_sections(old, new)
    assert [(c.status, c.number) for c in changes] == [("added", 1), ("same", 2), ("changed", 3)]
    assert changes[2].body == [("equal", "เห็นควรอนุมัติ"), ("insert", "ให้ดำเนินการ")]
    removed = diff.diff_sections(old, old[:1])
    assert [(c.status, c.number) for c in removed] == [("same", 1), ("removed", None)]
    assert removed[1].title == [("delete", "ข้อเสนอ")]


def test_a_very_long_text_is_compared_line_by_line(monkeypatch):
    monkeypatch.setattr(diff, "TOKENS_MAX", 3)
    pieces = diff.diff_text("บรรทัดแรก\nบรรทัดสอง\n", "บรรทัดแรก\nบรรทัดใหม่\n")
    assert pieces == [("equal", "บรรทัดแรก\n"), ("delete", "บรรทัดสอง\n"), ("insert", "บรรทัดใหม่\n")]


# --- defaults: ส่วนราชการ from the writer's division, เรียน from the chain's order step ---------

def test_default_addressee_is_the_order_steps_holder(seeded):
    org = user("legal").organization
    assert memo_service.default_addressee(org) == MAYOR
    # A chain given explicitly (the chosen chain): its order step, whatever the organisation's is.
    head = next(s for s in org.chain if s.assignee.username == "head")
    org2_mayor = user("org2.mayor")

    class Link:
        def __init__(self, kind, assignee):
            self.kind, self.assignee = kind, assignee

    from approval.models import StepKind
    chosen = [Link(StepKind.OPINION, head.assignee), Link(StepKind.ORDER, org2_mayor)]
    assert memo_service.default_addressee(org, chosen) == org2_mayor.position

    class Chain:
        steps = chosen

    assert memo_service.default_addressee(org, Chain()) == org2_mayor.position
    assert memo_service.default_addressee(org, []) == ""


def test_default_department_is_the_writers_division_else_the_organisation(seeded):
    legal, deputy = user("legal"), user("deputy")
    assert legal.division == OFFICE  # the demo sets it
    assert memo_service.default_department(legal) == OFFICE
    assert deputy.division == "" and memo_service.default_department(deputy) == KHONHAT


def test_set_division_checks_and_records_an_administrators_change(seeded):
    legal, admin = user("legal"), user("admin")
    assert service.set_division(db.session, legal, "  กองคลัง องค์การบริหารส่วนตำบลขอนหาด ") is True
    assert legal.division == "กองคลัง องค์การบริหารส่วนตำบลขอนหาด"
    assert admin_events("admin.update_user") == []  # one's own setting is not an admin change
    assert service.set_division(db.session, legal, legal.division) is False
    with pytest.raises(ValidationFailed) as refused:
        service.set_division(db.session, legal, "ก" * 301)
    assert "division" in refused.value.fields
    with pytest.raises(ValidationFailed):
        service.set_division(db.session, legal, "กอง\x00คลัง")
    service.set_division(db.session, legal, "กองช่าง", actor=admin)
    [event] = admin_events("admin.update_user")
    assert event.data["changed"] == {"division": "กองช่าง"} and event.actor_id == admin.id


def test_new_memo_fields_from_a_template_and_the_defaults(seeded):
    legal = user("legal")
    blank = service.new_memo_fields(db.session, legal)
    assert blank["department"] == OFFICE and blank["addressee"] == MAYOR
    assert blank["sections"] == [{"title": "", "body": ""}] and blank["closing"] == "จึงเรียนมาเพื่อโปรดทราบ"
    templates = {t.name: t for t in service.list_templates(db.session, legal.organization_id)}
    meeting = service.new_memo_fields(db.session, legal, templates["ขอเชิญประชุมหัวหน้าส่วนราชการ"])
    assert meeting["addressee"] == "หัวหน้าส่วนราชการทุกส่วน"  # the template's own addressee
    assert all(s["title"] == "" for s in meeting["sections"])
    purchase = service.new_memo_fields(db.session, legal, templates["ขออนุมัติจัดซื้อวัสดุ"])
    assert purchase["addressee"] == MAYOR  # left empty in the template: the chain's order step
    assert [s["title"] for s in purchase["sections"]] == ["เรื่องเดิม", "ข้อเท็จจริง", "ข้อระเบียบกฎหมาย", "ข้อเสนอ"]
    assert purchase["closing"] == "จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ"


# --- templates: the service --------------------------------------------------------------

def test_the_demo_has_templates_of_the_three_categories_and_seeding_twice_adds_none(seeded):
    from approval.cli import seed_demo

    org = user("legal").organization
    categories = {t.category for t in service.list_templates(db.session, org.id)}
    assert {"ขออนุมัติ", "ขอเชิญประชุม", "รายงานผล"} <= categories
    before = db.session.scalar(sa.select(sa.func.count(MemoTemplate.id)))
    seed_demo(PASSWORD)
    assert db.session.scalar(sa.select(sa.func.count(MemoTemplate.id))) == before
    # The second organisation has none of them.
    assert service.list_templates(db.session, user("org2.legal").organization_id) == []


def test_templates_are_checked_and_every_change_is_in_the_admin_log(seeded):
    admin = user("admin")
    org = admin.organization
    data = {"category": "รายงานผล", "name": "รายงานการไปราชการ", "subject": "รายงานผลการเดินทางไปราชการ",
            "addressee": "", "closing": "", "sections": [{"title": "", "body": "ตามที่ข้าพเจ้าได้รับอนุญาต ......"},
                                                         {"title": "", "body": ""}]}
    template = service.create_template(db.session, org, data, actor=admin)
    assert template.sections == [{"title": "", "body": "ตามที่ข้าพเจ้าได้รับอนุญาต ......"}]  # the empty one dropped
    [created] = admin_events("admin.create_template")
    assert created.data["template_id"] == template.id and created.memo_id is None
    with pytest.raises(ValidationFailed) as refused:
        service.create_template(db.session, org, data)
    assert refused.value.fields == {"name": "มีแม่แบบชื่อนี้อยู่แล้ว"}
    with pytest.raises(ValidationFailed) as refused:
        service.create_template(db.session, org, {"category": "", "name": " ", "sections": [{"title": "", "body": ""}]})
    assert set(refused.value.fields) == {"category", "name", "sections"}
    with pytest.raises(ValidationFailed) as refused:
        service.create_template(db.session, org, {**data, "name": "อื่น", "sections": [{"title": 1, "body": "x"}]})
    assert "sections.0.title" in refused.value.fields
    service.update_template(db.session, template, {**data, "closing": "จึงเรียนมาเพื่อโปรดทราบ"}, actor=admin)
    [updated] = admin_events("admin.update_template")
    assert updated.data["changed"] == {"template_closing": True}
    service.update_template(db.session, template, {**data, "closing": "จึงเรียนมาเพื่อโปรดทราบ"}, actor=admin)
    assert len(admin_events("admin.update_template")) == 1  # nothing changed, nothing logged
    service.delete_template(db.session, template, actor=admin)
    assert admin_events("admin.delete_template")[0].data["name"] == "รายงานการไปราชการ"
    from approval.services import audit
    db.session.commit()
    assert audit.verify_chain(db.session) == []


def test_another_organisations_template_is_not_found(seeded):
    template = service.list_templates(db.session, user("legal").organization_id)[0]
    with pytest.raises(NotFound):
        service.get_template(db.session, user("org2.legal").organization_id, template.id)
    with pytest.raises(NotFound):
        service.get_template(db.session, template.organization_id, "abc")


# --- templates: the pages ---------------------------------------------------------------

def test_the_admin_creates_edits_and_deletes_a_template(clients):
    admin = clients("admin")
    listing = admin.get("/admin/memo-templates")
    assert listing.status_code == 200 and "ขออนุมัติจัดซื้อวัสดุ" in text_of(listing)
    assert admin.get("/admin/memo-templates/new").status_code == 200
    form = {"category": "ขอเชิญประชุม", "name": "ขอเชิญประชุมประจำเดือน", "subject": "ขอเชิญประชุมประจำเดือน",
            "addressee": "", "sections-0-title": "", "sections-0-body": "ด้วยกำหนดประชุมประจำเดือน ......",
            "closing": "จึงเรียนมาเพื่อโปรดทราบ", "save": "1"}
    # Adding a section without JavaScript shows the form again with one more.
    more = admin.post("/admin/memo-templates/new", data={**form, "section_cmd": "add"})
    assert more.status_code == 200 and 'name="sections-1-body"' in text_of(more)
    bad = admin.post("/admin/memo-templates/new", data={**form, "name": ""})
    assert bad.status_code == 422 and "กรุณากรอกข้อมูล" in text_of(bad)
    assert admin.post("/admin/memo-templates/new", data=form).status_code == 302
    template = db.session.scalar(sa.select(MemoTemplate).where(MemoTemplate.name == "ขอเชิญประชุมประจำเดือน"))
    assert template.sections == [{"title": "", "body": "ด้วยกำหนดประชุมประจำเดือน ......"}]
    page = admin.get(f"/admin/memo-templates/{template.id}")
    assert page.status_code == 200 and "ด้วยกำหนดประชุมประจำเดือน" in text_of(page)
    edited = admin.post(f"/admin/memo-templates/{template.id}", data={**form, "subject": "ขอเชิญประชุมประจำเดือนมิถุนายน"})
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(MemoTemplate, template.id).subject == "ขอเชิญประชุมประจำเดือนมิถุนายน"
    log = text_of(admin.get("/admin/log"))
    assert "เพิ่มแม่แบบบันทึกข้อความ" in log and "แก้ไขแม่แบบบันทึกข้อความ" in log
    assert admin.post(f"/admin/memo-templates/{template.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(MemoTemplate, template.id) is None
    assert "ลบแม่แบบบันทึกข้อความ" in text_of(admin.get("/admin/log"))


def test_template_pages_are_for_this_organisations_administrators_only(clients):
    template = service.list_templates(db.session, user("legal").organization_id)[0]
    legal = clients("legal")
    assert legal.get("/admin/memo-templates").status_code == 403
    assert legal.get(f"/admin/memo-templates/{template.id}").status_code == 403
    assert legal.post(f"/admin/memo-templates/{template.id}/delete").status_code == 403
    # Another organisation's administrator: 404, and the template is untouched.
    org2 = user("org2.legal").organization
    service.create_template(db.session, org2, {"category": "รายงานผล", "name": "ของนาเคียน",
                                               "sections": [{"title": "", "body": "ข้อความ"}]})
    db.session.commit()
    admin = clients("admin")
    other = db.session.scalar(sa.select(MemoTemplate).where(MemoTemplate.organization_id == org2.id))
    assert admin.get(f"/admin/memo-templates/{other.id}").status_code == 404
    assert admin.post(f"/admin/memo-templates/{other.id}/delete").status_code == 404
    assert admin.post(f"/admin/memo-templates/{other.id}", data={"name": "x"}).status_code == 404
    assert "ของนาเคียน" not in text_of(admin.get("/admin/memo-templates"))
    assert clients("legal").get(f"/memos/new?template={other.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(MemoTemplate, other.id).name == "ของนาเคียน"


def test_a_new_memo_starts_from_a_template_and_the_defaults(clients):
    legal = clients("legal")
    blank = text_of(legal.get("/memos/new"))
    assert "เริ่มจากแม่แบบ" in blank and "ขออนุญาตไปราชการ" in blank
    assert f'value="{OFFICE}"' in blank and f'value="{MAYOR}"' in blank
    template = db.session.scalar(sa.select(MemoTemplate).where(MemoTemplate.name == "ขออนุญาตไปราชการ"))
    page = legal.get(f"/memos/new?template={template.id}")
    body = text_of(page)
    assert page.status_code == 200
    assert 'value="ขออนุญาตเดินทางไปราชการ"' in body and "ด้วยข้าพเจ้า (ชื่อ-สกุล)" in body
    assert 'value="จึงเรียนมาเพื่อโปรดพิจารณาอนุญาต"' in body
    assert 'id="sections-0-title" name="sections-0-title" value=""' in body
    assert legal.get("/memos/new?template=999999").status_code == 404
    assert legal.get("/memos/new?template=abc").status_code == 404
    # The deputy has no division: the organisation's name.
    assert f'value="{KHONHAT}"' in text_of(clients("deputy").get("/memos/new"))


def test_the_writer_sets_their_division_and_the_admin_on_the_person_page(clients):
    legal = clients("legal")
    assert "ส่วนราชการ (สังกัด) ของท่าน" in text_of(legal.get("/profile"))
    response = legal.post("/profile/division", data={"division": "กองคลัง องค์การบริหารส่วนตำบลขอนหาด"})
    assert response.status_code == 302
    db.session.expire_all()
    assert user("legal").division == "กองคลัง องค์การบริหารส่วนตำบลขอนหาด"
    assert 'value="กองคลัง องค์การบริหารส่วนตำบลขอนหาด"' in text_of(legal.get("/memos/new"))
    too_long = legal.post("/profile/division", data={"division": "ก" * 301}, follow_redirects=True)
    assert "ยาวได้ไม่เกิน 300 ตัวอักษร" in text_of(too_long)
    db.session.expire_all()
    assert user("legal").division == "กองคลัง องค์การบริหารส่วนตำบลขอนหาด"
    admin = clients("admin")
    legal_id = user("legal").id
    person = text_of(admin.get(f"/admin/people/{legal_id}"))
    assert 'value="กองคลัง องค์การบริหารส่วนตำบลขอนหาด"' in person
    saved = admin.post(f"/admin/people/{legal_id}", data={
        "full_name": "นางสาวอนุศาสน์ อภัยรัตน์", "position": "นิติกร", "roles": ["officer"], "division": OFFICE})
    assert saved.status_code == 302
    db.session.expire_all()
    assert user("legal").division == OFFICE
    assert "ส่วนราชการ (สังกัด)" in text_of(admin.get("/admin/log"))


# --- untitled sections --------------------------------------------------------------------

def test_a_one_paragraph_memo_has_no_heading_and_no_number(clients):
    legal = clients("legal")
    memo_id = new_memo_id(legal)
    memo = db.session.get(Memo, memo_id)
    assert memo.sections == [{"title": "", "body": ONE_PARAGRAPH}]
    page = text_of(legal.get(f"/memos/{memo_id}"))
    paper = page[page.index('class="paper '):page.index("paper-closing")]
    assert ONE_PARAGRAPH in paper and "paper-section-untitled" in paper
    assert "๑." not in paper and 'class="fw-bold"' not in paper.split("paper-section")[1]
    printed = pdf_text(documents.pdf_for(memo)[0])
    flat = re.sub(r"\s+", "", printed)
    assert re.sub(r"\s+", "", ONE_PARAGRAPH)[:40] in flat
    assert "๑." not in printed  # no number at all: the date and ที่ are not yet given
    # The edit form shows the empty title as empty.
    form = text_of(legal.get(f"/memos/{memo_id}/edit"))
    assert 'id="sections-0-title" name="sections-0-title" value=""' in form


def test_only_titled_sections_are_numbered_on_the_page_and_on_paper(clients):
    legal = clients("legal")
    memo_id = new_memo_id(legal, **{
        "sections-0-title": "", "sections-0-body": "ความเป็นมาโดยย่อของเรื่องนี้",
        "sections-1-title": "ข้อเท็จจริง", "sections-1-body": "รายละเอียดข้อเท็จจริง",
        "sections-2-title": "ข้อเสนอ", "sections-2-body": "เห็นควรอนุญาต"})
    page = text_of(legal.get(f"/memos/{memo_id}"))
    assert "๑. ข้อเท็จจริง" in page and "๒. ข้อเสนอ" in page and "๓." not in page
    printed = pdf_text(documents.pdf_for(db.session.get(Memo, memo_id))[0])
    assert re.search(r"๑\.\s*ข้อเท็จจริง", printed) and re.search(r"๒\.\s*ข้อเสนอ", printed)
    assert not re.search(r"๓\.", printed)
    before = printed.index("ความเป็นมา")
    assert before < printed.index("ข้อเท็จจริง")


def test_a_section_without_a_body_is_still_refused(clients):
    response = clients("legal").post("/memos/new", data=memo_form(**{"sections-0-body": ""}))
    assert response.status_code == 422 and "กรุณากรอกข้อมูล" in text_of(response)


def test_the_api_takes_untitled_sections_and_fills_in_the_defaults(seeded, token_for):
    api = seeded.test_client()
    headers = {"Authorization": f"Bearer {token_for('legal')}"}
    response = api.post("/api/v1/memos", headers=headers, json={
        "date": "2024-06-03", "subject": "ขออนุญาตใช้ห้องประชุม", "sections": [{"body": ONE_PARAGRAPH}],
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา"})
    assert response.status_code == 201, response.get_json()
    memo = response.get_json()
    assert memo["department"] == OFFICE and memo["addressee"] == MAYOR
    assert memo["sections"] == [{"title": "", "body": ONE_PARAGRAPH}]
    patched = api.patch(f"/api/v1/memos/{memo['id']}", headers={**headers, "If-Match": str(memo["version"])},
                        json={"sections": [{"title": "", "body": "ย่อหน้าเดียว"}, {"title": "ข้อเสนอ", "body": "อนุญาต"}]})
    assert patched.status_code == 200 and patched.get_json()["sections"][0]["title"] == ""
    # Given explicitly empty, a required field is still required.
    empty = api.post("/api/v1/memos", headers=headers, json={
        "department": "", "date": "2024-06-03", "subject": "ก", "addressee": MAYOR,
        "sections": [{"title": "", "body": "ข"}], "closing": "ค"})
    assert empty.status_code == 422 and "department" in empty.get_json()["error"]["fields"]


# --- a returned memo: its reason above the form; the next signer sees what changed ---------

def test_the_return_reason_is_shown_above_the_edit_form(clients):
    legal, head = clients("legal"), clients("head")
    memo_id = new_memo_id(legal)
    assert "return-notice" not in text_of(legal.get(f"/memos/{memo_id}/edit"))  # a draft: nothing returned
    act(legal, memo_id, "submit")
    act(head, memo_id, "return", "กรุณาระบุเวลาที่ใช้ห้องประชุมให้ชัดเจน")
    form = text_of(legal.get(f"/memos/{memo_id}/edit"))
    notice = form[form.index('id="return-notice"'):form.index('class="memo-form"')]
    assert "กรุณาระบุเวลาที่ใช้ห้องประชุมให้ชัดเจน" in notice
    assert "นางสาวเย็นตา อภัยรัตน์" in notice and "ความเห็นหัวหน้าส่วนราชการ" in notice
    notice_data = service.return_notice(db.session.get(Memo, memo_id))
    assert notice_data.reason == "กรุณาระบุเวลาที่ใช้ห้องประชุมให้ชัดเจน" and notice_data.round == 1


def test_each_submission_keeps_its_text_and_the_next_signer_sees_the_changes(clients):
    legal, head = clients("legal"), clients("head")
    memo_id = new_memo_id(legal)
    act(legal, memo_id, "submit")
    [submit] = [e for e in db.session.get(Memo, memo_id).events if e.action == "submit"]
    assert submit.data["content"]["sections"] == [{"title": "", "body": ONE_PARAGRAPH}]
    assert "id=\"changes\"" not in text_of(head.get(f"/memos/{memo_id}"))  # the first round: nothing to compare
    act(head, memo_id, "return", "กรุณาระบุเวลา")
    edited = ONE_PARAGRAPH.replace("เพื่อจัดประชุม", "เวลา ๐๙.๐๐ - ๑๒.๐๐ น. เพื่อจัดประชุม")
    response = legal.post(f"/memos/{memo_id}/edit", data=memo_form(**{
        "subject": "ขออนุญาตใช้ห้องประชุมสภา", "sections-0-body": edited, "sections-1-title": "",
        "sections-1-body": "ทั้งนี้ ได้ประสานผู้ดูแลห้องประชุมแล้ว"}))
    assert response.status_code == 302
    # The author sees their edits against the returned text before they resubmit.
    mine = text_of(legal.get(f"/memos/{memo_id}"))
    assert "สิ่งที่แก้ไขแล้วจากฉบับที่ถูกส่งคืน" in mine
    act(legal, memo_id, "submit")
    page = text_of(head.get(f"/memos/{memo_id}"))
    card = page[page.index('id="changes"'):page.index('aria-label="บันทึกข้อความ"')]
    assert "สิ่งที่แก้ไขจากรอบที่ ๑" in card
    assert re.search(r'<ins class="diff-ins"><span class="visually-hidden">\[เพิ่ม: </span>สภา<', card)
    assert "เวลา ๐๙.๐๐ - ๑๒.๐๐ น. " in html_lib.unescape(card)
    assert "ส่วนที่ ๒ (เพิ่มใหม่)" in card and "ทั้งนี้ ได้ประสานผู้ดูแลห้องประชุมแล้ว" in card
    memo = db.session.get(Memo, memo_id)
    found = service.changes_since_last_round(memo)
    assert found.base_round == 1 and found.changes.changed
    assert [label for label, _ in found.changes.fields] == ["เรื่อง"]


def test_a_resubmission_without_changes_says_so_and_a_removed_word_is_struck(clients):
    legal, head = clients("legal"), clients("head")
    memo_id = new_memo_id(legal)
    act(legal, memo_id, "submit")
    act(head, memo_id, "return", "โปรดตรวจสอบ")
    act(legal, memo_id, "submit")
    page = text_of(head.get(f"/memos/{memo_id}"))
    assert 'id="changes-none"' in page
    act(head, memo_id, "return", "ตัดคำว่าคณะกรรมการออก")
    legal.post(f"/memos/{memo_id}/edit", data=memo_form(**{"sections-0-body": ONE_PARAGRAPH.replace("คณะกรรมการ", "")}))
    act(legal, memo_id, "submit")
    page = text_of(head.get(f"/memos/{memo_id}"))
    assert "สิ่งที่แก้ไขจากรอบที่ ๒" in page
    assert re.search(r'<del class="diff-del"><span class="visually-hidden">\[ลบ: </span>คณะกรรมการ<', page)


def test_memos_submitted_before_rounds_kept_their_text_show_no_changes(seeded):
    from tests.helpers import act as act_as
    from tests.helpers import reference_memo

    memo = reference_memo()
    act_as(memo, "legal", "submit")
    act_as(memo, "head", "return", comment="แก้ไข")
    submit = next(e for e in memo.events if e.action == "submit")
    assert "content" in submit.data
    # An older submit event, without the text: nothing to compare, and no error.
    db.session.execute(sa.update(Event).where(Event.id == submit.id).values(data={}))
    db.session.commit()
    db.session.expire_all()
    memo = db.session.get(Memo, memo.id)
    assert memo.state is MemoState.RETURNED and service.changes_since_last_round(memo) is None


def test_a_template_is_only_the_start_organisation_scoped(seeded):
    """Templates belong to an organisation: a count per organisation, never shared."""
    counts = dict(db.session.execute(sa.select(MemoTemplate.organization_id, sa.func.count())
                                     .group_by(MemoTemplate.organization_id)).all())
    khonhat = db.session.scalar(sa.select(Organization.id).where(Organization.name == KHONHAT))
    assert counts == {khonhat: 4}


def test_the_api_lists_this_organisations_templates(seeded, token_for):
    api = seeded.test_client()
    response = api.get("/api/v1/memo-templates", headers={"Authorization": f"Bearer {token_for('legal')}"})
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert {t["category"] for t in items} == {"ขออนุมัติ", "ขอเชิญประชุม", "รายงานผล"}
    travel = next(t for t in items if t["name"] == "ขออนุญาตไปราชการ")
    assert travel["sections"][0]["title"] == "" and travel["addressee"] == ""
    # A memo from the template: its fields as they are, the empty addressee left out.
    fields = {k: travel[k] for k in ("subject", "sections", "closing")}
    created = api.post("/api/v1/memos", headers={"Authorization": f"Bearer {token_for('legal')}"},
                       json={**fields, "date": "2024-06-03"})
    assert created.status_code == 201 and created.get_json()["addressee"] == MAYOR
    other = api.get("/api/v1/memo-templates", headers={"Authorization": f"Bearer {token_for('org2.legal')}"})
    assert other.get_json() == {"items": []}
    assert api.get("/api/v1/memo-templates").status_code == 401
