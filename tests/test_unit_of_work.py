"""One unit of work: a lost race at commit or flush is a 409 in Thai, never a 503 or a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from approval import transaction
from approval.errors import Conflict
from approval.extensions import db
from approval.models import User
from approval.services import organizations

from .conftest import login

NEW_PERSON = {"username": "newclerk", "full_name": "นางสาวใหม่ ทดสอบ", "position": "เจ้าพนักงานธุรการ",
              "roles": ["officer"]}


def _duplicate_of(username: str, *, flush: bool):
    """A create_user that loses the race: someone inserted `username` after the check."""
    real = organizations.create_user

    def racing(session, org, **kwargs):
        user = real(session, org, **kwargs)
        twin = User(organization_id=org.id, organization=org, username=username, full_name="คนอื่น",
                    position="อื่น", password_hash=user.password_hash)
        session.add(twin)
        if flush:
            session.flush()
        return user

    return racing


@pytest.mark.parametrize("at", ["commit", "flush"])
def test_a_page_whose_write_hits_a_unique_constraint_answers_409_in_thai(users, app, monkeypatch, at):
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    monkeypatch.setattr(organizations, "create_user", _duplicate_of("legal", flush=at == "flush"))
    client = app.test_client()
    login(client, "admin")
    response = client.post("/admin/people/new", data=NEW_PERSON)
    assert response.status_code == 409
    assert "ไปก่อนแล้ว" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before  # nothing stored


def test_the_api_tells_a_lost_race_from_a_refused_move(seeded, token_for, monkeypatch):
    client = seeded.test_client()
    headers = {"Authorization": f"Bearer {token_for('legal')}"}
    memo_id = client.get("/api/v1/memos?mine=1", headers=headers).get_json()["items"][0]["id"]

    def stale(session=None):
        raise Conflict(transaction.CONFLICT_MESSAGE) from StaleDataError("someone went first")

    monkeypatch.setattr("approval.api.views.commit", stale)
    response = client.post(f"/api/v1/memos/{memo_id}/actions", json={"action": "submit"}, headers=headers)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    monkeypatch.undo()
    refused = client.post(f"/api/v1/memos/{memo_id}/actions", json={"action": "withdraw"}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_transition"


def test_commit_maps_stale_and_locked_to_conflict_and_rolls_back(ctx, monkeypatch):
    rolled_back = []
    monkeypatch.setattr(db.session, "rollback", lambda: rolled_back.append(True))
    for error in (StaleDataError("stale"), OperationalError("UPDATE", {}, Exception("database is locked"))):
        def fail(error=error):
            raise error
        monkeypatch.setattr(db.session, "commit", fail)
        with pytest.raises(Conflict):
            transaction.commit()
    assert len(rolled_back) == 2


def test_commit_lets_other_database_errors_through_after_rolling_back(ctx, monkeypatch):
    rolled_back = []
    monkeypatch.setattr(db.session, "rollback", lambda: rolled_back.append(True))

    def gone():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(db.session, "commit", gone)
    with pytest.raises(OperationalError):
        transaction.commit()
    assert rolled_back == [True]


def _person(org_id, username, **overrides):
    values = {"organization_id": org_id, "username": username, "full_name": "ทดสอบ ระบบ",
              "position": "เจ้าหน้าที่", "password_hash": "x"}
    values.update(overrides)
    return User(**values)


def test_only_a_duplicate_or_a_vanished_referent_is_a_race_a_broken_rule_is_a_500(users, app):
    """The real database's errors: a duplicate username is someone else's race (409); a NOT NULL
    violation is our own bug and must not hide behind "someone went first"."""
    legal = db.session.scalar(sa.select(User).where(User.username == "legal"))
    org_id = legal.organization_id
    db.session.add(_person(org_id, "legal"))
    with pytest.raises(Conflict):
        transaction.commit()
    db.session.add(_person(org_id, "nobody", full_name=None))
    with pytest.raises(sa.exc.IntegrityError) as caught:
        transaction.commit()
    assert not transaction.is_conflict(caught.value)
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.username == "nobody")) == 0


def test_a_page_that_breaks_a_not_null_rule_answers_500_not_409(users, app, monkeypatch):
    real = organizations.create_user

    def broken(session, org, **kwargs):
        user = real(session, org, **kwargs)
        session.add(_person(org.id, "brokenrow", full_name=None))
        return user

    monkeypatch.setattr(organizations, "create_user", broken)
    client = app.test_client()
    login(client, "admin")
    response = client.post("/admin/people/new", data=NEW_PERSON)
    assert response.status_code == 500
    assert "ไปก่อนแล้ว" not in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.username == "newclerk")) == 0
