"""Registry numbers and the register of outgoing memos (ทะเบียนหนังสือส่ง), with its CSV."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from approval.extensions import db
from approval.models import Memo, NumberCounter
from approval.services import memos, register
from approval.thai import be_year, thai_digits, to_local, utcnow
from tests.conftest import login
from tests.helpers import act, user

THIS_YEAR = be_year(to_local(utcnow()).date())


def draft(username: str, subject: str) -> Memo:
    memo = memos.create_memo(db.session, user(username), {
        "department": "สำนักปลัด", "date": "2024-05-02", "subject": subject, "addressee": "นายก",
        "sections": [{"title": "เรื่องเดิม", "body": "ขอรายงานให้ทราบ"}], "closing": "จึงเรียนมาเพื่อโปรดทราบ",
    })
    db.session.commit()
    return memo


def submitted(username: str, subject: str) -> Memo:
    memo = draft(username, subject)
    act(memo, username, "submit")
    return memo


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_numbers_run_per_organisation_and_year_and_are_never_reused(seeded):
    first = submitted("legal", "เรื่องที่หนึ่ง")
    second = submitted("legal", "เรื่องที่สอง")
    prefix = user("legal").organization.number_prefix
    assert (first.number, second.number) == (f"{prefix}/๑", f"{prefix}/๒")
    assert (first.number_year, first.number_seq) == (THIS_YEAR, 1)

    act(second, "head", "return", comment="แก้ไขถ้อยคำ")
    act(second, "legal", "cancel")
    assert second.number == f"{prefix}/๒"  # cancelled keeps its number
    third = submitted("legal", "เรื่องที่สาม")
    assert third.number == f"{prefix}/๓"

    act(first, "legal", "withdraw")
    act(first, "legal", "submit")
    assert first.number == f"{prefix}/๑"  # a resubmission keeps the first number

    other = submitted("org2.legal", "เรื่องของอีกหน่วยงาน")
    assert other.number == f"{user('org2.legal').organization.number_prefix}/๑"
    assert db.session.scalar(sa.select(NumberCounter.last_value)
                             .where(NumberCounter.organization_id == user("legal").organization_id)) == 3


def test_a_new_year_starts_again_at_one(seeded):
    memo = submitted("legal", "เรื่องปีนี้")
    # As if it had been submitted last year.
    db.session.execute(sa.update(NumberCounter).values(year=THIS_YEAR - 1))
    db.session.execute(sa.update(Memo).where(Memo.id == memo.id).values(number_year=THIS_YEAR - 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    later = submitted("legal", "เรื่องถัดไป")
    assert (later.number_seq, later.number_year) == (1, THIS_YEAR)
    assert register.years(db.session, user("records")) == [THIS_YEAR, THIS_YEAR - 1]


def test_register_lists_the_year_in_number_order_with_cancelled(seeded):
    first = submitted("legal", "เรื่องที่หนึ่ง")
    second = submitted("legal", "เรื่องที่สอง")
    act(second, "head", "return", comment="แก้ไขถ้อยคำ")
    act(second, "legal", "cancel")
    draft("legal", "ร่างที่ยังไม่มีเลข")
    submitted("org2.legal", "เรื่องของอีกหน่วยงาน")

    entries = register.entries(db.session, user("records"), THIS_YEAR)
    assert [m.id for m in entries] == [first.id, second.id]
    lines = register.rows(entries)
    assert lines[0][0] == "๑" and lines[1][0] == "๒"
    assert lines[1][register.COLUMN["การปฏิบัติ"]] == "ยกเลิก"
    assert lines[0][3:6] == ["สำนักปลัด", "นายก", "เรื่องที่หนึ่ง"]  # จาก ถึง เรื่อง
    assert lines[0][register.COLUMN["การปฏิบัติ"]] == "อยู่ระหว่างพิจารณา"
    assert lines[0][2] == "๒ พฤษภาคม ๒๕๖๗"
    assert register.entries(db.session, user("records"), THIS_YEAR - 1) == []
    assert register.years(db.session, user("records")) == [THIS_YEAR]

    html = signed_in(seeded, "records").get("/archive/register").get_data(as_text=True)
    assert first.number in html and second.number in html and "ยกเลิก" in html
    assert "ร่างที่ยังไม่มีเลข" not in html and "เรื่องของอีกหน่วยงาน" not in html
    assert f"ทะเบียนหนังสือส่ง ปี พ.ศ. {thai_digits(THIS_YEAR)}" in html
    other = signed_in(seeded, "org2.legal").get("/archive/register").get_data(as_text=True)
    assert "เรื่องของอีกหน่วยงาน" in other and first.number not in other
    empty = signed_in(seeded, "records").get("/archive/register", query_string={"year": THIS_YEAR - 3})
    assert empty.status_code == 200 and first.number not in empty.get_data(as_text=True)


def test_register_csv_is_bom_utf8_and_neutralises_formulas(seeded):
    evil = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"]
    made = [submitted("legal", subject) for subject in evil]
    response = signed_in(seeded, "records").get("/archive/register.csv", query_string={"year": THIS_YEAR})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == register.HEADER
    assert [row[register.COLUMN["เรื่อง"]] for row in table[1:]] == ["'" + s for s in evil]
    assert [row[1] for row in table[1:]] == [m.number for m in made]
    assert table[1][0] == "๑"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)


def test_neutralise_leaves_plain_text_alone():
    assert register.neutralise("เรื่องทั่วไป") == "เรื่องทั่วไป"
    assert register.neutralise("=1") == "'=1"
    assert register.neutralise("\t=1") == "'\t=1"
