"""Acting officials: appointments, the turn at the moment of signing, what is recorded and shown.

The rulebook's table (tests/test_workflow.py) grows an appointment dimension here: for the
pending step's holder, an appointment that is none / acting / delegated / expired / future,
and every action by the holder, the stand-in and someone else. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from approval import workflow
from approval.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotYourTurn,
    ValidationFailed,
)
from approval.extensions import db
from approval.models import (
    Appointment,
    AppointmentKind,
    Event,
    Memo,
    MemoState,
    Step,
    StepStatus,
)
from approval.services import appointments, audit, memos
from approval.transaction import commit

from .helpers import PASSWORD, act, memo_in, reference_memo, user
from .test_workflow import ACTIONS, expected

API = "/api/v1"


def today() -> dt.date:
    return appointments.today()


def appoint(holder: str, stand_in: str, kind: str = "acting", *, by: str = "admin", **extra) -> Appointment:
    found = appointments.appoint(db.session, user(by), {
        "kind": kind, "holder_id": user(holder).id, "stand_in_id": user(stand_in).id,
        "starts_on": today().isoformat(), **extra})
    db.session.commit()
    return found


def appointment_in(mode: str, holder: str, stand_in: str) -> Appointment | None:
    """An appointment of `stand_in` for `holder` that is none / acting / delegated / expired / future today."""
    if mode == "none":
        return None
    if mode in ("acting", "delegated"):
        return appoint(holder, stand_in, mode)
    if mode == "future":
        return appoint(holder, stand_in, "acting", starts_on=(today() + dt.timedelta(days=1)).isoformat())
    # expired: written as it would stand after its last day (appoint() refuses an end in the past)
    row = Appointment(organization_id=user(holder).organization_id, kind=AppointmentKind.ACTING,
                      holder_id=user(holder).id, stand_in_id=user(stand_in).id,
                      starts_on=today() - dt.timedelta(days=10), ends_on=today() - dt.timedelta(days=1), note="")
    db.session.add(row)
    db.session.commit()
    return row


# --- the rulebook's appointment dimension ------------------------------------------------

#: state -> (holder = the pending step's assignee, the stand-in, someone else)
CASES = {"review_head": ("head", "deputy", "records"), "review_mayor": ("mayor", "deputy", "head")}
MODES = ["none", "acting", "delegated", "expired", "future"]


def expected_with(state: str, action: str, role: str, mode: str):
    holder, stand_in, other = CASES[state]
    as_holder = expected(state, action, holder)
    in_force = mode in ("acting", "delegated")
    if role == "holder":
        if mode == "acting" and isinstance(as_holder, str):
            return NotYourTurn  # รักษาราชการแทน: the stand-in alone
        return as_holder
    if role == "stand_in":
        return as_holder if in_force and isinstance(as_holder, str) else expected(state, action, stand_in)
    return expected(state, action, other)


def _snapshot(memo: Memo):
    db.session.refresh(memo)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.memo_id == memo.id))
    return (memo.state, memo.version, memo.round, events,
            [(s.round, s.seq, s.status, s.signed_by_id, s.capacity) for s in memo.steps])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("state", list(CASES))
def test_appointment_matrix(seeded, state, mode):
    memo = memo_in(state)
    holder, stand_in, other = CASES[state]
    appointment = appointment_in(mode, holder, stand_in)
    before = _snapshot(memo)
    outcomes, wanted = {}, {}
    for action in ACTIONS:
        for role, name in (("holder", holder), ("stand_in", stand_in), ("other", other)):
            wanted[(action, role)] = expected_with(state, action, role, mode)
            step = memo.pending_step
            try:
                memos.act(db.session, memo, user(name), action, comment="ความเห็นทดสอบ", decision="approve",
                          password=PASSWORD)
                db.session.flush()
                outcomes[(action, role)] = memo.state.value
                signed = db.session.get(Step, step.id)
                last = db.session.scalar(
                    sa.select(Event).where(Event.memo_id == memo.id, Event.action == action)
                    .order_by(Event.id.desc()).limit(1))
                assert last.actor_id == user(name).id  # the event's actor is the person who acted
                assert signed.signed_by_id == user(name).id
                if role == "stand_in":
                    assert (signed.capacity, signed.on_behalf_of_id, signed.appointment_id) == (
                        mode, user(holder).id, appointment.id)
                    assert last.data["capacity"]["kind"] == mode
                else:
                    assert signed.capacity is None and signed.on_behalf_of_id is None
            except DomainError as exc:
                outcomes[(action, role)] = type(exc)
            db.session.rollback()
            assert _snapshot(memo) == before, f"{action} by {role} left a trace"
    assert outcomes == wanted


def test_allowed_actions_and_turn_follow_the_standing(seeded):
    memo = memo_in("review_mayor")
    appointment = appoint("mayor", "deputy", "delegated")
    standing = appointments.standing(db.session, user("deputy"))
    assert standing.covers == (workflow.Cover(user("mayor").id, "delegated", appointment.id),)
    assert workflow.allowed_actions(memo, user("deputy")) == []
    assert set(workflow.allowed_actions(memo, user("deputy"), standing)) == {workflow.Action.RETURN,
                                                                           workflow.Action.ORDER}
    assert workflow.turn(memo, user("deputy"), standing).capacity == "delegated"
    assert workflow.turn(memo, user("mayor"), appointments.standing(db.session, user("mayor"))).cover is None


# --- what is recorded --------------------------------------------------------------------

def test_the_deputy_signs_twice_in_one_round_each_by_its_own_act(seeded):
    """The rule chosen for "the same person twice in one round": allowed, one act per step.

    The ปลัด gives an opinion as ปลัด (their own step), then the order as รักษาราชการแทน นายก:
    two acts, two confirmations with their own password, two events. Refusing would leave the
    memo stuck until the mayor is back (what appointments exist to prevent); signing both with
    one act would hide that the order was a decision of its own.
    """
    appoint("mayor", "deputy", "acting", order_number="๑๒/๒๕๖๘", order_date="2025-01-06")
    memo = act(reference_memo(), "legal", "submit")
    act(memo, "head", "forward", comment="เห็นควรเสนอ")
    act(memo, "deputy", "forward", comment="เห็นควรทราบ")
    assert memo.state is MemoState.IN_REVIEW and memo.pending_step.seq == 3  # not signed by the same act
    with pytest.raises(NotYourTurn):
        act(memo, "mayor", "order", decision="approve")
    db.session.rollback()
    act(memo, "deputy", "order", decision="approve")
    steps = {s.seq: s for s in memo.round_steps}
    deputy, mayor = user("deputy"), user("mayor")
    assert (steps[2].signed_by_id, steps[2].capacity, steps[2].on_behalf_of_id) == (deputy.id, None, None)
    assert (steps[3].signed_by_id, steps[3].capacity, steps[3].on_behalf_of_id) == (deputy.id, "acting", mayor.id)
    assert (steps[3].signer_name, steps[3].signer_position, steps[3].on_behalf_of_position) == (
        deputy.full_name, deputy.position, mayor.position)
    orders = [e for e in memo.events if e.action in ("forward", "order")]
    assert [(e.action, e.actor_id) for e in orders] == [
        ("forward", user("head").id), ("forward", deputy.id), ("order", deputy.id)]
    assert orders[-1].data["capacity"]["on_behalf_of"] == mayor.id and orders[-1].data["confirmed"]
    assert audit.verify_chain(db.session) == []
    with pytest.raises(InvalidTransition):  # a second click
        act(memo, "deputy", "order", decision="approve")


def test_the_stand_ins_own_password_confirms(seeded):
    appoint("mayor", "deputy")
    memo = memo_in("review_mayor")
    from approval.errors import ConfirmationFailed

    with pytest.raises(ConfirmationFailed):
        memos.act(db.session, memo, user("deputy"), "order", decision="approve", password="the-mayors-password")
    db.session.rollback()
    memos.act(db.session, memo, user("deputy"), "order", decision="approve", password=PASSWORD)
    db.session.commit()
    assert memo.state is MemoState.DECIDED


def test_when_the_appointment_ends_the_unsigned_step_is_the_holders_again(seeded):
    acting = appoint("head", "deputy", "acting")
    memo = memo_in("review_head")
    appointments.end(db.session, user("admin"), acting)
    db.session.commit()
    with pytest.raises(NotYourTurn):
        act(memo, "deputy", "forward", comment="เห็นชอบ")
    db.session.rollback()
    act(memo, "head", "forward", comment="เห็นชอบ")
    # What was signed under an appointment stays signed after it ends.
    covering = appoint("mayor", "deputy", "delegated")
    act(memo, "deputy", "forward", comment="เห็นควรทราบ")
    act(memo, "deputy", "order", decision="acknowledge")
    appointments.end(db.session, user("admin"), covering)
    db.session.commit()
    db.session.expire_all()
    last = db.session.get(Memo, memo.id).round_steps[-1]
    assert (last.status, last.capacity, last.signed_by_id) == (StepStatus.DONE, "delegated", user("deputy").id)


def test_delegated_leaves_the_holder_their_turn(seeded):
    appoint("mayor", "deputy", "delegated")
    memo = memo_in("review_mayor")
    act(memo, "mayor", "order", decision="approve")
    step = memo.round_steps[-1]
    assert (step.signed_by_id, step.capacity) == (user("mayor").id, None)


# --- the rules that protect the record ----------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"stand_in": "mayor"}, "stand_in_id"),  # oneself
    ({"stand_in": "org2.deputy"}, "stand_in_id"),  # another organisation
    ({"holder": "org2.mayor"}, "holder_id"),
    ({"kind": "acting-ish"}, "kind"),
    ({"starts_on": "06/01/2025"}, "starts_on"),
    ({"ends_on": "2000-01-01"}, "ends_on"),
    ({"order_number": "ก" * 101}, "order_number"),
    ({"surprise": 1}, "surprise"),
])
def test_invalid_appointments_are_refused(seeded, data, field):
    body = {"kind": data.get("kind", "acting"), "holder_id": user(data.get("holder", "mayor")).id,
            "stand_in_id": user(data.get("stand_in", "deputy")).id,
            "starts_on": data.get("starts_on", today().isoformat())}
    body.update({k: v for k, v in data.items() if k not in ("kind", "holder", "stand_in", "starts_on")})
    with pytest.raises(ValidationFailed) as info:
        appointments.appoint(db.session, user("admin"), body)
    assert field in info.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 0


def test_overlapping_appointments_for_one_holder_are_refused(seeded):
    appoint("mayor", "deputy", ends_on=(today() + dt.timedelta(days=5)).isoformat())
    with pytest.raises(ValidationFailed) as info:
        appoint("mayor", "head", "delegated", starts_on=(today() + dt.timedelta(days=5)).isoformat())
    assert "starts_on" in info.value.fields
    db.session.rollback()
    later = appoint("mayor", "head", starts_on=(today() + dt.timedelta(days=6)).isoformat())
    assert later.id
    appoint("head", "deputy")  # another holder: fine


def test_who_may_appoint_and_end(seeded):
    with pytest.raises(Forbidden):  # an executive only for their own position
        appoint("head", "deputy", by="mayor")
    db.session.rollback()
    with pytest.raises(Forbidden):
        appoint("mayor", "deputy", by="head")
    db.session.rollback()
    own = appoint("mayor", "deputy", by="mayor")
    with pytest.raises(Forbidden):
        appointments.end(db.session, user("deputy"), own)
    db.session.rollback()
    assert appointments.end(db.session, user("mayor"), own) is True
    db.session.commit()
    assert appointments.end(db.session, user("admin"), own) is False  # already ended: nothing recorded
    events = db.session.scalars(sa.select(Event).where(Event.memo_id.is_(None), Event.action.like("admin.%appoint%"))
                                .order_by(Event.id)).all()
    assert [(e.action, e.actor_id, e.data["appointment_id"]) for e in events] == [
        ("admin.appoint", user("mayor").id, own.id), ("admin.end_appointment", user("mayor").id, own.id)]
    assert audit.verify_chain(db.session) == []


# --- inbox and visibility ------------------------------------------------------------------

def _count_queries():
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    sa.event.listen(db.engine, "before_cursor_execute", before)
    return counter, lambda: sa.event.remove(db.engine, "before_cursor_execute", before)


def test_the_stand_in_sees_the_memo_in_their_inbox_marked_and_the_holder_sees_who_covers(seeded):
    memo = memo_in("review_mayor")
    assert memos.inbox_count(db.session, user("deputy")) == 0
    appointment = appoint("mayor", "deputy")
    deputy, mayor = user("deputy"), user("mayor")
    db.session.expire_all()
    counter, stop = _count_queries()
    try:
        items, total = memos.inbox_page(db.session, deputy)
        notes = appointments.inbox_notes(db.session, deputy, items)
    finally:
        stop()
    assert [i.memo.id for i in items] == [memo.id] and total == 1 and counter["n"] <= 8
    assert notes == {memo.id: f"แทน {mayor.full_name}"}
    items, _ = memos.inbox_page(db.session, mayor)
    assert appointments.inbox_notes(db.session, mayor, items) == {memo.id: f"{deputy.full_name} รักษาราชการแทนท่าน"}
    assert memos.get_memo(db.session, deputy, memo.id).id == memo.id
    appointments.end(db.session, user("admin"), appointment)
    db.session.commit()
    assert memos.inbox_count(db.session, deputy) == 0


def test_a_stand_in_outside_the_chain_sees_the_memo_only_while_covering_or_once_signed(seeded):
    from approval.services import organizations

    memo = memo_in("review_mayor")
    legal = user("legal")
    outsider = organizations.create_user(db.session, legal.organization, username="clerk", full_name="นายเสมียน ทดสอบ",
                                         position="เจ้าพนักงานธุรการ", roles=["officer"], password=PASSWORD,
                                         enforce_policy=False)
    db.session.commit()
    in_sql = lambda: memo.id in {m.id for m in db.session.scalars(memos.visible_query(outsider))}
    with pytest.raises(DomainError):
        memos.get_memo(db.session, outsider, memo.id)
    assert not in_sql()
    covering = appoint("mayor", "clerk", "delegated", ends_on=(today() + dt.timedelta(days=3)).isoformat())
    assert memos.get_memo(db.session, outsider, memo.id).id == memo.id and in_sql()
    appointments.end(db.session, user("admin"), covering)
    db.session.commit()
    with pytest.raises(DomainError):
        memos.get_memo(db.session, outsider, memo.id)
    assert not in_sql()
    appoint("mayor", "clerk", "delegated", starts_on=(today() + dt.timedelta(days=4)).isoformat())
    with pytest.raises(DomainError):  # not in force yet
        memos.get_memo(db.session, outsider, memo.id)
    db.session.execute(sa.update(Appointment).where(Appointment.ended_at.is_(None))
                       .values(starts_on=today()))
    db.session.commit()
    act(memo, "clerk", "return", comment="ขอเอกสารเพิ่มเติม")
    # returned: no longer pending with the holder, but the clerk signed a step of it
    assert memos.get_memo(db.session, outsider, memo.id).id == memo.id and in_sql()


# --- the API ---------------------------------------------------------------------------------

def test_appointments_through_the_api(seeded, token_for):
    client = seeded.test_client()
    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    deputy = {"Authorization": f"Bearer {token_for('deputy')}"}
    body = {"kind": "acting", "holder_id": user("mayor").id, "stand_in_id": user("deputy").id,
            "starts_on": today().isoformat(), "ends_on": None, "order_number": "๑๒/๒๕๖๘",
            "order_date": "2025-01-06", "note": "ไปราชการต่างจังหวัด"}
    created = client.post(f"{API}/appointments", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert (data["kind"], data["holder"]["id"], data["stand_in"]["id"], data["order_number"], data["ended_at"]) == (
        "acting", user("mayor").id, user("deputy").id, "๑๒/๒๕๖๘", None)
    overlap = client.post(f"{API}/appointments", json={**body, "stand_in_id": user("head").id}, headers=admin)
    assert overlap.status_code == 422 and overlap.get_json()["error"]["code"] == "validation_error"
    assert client.post(f"{API}/appointments", json=body, headers=deputy).status_code == 403
    listed = client.get(f"{API}/appointments?active=true", headers=deputy).get_json()["items"]
    assert [a["id"] for a in listed] == [data["id"]]
    assert client.get(f"{API}/appointments?active=maybe", headers=admin).status_code == 422

    memo = memo_in("review_mayor")
    inbox = client.get(f"{API}/inbox", headers=deputy).get_json()
    assert [m["id"] for m in inbox["items"]] == [memo.id]
    done = client.post(f"{API}/memos/{memo.id}/actions", headers=deputy,
                       json={"action": "order", "decision": "approve", "password": PASSWORD})
    assert done.status_code == 200, done.get_json()
    step = done.get_json()["steps"][-1]
    assert step["signed_by"]["id"] == user("deputy").id and step["capacity"] == "acting"
    assert step["on_behalf_of"] == {"id": user("mayor").id, "full_name": user("mayor").full_name,
                                    "position": user("mayor").position}
    assert done.get_json()["events"][-1]["actor"]["id"] == user("deputy").id
    earlier = done.get_json()["steps"][0]
    assert earlier["signed_by"]["id"] == user("head").id and earlier["capacity"] is None

    from jsonschema import Draft202012Validator

    spec = client.get(f"{API}/openapi.json").get_json()
    for name, instance in (("Memo", done.get_json()), ("Appointment", data),
                           ("AppointmentList", client.get(f"{API}/appointments", headers=admin).get_json())):
        Draft202012Validator({**spec["components"]["schemas"][name], "components": spec["components"]}).validate(
            instance)

    assert client.delete(f"{API}/appointments/{data['id']}", headers=deputy).status_code == 403
    assert client.delete(f"{API}/appointments/{data['id']}", headers=admin).status_code == 204
    assert client.get(f"{API}/appointments?active=true", headers=admin).get_json()["items"] == []
    ended = client.get(f"{API}/appointments", headers=admin).get_json()["items"][0]
    assert ended["ended_at"] is not None
    assert client.delete(f"{API}/appointments/999999", headers=admin).status_code == 404


# --- pages ------------------------------------------------------------------------------------

def _login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_appointments_page_appoints_lists_and_ends(seeded):
    admin = _login(seeded, "admin")
    page = admin.get("/admin/appointments")
    assert page.status_code == 200 and 'id="appointment-form"' in page.get_data(as_text=True)
    response = admin.post("/admin/appointments", data={
        "kind": "acting", "holder_id": str(user("mayor").id), "stand_in_id": str(user("deputy").id),
        "starts_on": today().isoformat(), "order_number": "๑๒/๒๕๖๘"})
    assert response.status_code == 302
    [found] = db.session.scalars(sa.select(Appointment)).all()
    refused = admin.post("/admin/appointments", data={
        "kind": "acting", "holder_id": str(user("mayor").id), "stand_in_id": str(user("mayor").id),
        "starts_on": today().isoformat()})
    assert refused.status_code == 422 and "ไม่สามารถแต่งตั้งให้ปฏิบัติหน้าที่แทนตนเองได้" in refused.get_data(as_text=True)
    memo = memo_in("review_mayor")
    deputy = _login(seeded, "deputy")
    assert f"แทน {user('mayor').full_name}" in deputy.get("/inbox").get_data(as_text=True)
    detail = deputy.get(f"/memos/{memo.id}").get_data(as_text=True)
    assert 'id="acting-notice"' in detail and "รักษาราชการแทน" in detail
    mayor = _login(seeded, "mayor")
    assert f"{user('deputy').full_name} รักษาราชการแทน" in mayor.get(f"/memos/{memo.id}").get_data(as_text=True)
    assert 'value="order"' not in mayor.get(f"/memos/{memo.id}").get_data(as_text=True)
    assert deputy.post(f"/memos/{memo.id}/action", data={
        "action": "order", "decision": "approve", "comment": "", "password": PASSWORD}).status_code == 302
    detail = deputy.get(f"/memos/{memo.id}").get_data(as_text=True)
    assert "paper-capacity" in detail and user("mayor").position in detail
    # an executive manages their own position only; others may not open the page
    assert mayor.get("/admin/appointments").status_code == 200
    assert deputy.get("/admin/appointments").status_code == 403
    assert admin.post(f"/admin/appointments/{found.id}/end").status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, found.id).ended_at is not None
    log = admin.get("/admin/log").get_data(as_text=True)
    assert "แต่งตั้งผู้ปฏิบัติหน้าที่แทน" in log and "สิ้นสุดการแต่งตั้งผู้ปฏิบัติหน้าที่แทน" in log


# --- the race: the appointment ends while the stand-in signs ----------------------------------

def test_the_appointment_ends_while_the_stand_in_signs(seeded):
    """Exactly one order: signed under the appointment (then ended), or refused after it ended.
    Never a step signed under an appointment already ended, nothing half-recorded."""
    outcomes = set()
    for attempt in range(4):
        if attempt:
            _reset(seeded)
        memo = memo_in("review_mayor")
        appointment = appoint("mayor", "deputy")
        results = _sign_and_end_at_once(seeded, memo.id, appointment.id)
        db.session.expire_all()
        fresh = db.session.get(Memo, memo.id)
        step = fresh.round_steps[-1]
        ended = db.session.get(Appointment, appointment.id)
        orders = [e for e in fresh.events if e.action == "order"]
        if results["sign"] == "ok":
            assert fresh.state is MemoState.DECIDED and fresh.document is not None
            assert (step.status, step.signed_by_id, step.capacity, step.appointment_id) == (
                StepStatus.DONE, user("deputy").id, "acting", appointment.id)
            assert len(orders) == 1 and orders[0].actor_id == user("deputy").id
            assert ended.used_at is not None  # the signature went through the appointment's row
        else:
            assert results["sign"] in ("403", "409")
            assert fresh.state is MemoState.IN_REVIEW and fresh.document is None and not orders
            assert (step.status, step.signed_at, step.signed_by_id, step.capacity, step.signer_name) == (
                StepStatus.PENDING, None, None, None, None)
            assert ended.used_at is None
        if results["end"] == "ok":
            assert ended.ended_at is not None
        outcomes.add((results["sign"], results["end"]))
        assert audit.verify_chain(db.session) == []
    assert all(end in ("ok", "409") for _, end in outcomes)


def _sign_and_end_at_once(app, memo_id: int, appointment_id: int) -> dict[str, str]:
    """The deputy orders (as รักษาราชการแทน) and the admin ends the appointment, released together."""
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def sign():
        with app.app_context():
            try:
                fresh, actor = db.session.get(Memo, memo_id), user("deputy")
                _ = fresh.steps, fresh.organization, actor.roles
                barrier.wait(timeout=60)
                memos.act(db.session, fresh, actor, "order", decision="approve", password=PASSWORD)
                commit(db.session)
                results["sign"] = "ok"
            except DomainError as exc:
                db.session.rollback()
                results["sign"] = str(exc.status)
            finally:
                db.session.remove()

    def end():
        with app.app_context():
            try:
                found, admin = db.session.get(Appointment, appointment_id), user("admin")
                _ = found.holder, admin.roles
                barrier.wait(timeout=60)
                appointments.end(db.session, admin, found)
                commit(db.session)
                results["end"] = "ok"
            except DomainError as exc:
                db.session.rollback()
                results["end"] = str(exc.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign), threading.Thread(target=end)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _reset(app):
    from .conftest import PASSWORD as SEED_PASSWORD
    from .conftest import _wipe

    db.session.remove()
    _wipe()
    from approval.cli import seed_demo

    seed_demo(SEED_PASSWORD)
