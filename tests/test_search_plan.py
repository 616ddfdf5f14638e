"""PostgreSQL only: the search's plans use the indexes made for them, on a table with enough rows.

The trigram index ``(organization_id, text gin_trgm_ops)`` (btree_gin) must serve the search's
first query (no LIKE over the organisation's documents), a common word's page must read the
organisation's documents newest first from ``ix_memo_search_org_memo``, and no search counts
its matches in a query of its own.
"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from approval.extensions import db
from approval.models import Memo, MemoSearch
from approval.services import memos, search
from tests.helpers import reference_memo, user

WORDS = ["ขออนุมัติ", "โครงการ", "จัดซื้อ", "วัสดุสำนักงาน", "ถนนคอนกรีต", "หมู่ที่", "งบประมาณ", "การประชุม",
         "ศูนย์พัฒนาเด็กเล็ก", "เบี้ยยังชีพ", "คลองส่งน้ำ", "ไฟฟ้าส่องสว่าง", "ขยะมูลฝอย", "ฝายชะลอน้ำ"]
RARE = ["เครื่องสูบน้ำ", "หอกระจายข่าว", "ห้องสมุดประชาชน", "รถพยาบาลฉุกเฉิน", "ธนาคารขยะ", "สนามกีฬา",
        "ท่อระบายน้ำ", "การเลือกตั้ง", "เบี้ยความพิการ", "อาหารกลางวัน"]
ROWS = 12000


@pytest.fixture()
def many(seeded):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plans are PostgreSQL's (TEST_DATABASE_URL is not PostgreSQL)")
    source = reference_memo()
    ours, theirs = user("legal"), user("org2.legal")
    rng = random.Random(7)
    base = {c.name: getattr(source, c.key) for c in Memo.__table__.columns if c.name != "id"}
    first = (db.session.scalar(sa.select(sa.func.max(Memo.id))) or 0) + 1
    memo_rows, docs = [], []
    for i in range(ROWS):
        author = ours if i % 6 == 0 else theirs  # two organisations, interleaved as in a live database
        memo_rows.append({**base, "id": first + i, "organization_id": author.organization_id,
                          "author_id": author.id, "state": "draft", "number": None, "number_seq": None,
                          "number_year": None, "round": 0})
        words = [rng.choice(WORDS) for _ in range(25)] + [f"รหัส{i:05d}"]
        if rng.random() < 0.05:
            words.append(rng.choice(RARE))
        text = " ".join(words)
        docs.append({"memo_id": first + i, "organization_id": author.organization_id, "text": text})
    conn = db.session.connection()
    conn.execute(sa.insert(Memo.__table__), memo_rows)
    conn.execute(sa.insert(MemoSearch.__table__), docs)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text("VACUUM ANALYZE memo_search"))
        c.execute(sa.text("VACUUM ANALYZE memo"))
    return ours


def plan(statement) -> str:
    compiled = statement.compile(dialect=db.engine.dialect)
    with db.engine.connect() as conn:
        return "\n".join(conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars())


def test_the_search_uses_the_organisation_trigram_index(many):
    org = many.organization_id
    for q in ("รหัส01236", "หอกระจายข่าว", "ธนาคารขยะ โครงการ", "สนามกีฬา ๓", "รถพยาบาล"):
        found, _ = search.apply_search(sa.select(Memo), q, org, "postgresql")
        text = plan(search.first_matches(found))
        assert "ix_memo_search_org_text_trgm" in text, text
        assert "Seq Scan on memo_search" not in text, text
    items, total = memos.list_memos(db.session, many, q="รหัส01236")
    assert total == 1 and [m.id for m in items] == list(db.session.scalars(
        sa.select(MemoSearch.memo_id).where(MemoSearch.text.like("%รหัส01236%"))))
    items, total = memos.list_memos(db.session, many, q="หอกระจายข่าว", per_page=5, page=2)
    expected = list(db.session.scalars(
        sa.select(MemoSearch.memo_id).where(MemoSearch.organization_id == org,
                                            MemoSearch.text.like("%หอกระจายข่าว%"))
        .order_by(MemoSearch.memo_id.desc())))
    assert total == len(expected) > 5 and [m.id for m in items] == expected[5:10]


def test_a_common_word_reads_the_newest_documents_in_order(many):
    text = plan(search.newest_matches(sa.select(Memo), "โครงการ", many.organization_id, 80).limit(20))
    # The documents are read newest first, stopping at the window (no bitmap of every match).
    assert "Index Scan Backward using" in text and "on memo_search" in text, text
    assert "Bitmap" not in text and "Seq Scan" not in text, text


def test_no_separate_count_and_the_same_page_either_way(many, monkeypatch):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        common, total = memos.list_memos(db.session, many, q="โครงการ", page=2)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert total == search.COUNT_CAP + 1 and len(common) == 20
    # The one count is the estimate's, over the SAMPLE newest documents (a bounded subquery).
    assert not [s for s in statements if "count(" in s.lower() and " AS sample" not in s], statements
    expected = list(db.session.scalars(
        sa.select(Memo.id).join(MemoSearch, MemoSearch.memo_id == Memo.id)
        .where(Memo.organization_id == many.organization_id, MemoSearch.text.like("%โครงการ%"))
        .order_by(Memo.id.desc()).limit(20).offset(20)))
    assert [m.id for m in common] == expected
    monkeypatch.setattr(search, "COUNT_CAP", 100_000)  # now every match is fetched and cut
    assert [m.id for m in memos.list_memos(db.session, many, q="โครงการ", page=2)[0]] == expected


def _statements(fn):
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return result, seen


def _newest(org, term):
    return list(db.session.scalars(
        sa.select(MemoSearch.memo_id).where(MemoSearch.organization_id == org, MemoSearch.text.like(f"%{term}%"))
        .order_by(MemoSearch.memo_id.desc())))


def test_the_sample_chooses_the_walk_for_a_common_word_and_the_index_for_a_rare_one(many, monkeypatch):
    org = many.organization_id
    monkeypatch.setattr(search, "WALK", 100)  # the organisation (2,000 documents) is now "large"
    hits, read, deep = db.session.execute(search.estimate_statement("โครงการ", org)).one()[:3]
    assert deep and read == search.SAMPLE and hits > search.COMMON * read
    hits, read, deep = db.session.execute(search.estimate_statement("หอกระจายข่าว", org)).one()[:3]
    assert hits < search.COMMON * read

    (items, total), seen = _statements(lambda: memos.list_memos(db.session, many, q="โครงการ", page=2))
    walked = [s for s in seen if "strpos(memo_search.text" in s]
    assert walked and not [s for s in seen if " LIKE " in s], seen  # no trigram index, no count
    assert total == search.COUNT_CAP + 1 and [m.id for m in items] == _newest(org, "โครงการ")[20:40]

    (items, total), seen = _statements(lambda: memos.list_memos(db.session, many, q="หอกระจายข่าว", per_page=5))
    indexed = [s for s in seen if " LIKE " in s]
    # The index is asked for the two rarest three-character pieces; the term is checked on the rows.
    assert len(indexed) == 1 and indexed[0].count(" LIKE ") == search.CHOSEN, seen
    assert "strpos(memo_search.text" in indexed[0] and "ORDER BY" not in indexed[0], indexed
    expected = _newest(org, "หอกระจายข่าว")
    assert total == len(expected) > 5 and [m.id for m in items] == expected[:5]
    found = search.indexed_matches(sa.select(Memo), "หอกระจายข่าว", org, ["ะจา", "หอก"])
    text = plan(found)
    assert "ix_memo_search_org_text_trgm" in text and "Seq Scan on memo_search" not in text, text
    assert sorted(db.session.scalars(found), reverse=True) == expected


def test_a_small_organisation_and_short_terms_are_walked_exactly(many):
    org = many.organization_id  # 2,000 documents: at most search.WALK, always walked
    (items, total), seen = _statements(lambda: memos.list_memos(db.session, many, q="หอกระจายข่าว", per_page=5))
    assert not [s for s in seen if " LIKE " in s], seen
    expected = _newest(org, "หอกระจายข่าว")
    assert total == len(expected) > 5 and [m.id for m in items] == expected[:5]
    for q in ("รหัส012", "12", "12 โครงการ"):  # a few matches; terms without a trigram
        expected = _newest(org, q.split()[0])
        if len(q.split()) > 1:
            expected = [i for i in expected if i in set(_newest(org, q.split()[1]))]
        items, total = memos.list_memos(db.session, many, q=q, per_page=5)
        assert total == min(len(expected), search.COUNT_CAP + 1) and [m.id for m in items] == expected[:5], q


def test_the_walk_reads_the_newest_documents_and_stops(many):
    # PostgreSQL guesses a third of the documents match (strpos): it walks when the limit is
    # below that guess, as at a million memos (22,604 documents: 7,500 guessed, 1,001 wanted);
    # the test's organisation has 2,000 documents, so the limit is a test's too.
    text = plan(search.walk_matches(sa.select(Memo), "โครงการ", many.organization_id, 101))
    assert "Index Scan Backward using" in text and "on memo_search" in text, text
    assert "Bitmap" not in text and "Seq Scan" not in text and "Sort" not in text, text
    # Several terms are one condition: PostgreSQL's guess stays a third of the documents, so it
    # still walks instead of reading and sorting them all (a third per term made it 1/27).
    text = plan(search.walk_matches(sa.select(Memo), "โครงการ จัดซื้อ หมู่ที่", many.organization_id, 101))
    assert "Index Scan Backward using" in text and "Sort" not in text, text
