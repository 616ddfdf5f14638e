"""Thai search: one search document per memo, FTS5 trigram / pg_trgm, within the organisation."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.models import Memo, MemoSearch
from approval.services import memos, search
from tests.helpers import act, memo_in, reference_memo, user


def draft(username: str, subject: str, body: str = "ขอรายงานให้ทราบ") -> Memo:
    memo = memos.create_memo(db.session, user(username), {
        "department": "สำนักปลัด", "date": "2024-05-02", "subject": subject, "addressee": "นายก",
        "sections": [{"title": "เรื่องเดิม", "body": body}], "closing": "จึงเรียนมาเพื่อโปรดทราบ",
    })
    db.session.commit()
    return memo


def found(username: str, q: str) -> set[int]:
    items, total = memos.list_memos(db.session, user(username), q=q, per_page=100)
    assert total == len(items)
    return {m.id for m in items}


def stored_text(memo: Memo) -> str:
    return db.session.scalar(sa.select(MemoSearch.text).where(MemoSearch.memo_id == memo.id))


def test_every_text_of_the_memo_is_searchable(seeded):
    memo = reference_memo()
    assert found("legal", "แผนปฏิบัติการป้องกัน") == {memo.id}  # subject
    assert found("legal", "เจตจำนงสุจริต") == {memo.id}  # a section body
    assert found("legal", "เศรษฐกิจพอเพียง") == {memo.id}  # a project name of the plan report
    assert found("legal", "ไม่มีคำนี้ในหนังสือเลย") == set()


def test_comments_and_number_are_indexed_as_the_chain_moves(seeded):
    memo = reference_memo()
    act(memo, "legal", "submit")
    act(memo, "head", "forward", comment="เห็นควรเสนอนายกพิจารณาอนุมัติโครงการ")
    assert found("head", "เห็นควรเสนอนายก") == {memo.id}
    seq = memo.number.split("/")[1]
    assert found("legal", memo.number) == {memo.id}
    assert memo.id in found("legal", "/" + seq)
    arabic = memo.number.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    assert found("legal", arabic) == {memo.id}  # Arabic digits find the Thai-digit number


def test_editing_replaces_the_document(seeded):
    memo = draft("legal", "ขออนุมัติจัดซื้อวัสดุสำนักงาน")
    assert found("legal", "วัสดุสำนักงาน") == {memo.id}
    memos.update_memo(db.session, memo, user("legal"), {"subject": "ขออนุมัติซ่อมแซมถนนลูกรัง"})
    db.session.commit()
    assert found("legal", "วัสดุสำนักงาน") == set()
    assert found("legal", "ถนนลูกรัง") == {memo.id}
    assert stored_text(memo) == search.document_text(memo.number, memo.subject, memo.sections)


@pytest.mark.parametrize("q", ["ถ", "ถน", "นน", "ลูก"])
def test_one_or_two_characters_still_find(seeded, q):
    memo = draft("legal", "ขออนุมัติซ่อมแซมถนนลูกรัง")
    assert memo.id in found("legal", q)


def test_short_query_does_not_match_everything(seeded):
    draft("legal", "ขออนุมัติซ่อมแซมถนนลูกรัง")
    assert found("legal", "ฦ") == set()  # an obsolete letter no memo uses


def test_every_term_must_match(seeded):
    road = draft("legal", "ขออนุมัติซ่อมแซมถนนลูกรัง", body="หมู่ที่ ๓ บ้านนาเคียน")
    draft("legal", "ขออนุมัติซ่อมแซมอาคารเรียน", body="หมู่ที่ ๕")
    assert found("legal", "ซ่อมแซม  ถนน") == {road.id}
    assert len(found("legal", "ซ่อมแซม")) == 2
    assert found("legal", "ซ่อมแซม ๓") == {road.id}


def test_query_syntax_is_plain_text(seeded):
    memo = draft("legal", 'ประกาศ "ด่วนที่สุด" 100% ของงบ_ประมาณ')
    assert found("legal", '"ด่วนที่สุด"') == {memo.id}
    assert found("legal", "100%") == {memo.id}
    assert found("legal", "0%") == {memo.id}
    assert found("legal", "งบ_ป") == {memo.id}
    assert found("legal", "งบxป") == set()
    assert found("legal", "ด่วน OR NOT AND") == set()
    assert found("legal", "* ^ ( ) :") == set()


def test_text_and_query_are_nfc(seeded):
    memo = draft("legal", "ประชุม caf\u00e9 ประจำเดือน")
    decomposed = unicodedata.normalize("NFD", "café")
    assert decomposed != "café"
    assert found("legal", decomposed) == {memo.id}
    assert found("legal", "CAFÉ") == {memo.id}  # case-insensitive, as FTS5 trigram / ILIKE


def test_results_never_leave_the_organisation(seeded):
    ours = draft("legal", "โครงการขุดลอกคลองสาธารณะ")
    theirs = draft("org2.legal", "โครงการขุดลอกคลองสาธารณะ")
    for q in ("ขุดลอกคลอง", "คล", "ค"):
        assert ours.id in found("legal", q) and theirs.id not in found("legal", q)
        assert theirs.id in found("org2.legal", q) and ours.id not in found("org2.legal", q)
    clause = memos.search_clause("ขุดลอกคลอง", user("legal").organization_id)
    ids = set(db.session.scalars(sa.select(Memo.id).where(clause)))
    assert ids == {ours.id}  # the clause alone is bounded by the organisation


def test_search_respects_visibility(seeded):
    memo = draft("legal", "บันทึกส่วนตัวเรื่องงบประมาณ")
    assert found("legal", "บันทึกส่วนตัว") == {memo.id}
    assert found("records", "บันทึกส่วนตัว") == set()  # a private draft


def test_api_search_uses_the_index(seeded, token_for):
    memo = reference_memo()
    client = seeded.test_client()
    response = client.get("/api/v1/memos", query_string={"q": "เศรษฐกิจพอเพียง"},
                          headers={"Authorization": f"Bearer {token_for('legal')}"})
    assert response.status_code == 200
    assert [m["id"] for m in response.get_json()["items"]] == [memo.id]


def test_every_memo_has_one_current_document(seeded):
    memo = memo_in("returned")
    for m in db.session.scalars(sa.select(Memo)):
        comments = [s.comment for s in sorted(m.steps, key=lambda s: (s.round, s.seq))]
        names = [p.name for p in m.plan_report.projects] if m.plan_report else []
        assert stored_text(m) == search.document_text(m.number, m.subject, m.sections, comments, names)
    assert memo.number in stored_text(memo)


def test_a_common_word_pages_the_same_way_as_a_rare_one(seeded, monkeypatch):
    """Past the count cap, PostgreSQL pages from the newest documents; the page must not change."""
    legal = user("legal")
    source = reference_memo()
    for i in range(7):
        memos.create_memo(db.session, legal, {
            "department": source.department, "date": source.date, "subject": f"ขออนุมัติจัดซื้อวัสดุ ชุดที่ {i}",
            "addressee": source.addressee, "sections": source.sections, "closing": source.closing})
    db.session.commit()
    expected = [m.id for m in memos.list_memos(db.session, legal, q="จัดซื้อวัสดุ", per_page=3, page=2)[0]]
    monkeypatch.setattr(search, "COUNT_CAP", 2)  # every search is now "common"
    items, total = memos.list_memos(db.session, legal, q="จัดซื้อวัสดุ", per_page=3, page=2)
    assert [m.id for m in items] == expected and len(expected) == 3
    assert total == 3  # counted up to the cap + 1
    first_page = [m.id for m in memos.list_memos(db.session, legal, q="จัดซื้อวัสดุ", per_page=3)[0]]
    assert [m.id for m in memos.list_memos(db.session, legal, q="จัดซื้อ วัสดุ", per_page=3)[0]] == first_page
    assert first_page == sorted(first_page, reverse=True) and first_page[-1] > expected[0]
