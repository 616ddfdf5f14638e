"""Benchmark: a million memos on PostgreSQL; search, archive, inbox and memo page measured in process.

Run: ``.venv/bin/python bench/scale.py DATABASE_URL [--memos N] [--orgs N] [--runs N] [--reuse]``
(DATABASE_URL: ``postgresql://postgres@127.0.0.1:5432/NAME``; the database is created when
missing, its ``public`` schema dropped and migrated with the app's migrations (``flask db
upgrade``), unless ``--reuse`` measures what an earlier run loaded).

The load: ``--orgs`` organisations (default 500) of skewed sizes (the largest about 2.3 % of
all memos, the median about 0.1 %), each with eight people and a three-step chain, and
``--memos`` memos (default 1,000,000) spread over five years in creation order, written with
PostgreSQL's COPY (psycopg's ``cursor.copy``, not the ORM): memos, their steps (with the
chain's opinions and the order as comments), their events (hash-chained by the app's own
``audit.compute_hash``), the frozen-document rows of decided memos (placeholder bytes, not
real PDFs: their sizes are not what is measured here), the search documents (built by the
app's own ``search.document_text``) and the number counters. Older memos are decided or
filed; the last 60 days hold drafts, memos in review and returned ones. The plain indexes
of the big tables are dropped during the COPY and rebuilt from their own definitions after,
then ``VACUUM ANALYZE`` settles the database as autovacuum would.

The measures, in process on one organisation (by default the largest; ``--org-rank 250``
for a median one): the service functions and the Flask test client signed in as that
organisation's records officer / mayor. For each page or query: SQL statements per call,
p50 and p95 over ``--runs`` calls, and EXPLAIN (ANALYZE, BUFFERS) of the slowest statement
seen. Targets at 1M: search p95 <= 50 ms (3-10 character Thai queries, common words
included), archive page median <= 30 ms with any filter, inbox and memo page <= 20 ms and
<= 8 statements.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy import event as sa_event

from approval import create_app
from approval.extensions import db
from approval.models import Memo, Organization, User
from approval.services import accounts, audit, memos, search
from approval.thai import thai_digits

PASSWORD = "bench-pass-123"

# --- vocabulary (Thai local-government memos) -------------------------------------------

VERBS = ["ขออนุมัติ", "ขอรายงาน", "ขอเสนอ", "ขอความเห็นชอบ", "ขอแจ้ง", "ขอเชิญ", "ขอส่ง", "ขอยืม",
         "ขอเบิกจ่าย", "ขอขยายเวลา", "ขอแต่งตั้ง", "ขอประชาสัมพันธ์", "ขออนุมัติจัดซื้อ", "ขออนุมัติจัดจ้าง",
         "ขอความอนุเคราะห์", "ขอยกเลิก", "ขอโอนงบประมาณ", "ขอรับการสนับสนุน"]
THINGS = ["โครงการ", "แผนงาน", "งบประมาณ", "ค่าใช้จ่าย", "วัสดุสำนักงาน", "ครุภัณฑ์คอมพิวเตอร์",
          "การจัดซื้อจัดจ้าง", "ผลการดำเนินงาน", "การฝึกอบรม", "การประชุม", "คณะกรรมการ", "เงินอุดหนุน",
          "ถนนคอนกรีตเสริมเหล็ก", "ระบบประปาหมู่บ้าน", "รถบรรทุกน้ำ", "ศูนย์พัฒนาเด็กเล็ก", "เบี้ยยังชีพผู้สูงอายุ",
          "การจัดเก็บภาษีที่ดินและสิ่งปลูกสร้าง", "ข้อบัญญัติงบประมาณรายจ่าย", "แผนพัฒนาท้องถิ่น",
          "การป้องกันและบรรเทาสาธารณภัย", "การควบคุมโรคไข้เลือดออก", "ขยะมูลฝอย", "ไฟฟ้าส่องสว่าง",
          "คลองส่งน้ำ", "ฝายชะลอน้ำ", "การแข่งขันกีฬา", "วันผู้สูงอายุ", "การรับสมัครพนักงานจ้าง",
          "อาหารเสริม (นม)", "อาหารกลางวันนักเรียน", "วัสดุเชื้อเพลิงและหล่อลื่น", "วัสดุก่อสร้าง",
          "การซ่อมแซมอาคาร", "เบี้ยความพิการ", "กองทุนหลักประกันสุขภาพ", "การเลือกตั้ง", "ธนาคารขยะ",
          "การปรับปรุงภูมิทัศน์", "รถพยาบาลฉุกเฉิน", "อาสาสมัครป้องกันภัยฝ่ายพลเรือน", "การตรวจสอบภายใน",
          "แผนอัตรากำลังสามปี", "การประเมินผลการปฏิบัติราชการ", "ศูนย์ข้อมูลข่าวสาร", "การรับเรื่องร้องเรียน",
          "ถนนลูกรัง", "ท่อระบายน้ำ", "หอกระจายข่าว", "เครื่องสูบน้ำ", "สนามกีฬา", "ห้องสมุดประชาชน"]
PLACES = ["หมู่ที่ ๑", "หมู่ที่ ๒", "หมู่ที่ ๓", "หมู่ที่ ๔", "หมู่ที่ ๕", "หมู่ที่ ๖", "หมู่ที่ ๗",
          "หมู่ที่ ๘", "หมู่ที่ ๙", "หมู่ที่ ๑๐", "หมู่ที่ ๑๑", "หมู่ที่ ๑๒"]
#: Syllables of made-up village names: about 2,500 names, each rare within one organisation.
SYLLABLES = ["นา", "คลอง", "ทุ่ง", "หนอง", "เขา", "ป่า", "ดอน", "โคก", "สระ", "บึง", "ห้วย", "วัง",
             "ท่า", "บาง", "แหลม", "เกาะ", "ไร่", "สวน", "โพธิ์", "ไทร", "มะม่วง", "ขาม", "ตาล", "ยาง",
             "แก้ว", "ทอง", "เงิน", "ใหญ่", "น้อย", "กลาง", "ใหม่", "เก่า", "หิน", "ทราย", "ดิน", "น้ำใส",
             "จันทร์", "ตะวัน", "เหนือ", "ใต้", "ออก", "ตก", "ลุง", "เคียน", "ปรือ", "กระเบา", "ตะเคียน", "สะแก",
             "ชุมแสง", "ยอ"]
LINKS = ["เพื่อ", "โดย", "ตาม", "ซึ่ง", "และ", "ของ", "ให้แก่", "ในการ", "ประจำปีงบประมาณ", "ระหว่างวันที่",
         "ณ", "สำหรับ", "เกี่ยวกับ"]
PHRASES = ["ตามระเบียบกระทรวงมหาดไทย", "เพื่อประโยชน์สุขของประชาชน", "ได้ดำเนินการเรียบร้อยแล้ว",
           "จึงขออนุมัติดำเนินการ", "ตามที่ได้รับมอบหมาย", "เห็นควรพิจารณา", "ภายในกำหนดเวลา",
           "ตามหนังสือสั่งการ", "โดยใช้งบประมาณจากเงินอุดหนุนทั่วไป", "ให้เป็นไปด้วยความเรียบร้อย",
           "รายละเอียดปรากฏตามเอกสารแนบ", "ได้ตรวจสอบแล้วถูกต้อง", "ขอให้ผู้เกี่ยวข้องทราบและถือปฏิบัติ",
           "ตามพระราชบัญญัติการจัดซื้อจัดจ้างและการบริหารพัสดุภาครัฐ พ.ศ. ๒๕๖๐",
           "ตามระเบียบกระทรวงการคลังว่าด้วยการจัดซื้อจัดจ้าง", "ด้วยวิธีเฉพาะเจาะจง", "โดยวิธีประกาศเชิญชวนทั่วไป",
           "ตามมติที่ประชุมสภาองค์การบริหารส่วนตำบล", "ซึ่งได้ตั้งจ่ายไว้ในข้อบัญญัติ", "เพื่อบรรเทาความเดือดร้อนของประชาชน"]
OPINIONS = ["เห็นควรอนุมัติ", "เห็นควรเสนอนายกพิจารณา", "ทราบ เห็นควรดำเนินการตามเสนอ",
            "เห็นควรมอบกองช่างดำเนินการ", "เห็นควรมอบกองคลังตรวจสอบ", "เห็นชอบตามเสนอ",
            "เห็นควรประสานผู้ใหญ่บ้าน", "เห็นควรแจ้งเวียนทุกส่วนราชการ", "เห็นควรให้กองการศึกษาดำเนินการ",
            "ได้ตรวจสอบงบประมาณแล้ว มีเพียงพอ", "เห็นควรอนุมัติในวงเงินที่เสนอ"]
ORDERS = ["อนุมัติ", "ทราบ", "อนุมัติตามเสนอ ให้ดำเนินการต่อไป", "ไม่อนุมัติ เนื่องจากงบประมาณไม่เพียงพอ",
          "มอบปลัดดำเนินการ", "อนุมัติ ให้รายงานผลภายในสามสิบวัน", "ทราบ แจ้งผู้เกี่ยวข้อง"]
RETURN_REASONS = ["ให้แก้ไขรายละเอียดงบประมาณ", "ให้แนบใบเสนอราคาเพิ่มเติม", "ให้ตรวจสอบระเบียบที่เกี่ยวข้องอีกครั้ง"]
TITLES = ["เรื่องเดิม", "ข้อเท็จจริง", "ข้อกฎหมาย", "ข้อพิจารณา", "ข้อเสนอ"]
DEPARTMENTS = ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม", "กองสาธารณสุขและสิ่งแวดล้อม"]
PROVINCES = ["นครศรีธรรมราช", "สงขลา", "ขอนแก่น", "เชียงใหม่", "นครราชสีมา", "อุบลราชธานี", "พิษณุโลก",
             "สุราษฎร์ธานี", "ชลบุรี", "ลำปาง", "อุดรธานี", "ตรัง"]
KINDS = ["องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง"]
#: Queries: common words (in a large share of documents) and rarer pieces.
COMMON_QUERIES = ["โครงการ", "จัดซื้อ", "ขออนุมัติ", "งบประมาณ", "หมู่ที่", "อนุมัติ", "เห็นควร", "ถนน",
                  "การประชุม", "ประจำปี"]
DECISIONS = ["approve"] * 6 + ["acknowledge"] * 3 + ["reject", "other"]
#: (title, kind, roles) of each organisation's people; the chain is head -> deputy -> mayor.
PEOPLE = [
    ("officer1", "นักวิชาการ", "officer"), ("officer2", "นักจัดการงานทั่วไป", "officer"),
    ("officer3", "นายช่างโยธา", "officer"), ("head", "หัวหน้าสำนักปลัด", "reviewer"),
    ("deputy", "ปลัด", "reviewer"), ("mayor", "นายก", "executive"),
    ("records", "เจ้าพนักงานธุรการ", "officer,records"), ("admin", "ผู้ดูแลระบบ", "admin"),
]
EPOCH = dt.datetime(2021, 10, 1, 2, 0, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
RECENT = dt.timedelta(days=60)


def village(rng: random.Random) -> str:
    return "บ้าน" + rng.choice(SYLLABLES) + rng.choice(SYLLABLES)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VERBS), rng.choice(THINGS), rng.choice(LINKS), rng.choice(THINGS),
             rng.choice(PLACES), village(rng), rng.choice(PHRASES)]
    if rng.random() < 0.5:
        words += [rng.choice(LINKS), rng.choice(THINGS), "เป็นเงิน", thai_digits(rng.randint(500, 900_000)), "บาท"]
    return " ".join(words)


# --- COPY helpers ------------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f+00")
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class Copier:
    """Rows for one table, written to PostgreSQL with COPY in large chunks."""

    def __init__(self, cursor, table: str, columns: list[str], chunk: int = 8 << 20):
        self.cursor, self.table, self.columns, self.chunk = cursor, table, columns, chunk
        self.buffer = io.StringIO()
        self.size = 0
        self.rows = 0

    def add(self, row) -> None:
        line = "\t".join(map(_cell, row)) + "\n"
        self.buffer.write(line)
        self.size += len(line)
        self.rows += 1
        if self.size >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.size:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with self.cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
            copy.write(self.buffer.getvalue().encode("utf-8"))
        self.buffer = io.StringIO()
        self.size = 0


COLUMNS = {
    "organization": ["id", "name", "district", "province", "number_prefix", "settings", "created_at"],
    "user": ["id", "organization_id", "username", "password_hash", "full_name", "position", "roles",
             "is_active", "session_version", "must_change_password", "failed_logins", "created_at"],
    "chain": ["id", "organization_id", "name", "category", "active", "is_default", "conditions", "version",
              "created_at", "updated_at"],
    "chain_version": ["id", "organization_id", "chain_id", "version", "definition", "created_at"],
    "chain_step": ["id", "organization_id", "chain_id", "position", "title", "kind", "assignee_id"],
    "memo": ["id", "organization_id", "author_id", "state", "number", "number_year", "number_seq",
             "department", "date", "subject", "addressee", "sections", "closing", "round", "version",
             "current_step", "pending_assignee_id", "decision", "decided_at", "archived_at", "created_at",
             "updated_at", "author_name", "author_position", "chain_id", "chain_version"],
    "step": ["id", "organization_id", "memo_id", "round", "seq", "title", "kind", "assignee_id", "status",
             "decision", "comment", "signed_at", "confirmed", "signer_name", "signer_position", "signed_by_id"],
    "event": ["id", "organization_id", "memo_id", "actor_id", "action", "from_state", "to_state", "round",
              "step", "comment", "data", "at", "prev_hash", "hash"],
    "memo_document": ["id", "organization_id", "memo_id", "sha256", "content", "created_at"],
    "memo_search": ["memo_id", "organization_id", "text"],
    "number_counter": ["organization_id", "year", "last_value"],
}
BIG_TABLES = ("memo", "step", "event", "memo_document", "memo_search")


def check_columns(conn) -> None:
    """Every NOT NULL column without a server default is written (the schema may have grown)."""
    for table, columns in COLUMNS.items():
        missing = conn.execute(sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name = :t AND is_nullable = 'NO' AND column_default IS NULL"), {"t": table}).scalars()
        missing = sorted(set(missing) - set(columns))
        if missing:
            sys.exit(f"bench/scale.py: table {table} has NOT NULL columns the loader does not write: {missing}")


# --- the load ----------------------------------------------------------------------------

def org_sizes(memos_n: int, orgs_n: int) -> list[float]:
    weights = [(i + 4) ** -0.75 for i in range(1, orgs_n + 1)]
    total = sum(weights)
    return [w / total for w in weights]


def load(raw, memos_n: int, orgs_n: int, rng: random.Random) -> dict:
    """COPY everything; returns facts the measures need."""
    cur = raw.cursor()
    cur.execute("SET session_replication_role = replica")  # no FK triggers during the bulk load
    cur.execute("SET maintenance_work_mem = '1GB'")
    # The plain (non-constraint) indexes of the big tables: dropped now, rebuilt from their own DDL.
    cur.execute("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", (list(BIG_TABLES),))
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')

    pw_hash = accounts.hash_password(PASSWORD)
    now = END
    orgs = Copier(cur, "organization", COLUMNS["organization"])
    users = Copier(cur, "user", COLUMNS["user"])
    chains = Copier(cur, "chain", COLUMNS["chain"])
    versions = Copier(cur, "chain_version", COLUMNS["chain_version"])
    chain = Copier(cur, "chain_step", COLUMNS["chain_step"])
    people: dict[int, dict[str, tuple[int, str, str]]] = {}
    prefixes: dict[int, str] = {}
    user_id = 0
    for org_id in range(1, orgs_n + 1):
        province = rng.choice(PROVINCES)
        name = f"{rng.choice(KINDS)}{village(rng)[4:]} {org_id}"
        prefixes[org_id] = f"นศ ๗{thai_digits(1000 + org_id)}"
        orgs.add([org_id, name, "อำเภอเมือง", province, prefixes[org_id], {}, EPOCH])
        people[org_id] = {}
        for username, position, roles in PEOPLE:
            user_id += 1
            full = f"นาย{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}สกุล{org_id}"
            uname = username if org_id == 1 else f"o{org_id}.{username}"
            people[org_id][username] = (user_id, full, position)
            users.add([user_id, org_id, uname, pw_hash, full, position, roles, True, 1, False, 0, EPOCH])
        # One default chain per organisation (the chain's id is the organisation's), version 1.
        chains.add([org_id, org_id, "สายการลงนามหลัก", "", True, True, {}, 1, EPOCH, EPOCH])
        chain_steps = []
        for pos, (who, kind) in enumerate((("head", "opinion"), ("deputy", "opinion"), ("mayor", "order")), 1):
            title = "คำสั่ง" if kind == "order" else "ความเห็น"
            chain.add([org_id * 3 + pos, org_id, org_id, pos, title, kind, people[org_id][who][0]])
            chain_steps.append({"title": title, "kind": kind, "assignee_id": people[org_id][who][0], "group": None})
        versions.add([org_id, org_id, org_id, 1, {"name": "สายการลงนามหลัก", "category": "", "active": True,
                                                  "is_default": True, "conditions": {}, "steps": chain_steps},
                      EPOCH])
    for c in (orgs, users, chains, versions, chain):
        c.flush()

    memo_c = Copier(cur, "memo", COLUMNS["memo"])
    step_c = Copier(cur, "step", COLUMNS["step"])
    event_c = Copier(cur, "event", COLUMNS["event"])
    doc_c = Copier(cur, "memo_document", COLUMNS["memo_document"])
    search_c = Copier(cur, "memo_search", COLUMNS["memo_search"])
    shares = org_sizes(memos_n, orgs_n)
    org_ids = list(range(1, orgs_n + 1))
    cum = []
    acc = 0.0
    for s in shares:
        acc += s
        cum.append(acc)
    counters: dict[tuple[int, int], int] = {}
    step_id = event_id = doc_id = 0
    span = (END - EPOCH).total_seconds()
    states: dict[str, int] = {}
    t0 = time.perf_counter()
    for i in range(1, memos_n + 1):
        org_id = rng.choices(org_ids, cum_weights=cum)[0]
        who = people[org_id]
        created = EPOCH + dt.timedelta(seconds=span * (i - 1) / memos_n)
        recent = now - created < RECENT
        r = rng.random()
        if recent:
            state = ("draft" if r < 0.10 else "in_review" if r < 0.45 else "returned" if r < 0.50
                     else "decided" if r < 0.85 else "archived")
        else:
            state = "archived" if r < 0.96 else "decided" if r < 0.98 else "cancelled" if r < 0.99 else "archived"
        states[state] = states.get(state, 0) + 1
        author_key = rng.choice(("officer1", "officer2", "officer3"))
        author_id, author_name, author_position = who[author_key]
        date = (created + dt.timedelta(hours=7)).date()
        subject = f"{rng.choice(VERBS)}{rng.choice(THINGS)} {rng.choice(PLACES)} {village(rng)}"
        sections = [{"title": title, "body": " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))}
                    for title in rng.sample(TITLES, rng.randint(1, 3))]
        submitted = created + dt.timedelta(hours=rng.randint(1, 48))
        number = year = seq = None
        if state != "draft" and not (state == "cancelled" and rng.random() < 0.5):
            year = (submitted + dt.timedelta(hours=7)).year + 543
            seq = counters[(org_id, year)] = counters.get((org_id, year), 0) + 1
            number = f"{prefixes[org_id]}/{thai_digits(seq)}"
        decision = decided_at = archived_at = None
        current_step = pending = None
        rnd = 0 if number is None else 1
        steps, events_ = [], []
        events_.append((author_id, "create", None, "draft", None, None, "", created))
        comments: list[str] = []
        if rnd:
            events_.append((author_id, "submit", "draft", "in_review", 1, None, "", submitted))
            chain_people = [who["head"], who["deputy"], who["mayor"]]
            signed = {"in_review": rng.randint(0, 2), "returned": 0, "cancelled": 0}.get(state, 3)
            at = submitted
            for seq_no, (uid, uname, upos) in enumerate(chain_people, 1):
                kind = "order" if seq_no == 3 else "opinion"
                at = at + dt.timedelta(hours=rng.randint(1, 30))
                if seq_no <= signed:
                    if kind == "order":
                        decision = rng.choice(DECISIONS)
                        comment = rng.choice(ORDERS)
                        decided_at = at
                        events_.append((uid, "order", "in_review", "decided", 1, seq_no, comment, at))
                    else:
                        comment = rng.choice(OPINIONS)
                        events_.append((uid, "forward", "in_review", "in_review", 1, seq_no, comment, at))
                    steps.append([1, seq_no, kind, uid, "done", "forward" if kind == "opinion" else decision,
                                  comment, at, True, uname, upos, uid])
                elif seq_no == signed + 1 and state == "in_review":
                    current_step, pending, comment = seq_no, uid, ""
                    steps.append([1, seq_no, kind, uid, "pending", None, "", None, False, None, None, None])
                elif seq_no == 1 and state in ("returned", "cancelled"):
                    comment = rng.choice(RETURN_REASONS)
                    events_.append((uid, "return", "in_review", "returned", 1, seq_no, comment, at))
                    steps.append([1, seq_no, kind, uid, "returned", "return", comment, at, True, uname, upos, uid])
                else:
                    comment = ""
                    steps.append([1, seq_no, kind, uid, "waiting", None, "", None, False, None, None, None])
                comments.append(comment)
            if state == "cancelled":
                events_.append((author_id, "cancel", "returned", "cancelled", 1, None, "", at + dt.timedelta(days=1)))
            if state == "archived":
                archived_at = decided_at + dt.timedelta(days=rng.randint(1, 10))
                events_.append((who["records"][0], "archive", "decided", "archived", 1, None, "", archived_at))
        elif state == "cancelled":
            events_.append((author_id, "cancel", "draft", "cancelled", None, None, "",
                            created + dt.timedelta(days=1)))
        updated = max(e[7] for e in events_)
        memo_c.add([i, org_id, author_id, state, number, year, seq, rng.choice(DEPARTMENTS), date, subject,
                    f"นายก{rng.choice(KINDS)}", sections, "จึงเรียนมาเพื่อโปรดพิจารณา", rnd, 1 + len(events_),
                    current_step, pending, decision, decided_at, archived_at, created, updated,
                    author_name if rnd else None, author_position if rnd else None,
                    org_id if rnd else None, 1 if rnd else None])
        for s in steps:
            step_id += 1
            step_c.add([step_id, org_id, i, s[0], s[1], "คำสั่ง" if s[2] == "order" else "ความเห็น", *s[2:]])
        prev = audit.GENESIS
        for actor, action, from_state, to_state, rnd_, step_no, comment, at in events_:
            event_id += 1
            content = {"organization_id": org_id, "memo_id": i, "actor_id": actor, "action": action,
                       "from_state": from_state, "to_state": to_state, "round": rnd_, "step": step_no,
                       "comment": comment, "data": {}, "at": at}
            digest = audit.compute_hash(prev, content)
            event_c.add([event_id, org_id, i, actor, action, from_state, to_state, rnd_, step_no, comment, {},
                         at, prev, digest])
            prev = digest
        if decided_at is not None:
            doc_id += 1
            content = f"%PDF-1.4 placeholder of memo {i}".encode()
            doc_c.add([doc_id, org_id, i, hashlib.sha256(content).hexdigest(), content, decided_at])
        search_c.add([i, org_id, search.document_text(number, subject, sections, comments)])
        if i % 100_000 == 0:
            print(f"  {i:,} memos generated ({time.perf_counter() - t0:.0f} s)", flush=True)
    for c in (memo_c, step_c, event_c, doc_c, search_c):
        c.flush()
    counter_c = Copier(cur, "number_counter", COLUMNS["number_counter"])
    for (org_id, year), value in sorted(counters.items()):
        counter_c.add([org_id, year, value])
    counter_c.flush()
    for table in ("organization", "user", "chain", "chain_version", "chain_step", "memo", "step", "event", "memo_document"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))")
    print(f"  COPY done in {time.perf_counter() - t0:.0f} s: {memos_n:,} memos, {step_id:,} steps, "
          f"{event_id:,} events, {doc_id:,} documents; states {states}", flush=True)
    t1 = time.perf_counter()
    for name, ddl in indexes:
        t2 = time.perf_counter()
        cur.execute(ddl)
        print(f"  index {name} rebuilt in {time.perf_counter() - t2:.1f} s", flush=True)
    print(f"  indexes rebuilt in {time.perf_counter() - t1:.0f} s", flush=True)
    cur.execute("SET session_replication_role = origin")
    raw.commit()
    return {"sizes": [round(s * memos_n) for s in shares]}


def settle(engine) -> None:
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text("VACUUM ANALYZE"))
    print(f"VACUUM ANALYZE in {time.perf_counter() - t0:.0f} s", flush=True)


# --- measuring ---------------------------------------------------------------------------

class Recorder:
    """Counts and times the statements of the engine; keeps the slowest one of a measure."""

    def __init__(self, engine):
        self.engine = engine
        self.active = False
        self.count = 0
        self.slowest: tuple[float, str, object] | None = None
        sa_event.listen(engine, "before_cursor_execute", self._before)
        sa_event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if not self.active:
            return
        self.count += 1
        took = (time.perf_counter() - conn.info.pop("t0", time.perf_counter())) * 1000
        if self.slowest is None or took > self.slowest[0]:
            self.slowest = (took, statement, parameters)

    @contextmanager
    def measure(self):
        self.count = 0
        self.active = True
        try:
            yield self
        finally:
            self.active = False


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


RESULTS: list[tuple] = []


def run(recorder: Recorder, label: str, calls: list, target: str, *, explain: bool = True) -> None:
    """Time each call (a function of no arguments); print SQL count, p50, p95 and the slowest plan."""
    times, counts = [], []
    recorder.slowest = None
    for fn in calls:
        db.session.remove()
        with recorder.measure():
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        counts.append(recorder.count)
    p50, p95 = statistics.median(times), pct(times, 95)
    RESULTS.append((label, min(counts), max(counts), p50, p95, target))
    print(f"{label:52s} SQL {min(counts)}-{max(counts):<3d} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
          f"max {max(times):7.1f} ms  ({target})", flush=True)
    if explain and recorder.slowest is not None:
        took, statement, parameters = recorder.slowest
        print(f"    slowest statement {took:.1f} ms; EXPLAIN (ANALYZE, BUFFERS):")
        with db.engine.connect() as conn:
            if "memo_search" in statement:  # as the search ran it: without parallel workers
                conn.exec_driver_sql("SELECT set_config('max_parallel_workers_per_gather', '0', true)")
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars()
            for line in plan:
                print("      " + line)
        print("      -- " + " ".join(statement.split())[:600] + f"  {parameters}")
    db.session.remove()


def queries(rng: random.Random, n: int) -> list[str]:
    """The common words, then random 3-10 character pieces of generated text (no space at either end)."""
    out = list(COMMON_QUERIES)
    while len(out) < n:
        text = sentence(rng)
        size = rng.randint(3, 10)
        at = rng.randrange(0, max(1, len(text) - size))
        piece = text[at:at + size].strip()
        if 3 <= len(piece) <= 10:
            out.append(piece)
    return out


def measure(app, org_rank: int, runs: int, rng: random.Random) -> None:
    recorder = Recorder(db.engine)
    sizes = dict(db.session.execute(sa.text(
        "SELECT organization_id, count(*) FROM memo GROUP BY organization_id")).all())
    ranked = sorted(sizes, key=lambda o: -sizes[o])
    org_id = ranked[min(org_rank, len(ranked)) - 1]
    records = db.session.scalar(sa.select(User).where(User.organization_id == org_id,
                                                      User.roles_csv.like("%records%")))
    mayor = db.session.scalar(sa.select(User).where(User.organization_id == org_id,
                                                    User.roles_csv == "executive"))
    org = db.session.get(Organization, org_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Memo))
    print(f"\nmeasuring organisation {org_id} ({org.name}), rank {org_rank} of {len(ranked)} by size: "
          f"{sizes[org_id]:,} of {total:,} memos; records officer {records.username}, mayor {mayor.username}")
    records_id, mayor_id = records.id, mayor.id

    def records_user():
        return db.session.get(User, records_id)

    sample = queries(rng, max(runs, len(COMMON_QUERIES) + 10))
    for q in sample[:5]:  # warm the caches
        memos.list_memos(db.session, records_user(), q=q)
    db.session.remove()

    print("\n== search (service functions) ==")
    hits = {}

    def search_call(q):
        def call():
            hits[q] = memos.list_memos(db.session, records_user(), q=q)[1]
        return call

    run(recorder, "search list_memos(q) common words", [search_call(q) for q in COMMON_QUERIES],
        "target p95 <= 50 ms")
    print("    totals: " + ", ".join(f"{q}={hits[q]:,}" for q in COMMON_QUERIES))
    run(recorder, "search list_memos(q) 3-10 char pieces", [search_call(q) for q in sample[len(COMMON_QUERIES):]],
        "target p95 <= 50 ms")
    print(f"    totals: median {statistics.median(hits.values()):,.0f}, max {max(hits.values()):,}")
    run(recorder, "search list_memos(q) page 3 of common words",
        [lambda q=q: memos.list_memos(db.session, records_user(), q=q, page=3) for q in COMMON_QUERIES],
        "target p95 <= 50 ms")
    run(recorder, "search list_memos(q) two terms",
        [lambda q=q: memos.list_memos(db.session, records_user(), q=q)
         for q in ("ขออนุมัติ โครงการ", "จัดซื้อ หมู่ที่ ๓", "ถนน คอนกรีต", "งบประมาณ ประจำปี", "เห็นควร อนุมัติ")],
        "target p95 <= 50 ms")
    run(recorder, "search list_memos(q) 1-2 characters",
        [lambda q=q: memos.list_memos(db.session, records_user(), q=q) for q in ("ถ", "นา", "ฦ", "๓", "กข")],
        "short queries (no trigram)")

    client = app.test_client()
    response = client.post("/login", data={"username": records.username, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code

    def page(path, **args):
        def call():
            response = client.get(path, query_string=args)
            assert response.status_code == 200, (path, args, response.status_code)
        return call

    print("\n== archive page (test client, records officer) ==")
    authors = list(db.session.scalars(sa.select(User.id).where(User.organization_id == org_id,
                                                                  User.roles_csv == "officer")))
    head = db.session.scalar(sa.select(User.id).where(User.organization_id == org_id,
                                                      User.roles_csv == "reviewer"))
    filters = {
        "no filter": {},
        "page 5": {"page": "5"},
        "page 50": {"page": "50"},
        "year 2567": {"year": "2567"},
        "fiscal year 2568": {"fiscal_year": "2568"},
        "state decided": {"state": "decided"},
        "state archived": {"state": "archived"},
        "decision reject": {"decision": "reject"},
        "author": {"author": str(authors[0])},
        "person (on the chain)": {"person": str(head)},
        "text common (โครงการ)": {"q": "โครงการ"},
        "text rare (village)": {"q": "บ้านหนองตาล"},
        "text + year": {"q": "จัดซื้อ", "year": "2568"},
        "year + decision + author": {"year": "2566", "decision": "approve", "author": str(authors[1])},
    }
    for label, args in filters.items():
        run(recorder, f"archive {label}", [page("/archive/", **args) for _ in range(runs)],
            "target median <= 30 ms")

    print("\n== inbox and memo page ==")
    run(recorder, "inbox (records officer)", [page("/inbox") for _ in range(runs)], "target <= 20 ms, <= 8 SQL")
    decided = db.session.scalars(sa.select(Memo.id).where(Memo.organization_id == org_id,
                                                          Memo.state == "archived").order_by(Memo.id).limit(runs)).all()
    run(recorder, "memo page (archived memos, oldest)", [page(f"/memos/{m}") for m in decided],
        "target <= 20 ms, <= 8 SQL")
    client.get("/logout")
    client.post("/logout")
    client = app.test_client()
    response = client.post("/login", data={"username": mayor.username, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    run(recorder, "inbox (mayor)", [page("/inbox") for _ in range(runs)], "target <= 20 ms, <= 8 SQL")
    pending = db.session.scalars(sa.select(Memo.id).where(Memo.organization_id == org_id,
                                                          Memo.pending_assignee_id == mayor_id)
                                 .order_by(Memo.id.desc()).limit(runs)).all()
    run(recorder, "memo page (pending with the mayor)", [page(f"/memos/{m}") for m in pending],
        "target <= 20 ms, <= 8 SQL")

    print("\n== summary ==")
    print(f"{'measure':52s} {'SQL':>7s} {'p50 ms':>8s} {'p95 ms':>8s}  target")
    for label, cmin, cmax, p50, p95, target in RESULTS:
        print(f"{label:52s} {cmin:>3d}-{cmax:<3d} {p50:8.1f} {p95:8.1f}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--memos", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--org-rank", type=int, default=1, help="measure the n-th largest organisation")
    parser.add_argument("--reuse", action="store_true", help="measure what an earlier run loaded")
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()
    url = args.url
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    if not url.startswith("postgresql+psycopg://"):
        sys.exit("bench/scale.py needs a PostgreSQL URL (postgresql://user@host:port/database)")
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"),
                            {"d": target.database}).scalar():
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
            print(f"created database {target.database}")
    admin.dispose()

    accounts.use_fast_hasher()  # the bench's people sign in with cheap argon2 parameters
    app = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "STORAGE_DIR": tempfile.mkdtemp(prefix="bench-scale-"),
                      "AUDIT_ANCHOR_DIR": tempfile.mkdtemp(prefix="bench-scale-anchors-"),
                      "HUEY_URL": "memory://"})
    rng = random.Random(args.seed)
    with app.app_context():
        from flask_migrate import upgrade

        if not args.reuse:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            t0 = time.perf_counter()
            upgrade()
            print(f"schema migrated in {time.perf_counter() - t0:.1f} s", flush=True)
            with db.engine.connect() as conn:
                check_columns(conn)
            t0 = time.perf_counter()
            raw = db.engine.raw_connection()
            try:
                load(raw.driver_connection, args.memos, args.orgs, rng)
            finally:
                raw.close()
            print(f"loaded {args.memos:,} memos in {time.perf_counter() - t0:.0f} s", flush=True)
            settle(db.engine)
        else:
            upgrade()  # a later migration (an index) applies to the loaded data
            print(f"reusing {db.session.scalar(sa.select(sa.func.count()).select_from(Memo)):,} memos")
        with db.engine.connect() as conn:
            for table in ("memo", "step", "event", "memo_search", "memo_document"):
                size = conn.execute(sa.text(
                    "SELECT pg_size_pretty(pg_total_relation_size(CAST(:t AS regclass)))"), {"t": table}).scalar()
                print(f"  {table:14s} {size}")
        measure(app, args.org_rank, args.runs, rng)
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
