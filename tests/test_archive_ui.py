"""The archive as the records officer uses it: where the word matched, a one-letter typo
forgiven, "ตรวจสอบแล้ว ถูกต้อง" instead of a raw hash, the integrity page one click away, and
the register with the standard columns (จาก ถึง การปฏิบัติ)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from approval.extensions import db
from approval.models import Decision, Memo, MemoDocument, MemoState, Organization
from approval.services import archive_view, organizations, register, search
from approval.thai import be_year, thai_date, to_local, utcnow
from tests.conftest import PASSWORD, login
from tests.helpers import act, memo_in, user
from tests.markup import duplicate_ids, empty_options

THIS_YEAR = be_year(to_local(utcnow()).date())


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.fixture()
def decided(seeded):
    """The reference memo, decided (approve), its order text searchable."""
    memo = memo_in("review_mayor")
    act(memo, "mayor", "order", comment="อนุมัติตามเสนอ ให้ดำเนินการขุดลอกคลองต่อไป", decision="approve")
    return memo


# --- snippets: pure --------------------------------------------------------------------------

def test_a_snippet_marks_every_term_and_says_where():
    parts = [("เรื่อง", "ขออนุมัติจัดซื้อวัสดุ"),
             ("เนื้อความ", "ตามที่ " + "ก" * 80 + " สำนักปลัดขอจัดซื้อวัสดุสำนักงาน เพื่อใช้ในราชการ " + "ข" * 200)]
    snip = archive_view.snippet_of(parts, ["สำนักงาน", "วัสดุ"])
    assert snip.where == "เนื้อความ"
    assert "<mark>วัสดุ</mark><mark>สำนักงาน</mark>" in snip.html
    assert snip.html.startswith("…") and snip.html.endswith("…")  # cut on both sides
    assert len(Markup(snip.html).striptags()) < 200


def test_a_snippet_escapes_the_memo_and_the_query():
    parts = [("เนื้อความ", 'ข้อความ <script>alert("x")</script> & <b>ตัวหนา</b> ทุจริต')]
    snip = archive_view.snippet_of(parts, ["<script>"])
    html = str(snip.html)
    assert "<script>" not in html and "<b>" not in html
    assert "<mark>&lt;script&gt;</mark>alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    quote = archive_view.snippet_of([("เรื่อง", 'a"b<mark>c')], ['"b<mark>'])
    assert str(quote.html) == "a<mark>&#34;b&lt;mark&gt;</mark>c"


def test_a_snippet_never_separates_a_letter_from_its_marks():
    text = "ที่" * 60 + " ทุจริต " + "ที่" * 60
    html = str(archive_view.snippet_of([("เนื้อความ", text)], ["ทุจริต"]).html)
    body = html.strip("…")
    assert body[0] == "ท" and body[-1] == "่"  # starts at a consonant, ends after its tone mark


def test_no_terms_no_snippet():
    assert archive_view.snippet_of([("เรื่อง", "อะไร")], []) is None
    assert archive_view.snippet_of([("เรื่อง", "อะไร")], ["ไม่มี"]) is None


# --- one-letter typos: pure ----------------------------------------------------------------

@pytest.mark.parametrize("a, b, close", [
    ("ทุจริต", "ทุจริต", True), ("ทุจรติ", "ทุจริต", True),  # two neighbours swapped
    ("ทุจริด", "ทุจริต", True), ("ทุจริ", "ทุจริต", True), ("ทุจจริต", "ทุจริต", True),
    ("ทจรติ", "ทุจริต", False), ("abc", "cba", False), ("", "a", True), ("ab", "ba", True),
])
def test_within_one_edit(a, b, close):
    assert archive_view.within_one_edit(a, b) is close
    assert archive_view.within_one_edit(b, a) is close


def test_the_vocabulary_finds_words_one_letter_away():
    vocab = archive_view.Vocabulary()
    vocab.add_text("รายงานผลการดำเนินการตามแผนปฏิบัติการป้องกันการทุจริต\nขออนุมัติจัดซื้อวัสดุสำนักงาน")
    vocab.add_text("การทุจริตในวงราชการ")
    assert vocab.candidates("ทุจรติ")[0] == "ทุจริต"
    assert vocab.candidates("การทุจิต") == ["การทุจริต"]
    assert vocab.candidates("วัสดุ") == []  # a word of the vocabulary is not a typo of itself
    assert vocab.candidates("ราชการณ์") == []  # two letters away


# --- the archive page ----------------------------------------------------------------------

def test_the_archive_shows_where_the_word_matched(seeded, decided):
    html = signed_in(seeded, "records").get("/archive/", query_string={"q": "ขุดลอกคลอง"}).get_data(as_text=True)
    assert 'class="archive-snippet' in html
    assert "พบในความเห็น/คำสั่ง:" in html and "<mark>ขุดลอกคลอง</mark>" in html
    two = signed_in(seeded, "records").get("/archive/", query_string={"q": "ทุจริต ประจำปี"}).get_data(as_text=True)
    assert "พบในเรื่อง:" in two and "<mark>ทุจริต</mark>" in two and "<mark>ประจำปี</mark>" in two


def test_search_text_and_memo_text_cannot_inject_markup(seeded, decided):
    records = signed_in(seeded, "records")
    attack = '"><script>alert(1)</script>'
    html = records.get("/archive/", query_string={"q": attack}).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    # a memo whose text holds markup (the order is free text)
    memo = decided
    db.session.execute(sa.update(Memo).where(Memo.id == memo.id)
                       .values(subject='โครงการ <img src=x onerror=alert(2)> ขุดลอก')
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()
    search.index_memo(db.session, db.session.get(Memo, memo.id))
    db.session.commit()
    html = records.get("/archive/", query_string={"q": "<img"}).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "<mark>&lt;img</mark> src=x onerror=alert(2)&gt;" in html


def test_a_one_letter_typo_is_answered_with_a_suggestion(seeded, decided):
    archive_view.forget_vocabularies()
    records = signed_in(seeded, "records")
    page = records.get("/archive/", query_string={"q": "ทุจรติ", "state": "decided"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ไม่พบหนังสือตามเงื่อนไข" in html
    assert "หมายถึง" in html and "<strong>ทุจริต</strong>" in html
    # the link keeps the other filters and searches the corrected word
    assert "/archive/?q=%E0%B8%97%E0%B8%B8%E0%B8%88%E0%B8%A3%E0%B8%B4%E0%B8%95&amp;state=decided" in html
    followed = records.get("/archive/", query_string={"q": "ทุจริต", "state": "decided"}).get_data(as_text=True)
    assert "หมายถึง" not in followed and "<mark>ทุจริต</mark>" in followed
    # an exact miss with nothing close: no suggestion
    assert "หมายถึง" not in records.get("/archive/", query_string={"q": "ฟฟฟฟฟ"}).get_data(as_text=True)


def test_a_suggestion_never_reveals_a_memo_the_user_cannot_see(seeded, decided):
    org = db.session.get(Organization, user("legal").organization_id)
    organizations.create_user(db.session, org, username="clerk", full_name="นายใหม่ ไม่เกี่ยว",
                              position="เจ้าพนักงาน", roles=["officer"], password=PASSWORD,
                              enforce_policy=False)
    db.session.commit()
    html = signed_in(seeded, "clerk").get("/archive/", query_string={"q": "ทุจรติ"}).get_data(as_text=True)
    assert "หมายถึง" not in html and "ทุจริต</strong>" not in html
    other = signed_in(seeded, "org2.mayor").get("/archive/", query_string={"q": "ทุจรติ"})
    assert "หมายถึง" not in other.get_data(as_text=True)


def test_the_archive_says_checked_and_intact_with_the_date_and_links_the_integrity_page(seeded, decided):
    records = signed_in(seeded, "records")
    sha = hashlib.sha256(decided.document.content).hexdigest()
    html = records.get("/archive/").get_data(as_text=True)
    assert 'href="/archive/integrity"' in html and "ตรวจสอบความถูกต้องของแฟ้ม" in html
    assert "ยังไม่ได้ตรวจสอบความถูกต้อง" in html and "ตรวจสอบแล้ว ถูกต้อง" not in html
    assert records.get("/archive/integrity").status_code == 200
    html = records.get("/archive/").get_data(as_text=True)
    today = thai_date(utcnow())
    assert "ตรวจสอบแล้ว ถูกต้อง" in html and f"(ตรวจเมื่อ {today})" in html
    # the hash is there on demand only, inside <details>
    details = html[html.index("<details"):html.index("</details>")]
    assert sha in details and html.count(sha) == 1
    # a PDF changed behind the archive's back: the next check says so on the archive too
    db.session.execute(sa.update(MemoDocument).where(MemoDocument.memo_id == decided.id)
                       .values(content=b"%PDF-1.4 tampered"))
    db.session.commit()
    integrity = records.get("/archive/integrity").get_data(as_text=True)
    assert "พบความผิดปกติ" in integrity
    html = records.get("/archive/").get_data(as_text=True)
    assert "พบความผิดปกติเมื่อตรวจ" in html and "ตรวจสอบแล้ว ถูกต้อง" not in html


def test_only_those_who_may_check_see_the_integrity_link(seeded, decided):
    html = signed_in(seeded, "legal").get("/archive/").get_data(as_text=True)
    assert 'href="/archive/integrity"' not in html
    assert "ยังไม่ได้ตรวจสอบความถูกต้อง" in html  # the state itself is no secret
    assert signed_in(seeded, "legal").get("/archive/integrity").status_code == 403


def test_a_document_stored_after_the_last_check_is_not_called_checked(seeded, decided):
    org = db.session.get(Organization, user("records").organization_id)
    archive_view.record_integrity_check(db.session, org, [], through_document_id=decided.document.id - 1, ok=True)
    db.session.commit()
    status = archive_view.integrity_status(db.session, org, [decided.id])[decided.id]
    assert status.state == "unchecked"


def test_the_check_is_remembered_in_the_organisations_settings(seeded, decided):
    signed_in(seeded, "records").get("/archive/integrity")
    db.session.expire_all()
    org = db.session.get(Organization, user("records").organization_id)
    last = org.settings[archive_view.SETTING]
    assert last["ok"] is True and last["problem_memo_ids"] == []
    assert last["through_document_id"] == decided.document.id
    assert abs(dt.datetime.fromisoformat(last["at"]) - utcnow()) < dt.timedelta(minutes=5)
    assert org.setting("digits") == "thai"  # the other settings are untouched


# --- the register --------------------------------------------------------------------------

def test_the_register_has_from_to_and_action_taken(seeded, decided):
    records = signed_in(seeded, "records")
    html = records.get("/archive/register").get_data(as_text=True)
    for column in ("จาก", "ถึง", "การปฏิบัติ"):
        assert f'<th scope="col">{column}</th>' in html
    memo = db.session.get(Memo, decided.id)
    assert memo.department in html and memo.addressee in html
    assert "สั่งการ: อนุมัติ (" in html
    response = records.get("/archive/register.csv", query_string={"year": memo.number_year})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert table[0] == ["ลำดับ", "เลขที่หนังสือ", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "ผู้จัดทำ"]
    line = table[1]
    assert line[3:5] == [memo.department, memo.addressee]
    assert line[6].startswith("สั่งการ: อนุมัติ (")
    act(memo, "records", "archive")
    assert register.action_taken(db.session.get(Memo, memo.id)).endswith(" · จัดเก็บแล้ว")


@pytest.mark.parametrize("path", ["/archive/", "/archive/?q=ทุจรติ", "/archive/?q=ทุจริต", "/archive/register",
                                  "/archive/integrity"])
def test_archive_pages_have_unique_ids_and_no_empty_options(seeded, decided, path):
    html = signed_in(seeded, "records").get(path).get_data(as_text=True)
    assert duplicate_ids(html) == [] and empty_options(html) == 0


def test_the_cli_check_is_remembered_too(seeded, decided):
    result = seeded.test_cli_runner().invoke(args=["verify-archive"])
    assert result.exit_code == 0, result.output
    html = signed_in(seeded, "records").get("/archive/").get_data(as_text=True)
    assert "ตรวจสอบแล้ว ถูกต้อง" in html
    other = db.session.scalar(sa.select(Organization).where(Organization.id != decided.organization_id))
    db.session.refresh(other)
    assert other.settings[archive_view.SETTING]["problem_memo_ids"] == []


def test_the_vocabulary_is_built_newest_first_a_little_per_call(seeded, monkeypatch):
    from approval.services import memos as memo_service

    archive_view.forget_vocabularies()
    monkeypatch.setattr(archive_view, "BUILD_SECONDS", 0.0)  # one memo per call
    monkeypatch.setattr(archive_view, "BATCH", 2)
    legal = user("legal")
    words = ["ประปาหมู่บ้าน", "ไฟฟ้าส่องสว่าง", "ฝายชะลอน้ำ", "ศูนย์พัฒนาเด็กเล็ก", "ขยะมูลฝอย"]
    made = []
    for i, word in enumerate(words):
        memo = memo_service.create_memo(db.session, legal, {
            "department": "สำนักปลัด", "date": "2024-05-02", "subject": f"ขออนุมัติ{word}", "addressee": "นายก",
            "sections": [{"title": "เรื่องเดิม", "body": "ขอรายงาน"}], "closing": "จึงเรียนมาเพื่อโปรดทราบ"})
        db.session.flush()
        db.session.execute(sa.update(Memo).where(Memo.id == memo.id).values(
            state=MemoState.DECIDED, decision=Decision.APPROVE,
            decided_at=utcnow() - dt.timedelta(days=10 - i)).execution_options(synchronize_session=False))
        made.append(memo.id)
    db.session.commit()
    org = db.session.get(Organization, legal.organization_id)
    vocab = archive_view.vocabulary(db.session, org)
    assert vocab.seen == {made[-1]} and "ขยะมูลฝอย" in vocab.counts  # the newest first
    assert "ประปาหมู่บ้าน" not in vocab.counts
    for _ in range(len(words)):
        archive_view.vocabulary(db.session, org)
    assert vocab.complete and vocab.seen == set(made)
    assert vocab.candidates("ฝายชะลอนำ") == ["ฝายชะลอน้ำ"]
    # a memo decided later is read at the next call, whatever the backfill's state
    late = memo_service.create_memo(db.session, legal, {
        "department": "สำนักปลัด", "date": "2024-05-02", "subject": "ขอเชิญประชุมคณะกรรมการ", "addressee": "นายก",
        "sections": [{"title": "เรื่องเดิม", "body": "ขอเชิญประชุม"}], "closing": "จึงเรียนมาเพื่อโปรดทราบ"})
    db.session.flush()
    db.session.execute(sa.update(Memo).where(Memo.id == late.id).values(
        state=MemoState.DECIDED, decision=Decision.APPROVE, decided_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()
    assert "คณะกรรมการ" in archive_view.vocabulary(db.session, org).counts


@pytest.mark.parametrize("query", [{"q": "ทุจรติ", "year": "99999"}, {"q": "ทุจรติ", "state": "draft"},
                                   {"q": "ท"}, {"q": "%_\\"}, {"q": "ทุจรติ " * 20}])
def test_odd_searches_get_a_page_not_an_error(seeded, decided, query):
    response = signed_in(seeded, "records").get("/archive/", query_string=query)
    assert response.status_code == 200
