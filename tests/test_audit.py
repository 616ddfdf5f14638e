"""The audit chain: any edit made behind the application's back is found (ASVS 7.3.x, 10.x)."""

from __future__ import annotations

import json
import unicodedata

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.models import Event
from approval.services import audit

from . import helpers


@pytest.fixture()
def decided(seeded):
    memo = helpers.memo_in("decided")
    assert audit.verify_chain(db.session) == []
    return memo


def ids(memo_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(Event.id).where(Event.memo_id == memo_id).order_by(Event.id)))


def raw(sql: str, **params) -> None:
    """Tamper with the table directly, as someone with database access would."""
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    db.session.expire_all()


def cli_detects(app) -> bool:
    result = app.test_cli_runner().invoke(args=["verify-chain"])
    return result.exit_code == 1


def test_intact_chain_passes_the_cli(app, decided):
    result = app.test_cli_runner().invoke(args=["verify-chain"])
    assert result.exit_code == 0, result.output
    assert "ครบถ้วน" in result.output


@pytest.mark.parametrize("tamper", [
    "comment", "actor", "to_state", "at", "data", "delete_middle", "delete_last", "swap_hashes",
    "rehash_one", "insert_forged",
])
def test_direct_database_edits_are_detected(app, decided, tamper):
    events = ids(decided.id)
    middle, last = events[2], events[-1]
    if tamper == "comment":
        raw("UPDATE event SET comment = :c WHERE id = :id", c="ไม่อนุมัติ", id=middle)
    elif tamper == "actor":
        other = helpers.user("records").id
        raw("UPDATE event SET actor_id = :a WHERE id = :id", a=other, id=middle)
    elif tamper == "to_state":
        raw("UPDATE event SET to_state = 'returned' WHERE id = :id", id=middle)
    elif tamper == "at":
        raw("UPDATE event SET at = :at WHERE id = :id", at="2020-01-01 00:00:00.000000", id=middle)
    elif tamper == "data":
        raw("UPDATE event SET data = :d WHERE id = :id", d='{"decision": "reject", "confirmed": true}', id=last)
    elif tamper == "delete_middle":
        raw("DELETE FROM event WHERE id = :id", id=middle)
    elif tamper == "delete_last":
        raw("DELETE FROM event WHERE id = :id", id=last)
    elif tamper == "swap_hashes":
        a, b = events[1], events[2]
        ha, hb = (db.session.get(Event, i).hash for i in (a, b))
        raw("UPDATE event SET hash = :t WHERE id = :id", t="x" * 64, id=a)
        raw("UPDATE event SET hash = :h WHERE id = :id", h=ha, id=b)
        raw("UPDATE event SET hash = :h WHERE id = :id", h=hb, id=a)
    elif tamper == "rehash_one":
        # a careful forger recomputes the edited event's own hash: the next link still breaks
        event = db.session.get(Event, middle)
        event.comment = "แก้ไขย้อนหลัง"
        forged = audit.compute_hash(event.prev_hash, audit.event_content(event))
        db.session.rollback()
        raw("UPDATE event SET comment = :c, hash = :h WHERE id = :id", c="แก้ไขย้อนหลัง", h=forged, id=middle)
    elif tamper == "insert_forged":
        row = db.session.get(Event, middle)
        # The forger picks an id (SQLite has no id default on a composite key: models/tenancy.py).
        raw("INSERT INTO event (id, organization_id, memo_id, actor_id, action, from_state, to_state, round, step,"
            " comment, data, at, prev_hash, hash) VALUES ((SELECT max(id) + 1000 FROM event), :o, :m, :a,"
            " 'forward', 'in_review', 'in_review', 1, 2,"
            " 'เพิ่มเติม', '{}', :at, :p, :h)",
            o=row.organization_id, m=row.memo_id, a=row.actor_id, at="2030-01-01 00:00:00.000000",
            p=db.session.get(Event, last).hash, h="f" * 64)
    problems = audit.verify_chain(db.session)
    assert problems, f"{tamper} was not detected"
    assert all(p.memo_id == decided.id for p in problems)
    assert cli_detects(app)


def test_problems_are_per_organisation(decided, users):
    org2 = users["org2.legal"].organization_id
    raw("UPDATE event SET comment = 'x' WHERE id = :id", id=ids(decided.id)[1])
    assert audit.verify_chain(db.session, org2) == []
    assert audit.verify_chain(db.session, decided.organization_id)


def test_canonical_json_is_nfc_never_nfkc():
    decomposed = "น\u0e49\u0e4d\u0e32"  # น้ + NIKHAHIT + SARA AA: NFKC folds NIKHAHIT+AA into SARA AM
    assert unicodedata.normalize("NFKC", "\u0e33") == "\u0e4d\u0e32"  # (why it matters)
    assert audit.canonical_json({"c": "น้ำ"}) == '{"c":"น้ำ"}'
    assert "\u0e33" in audit.canonical_json({"c": "\u0e33"})  # SARA AM is kept as itself
    assert "\u0e4d\u0e32" in audit.canonical_json({"c": decomposed})
    assert audit.canonical_json({"c": "ﬁ²"}) == '{"c":"ﬁ²"}'  # compatibility characters untouched
    assert audit.canonical_json({"c": "e\u0301"}) == '{"c":"é"}'  # but canonical composition is applied
    assert audit.canonical_json({"b": 1, "a": [True, None]}) == '{"a":[true,null],"b":1}'
    with pytest.raises(TypeError):
        audit.canonical_json({"x": 1.5})


def test_thai_comment_with_sara_am_verifies(seeded):
    memo = helpers.memo_in("review_head")
    helpers.act(memo, "head", "forward", comment="น้ำท่วม ดำเนินการ \u0e33")
    assert audit.verify_chain(db.session) == []
    stored = db.session.scalars(sa.select(Event.comment).where(Event.action == "forward")).first()
    assert "\u0e33" in stored and "\u0e4d\u0e32" not in stored


def test_deleting_the_last_admin_events_is_detected(app, seeded, users):
    """The organisation-level chain (admin.* events) keeps its head on the
    organisation: cutting its tail is found, like a memo's."""
    from approval.services import organizations

    org = users["admin"].organization
    organizations.reset_password(db.session, users["legal"], actor=users["admin"])
    organizations.reset_password(db.session, users["head"], actor=users["admin"])
    db.session.commit()
    assert audit.verify_chain(db.session) == []
    admin_events = list(db.session.scalars(
        sa.select(Event.id).where(Event.memo_id.is_(None), Event.organization_id == org.id).order_by(Event.id)))
    assert len(admin_events) >= 2
    raw("DELETE FROM event WHERE id = :id", id=admin_events[-1])
    problems = audit.verify_chain(db.session)
    assert [p.memo_id for p in problems] == [None]
    assert "การดูแลระบบ" in problems[0].problem
    assert audit.verify_chain(db.session, users["org2.legal"].organization_id) == []
    assert cli_detects(app)


def test_admin_events_at_once_keep_one_chain(app, seeded, users):
    """Eight password resets at once: the organisation's row takes them in turn,
    so the admin chain neither forks nor loses its head."""
    import threading

    from approval.models import User
    from approval.services import organizations

    org_id = users["admin"].organization_id
    names = ["legal", "head", "deputy", "mayor", "records", "legal", "head", "deputy"]
    barrier = threading.Barrier(len(names))
    errors: list[BaseException] = []

    def reset(username):
        with app.app_context():
            try:
                admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
                target = db.session.scalar(sa.select(User).where(User.username == username))
                _ = admin.roles, target.organization
                barrier.wait(timeout=60)
                organizations.reset_password(db.session, target, actor=admin)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    before = db.session.scalar(sa.select(sa.func.count(Event.id)).where(Event.memo_id.is_(None),
                                                                         Event.organization_id == org_id))
    threads = [threading.Thread(target=reset, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    db.session.expire_all()
    after = db.session.scalar(sa.select(sa.func.count(Event.id)).where(Event.memo_id.is_(None),
                                                                        Event.organization_id == org_id))
    assert after == before + len(names)
    assert audit.verify_chain(db.session) == []


# --- anchors: signed checkpoints kept outside the database (finding 9 of the attack) --------

def anchor(app) -> str:
    result = app.test_cli_runner().invoke(args=["anchor-chain"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def verify_cli(app):
    return app.test_cli_runner().invoke(args=["verify-chain"])


def anchor_file(app, org_id: int):
    from approval.services import anchors

    return anchors.settings(app).path(org_id)


def rewrite_and_rehash(memo_id: int, event_id: int, comment: str) -> None:
    """What a careful forger does: edit one event, then recompute every hash after it."""
    prev, updates = audit.GENESIS, []
    for event in db.session.scalars(sa.select(Event).where(Event.memo_id == memo_id).order_by(Event.id)):
        if event.id == event_id:
            event.comment = comment
        digest = audit.compute_hash(prev, audit.event_content(event))
        updates.append((event.id, event.comment, prev, digest))
        prev = digest
    db.session.rollback()
    for eid, text, prev_hash, digest in updates:
        raw("UPDATE event SET comment = :c, prev_hash = :p, hash = :h WHERE id = :id",
            c=text, p=prev_hash, h=digest, id=eid)


def test_untouched_chain_passes_against_its_anchors(app, decided, users):
    output = anchor(app)
    assert "จุดยึด #1" in output
    assert "ไม่มีเหตุการณ์ใหม่" in anchor(app)  # nothing new: no second checkpoint
    from approval.services import organizations

    organizations.reset_password(db.session, users["head"], actor=users["admin"])  # a new admin event
    db.session.commit()
    assert "จุดยึด #2" in anchor(app)
    lines = anchor_file(app, decided.organization_id).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    result = verify_cli(app)
    assert result.exit_code == 0, result.output
    assert "ครบถ้วน" in result.output and "จุดยึด" in result.output


@pytest.mark.parametrize("chain", ["memo", "admin"])
def test_a_deleted_tail_after_an_anchor_is_found(app, decided, users, chain):
    """Delete the last event and make everything else agree with the shorter chain: the
    chain alone verifies, the anchor does not."""
    from approval.services import organizations

    organizations.reset_password(db.session, users["head"], actor=users["admin"])
    organizations.reset_password(db.session, users["legal"], actor=users["admin"])
    db.session.commit()
    anchor(app)
    if chain == "memo":
        last = ids(decided.id)[-1]  # the order
        raw("DELETE FROM event WHERE id = :id", id=last)
        raw("UPDATE memo SET state = 'in_review', decision = NULL, decided_at = NULL WHERE id = :id",
            id=decided.id)
    else:
        org_id = decided.organization_id
        admin_events = list(db.session.scalars(sa.select(Event).where(
            Event.memo_id.is_(None), Event.organization_id == org_id).order_by(Event.id)))
        last = admin_events[-1].id
        raw("DELETE FROM event WHERE id = :id", id=last)
        raw("UPDATE organization SET admin_event_head = :h WHERE id = :id", h=admin_events[-2].hash, id=org_id)
    assert audit.verify_chain(db.session) == []  # the chain alone is fooled
    result = verify_cli(app)
    assert result.exit_code == 1
    assert f"event {last} " in result.output and "หายไป" in result.output


def test_a_rewritten_and_rehashed_order_is_found(app, decided):
    anchor(app)
    order = ids(decided.id)[-1]
    rewrite_and_rehash(decided.id, order, "ไม่อนุมัติ")
    raw("UPDATE step SET comment = 'ไม่อนุมัติ' WHERE memo_id = :m AND seq = 3", m=decided.id)
    assert audit.verify_chain(db.session) == []  # the chain alone is fooled
    result = verify_cli(app)
    assert result.exit_code == 1
    assert f"event {order} (memo {decided.id})" in result.output and "คำนวณแฮชใหม่" in result.output
    from approval.services import archive

    # the integrity report and verify-archive say so too
    assert any("คำนวณแฮชใหม่" in p.detail for p in archive.verify_archive(db.session, decided.organization_id))


def test_rewriting_an_earlier_memo_is_found_after_later_checkpoints(app, decided, users):
    """A later checkpoint that does not list the memo still leaves the earlier one standing."""
    anchor(app)
    from approval.services import organizations

    organizations.reset_password(db.session, users["head"], actor=users["admin"])
    db.session.commit()
    anchor(app)
    rewrite_and_rehash(decided.id, ids(decided.id)[2], "แก้ไขย้อนหลัง")
    result = verify_cli(app)
    assert result.exit_code == 1 and f"(memo {decided.id})" in result.output


def test_a_forged_checkpoint_row_is_found(app, decided):
    from approval.models import AuditCheckpoint

    anchor(app)
    assert verify_cli(app).exit_code == 0
    row = db.session.scalar(sa.select(AuditCheckpoint))
    # the forger rewrites the history, then makes the checkpoint row agree with it
    rewrite_and_rehash(decided.id, ids(decided.id)[-1], "ไม่อนุมัติ")
    new_heads = {k: [i, db.session.get(Event, i).hash] for k, (i, _h) in row.heads.items()}
    raw("UPDATE audit_checkpoint SET heads = :h, head_hash = :hh, signature = :s WHERE id = :id",
        h=json.dumps(new_heads), hh=db.session.get(Event, row.last_event_id).hash, s="0" * 64, id=row.id)
    result = verify_cli(app)
    assert result.exit_code == 1
    assert "ในฐานข้อมูล: ลายมือชื่อ (hmac-sha256) ไม่ถูกต้อง" in result.output
    assert "ไม่ตรงกับไฟล์ที่ส่งออก" in result.output
    assert "คำนวณแฮชใหม่" in result.output  # the file still has the truth


def test_a_forged_row_added_or_a_row_deleted_is_found(app, decided):
    from approval.models import AuditCheckpoint

    anchor(app)
    row = db.session.scalar(sa.select(AuditCheckpoint))
    raw("INSERT INTO audit_checkpoint (id, organization_id, seq, at, last_event_id, head_hash, event_count, heads,"
        " prev_signature, scheme, signature) VALUES ((SELECT max(id) + 1000 FROM audit_checkpoint), :o, 2, :at,"
        " NULL, NULL, 0, '{}', :p, 'hmac-sha256', :s)",
        o=row.organization_id, at="2030-01-01 00:00:00.000000", p=row.signature, s="f" * 64)
    output = verify_cli(app).output
    assert "จุดยึด #2 ในฐานข้อมูลไม่มีในไฟล์ที่ส่งออก" in output and "ลายมือชื่อ" in output
    raw("DELETE FROM audit_checkpoint")
    result = verify_cli(app)
    assert result.exit_code == 1 and "จุดยึด #1 ในไฟล์ไม่มีในฐานข้อมูล" in result.output


def test_an_edited_or_shortened_export_file_is_found(app, decided, users):
    from approval.services import organizations

    anchor(app)
    organizations.reset_password(db.session, users["head"], actor=users["admin"])
    db.session.commit()
    anchor(app)
    path = anchor_file(app, decided.organization_id)
    first, second = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(first)
    record["event_count"] -= 1  # edited without the key: the HMAC no longer matches
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n" + second + "\n", encoding="utf-8")
    output = verify_cli(app).output
    assert "จุดยึด #1 ในไฟล์" in output and "ลายมือชื่อ (hmac-sha256) ไม่ถูกต้อง" in output
    path.write_text(second + "\n", encoding="utf-8")  # the first line cut out
    result = verify_cli(app)
    assert result.exit_code == 1 and "ไม่ต่อจากจุดยึดก่อนหน้า" in result.output


def test_the_key_is_not_in_the_database(app, decided):
    """A checkpoint verifies only with its key: AUDIT_ANCHOR_KEY, or the one derived from SECRET_KEY."""
    from approval.services import anchors

    conf = anchors.settings(app)
    assert conf.derived and conf.key != app.config["SECRET_KEY"].encode()
    anchor(app)
    assert anchors.verify(db.session, conf) == ([], 2)  # one checkpoint per organisation
    other = anchors.AnchorSettings(key=b"another key", directory=conf.directory, derived=False)
    problems, _ = anchors.verify(db.session, other)
    assert problems and all("ลายมือชื่อ" in p.problem or "ไม่มีในไฟล์" in p.problem for p in problems)


def test_an_order_writes_a_checkpoint_by_itself(app, seeded, token_for):
    """After the order is committed, the app anchors the organisation's chains."""
    from approval.models import AuditCheckpoint

    memo = helpers.memo_in("review_mayor")
    client = app.test_client()
    response = client.post(f"/api/v1/memos/{memo.id}/actions", headers={"Authorization": f"Bearer {token_for('mayor')}"},
                           json={"action": "order", "decision": "approve", "comment": "อนุมัติ",
                                 "password": helpers.PASSWORD})
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    row = db.session.scalar(sa.select(AuditCheckpoint))
    assert row is not None and row.last_event_id == ids(memo.id)[-1]
    assert anchor_file(app, memo.organization_id).exists()
    assert verify_cli(app).exit_code == 0
