"""Benchmark: Thai search and the archive page over 100,000 archived memos.

Run: ``.venv/bin/python bench/search.py [DATABASE_URL] [memos] [--reuse]`` (or DATABASE_URL in the
environment; default: a fresh SQLite file in a temporary directory). The database is
emptied and migrated. Memos, steps and search documents are inserted in bulk (executemany,
not the services), the search text built by ``services.search.document_text`` exactly as
the services build it. Prints the p50/p95 of 3-10 character Thai queries (target p95 <
100 ms: search ids alone, and a full page of list_memos with its total) and the median
of the archive page through the test client (target < 50 ms).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from approval import create_app
from approval.extensions import db
from approval.models import Memo, MemoSearch, Step, User
from approval.services import accounts, archive, memos, search
from approval.thai import thai_digits

PASSWORD = "bench-pass-123"

# Word lists for generated memo text (government-office vocabulary, freely combined).
VERBS = ["ขออนุมัติ", "ขอรายงาน", "ขอเสนอ", "ขอความเห็นชอบ", "ขอแจ้ง", "ขอเชิญ", "ขอส่ง", "ขอยืม",
         "ขอเบิกจ่าย", "ขอขยายเวลา", "ขอแต่งตั้ง", "ขอประชาสัมพันธ์"]
THINGS = ["โครงการ", "แผนงาน", "งบประมาณ", "ค่าใช้จ่าย", "วัสดุสำนักงาน", "ครุภัณฑ์คอมพิวเตอร์",
          "การจัดซื้อจัดจ้าง", "ผลการดำเนินงาน", "การฝึกอบรม", "การประชุม", "คณะกรรมการ", "เงินอุดหนุน",
          "ถนนคอนกรีตเสริมเหล็ก", "ระบบประปาหมู่บ้าน", "รถบรรทุกน้ำ", "ศูนย์พัฒนาเด็กเล็ก", "เบี้ยยังชีพผู้สูงอายุ",
          "การจัดเก็บภาษีที่ดินและสิ่งปลูกสร้าง", "ข้อบัญญัติงบประมาณรายจ่าย", "แผนพัฒนาท้องถิ่น",
          "การป้องกันและบรรเทาสาธารณภัย", "การควบคุมโรคไข้เลือดออก", "ขยะมูลฝอย", "ไฟฟ้าส่องสว่าง",
          "คลองส่งน้ำ", "ฝายชะลอน้ำ", "การแข่งขันกีฬา", "วันผู้สูงอายุ", "การรับสมัครพนักงานจ้าง"]
PLACES = ["หมู่ที่ ๑", "หมู่ที่ ๒", "หมู่ที่ ๓", "หมู่ที่ ๔", "หมู่ที่ ๕", "หมู่ที่ ๖", "หมู่ที่ ๗",
          "บ้านนาเคียน", "บ้านคลองดิน", "บ้านทุ่งใหญ่", "บ้านหนองบัว", "บ้านเขาแก้ว", "บ้านป่าตอ",
          "ตำบลขอนหาด", "อำเภอชะอวด", "จังหวัดนครศรีธรรมราช"]
LINKS = ["เพื่อ", "โดย", "ตาม", "ซึ่ง", "และ", "ของ", "ให้แก่", "ในการ", "ประจำปีงบประมาณ", "ระหว่างวันที่"]
PHRASES = ["ตามระเบียบกระทรวงมหาดไทย", "เพื่อประโยชน์สุขของประชาชน", "ได้ดำเนินการเรียบร้อยแล้ว",
           "จึงขออนุมัติดำเนินการ", "ตามที่ได้รับมอบหมาย", "เห็นควรพิจารณา", "ภายในกำหนดเวลา",
           "ตามหนังสือสั่งการ", "โดยใช้งบประมาณจากเงินอุดหนุนทั่วไป", "ให้เป็นไปด้วยความเรียบร้อย",
           "รายละเอียดปรากฏตามเอกสารแนบ", "ได้ตรวจสอบแล้วถูกต้อง", "ขอให้ผู้เกี่ยวข้องทราบและถือปฏิบัติ"]
OPINIONS = ["เห็นควรอนุมัติ", "เห็นควรเสนอนายกพิจารณา", "ทราบ เห็นควรดำเนินการตามเสนอ",
            "เห็นควรมอบกองช่างดำเนินการ", "เห็นควรมอบกองคลังตรวจสอบ", "เห็นชอบตามเสนอ",
            "เห็นควรประสานผู้ใหญ่บ้าน", "เห็นควรแจ้งเวียนทุกส่วนราชการ"]
ORDERS = ["อนุมัติ", "ทราบ", "อนุมัติตามเสนอ ให้ดำเนินการต่อไป", "ไม่อนุมัติ เนื่องจากงบประมาณไม่เพียงพอ",
          "มอบปลัดดำเนินการ", "อนุมัติ ให้รายงานผลภายในสามสิบวัน"]
TITLES = ["เรื่องเดิม", "ข้อเท็จจริง", "ข้อกฎหมาย", "ข้อพิจารณา", "ข้อเสนอ"]
DECISIONS = ["approve", "approve", "acknowledge", "reject", "other"]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VERBS), rng.choice(THINGS), rng.choice(LINKS), rng.choice(THINGS),
             rng.choice(PLACES), rng.choice(PHRASES)]
    if rng.random() < 0.5:
        words += [rng.choice(LINKS), rng.choice(THINGS), thai_digits(rng.randint(1, 500_000)), "บาท"]
    return " ".join(words)


def reset(url: str | None) -> tuple[object, str]:
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-search-')}/bench.sqlite3"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "STORAGE_DIR": tempfile.mkdtemp()})
    return app, url


def load(count: int, rng: random.Random) -> None:
    from approval.cli import seed_demo

    seed_demo(PASSWORD)
    people = {u.username: u for u in db.session.scalars(sa.select(User))}
    legal, head, deputy, mayor = (people[n] for n in ("legal", "head", "deputy", "mayor"))
    org = legal.organization
    first_id = (db.session.scalar(sa.select(sa.func.max(Memo.id))) or 0) + 1
    start = dt.date(2020, 1, 1)
    seq_by_year: dict[int, int] = {}
    memo_rows, step_rows, search_rows = [], [], []
    conn = db.session.connection()

    def flush():
        conn.execute(sa.insert(Memo.__table__), memo_rows)
        conn.execute(sa.insert(Step.__table__), step_rows)
        conn.execute(sa.insert(MemoSearch.__table__), search_rows)
        memo_rows.clear(), step_rows.clear(), search_rows.clear()

    for i in range(count):
        memo_id = first_id + i
        day = start + dt.timedelta(days=i * 1826 // count)
        year = day.year + 543
        seq = seq_by_year[year] = seq_by_year.get(year, 0) + 1
        number = f"{org.number_prefix}/{thai_digits(seq)}"
        subject = f"{rng.choice(VERBS)}{rng.choice(THINGS)} {rng.choice(PLACES)}"
        sections = [{"title": title, "body": " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))}
                    for title in rng.sample(TITLES, rng.randint(2, 4))]
        decision = rng.choice(DECISIONS)
        comments = [rng.choice(OPINIONS), rng.choice(OPINIONS), rng.choice(ORDERS)]
        decided_at = dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC) + dt.timedelta(days=3)
        memo_rows.append({
            "id": memo_id, "organization_id": org.id, "author_id": legal.id, "state": "archived",
            "number": number, "number_year": year, "number_seq": seq, "department": "สำนักปลัด",
            "date": day, "subject": subject, "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด",
            "sections": sections, "closing": "จึงเรียนมาเพื่อโปรดพิจารณา", "round": 1, "version": 6,
            "current_step": None, "pending_assignee_id": None, "decision": decision,
            "decided_at": decided_at, "archived_at": decided_at + dt.timedelta(days=1),
            "created_at": decided_at - dt.timedelta(days=5), "updated_at": decided_at,
        })
        for seq_no, (assignee, kind, comment) in enumerate(
            [(head, "opinion", comments[0]), (deputy, "opinion", comments[1]), (mayor, "order", comments[2])], 1
        ):
            step_rows.append({
                "organization_id": org.id, "memo_id": memo_id, "round": 1, "seq": seq_no,
                "title": "ความเห็น" if kind == "opinion" else "คำสั่ง", "kind": kind,
                "assignee_id": assignee.id, "acting": None, "status": "done",
                "decision": "forward" if kind == "opinion" else decision, "comment": comment,
                "signed_at": decided_at, "confirmed": True,
            })
        search_rows.append({"memo_id": memo_id, "organization_id": org.id,
                            "text": search.document_text(number, subject, sections, comments)})
        if len(memo_rows) >= 5000:
            flush()
    if memo_rows:
        flush()
    db.session.commit()
    settle()


def settle() -> None:
    """The steady state a live database reaches by itself (autovacuum; FTS5 merges), measured."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        if c.dialect.name == "sqlite":
            c.execute(sa.text("INSERT INTO memo_fts(memo_fts) VALUES ('optimize')"))
            c.execute(sa.text("ANALYZE"))
        else:  # sets the visibility map, so counts are index-only scans as after autovacuum
            c.execute(sa.text("VACUUM ANALYZE"))


def queries(rng: random.Random, n: int) -> list[str]:
    """Random 3-10 character pieces of generated text (no space at either end)."""
    out = []
    while len(out) < n:
        text = sentence(rng)
        size = rng.randint(3, 10)
        at = rng.randrange(0, max(1, len(text) - size))
        piece = text[at:at + size].strip()
        if 3 <= len(piece) <= 10:
            out.append(piece)
    return out


def timed(fn, *args, **kw) -> float:
    t0 = time.perf_counter()
    fn(*args, **kw)
    return (time.perf_counter() - t0) * 1000


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    reuse = "--reuse" in sys.argv  # measure a database loaded by an earlier run
    accounts.use_fast_hasher()
    app, url = reset(url)
    rng = random.Random(2567)
    with app.app_context():
        from flask_migrate import upgrade

        if reuse:
            upgrade()
        elif db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        if not reuse:
            upgrade()
            t0 = time.perf_counter()
            load(count, rng)
            print(f"database: {db.engine.dialect.name}; loaded {count:,} archived memos in "
                  f"{time.perf_counter() - t0:.1f} s")
        else:
            settle()
            print(f"database: {db.engine.dialect.name}; reusing "
                  f"{db.session.scalar(sa.select(sa.func.count()).select_from(Memo)):,} memos")
        records = db.session.scalar(sa.select(User).where(User.username == "records"))
        org_id = records.organization_id
        sample = queries(rng, 200)
        for q in sample[:10]:  # warm the caches
            memos.list_memos(db.session, records, q=q)

        ids_ms, page_ms, hits = [], [], []
        for q in sample:
            ids_ms.append(timed(lambda q=q: db.session.execute(
                search.paged(db.session, sa.select(Memo), q, org_id, page=1, per_page=20)[0]).all()))
            t0 = time.perf_counter()
            _, total = memos.list_memos(db.session, records, q=q)
            page_ms.append((time.perf_counter() - t0) * 1000)
            hits.append(total)
            db.session.rollback()
        print(f"search, {len(sample)} queries of 3-10 Thai characters (median {statistics.median(hits):,.0f} "
              f"hits, max {max(hits):,}):")
        print(f"  search.paged (page+cap) p50 {pct(ids_ms, 50):6.1f} ms  p95 {pct(ids_ms, 95):6.1f} ms")
        print(f"  list_memos page + total p50 {pct(page_ms, 50):6.1f} ms  p95 {pct(page_ms, 95):6.1f} ms"
              f"  (target p95 < 100 ms)")

        client = app.test_client()
        client.post("/login", data={"username": "records", "password": PASSWORD})
        pages = {
            "archive page": {},
            "archive page, fiscal year + decision": {"fiscal_year": "2566", "decision": "approve"},
            "archive page, search": {"q": "ถนนคอนกรีต"},
        }
        for label, args in pages.items():
            times = []
            for i in range(30):
                t0 = time.perf_counter()
                response = client.get("/archive/", query_string={**args, "page": str(1 + i % 3)})
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            print(f"{label:40s} median {statistics.median(times):6.1f} ms  p95 {pct(times, 95):6.1f} ms"
                  f"  (target median < 50 ms)")
        _, total, _ = archive.search_archive(db.session, records, archive.ArchiveFilters())
        print(f"archive total {total:,}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
