"""The action path under load (issue 20, item 3): what an action costs, and in which order it
refuses.

A request that will end in 409/412/403/422 is refused before it pays for the password check
(argon2), the step's signature and the PDF; the order renders last. An action's answer is
built from what the session holds, not loaded again after the commit.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.models import Event, Memo, MemoState
from approval.services import accounts, documents, memos
from approval.signatures import keys as signing_keys

from .conftest import PASSWORD
from .helpers import memo_in, user


class Calls:
    """Counts of the costly parts of an action: password checks, key openings, renders."""

    def __init__(self, monkeypatch):
        self.password = self.key = self.render = self.derivations = 0
        verify, unwrap, render = accounts.verify_password, signing_keys.unlock, documents.render
        open_existing, derive = signing_keys.open_existing, signing_keys._derive

        def counted_verify(*args, **kwargs):
            self.password += 1
            return verify(*args, **kwargs)

        def counted_unwrap(*args, **kwargs):
            self.key += 1
            return unwrap(*args, **kwargs)

        def counted_render(*args, **kwargs):
            self.render += 1
            return render(*args, **kwargs)

        def counted_open(*args, **kwargs):
            self.key += 1
            return open_existing(*args, **kwargs)

        def counted_derive(*args, **kwargs):
            self.derivations += 1
            return derive(*args, **kwargs)

        monkeypatch.setattr(accounts, "verify_password", counted_verify)
        monkeypatch.setattr(signing_keys, "unlock", counted_unwrap)
        monkeypatch.setattr(signing_keys, "open_existing", counted_open)
        monkeypatch.setattr(signing_keys, "_derive", counted_derive)
        monkeypatch.setattr(documents, "render", counted_render)

    def reset(self) -> None:
        self.password = self.key = self.render = self.derivations = 0

    @property
    def costly(self) -> int:
        return self.password + self.key + self.render


@pytest.fixture()
def calls(monkeypatch):
    return Calls(monkeypatch)


def _bearer(token: str, **extra) -> dict:
    return {"Authorization": f"Bearer {token}", **extra}


def _events(memo_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.memo_id == memo_id))


def _bump_version_elsewhere(memo_id: int) -> None:
    """Another request's committed change of the memo (its own connection)."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(Memo).where(Memo.id == memo_id).values(version=Memo.version + 1))


# --- the order of the checks ------------------------------------------------------------------

def test_a_stale_if_match_is_412_before_the_password_and_the_pdf(seeded, token_for, calls):
    memo = memo_in("review_mayor")
    calls.reset()
    memo_id, version = memo.id, memo.version
    token = token_for("mayor")
    calls.reset()  # the chain so far and the sign-in paid theirs
    response = seeded.test_client().post(
        f"/api/v1/memos/{memo_id}/actions", headers=_bearer(token, **{"If-Match": str(version - 1)}),
        json={"action": "order", "decision": "approve", "comment": "อนุมัติ", "password": PASSWORD})
    assert response.status_code == 412, response.get_json()
    assert response.get_json()["error"]["code"] == "version_mismatch"
    assert calls.costly == 0
    db.session.expire_all()
    assert db.session.get(Memo, memo_id).state is MemoState.IN_REVIEW


def test_a_current_if_match_is_accepted(seeded, token_for):
    memo = memo_in("review_head")
    memo_id, version = memo.id, memo.version
    token = token_for("head")
    response = seeded.test_client().post(
        f"/api/v1/memos/{memo_id}/actions", headers=_bearer(token, **{"If-Match": f'"{version}"'}),
        json={"action": "forward", "comment": "เห็นควรนำเสนอ", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] > version


def test_a_memo_changed_since_it_was_loaded_is_409_before_the_password_and_the_pdf(seeded, calls):
    memo = memo_in("review_mayor")
    calls.reset()
    events = _events(memo.id)
    _bump_version_elsewhere(memo.id)  # someone else's action committed after this request read the memo
    with pytest.raises(Exception) as refused:
        memos.act(db.session, memo, user("mayor"), "order", comment="อนุมัติ", decision="approve", password=PASSWORD)
    assert (refused.value.status, refused.value.code) == (409, "conflict")
    assert calls.costly == 0
    db.session.rollback()
    assert _events(memo.id) == events


@pytest.mark.parametrize("who, action, status", [
    ("records", "order", 403),  # not their turn
    ("deputy", "order", 409),   # signed already: the step has moved on
    ("legal", "forward", 403),  # the author is not on the pending step
    ("mayor", "submit", 409),   # the state does not allow it
])
def test_a_refused_move_never_checks_the_password(seeded, calls, who, action, status):
    memo = memo_in("review_mayor")
    calls.reset()
    with pytest.raises(Exception) as refused:
        memos.act(db.session, memo, user(who), action, comment="เห็นควร", decision="approve", password=PASSWORD)
    assert refused.value.status == status
    assert calls.costly == 0


def test_a_missing_comment_is_422_before_the_key_and_the_pdf(seeded, calls):
    """Checked with the password, so that a wrong password and an empty opinion are named in one
    answer (issue 21); never the key, the signature or the PDF."""
    memo = memo_in("review_head")
    calls.reset()
    with pytest.raises(Exception) as refused:
        memos.act(db.session, memo, user("head"), "forward", comment="  ", password=PASSWORD)
    assert (refused.value.status, refused.value.code) == (422, "validation_error")
    assert (calls.password, calls.key, calls.render) == (1, 0, 0)


def test_a_wrong_password_is_refused_before_the_signature_and_the_pdf(seeded, calls):
    memo = memo_in("review_mayor")
    calls.reset()
    with pytest.raises(Exception) as refused:
        memos.act(db.session, memo, user("mayor"), "order", comment="อนุมัติ", decision="approve",
                  password="not-the-password")
    assert refused.value.code == "confirmation_failed"
    # The key does not open with it, the hash does not match: refused, nothing signed or rendered.
    assert (calls.key, calls.password, calls.render) == (1, 1, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.memo_id == memo.id, Event.action == "order")) == 0


def test_the_order_opens_the_key_with_the_password_then_renders(seeded, monkeypatch):
    order: list[str] = []
    verify, opening, render = accounts.verify_password, signing_keys.open_existing, documents.render
    monkeypatch.setattr(accounts, "verify_password", lambda *a, **k: order.append("password") or verify(*a, **k))
    monkeypatch.setattr(signing_keys, "open_existing", lambda *a, **k: order.append("key") or opening(*a, **k))
    monkeypatch.setattr(documents, "render", lambda *a, **k: order.append("pdf") or render(*a, **k))
    signing_keys.ensure_key(db.session, user("mayor"), PASSWORD)  # as signing in does
    memo = memo_in("review_mayor")
    order.clear()
    memos.act(db.session, memo, user("mayor"), "order", comment="อนุมัติ", decision="approve", password=PASSWORD)
    db.session.commit()
    assert order == ["key", "pdf"]  # the key that opens is the password's proof: no second check
    assert memo.state is MemoState.DECIDED


def test_a_signing_act_derives_one_argon2_key_not_two(seeded, calls):
    """The password opens the signer's key (AES-GCM authenticates it): that is its check."""
    signing_keys.ensure_key(db.session, user("head"), PASSWORD)  # as signing in does
    memo = memo_in("review_head")
    calls.reset()
    memos.act(db.session, memo, user("head"), "forward", comment="เห็นควร", password=PASSWORD)
    db.session.commit()
    assert (calls.derivations, calls.password) == (1, 0)


@pytest.mark.parametrize("how", ["changed", "reset"])
def test_after_a_password_change_the_old_password_opens_no_key_and_signs_nothing(seeded, how):
    """The key's opening is the password's proof only while the key is wrapped under the
    password the person has now: a change re-wraps it, an administrator's reset revokes it."""
    from approval.services import organizations

    head = user("head")
    signing_keys.ensure_key(db.session, head, PASSWORD)
    db.session.commit()
    if how == "changed":
        accounts.change_password(head, PASSWORD, "another-Passw0rd-2569")
    else:
        organizations.reset_password(db.session, head)
    db.session.commit()
    head = user("head")
    assert signing_keys.open_existing(db.session, head, PASSWORD) is None
    memo = memo_in("review_head")
    with pytest.raises(Exception) as refused:
        memos.act(db.session, memo, user("head"), "forward", comment="เห็นควร", password=PASSWORD)
    assert refused.value.code == "confirmation_failed"


def test_a_first_signature_checks_the_hash_and_issues_the_key(seeded, calls):
    """Without a key yet, nothing can prove the password but its hash; the key is issued after."""
    head = user("head")
    signing_keys.revoke_all(db.session, head, "test")
    db.session.commit()
    memo = memo_in("review_head")
    calls.reset()
    memos.act(db.session, memo, user("head"), "forward", comment="เห็นควร", password=PASSWORD)
    db.session.commit()
    assert calls.password == 1
    assert signing_keys.current_key(db.session, user("head")) is not None


def test_a_memo_held_by_another_action_is_409_at_once(seeded, calls):
    """PostgreSQL: the row is locked FOR UPDATE NOWAIT; another action in flight on the same memo
    (holding the row) makes this one a lost race at once, with nothing paid and nothing recorded."""
    memo = memo_in("review_mayor")
    calls.reset()
    memo_id = memo.id
    if db.engine.dialect.name != "postgresql":
        # SQLite has no row locks: its writers queue on the database lock (busy timeout) and
        # the version check at flush decides; the stale-version test above covers that path.
        with db.engine.connect() as conn:
            assert conn.execute(sa.select(Memo.version).where(Memo.id == memo_id)).scalar() == memo.version
        return
    with db.engine.connect() as other:
        transaction = other.begin()
        other.execute(sa.select(Memo.id).where(Memo.id == memo_id).with_for_update())
        try:
            with pytest.raises(Exception) as refused:
                memos.act(db.session, memo, user("mayor"), "order", comment="อนุมัติ", decision="approve",
                          password=PASSWORD)
            assert (refused.value.status, refused.value.code) == (409, "conflict")
            assert calls.costly == 0
        finally:
            transaction.rollback()
    db.session.rollback()
    assert db.session.get(Memo, memo_id).state is MemoState.IN_REVIEW


# --- what an action costs in queries -------------------------------------------------------------

def _count_queries():
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def commit(_conn):
        statements.append("COMMIT")

    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(db.engine, "commit", commit)

    def stop():
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "commit", commit)

    return statements, stop


# Measured after the tenant keys (a6a6c1705009), which insert a table's rows one statement at a
# time on SQLite: forward 29, return 28, order 46 (38 / 38 / 56 before the action path's work).
@pytest.mark.parametrize("state, who, body, limit", [
    ("review_head", "head", {"action": "forward", "comment": "เห็นควรนำเสนอ"}, 29),
    ("review_head", "head", {"action": "return", "comment": "แก้ไขวันที่"}, 29),
    ("review_mayor", "mayor", {"action": "order", "decision": "approve", "comment": "อนุมัติ"}, 46),
])
def test_an_api_action_does_not_load_the_memo_again_after_its_commit(seeded, token_for, state, who, body, limit):
    memo = memo_in(state)
    memo_id = memo.id
    token = token_for(who)
    db.session.expire_all()
    client = seeded.test_client()
    statements, stop = _count_queries()
    try:
        response = client.post(f"/api/v1/memos/{memo_id}/actions", headers=_bearer(token),
                               json={**body, "password": PASSWORD})
    finally:
        stop()
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    db.session.expire_all()
    stored = db.session.get(Memo, memo_id)
    # The answer is the committed memo: its version, state, steps and events.
    assert (data["version"], data["state"]) == (stored.version, stored.state.value)
    assert len(data["events"]) == _events(memo_id)
    assert [s["status"] for s in data["steps"]] == [s.status.value for s in stored.steps]
    # The request's own commit follows its UPDATE of the memo (the throttle's short transactions
    # commit before it); after it, nothing of the memo is read again.
    change = next(i for i, s in enumerate(statements) if s.lstrip().upper().startswith("UPDATE MEMO"))
    commit_at = statements.index("COMMIT", change)
    reloads = [s for s in statements[commit_at:] if s.lstrip().upper().startswith("SELECT")
               and any(f"FROM {table} " in s for table in ("memo", "step", "user", "attachment"))]
    assert reloads == [], reloads
    queries = [s for s in statements if s != "COMMIT"]
    print(f"{body['action']}: {len(queries)} statements")
    assert len(queries) <= limit, "\n".join(queries)


# --- the password's cost: parameters of today, re-hashed and re-wrapped when older -----------------

def test_a_signing_confirmation_rehashes_a_password_hashed_with_older_parameters(seeded):
    from argon2 import PasswordHasher

    mayor = user("mayor")
    mayor.password_hash = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=2).hash(PASSWORD)
    db.session.commit()
    assert accounts.needs_rehash(mayor)
    memo = memo_in("review_mayor")
    memos.act(db.session, memo, mayor, "order", comment="อนุมัติ", decision="approve", password=PASSWORD)
    db.session.commit()
    db.session.expire_all()
    mayor = user("mayor")
    assert not accounts.needs_rehash(mayor) and accounts.verify_password(mayor, PASSWORD)


def test_sign_in_rewraps_a_signing_key_wrapped_with_older_parameters(seeded, monkeypatch):
    head = user("head")
    today = dict(signing_keys.KDF_PARAMS)
    monkeypatch.setitem(signing_keys.KDF_PARAMS, "m", today["m"] * 2)  # the parameters of an older release
    assert accounts.authenticate(db.session, "head", PASSWORD) is not None
    db.session.commit()
    row = signing_keys.current_key(db.session, head)
    old_kdf, fingerprint = row.kdf, row.fingerprint
    monkeypatch.setitem(signing_keys.KDF_PARAMS, "m", today["m"])
    assert accounts.authenticate(db.session, "head", PASSWORD) is not None
    db.session.commit()
    db.session.expire_all()
    row = signing_keys.current_key(db.session, user("head"))
    assert row.kdf != old_kdf and row.kdf == f"argon2id$t={today['t']}$m={today['m']}$p={today['p']}"
    assert row.fingerprint == fingerprint  # the same key and certificate, wrapped anew
    assert signing_keys.unwrap(row, PASSWORD) is not None
    # And it signs: the head forwards a memo with it.
    memo = memo_in("review_head")
    memos.act(db.session, memo, user("head"), "forward", comment="เห็นควร", password=PASSWORD)
    db.session.commit()
