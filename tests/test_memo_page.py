"""The memo page as a new official meets it: the front door, the author's card, errors shown
together, the return confirmed only after its reason passes, the Buddhist Era date, the
paragraphs as printed, the CSV header, and markup without repeated ids."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from approval import thai
from approval.errors import ConfirmationFailed, ValidationFailed
from approval.extensions import db
from approval.models import Memo, MemoState, Step
from approval.services import memos as memo_service
from tests.conftest import PASSWORD
from tests.helpers import user
from tests.test_pages import act, client_for, memo_form, memo_state


@pytest.fixture()
def clients(seeded):
    """username -> a signed-in test client (created on first use)."""
    cache: dict = {}

    def get(username: str):
        if username not in cache:
            cache[username] = client_for(seeded, username)
        return cache[username]

    return get


@pytest.fixture()
def memo_id(seeded, users):
    """The reference memo (a draft by legal, with its plan report)."""
    return db.session.scalar(sa.select(Memo.id).where(Memo.author_id == users["legal"].id))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _visible(html: str) -> str:
    """The page's text without tags, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the front door ----------------------------------------------------------------------

def test_the_front_door_welcomes_without_a_warning(seeded):
    client = seeded.test_client()
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = _text(client.get("/login"))
    assert "กรุณาเข้าสู่ระบบก่อนใช้งาน" not in page and "alert-warning" not in page
    assert "ยินดีต้อนรับสู่ระบบสารบรรณอิเล็กทรอนิกส์" in page
    # a deep link still says why it asks for a sign-in, and comes back after it
    response = client.get("/inbox")
    assert "next=" in response.headers["Location"]
    assert "กรุณาเข้าสู่ระบบก่อนใช้งาน" in _text(client.get(response.headers["Location"]))


# --- the author's card --------------------------------------------------------------------

def test_before_submitting_the_author_sees_who_will_sign_in_order(clients, memo_id):
    page = _text(clients("legal").get(f"/memos/{memo_id}"))
    signers = page[page.index('id="signers"'):page.index("</ol>", page.index('id="signers"'))]
    names = [user(u).full_name for u in ("head", "deputy", "mayor")]
    positions = [signers.index(name) for name in names]
    assert positions == sorted(positions), signers
    assert "ถึงลำดับของท่าน" not in page
    assert memo_service.chain_for(db.session, db.session.get(Memo, memo_id))[0].assignee.username == "head"


def test_after_submitting_the_card_says_where_the_memo_is(clients, memo_id):
    legal = clients("legal")
    act(legal, memo_id, "submit")
    page = _text(legal.get(f"/memos/{memo_id}"))
    assert "ถึงลำดับของท่าน" not in page
    where = _visible(page[page.index('id="whereabouts"'):page.index("</section>", page.index('id="whereabouts"'))])
    assert "หนังสืออยู่ที่" in where and user("head").full_name in where
    assert "รอพิจารณาตั้งแต่" in where
    assert "ดึงหนังสือกลับมาแก้ไข" in where and "btn-sm btn-outline-secondary" in page  # secondary


def test_steps_after_the_returning_one_were_not_reached(clients, memo_id):
    act(clients("legal"), memo_id, "submit")
    response = act(clients("head"), memo_id, "return", comment="กรุณาแก้ไขตัวเลข", password=PASSWORD)
    assert response.status_code == 302
    page = _text(clients("legal").get(f"/memos/{memo_id}"))
    chain = page[page.index("สายการลงนาม"):page.index("ประวัติการดำเนินการ")]
    assert "รอลำดับ" not in chain
    assert chain.count("ไม่ถึงลำดับ") == 2  # the deputy and the mayor
    assert "ส่งคืนแก้ไข" in chain


# --- errors all at once ----------------------------------------------------------------------

def test_a_wrong_password_and_an_empty_opinion_are_reported_together(clients, memo_id):
    act(clients("legal"), memo_id, "submit")
    response = act(clients("head"), memo_id, "forward", comment="", password="not-the-password")
    assert response.status_code == 422
    page = _text(response)
    assert "กรุณากรอกความเห็น" in page and "รหัสผ่านยืนยันการลงนามไม่ถูกต้อง" in page
    assert 'id="comment-forward-error"' in page and 'id="password-forward-error"' in page
    assert memo_state(memo_id) is MemoState.IN_REVIEW


def test_what_was_typed_is_kept_but_the_password(clients, memo_id):
    act(clients("legal"), memo_id, "submit")
    response = act(clients("head"), memo_id, "forward", comment="เห็นควรเสนอ\nบรรทัดที่สอง", password="wrong-one")
    page = _text(response)
    assert response.status_code == 403
    assert "เห็นควรเสนอ\nบรรทัดที่สอง</textarea>" in page
    assert "wrong-one" not in page


def test_the_order_reports_a_missing_decision_with_the_password(clients, memo_id):
    act(clients("legal"), memo_id, "submit")
    act(clients("head"), memo_id, "forward", comment="เห็นควร", password=PASSWORD)
    act(clients("deputy"), memo_id, "forward", comment="เห็นชอบ", password=PASSWORD)
    response = act(clients("mayor"), memo_id, "order", comment="", password="wrong")
    page = _text(response)
    assert response.status_code == 422
    assert "กรุณาเลือกคำสั่ง" in page and "รหัสผ่านยืนยันการลงนามไม่ถูกต้อง" in page


def test_the_service_checks_input_and_password_together(seeded):
    memo = memo_service.get_memo(db.session, user("legal"), db.session.scalar(sa.select(Memo.id)))
    memo_service.act(db.session, memo, user("legal"), "submit")
    db.session.commit()  # the password throttle writes on a connection of its own
    with pytest.raises(ValidationFailed) as caught:
        memo_service.act(db.session, memo, user("head"), "forward", comment=" ", password="nope")
    assert set(caught.value.fields) == {"comment", "password"}
    assert caught.value.message == "กรุณากรอกความเห็น และรหัสผ่านยืนยันการลงนามไม่ถูกต้อง"
    db.session.rollback()
    with pytest.raises(ConfirmationFailed):  # the opinion is fine: the password alone
        memo_service.act(db.session, memo, user("head"), "forward", comment="เห็นควร", password="nope")
    db.session.rollback()
    with pytest.raises(ValidationFailed) as caught:  # the password is right: the opinion alone
        memo_service.act(db.session, memo, user("head"), "forward", comment="", password=PASSWORD)
    assert set(caught.value.fields) == {"comment"}
    db.session.rollback()


# --- the return: the reason first, then the confirmation -----------------------------------

def test_the_return_asks_for_confirmation_only_once_the_reason_passes(clients, memo_id):
    act(clients("legal"), memo_id, "submit")
    head = clients("head")
    page = _text(head.get(f"/memos/{memo_id}"))
    form = page[page.index('value="return"'):]
    form = form[:form.index("</form>")]
    assert "data-confirm" not in page[page.rindex("<form", 0, page.index('value="return"')):page.index('value="return"')]
    assert 'name="stage" value="check"' in form and 'name="password"' not in form

    empty = act(head, memo_id, "return", stage="check", comment="  ")
    assert empty.status_code == 422
    assert "กรุณากรอกเหตุผลที่ส่งคืน" in _text(empty) and "return-confirm" not in _text(empty)

    checked = act(head, memo_id, "return", stage="check", comment="ตัวเลขงบประมาณไม่ตรงกัน")
    assert checked.status_code == 200
    page = _text(checked)
    assert "ยืนยันการส่งคืนหนังสือเพื่อแก้ไข" in page and "ตัวเลขงบประมาณไม่ตรงกัน" in page
    assert 'id="password-return"' in page
    assert memo_state(memo_id) is MemoState.IN_REVIEW  # nothing happened yet

    wrong = act(head, memo_id, "return", comment="ตัวเลขงบประมาณไม่ตรงกัน", password="wrong")
    assert wrong.status_code == 403
    assert "ยืนยันการส่งคืนหนังสือเพื่อแก้ไข" in _text(wrong)  # still the confirmation, reason kept
    back = act(head, memo_id, "return", stage="back", comment="ตัวเลขงบประมาณไม่ตรงกัน")
    assert "ตัวเลขงบประมาณไม่ตรงกัน</textarea>" in _text(back)

    done = act(head, memo_id, "return", comment="ตัวเลขงบประมาณไม่ตรงกัน", password=PASSWORD)
    assert done.status_code == 302
    assert memo_state(memo_id) is MemoState.RETURNED


def test_checking_a_return_refuses_someone_whose_turn_it_is_not(clients, memo_id):
    act(clients("legal"), memo_id, "submit")
    response = act(clients("deputy"), memo_id, "return", stage="check", comment="ไม่ใช่ลำดับของฉัน")
    assert response.status_code in (403, 409)
    assert "return-confirm" not in _text(response)


# --- the date as วัน/เดือน/ปี พ.ศ. ------------------------------------------------------------

@pytest.mark.parametrize("typed, day", [
    ("2/5/2567", dt.date(2024, 5, 2)), ("๒/๕/๒๕๖๗", dt.date(2024, 5, 2)), ("02-05-2567", dt.date(2024, 5, 2)),
    ("2 พฤษภาคม 2567", dt.date(2024, 5, 2)), ("2 พ.ค. 2567", dt.date(2024, 5, 2)),
    ("29/2/2567", dt.date(2024, 2, 29)), ("2024-05-02", dt.date(2024, 5, 2)),
])
def test_buddhist_era_dates_are_read(typed, day):
    assert thai.parse_be_date(typed) == day
    assert thai.parse_be_date(thai.be_date_text(day)) == day


@pytest.mark.parametrize("typed, says", [
    ("", "กรุณากรอกวันที่"), ("2/5/2024", "กรุณากรอกปีเป็น พ.ศ."), ("31/2/2567", "ไม่มีวันที่ 31 ในเดือนกุมภาพันธ์"),
    ("29/2/2566", "ไม่มีวันที่ 29"), ("2/13/2567", "เดือนต้องอยู่ระหว่าง"), ("พรุ่งนี้", "รูปแบบวันที่ไม่ถูกต้อง"),
    ("2 เดือนห้า 2567", "ไม่รู้จักชื่อเดือน"),
])
def test_bad_dates_are_refused_in_thai(typed, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        thai.parse_be_date(typed)


def test_the_form_shows_and_takes_buddhist_era_dates(clients, memo_id):
    legal = clients("legal")
    page = _text(legal.get(f"/memos/{memo_id}/edit"))
    assert re.search(r'id="date" name="date" value="\d{1,2}/\d{1,2}/25\d\d"', page), page[:200]
    assert 'type="date"' not in page
    response = legal.post("/memos/new", data=memo_form(date="2/5/2567"))
    assert response.status_code == 302
    new = db.session.scalar(sa.select(Memo).order_by(Memo.id.desc()))
    assert new.date == dt.date(2024, 5, 2)
    bad = legal.post("/memos/new", data=memo_form(date="31/4/2567"))
    assert bad.status_code == 422
    assert "ไม่มีวันที่ 31 ในเดือนเมษายน ปี พ.ศ. 2567" in _text(bad)
    assert 'value="31/4/2567"' in _text(bad)  # kept as typed


# --- the paper ----------------------------------------------------------------------------------

def test_every_paragraph_of_a_section_is_its_own_indented_paragraph(clients):
    legal = clients("legal")
    legal.post("/memos/new", data=memo_form(**{"sections-0-body": "ย่อหน้าแรก\nย่อหน้าที่สอง\n\nย่อหน้าที่สาม"}))
    new = db.session.scalar(sa.select(Memo).order_by(Memo.id.desc()))
    page = _text(legal.get(f"/memos/{new.id}"))
    paragraphs = re.findall(r'<p class="paper-body">([^<]*)</p>', page)
    assert paragraphs[:3] == ["ย่อหน้าแรก", "ย่อหน้าที่สอง", "ย่อหน้าที่สาม"]


# --- downloads and markup ------------------------------------------------------------------------

def test_csv_downloads_name_their_charset_once(clients, memo_id):
    register = clients("records").get("/archive/register.csv")
    assert register.status_code == 200
    assert register.headers["Content-Type"] == "text/csv; charset=utf-8"
    plan = clients("legal").get(f"/memos/{memo_id}/plan-report.csv")
    assert plan.status_code == 200
    assert plan.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("username, path", [
    ("legal", "/notifications"), ("admin", "/admin/people/{head}"), ("legal", "/memos/{memo}"),
])
def test_no_page_repeats_the_csrf_id(clients, memo_id, username, path):
    page = _text(clients(username).get(path.format(head=user("head").id, memo=memo_id)))
    assert page.count('name="csrf_token"') >= 1
    assert 'id="csrf_token"' not in page


def test_step_rows_are_unchanged_by_the_labels(seeded):
    """The not-reached label is the page's reading: the stored step keeps its status."""
    memo = db.session.scalar(sa.select(Memo))
    memo_service.act(db.session, memo, user("legal"), "submit")
    db.session.commit()
    memo_service.act(db.session, memo, user("head"), "return", comment="แก้ไข", password=PASSWORD)
    db.session.commit()
    statuses = [s.status.value for s in db.session.scalars(sa.select(Step).where(Step.memo_id == memo.id)
                                                            .order_by(Step.seq))]
    assert statuses == ["returned", "waiting", "waiting"]
