"""The register of outgoing numbers (ทะเบียนหนังสือส่ง): one line per number of a BE year.

The columns follow the register of the Regulation on Correspondence (ระเบียบสารบรรณ):
number, date, from (the memo's ส่วนราชการ), to (its เรียน), subject and action taken
(การปฏิบัติ: the order once given, otherwise where the memo stands), then who wrote it.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..labels import DECISION_LABELS, STATE_LABELS
from ..models import Memo, MemoState, User
from ..thai import thai_date, thai_digits
from . import memos

HEADER = ["ลำดับ", "เลขที่หนังสือ", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "ผู้จัดทำ"]
#: The index of each column in a line of rows() (and of the CSV).
COLUMN = {name: i for i, name in enumerate(HEADER)}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def years(session: Session, user: User) -> list[int]:
    """The BE years that have numbers, newest first."""
    query = memos.visible_query(user).where(Memo.number_year.is_not(None))
    sub = query.with_only_columns(Memo.number_year).distinct().subquery()
    return sorted(session.scalars(sa.select(sub.c.number_year)), reverse=True)


def entries(session: Session, user: User, year: int) -> list[Memo]:
    """Every numbered memo of the year the user may see, in number order (cancelled included)."""
    return list(session.scalars(
        memos.visible_query(user)
        .where(Memo.number_year == year, Memo.number_seq.is_not(None))
        .order_by(Memo.number_seq)
        .options(selectinload(Memo.author))
    ))


def state_label(memo: Memo) -> str:
    return "ยกเลิก" if memo.state is MemoState.CANCELLED else STATE_LABELS[memo.state]


def action_taken(memo: Memo, digits: bool = True) -> str:
    """การปฏิบัติ: the order and its date once given (and whether it is filed), else the state."""
    if memo.state in (MemoState.DECIDED, MemoState.ARCHIVED) and memo.decision is not None:
        text = f"สั่งการ: {DECISION_LABELS[memo.decision]}"
        if memo.decided_at:
            text += f" ({thai_date(memo.decided_at, digits, short=True)})"
        return text + (" · จัดเก็บแล้ว" if memo.state is MemoState.ARCHIVED else "")
    return state_label(memo)


def rows(memo_list: list[Memo], digits: bool = True) -> list[list[str]]:
    """The register lines as text (Thai digits unless the organisation uses Arabic ones), as HEADER."""
    return [
        [thai_digits(m.number_seq, digits), m.number or "", thai_date(m.date, digits), m.department,
         m.addressee, m.subject, action_taken(m, digits), m.author.full_name]
        for m in memo_list
    ]


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def to_csv(lines: list[list[str]]) -> bytes:
    """UTF-8 with BOM (so Excel reads Thai), formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([neutralise(str(c)) for c in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
