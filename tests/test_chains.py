"""Chains per kind of memo: versioned chains with conditions, parallel opinions, the choice at submission.

The "done when" of the issue runs here through the API and through the pages (on SQLite, and
on PostgreSQL with TEST_DATABASE_URL): an admin builds "จัดซื้อเกิน ๑๐๐,๐๐๐ บาท" (amount at
least 100000) with the finance and engineering heads in parallel, then the ปลัด, then the
นายก; a memo of 150,000.00 takes it, one of 20,000.00 takes the default chain; the printed
memo shows both opinions, each its own block in chain order; editing the chain afterwards
changes no memo in flight.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from approval import workflow
from approval.demo import reference
from approval.errors import InvalidTransition, NotYourTurn, ValidationFailed
from approval.extensions import db
from approval.models import (
    Chain,
    ChainVersion,
    Event,
    Memo,
    MemoState,
    StepKind,
    StepStatus,
)
from approval.services import audit, chains, memos, organizations

from .conftest import PASSWORD, login
from .helpers import act, user

API = "/api/v1"
PURCHASE = "จัดซื้อเกิน ๑๐๐,๐๐๐ บาท"
CATEGORY = "ขออนุมัติจัดซื้อจัดจ้าง"


# --- helpers --------------------------------------------------------------------------------

def add_division_heads() -> None:
    """The finance and engineering heads of the reference organisation (the demo has them; made if not)."""
    org = user("admin").organization
    for username, full_name, position in [
        ("finance", "นางสาวจันทร์เพ็ญ ศรีทอง", "ผู้อำนวยการกองคลัง"),
        ("engineer", "นายสมบัติ ช่างดี", "ผู้อำนวยการกองช่าง"),
    ]:
        if user(username) is not None:
            continue
        organizations.create_user(db.session, org, username=username, full_name=full_name, position=position,
                                  roles=["reviewer"], password=PASSWORD, enforce_policy=False)
    db.session.commit()


def purchase_body(**changes) -> dict:
    body = {
        "name": PURCHASE, "category": "", "active": True,
        "conditions": {"amount_at_least": "100000.00", "amount_below": None, "division": None},
        "steps": [
            {"title": "ความเห็นผู้อำนวยการกองคลัง", "kind": "opinion", "assignee_id": user("finance").id, "group": 1},
            {"title": "ความเห็นผู้อำนวยการกองช่าง", "kind": "opinion", "assignee_id": user("engineer").id, "group": 1},
            {"title": "ความเห็นปลัดองค์การบริหารส่วนตำบลขอนหาด", "kind": "opinion",
             "assignee_id": user("deputy").id, "group": None},
            {"title": "คำสั่งนายกองค์การบริหารส่วนตำบลขอนหาด", "kind": "order", "assignee_id": user("mayor").id,
             "group": None},
        ],
    }
    return {**body, **changes}


def purchase_chain() -> Chain:
    add_division_heads()
    chain = chains.save_chain(db.session, user("admin").organization, purchase_body(), actor=user("admin"))
    db.session.commit()
    return chain


def new_memo(author: str = "legal", **fields) -> Memo:
    data = {**reference.MEMO, "subject": fields.pop("subject", "ขออนุมัติจัดซื้อครุภัณฑ์สำนักงาน"), **fields}
    memo = memos.create_memo(db.session, user(author), data)
    db.session.commit()
    return memo


def pending_names(memo: Memo) -> list[str]:
    db.session.expire_all()
    memo = db.session.get(Memo, memo.id)
    return sorted(s.assignee.username for s in memo.pending_steps)


def bearer(client, username: str) -> dict:
    response = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return re.sub(r"\s+", "", "\n".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()


# --- money ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, value", [
    ("150000.00", Decimal("150000.00")), ("150,000", Decimal("150000.00")), ("๑๕๐,๐๐๐.๕", Decimal("150000.50")),
    (" 20000 ", Decimal("20000.00")), (20000, Decimal("20000.00")), ("999999999999.99", Decimal("999999999999.99")),
    ("", None), (None, None),
])
def test_amounts_are_read_to_two_places(raw, value):
    errors: dict = {}
    assert chains.parse_amount(raw, "amount", errors) == value and errors == {}


@pytest.mark.parametrize("raw, words", [
    ("-5", "ไม่ติดลบ"), ("1234567890123", "12 หลัก"), ("1.234", "ทศนิยม"), ("หนึ่งแสน", "ไม่ถูกต้อง"),
    ("1e5", "ไม่ถูกต้อง"), ("1.2.3", "ไม่ถูกต้อง"), (1.5, "ข้อความตัวเลข"), (True, "ข้อความตัวเลข"), ([], "ข้อความตัวเลข"),
])
def test_bad_amounts_are_refused_in_thai(raw, words):
    errors: dict = {}
    assert chains.parse_amount(raw, "amount", errors) is None
    assert words in errors["amount"]


def test_the_memo_keeps_its_category_and_amount(seeded):
    memo = new_memo(category=CATEGORY, amount="150,000")
    db.session.expire_all()
    memo = db.session.get(Memo, memo.id)
    assert (memo.category, memo.amount) == (CATEGORY, Decimal("150000.00"))
    with pytest.raises(ValidationFailed) as refused:
        memos.update_memo(db.session, memo, user("legal"), {"amount": "-1"})
    assert refused.value.fields == {"amount": "จำนวนเงินต้องไม่ติดลบ"}
    db.session.rollback()
    memos.update_memo(db.session, memo, user("legal"), {"amount": None})
    db.session.commit()
    assert db.session.get(Memo, memo.id).amount is None


# --- the rulebook: groups and conditions ------------------------------------------------------

O, R = StepKind.OPINION, StepKind.ORDER


@pytest.mark.parametrize("kinds, groups, assignees, key", [
    ([O, O, O, R], [1, 1, None, None], [1, 2, 3, 4], None),
    ([O, O, R], [None, None, None], [1, 1, 2], None),  # the same person twice, one after the other
    ([O, O, O, R], [1, 2, 1, None], [1, 2, 3, 4], "chain.2.group"),  # a group split by another step
    ([O, O, R], [None, 1, 1], [1, 2, 3], "chain.2.group"),  # the order step with others
    ([O, O, R], [1, 1, None], [1, 1, 3], "chain.1.assignee"),  # one signer twice in a group
    ([O, O, R], [0, 0, None], [1, 2, 3], "chain.0.group"),
])
def test_chain_problems_with_groups(kinds, groups, assignees, key):
    problems = workflow.chain_problems(kinds, [True] * len(kinds), groups, assignees)
    assert (key in problems) if key else problems == {}


class _Chain:
    def __init__(self, name, *, category="", conditions=None, active=True, is_default=False):
        self.name, self.category, self.conditions = name, category, conditions or {}
        self.active, self.is_default = active, is_default


def test_which_chains_apply():
    default = _Chain("หลัก", is_default=True)
    big = _Chain("เกินแสน", conditions={"amount_at_least": "100000.00"})
    small = _Chain("ไม่ถึงแสน", category=CATEGORY, conditions={"amount_below": "100000.00"})
    works = _Chain("กองช่าง", conditions={"division": "กองช่าง"})
    every = [default, big, small, works]
    names = lambda *args: [c.name for c in workflow.applicable(every, *args)]
    assert names("", Decimal("150000.00")) == ["เกินแสน"]
    assert names("", Decimal("100000.00")) == ["เกินแสน"]  # at or above
    assert names("", Decimal("20000.00")) == ["หลัก"]  # a category the small chain does not take
    assert names(CATEGORY, Decimal("99999.99")) == ["ไม่ถึงแสน"]
    assert names(CATEGORY, None) == ["หลัก"]  # an amount condition needs an amount
    assert names("", None, "กองช่าง องค์การบริหารส่วนตำบลขอนหาด") == ["กองช่าง"]
    assert names("", Decimal(150000), "กองช่าง") == ["เกินแสน", "กองช่าง"]  # the author chooses
    big.active = False
    assert names("", Decimal("150000.00")) == ["หลัก"]
    default.active = False
    assert names("", Decimal("150000.00")) == []


# --- versions ---------------------------------------------------------------------------------

def test_every_organisation_has_its_default_chain_and_saving_makes_versions(seeded):
    org = user("admin").organization
    default = org.default_chain
    assert default.name == chains.DEFAULT_NAME and default.version == 1
    assert [s.assignee.username for s in default.steps] == ["head", "deputy", "mayor"]
    rows = [{"title": s.title, "kind": s.kind.value, "assignee_id": s.assignee_id} for s in default.steps]
    same = chains.save_chain(db.session, org, {"steps": rows}, chain=default, actor=user("admin"))
    assert same.version == 1  # nothing changed: no new version
    chains.save_chain(db.session, org, {"steps": rows[1:]}, chain=default, actor=user("admin"))
    db.session.commit()
    versions = chains.versions(db.session, default)
    assert [v.version for v in versions] == [2, 1]
    assert [s["assignee_id"] for s in versions[1].definition["steps"]] == [user(u).id for u in ("head", "deputy", "mayor")]
    with pytest.raises(ValidationFailed) as refused:
        chains.save_chain(db.session, org, {"conditions": {"amount_at_least": "5"}}, chain=default)
    assert "conditions" in refused.value.fields  # the default chain takes what no other chain takes
    db.session.rollback()


@pytest.mark.parametrize("changes, key", [
    ({"name": ""}, "name"),
    ({"name": chains.DEFAULT_NAME}, "name"),  # taken
    ({"conditions": {"amount_at_least": "-100"}}, "conditions.amount_at_least"),
    ({"conditions": {"amount_at_least": "100000", "amount_below": "50000"}}, "conditions.amount_below"),
    ({"conditions": {"weekday": "monday"}}, "conditions"),
    ({"steps": []}, "chain"),
    ({"steps": "head"}, "chain"),
    ({"active": "yes"}, "active"),
])
def test_invalid_chains_are_refused_in_thai(seeded, changes, key):
    add_division_heads()
    with pytest.raises(ValidationFailed) as refused:
        chains.save_chain(db.session, user("admin").organization, purchase_body(**changes))
    assert key in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Chain)) == 2  # the two default chains


# --- the "done when", through the API -------------------------------------------------------

def test_purchase_chain_through_the_api(seeded):
    client = seeded.test_client()
    add_division_heads()
    admin = bearer(client, "admin")
    response = client.post(f"{API}/chains", json=purchase_body(), headers=admin)
    assert response.status_code == 201, response.get_json()
    purchase = response.get_json()
    assert (purchase["name"], purchase["version"], purchase["conditions"]["amount_at_least"]) == (
        PURCHASE, 1, "100000.00")
    assert [s["group"] for s in purchase["steps"]] == [1, 1, None, None]
    listed = client.get(f"{API}/chains", headers=admin).get_json()["items"]
    assert [c["name"] for c in listed] == [chains.DEFAULT_NAME, PURCHASE]

    legal = bearer(client, "legal")
    fields = {k: v.isoformat() if k == "date" else v for k, v in reference.MEMO.items()}
    big = client.post(f"{API}/memos", json={**fields, "subject": "ขออนุมัติจัดซื้อรถบรรทุกน้ำ",
                                              "category": CATEGORY, "amount": "150000.00"}, headers=legal).get_json()
    small = client.post(f"{API}/memos", json={**fields, "subject": "ขออนุมัติจัดซื้อวัสดุสำนักงาน",
                                                "amount": "20000.00"}, headers=legal).get_json()
    assert (big["amount"], big["category"], small["amount"]) == ("150000.00", CATEGORY, "20000.00")
    for memo in (big, small):
        response = client.post(f"{API}/memos/{memo['id']}/actions", json={"action": "submit"}, headers=legal)
        assert response.status_code == 200, response.get_json()
    big = client.get(f"{API}/memos/{big['id']}", headers=legal).get_json()
    small = client.get(f"{API}/memos/{small['id']}", headers=legal).get_json()
    assert (big["chain_id"], big["chain_version"]) == (purchase["id"], 1)
    assert small["chain_id"] == listed[0]["id"]  # the default chain
    assert [s["assignee"]["id"] for s in small["steps"]] == [user(u).id for u in ("head", "deputy", "mayor")]
    assert [(s["assignee"]["id"], s["status"], s["group"]) for s in big["steps"]] == [
        (user("finance").id, "pending", 1), (user("engineer").id, "pending", 1),
        (user("deputy").id, "waiting", None), (user("mayor").id, "waiting", None)]

    # Both heads see the memo in their inbox; the ปลัด not yet.
    for name, waiting in [("finance", True), ("engineer", True), ("deputy", False)]:
        inbox = client.get(f"{API}/inbox", headers=bearer(client, name)).get_json()["items"]
        assert (big["id"] in [i["id"] for i in inbox]) is waiting, name

    # The chain is edited while the memo is in flight: the memo keeps what it copied.
    edited = purchase_body(steps=purchase_body()["steps"][2:])
    response = client.put(f"{API}/chains/{purchase['id']}", json=edited, headers=admin)
    assert response.status_code == 200 and response.get_json()["version"] == 2
    before = [(s["seq"], s["assignee"]["id"], s["group"]) for s in big["steps"]]

    def sign(name, action, comment, **extra):
        response = client.post(f"{API}/memos/{big['id']}/actions", headers=bearer(client, name),
                               json={"action": action, "comment": comment, "password": PASSWORD, **extra})
        assert response.status_code == 200, (name, response.get_json())
        return response.get_json()

    memo = sign("engineer", "forward", "เห็นควรจัดซื้อตามคุณลักษณะ ENG-OPINION")
    assert [s["status"] for s in memo["steps"]] == ["pending", "done", "waiting", "waiting"]
    memo = sign("finance", "forward", "งบประมาณเพียงพอ FIN-OPINION")
    assert [s["status"] for s in memo["steps"]] == ["done", "done", "pending", "waiting"]
    assert [(s["seq"], s["assignee"]["id"], s["group"]) for s in memo["steps"]] == before
    assert (memo["chain_version"], memo["state"]) == (1, "in_review")
    sign("deputy", "forward", "เห็นควรอนุมัติ DEP-OPINION")
    memo = sign("mayor", "order", "", decision="approve")
    assert memo["state"] in ("decided", "archived")

    pdf = client.get(f"{API}/memos/{big['id']}/pdf", headers=legal)
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    # Each opinion is its own block, in chain order (finance before engineering), with its signer.
    assert text.index("FIN-OPINION") < text.index("ENG-OPINION") < text.index("DEP-OPINION")
    assert "ความเห็นผู้อำนวยการกองคลัง" in text and "ความเห็นผู้อำนวยการกองช่าง" in text
    assert "(นางสาวจันทร์เพ็ญศรีทอง)" in text and "(นายสมบัติช่างดี)" in text

    # A new memo of the same kind takes the new version.
    third = client.post(f"{API}/memos", json={**fields, "amount": "300000"}, headers=legal).get_json()
    third = client.post(f"{API}/memos/{third['id']}/actions", json={"action": "submit"}, headers=legal).get_json()
    assert (third["chain_id"], third["chain_version"]) == (purchase["id"], 2)
    assert [s["assignee"]["id"] for s in third["steps"]] == [user("deputy").id, user("mayor").id]
    assert audit.verify_chain(db.session) == []


def test_chains_api_is_for_administrators_of_the_organisation(seeded):
    client = seeded.test_client()
    add_division_heads()
    legal, admin = bearer(client, "legal"), bearer(client, "admin")
    assert client.get(f"{API}/chains", headers=legal).status_code == 403
    assert client.post(f"{API}/chains", json=purchase_body(), headers=legal).status_code == 403
    org2 = db.session.scalar(sa.select(Chain).where(Chain.organization_id != user("admin").organization_id))
    assert client.put(f"{API}/chains/{org2.id}", json={"name": "x"}, headers=admin).status_code == 404
    response = client.post(f"{API}/chains", json={**purchase_body(), "owner": 1}, headers=admin)
    assert response.status_code == 422 and "owner" in response.get_json()["error"]["fields"]
    body = purchase_body()
    body["steps"][3]["group"] = 1  # the order step in a group, away from its group
    response = client.post(f"{API}/chains", json=body, headers=admin)
    assert response.status_code == 422 and "chain.3.group" in response.get_json()["error"]["fields"]
    body = purchase_body()
    body["steps"][0]["assignee_id"] = user("org2.head").id
    response = client.post(f"{API}/chains", json=body, headers=admin)
    assert response.status_code == 422 and "chain.0.assignee" in response.get_json()["error"]["fields"]
    response = client.post(f"{API}/memos", headers=legal, json={
        **{k: v.isoformat() if k == "date" else v for k, v in reference.MEMO.items()}, "amount": "-5"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"amount": "จำนวนเงินต้องไม่ติดลบ"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Chain)) == 2


# --- choosing the chain -----------------------------------------------------------------------

def test_the_author_chooses_when_several_apply(seeded):
    purchase = purchase_chain()
    other = chains.save_chain(db.session, user("admin").organization,
                              purchase_body(name="จัดซื้อโดยวิธีเฉพาะเจาะจง", steps=purchase_body()["steps"][2:]))
    db.session.commit()
    memo = new_memo(amount="150000.00")
    assert [c.name for c in chains.applicable(db.session, memo)] == [PURCHASE, other.name]
    with pytest.raises(ValidationFailed) as refused:
        act(memo, "legal", "submit")
    assert "chain_id" in refused.value.fields and "กรุณาเลือก" in refused.value.message
    db.session.rollback()
    default = user("admin").organization.default_chain
    with pytest.raises(ValidationFailed) as refused:  # the default chain does not apply to it
        memos.act(db.session, memo, user("legal"), "submit", chain_id=default.id)
    assert "ใช้กับหนังสือนี้ไม่ได้" in refused.value.message
    db.session.rollback()
    memos.act(db.session, memo, user("legal"), "submit", chain_id=str(other.id))
    db.session.commit()
    assert (memo.chain_id, [s.assignee.username for s in memo.round_steps]) == (other.id, ["deputy", "mayor"])
    assert purchase.id != other.id


def test_no_chain_applies_is_a_clear_refusal(seeded):
    org = user("admin").organization
    chains.save_chain(db.session, org, {"active": False}, chain=org.default_chain)
    db.session.commit()
    memo = new_memo()
    with pytest.raises(ValidationFailed) as refused:
        act(memo, "legal", "submit")
    assert "ไม่มีสายการลงนามที่ใช้กับหนังสือนี้ได้" in refused.value.message
    db.session.rollback()
    assert db.session.get(Memo, memo.id).state is MemoState.DRAFT


# --- parallel opinions ------------------------------------------------------------------------

def test_a_return_in_a_group_closes_the_others(seeded):
    purchase_chain()
    memo = act(new_memo(amount="150000"), "legal", "submit")
    assert pending_names(memo) == ["engineer", "finance"]
    act(memo, "finance", "return", comment="ใบเสนอราคาไม่ครบ")
    db.session.expire_all()
    memo = db.session.get(Memo, memo.id)
    assert memo.state is MemoState.RETURNED
    assert [s.status for s in memo.round_steps] == [StepStatus.RETURNED, StepStatus.SKIPPED, StepStatus.WAITING,
                                                    StepStatus.WAITING]
    [closed] = [e for e in memo.events if e.action == "close_step"]
    assert (closed.step, closed.data["reason"], closed.data["by_step"]) == (2, "returned", 1)
    with pytest.raises(InvalidTransition):
        act(memo, "engineer", "forward", comment="เห็นควร")
    db.session.rollback()
    items, _ = memos.inbox_page(db.session, user("engineer"))
    assert memo.id not in [i.memo.id for i in items]
    assert audit.verify_chain(db.session) == []
    # Resubmitted: the group opens again, both pending.
    act(memo, "legal", "submit")
    assert pending_names(memo) == ["engineer", "finance"]


def test_one_signs_the_other_still_has_their_turn(seeded):
    purchase_chain()
    memo = act(new_memo(amount="150000"), "legal", "submit")
    act(memo, "finance", "forward", comment="เห็นควร")
    assert pending_names(memo) == ["engineer"]
    with pytest.raises(InvalidTransition, match="ลงนามในขั้นตอนนี้ไปแล้ว"):
        act(memo, "finance", "forward", comment="อีกครั้ง")
    db.session.rollback()
    with pytest.raises(NotYourTurn):
        act(memo, "deputy", "forward", comment="ก่อนเวลา")
    db.session.rollback()
    with pytest.raises(InvalidTransition):  # someone of the round signed: no withdrawing
        act(memo, "legal", "withdraw")
    db.session.rollback()
    items, _ = memos.inbox_page(db.session, user("engineer"))
    assert [i.waiting_for for i in items if i.memo.id == memo.id] == ["sign"]
    items, _ = memos.inbox_page(db.session, user("finance"))
    assert memo.id not in [i.memo.id for i in items]


def test_a_stand_in_signs_a_grouped_step(seeded):
    from approval.services import appointments

    purchase_chain()
    memo = act(new_memo(amount="150000"), "legal", "submit")
    appointments.appoint(db.session, user("admin"), {
        "kind": "acting", "holder_id": user("engineer").id, "stand_in_id": user("head").id,
        "starts_on": appointments.today().isoformat()})
    db.session.commit()
    items, _ = memos.inbox_page(db.session, user("head"))
    assert memo.id in [i.memo.id for i in items]
    notes = appointments.inbox_notes(db.session, user("head"), items)
    assert notes[memo.id] == "แทน นายสมบัติ ช่างดี"
    items, _ = memos.inbox_page(db.session, user("engineer"))  # still listed: the holder sees who acts
    assert memo.id in [i.memo.id for i in items]
    notes = appointments.inbox_notes(db.session, user("engineer"), items)
    assert notes[memo.id] == f"{user('head').full_name} รักษาราชการแทนท่าน"
    finance_notes = appointments.inbox_notes(db.session, user("finance"),
                                             memos.inbox_page(db.session, user("finance"))[0])
    assert memo.id not in finance_notes  # the finance head's own step: no note
    with pytest.raises(NotYourTurn, match="รักษาราชการแทน"):
        act(memo, "engineer", "forward", comment="เห็นควร")
    db.session.rollback()
    act(memo, "head", "forward", comment="เห็นควร (รักษาราชการแทน)")
    db.session.expire_all()
    memo = db.session.get(Memo, memo.id)
    engineer_step = memo.round_steps[1]
    assert (engineer_step.status, engineer_step.signed_by_id, engineer_step.capacity) == (
        StepStatus.DONE, user("head").id, "acting")
    assert pending_names(memo) == ["finance"]
    act(memo, "finance", "forward", comment="เห็นควร")
    assert pending_names(memo) == ["deputy"]


def test_versions_are_kept_and_memos_keep_theirs(seeded):
    purchase = purchase_chain()
    memo = act(new_memo(amount="150000"), "legal", "submit")
    steps_before = [(s.seq, s.title, s.assignee_id, s.group, s.status) for s in memo.steps]
    body = purchase_body(name="จัดซื้อเกินแสน (ฉบับปรับปรุง)")
    body["steps"][0]["title"] = "ความเห็นกองคลัง (ใหม่)"
    chains.save_chain(db.session, user("admin").organization, body, chain=purchase, actor=user("admin"))
    db.session.commit()
    db.session.expire_all()
    memo = db.session.get(Memo, memo.id)
    assert [(s.seq, s.title, s.assignee_id, s.group, s.status) for s in memo.steps] == steps_before
    assert (memo.chain_id, memo.chain_version) == (purchase.id, 1)
    kept = db.session.scalars(sa.select(ChainVersion).where(ChainVersion.chain_id == purchase.id)
                              .order_by(ChainVersion.version)).all()
    assert [(v.version, v.definition["name"]) for v in kept] == [(1, PURCHASE), (2, "จัดซื้อเกินแสน (ฉบับปรับปรุง)")]
    assert kept[0].definition["steps"][0]["title"] == "ความเห็นผู้อำนวยการกองคลัง"
    events = db.session.scalars(sa.select(Event).where(Event.action == "admin.set_chain")).all()
    assert [e.data["version"] for e in events] == [1, 2]


# --- through the pages ----------------------------------------------------------------------

def chain_page_form(rows: list[tuple], **fields) -> dict:
    data = {"chain_ref": "new", "active_shown": "1", "active": "y", **fields}
    for i, (title, kind, assignee, group) in enumerate(rows):
        data.update({f"steps-{i}-title": title, f"steps-{i}-kind": kind,
                     f"steps-{i}-assignee_id": str(user(assignee).id), f"steps-{i}-group": group})
    return data


PAGE_ROWS = [("ความเห็นผู้อำนวยการกองคลัง", "opinion", "finance", "1"),
             ("ความเห็นผู้อำนวยการกองช่าง", "opinion", "engineer", "1"),
             ("ความเห็นปลัดองค์การบริหารส่วนตำบลขอนหาด", "opinion", "deputy", ""),
             ("คำสั่งนายกองค์การบริหารส่วนตำบลขอนหาด", "order", "mayor", "")]


def test_purchase_chain_through_the_pages(seeded):
    add_division_heads()
    admin = seeded.test_client()
    login(admin, "admin")
    page = admin.get("/admin/chain?new=1").get_data(as_text=True)
    assert "สายการลงนามใหม่" in page and 'name="amount_at_least"' in page
    bad = admin.post("/admin/chain", data=chain_page_form(PAGE_ROWS, name=PURCHASE, amount_at_least="-1"))
    assert bad.status_code == 422 and "จำนวนเงินต้องไม่ติดลบ" in bad.get_data(as_text=True)
    preview = admin.post("/admin/chain", data={**chain_page_form(PAGE_ROWS, name=PURCHASE), "chain_cmd": "preview"})
    shown = preview.get_data(as_text=True)
    assert shown.count("ลงนามพร้อมกัน กลุ่ม ๑") >= 2 and "(นายสมบัติ ช่างดี)" in shown
    saved = admin.post("/admin/chain", data=chain_page_form(PAGE_ROWS, name=PURCHASE, amount_at_least="100,000"))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    purchase = db.session.scalar(sa.select(Chain).where(Chain.name == PURCHASE))
    assert purchase.conditions["amount_at_least"] == "100000.00"
    assert [s.group for s in purchase.steps] == [1, 1, None, None]
    listing = admin.get("/admin/chain").get_data(as_text=True)
    assert PURCHASE in listing and "ตั้งแต่ 100,000.00 บาท" in listing

    author = seeded.test_client()
    login(author, "legal")
    form = {"department": reference.MEMO["department"], "date": "2024-05-02", "subject": "ขออนุมัติจัดซื้อรถบรรทุกน้ำ",
            "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด", "sections-0-title": "เรื่องเดิม",
            "sections-0-body": "ขออนุมัติจัดซื้อ", "closing": "จึงเรียนมาเพื่อโปรดพิจารณา", "category": CATEGORY}
    refused = author.post("/memos/new", data={**form, "amount": "๑๐๐.๑๒๓"})
    assert refused.status_code == 422 and "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง" in refused.get_data(as_text=True)
    created = author.post("/memos/new", data={**form, "amount": "150,000.00"})
    assert created.status_code == 302
    memo_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    detail = author.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert 'id="chain-choice"' in detail and PURCHASE in detail
    submitted = author.post(f"/memos/{memo_id}/action", data={"action": "submit", "chain_id": str(purchase.id)})
    assert submitted.status_code == 302
    edit = admin.post("/admin/chain", data={**chain_page_form(PAGE_ROWS[2:], name=PURCHASE, amount_at_least="100000"),
                                            "chain_ref": str(purchase.id)})
    assert edit.status_code == 302
    db.session.expire_all()
    memo = db.session.get(Memo, memo_id)
    assert [s.assignee.username for s in memo.round_steps] == ["finance", "engineer", "deputy", "mayor"]
    assert db.session.get(Chain, purchase.id).version == 2
    finance = seeded.test_client()
    login(finance, "finance")
    inbox = finance.get("/inbox").get_data(as_text=True)
    assert "ขออนุมัติจัดซื้อรถบรรทุกน้ำ" in inbox
    page = finance.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert "ลงนามพร้อมกัน กลุ่ม ๑" in page and f"{PURCHASE} ฉบับที่ ๑" in page
    signed = finance.post(f"/memos/{memo_id}/action", data={"action": "forward", "comment": "เห็นควร",
                                                            "password": PASSWORD})
    assert signed.status_code == 302
    assert pending_names(memo) == ["engineer"]

    small = author.post("/memos/new", data={**form, "category": "", "amount": "20000"})
    small_id = int(small.headers["Location"].rstrip("/").split("/")[-1])
    detail = author.get(f"/memos/{small_id}").get_data(as_text=True)
    assert chains.DEFAULT_NAME in detail and PURCHASE not in detail.split('id="chain-choice"')[1][:400]
    assert author.post(f"/memos/{small_id}/action", data={"action": "submit"}).status_code == 302
    small_memo = db.session.get(Memo, small_id)
    assert [s.assignee.username for s in small_memo.round_steps] == ["head", "deputy", "mayor"]


def test_each_signer_of_a_group_is_told_once_and_reminded(seeded):
    import datetime as dt

    from approval.notifications.models import Kind, Notification
    from approval.notifications.reminders import queue_reminders

    purchase_chain()
    memo = act(new_memo(amount="150000"), "legal", "submit")

    def turns() -> list[str]:
        rows = db.session.scalars(sa.select(Notification).where(Notification.memo_id == memo.id,
                                                                Notification.kind == Kind.TURN)
                                  .order_by(Notification.id)).all()
        return [db.session.get(type(user("legal")), n.user_id).username for n in rows]

    assert sorted(turns()) == ["engineer", "finance"]
    act(memo, "finance", "forward", comment="เห็นควร")
    assert sorted(turns()) == ["engineer", "finance"]  # the engineer was told already; nobody new
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    while queue_reminders(db.session, now=later)["queued"] == 0:  # the next working day
        later += dt.timedelta(days=1)
    db.session.commit()
    reminded = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.memo_id == memo.id, Notification.kind == Kind.REMINDER)).all()
    # The engineer is reminded (the finance head signed); long overdue, it goes up to the next
    # stage, the ปลัด -- not to the other signer of the group.
    assert set(reminded) == {user("engineer").id, user("deputy").id}
    act(memo, "engineer", "forward", comment="เห็นควร")
    assert turns()[-1] == "deputy"


def test_chains_and_memos_match_the_published_schemas(seeded):
    Draft202012Validator = pytest.importorskip("jsonschema").Draft202012Validator
    client = seeded.test_client()
    purchase = purchase_chain()
    spec = client.get(f"{API}/openapi.json").get_json()

    def check(instance, name):
        Draft202012Validator({**spec["components"]["schemas"][name], "components": spec["components"]}).validate(instance)

    admin, legal = bearer(client, "admin"), bearer(client, "legal")
    check(client.get(f"{API}/chains", headers=admin).get_json(), "ChainList")
    check(purchase_body(), "ChainInput")
    memo = act(new_memo(amount="150000", category=CATEGORY), "legal", "submit")
    body = client.get(f"{API}/memos/{memo.id}", headers=legal).get_json()
    check(body, "Memo")
    assert (body["chain_id"], body["amount"]) == (purchase.id, "150000.00")
