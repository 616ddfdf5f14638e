"""Everyone's work, and telling them: the inbox of every role, notifications written with the
change that causes them, delivery by e-mail (a real SMTP server) and LINE (a local server that
checks the request shape) through the job queue, exactly once; reminders on Thai working days."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.models import Memo, MemoState
from approval.notifications import service
from approval.notifications.delivery import deliver_due, deliver_one, line_retry_key
from approval.notifications.models import Delivery, DeliveryState, Kind, Notification
from approval.notifications.queue import Queue, get_queue
from approval.notifications.reminders import queue_reminders
from approval.notifications.workdays import Calendar
from approval.services import memos

from .conftest import PASSWORD, login
from .helpers import act, reference_memo, user
from .notify_servers import LineServer, SmtpServer

ROOT = Path(__file__).resolve().parent.parent
LINE_ID = "U" + "0123456789abcdef" * 2
BKK = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _empty_queue(app):
    get_queue(app).huey.flush()
    yield
    get_queue(app).huey.flush()


def contact(username: str, email: str = "", line: str = "", digest: bool = False) -> None:
    service.update_settings(db.session, user(username), {
        "email": email, "line_user_id": line, "digest": digest,
        "channels": {"email": bool(email), "line": bool(line)}})
    db.session.commit()


def told(username: str) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user(username).id)
                                   .order_by(Notification.id)))


def mail_config(monkeypatch, app, smtp) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)


# --- the inbox of every role ------------------------------------------------------------------

def test_one_inbox_for_every_role(seeded):
    memo = reference_memo()
    act(memo, "legal", "submit")
    items, total = memos.inbox_page(db.session, user("head"))
    assert total == 1 and items[0].memo.id == memo.id and items[0].waiting_for == "sign"
    assert items[0].working_days == 0
    act(memo, "head", "return", comment="กรุณาแก้ไข")
    # The author's returned memo is their work now (the bug of issue 15: it showed 0).
    items, total = memos.inbox_page(db.session, user("legal"))
    assert total == 1 and items[0].waiting_for == "revise"
    assert memos.inbox_count(db.session, user("head")) == 0
    act(memo, "legal", "submit")
    act(memo, "head", "forward", comment="เห็นควร")
    act(memo, "deputy", "forward", comment="เห็นควร")
    items, _ = memos.inbox_page(db.session, user("mayor"))
    assert [i.waiting_for for i in items] == ["order"]
    act(memo, "mayor", "order", decision="approve")
    items, total = memos.inbox_page(db.session, user("records"))
    assert total == 1 and items[0].waiting_for == "archive"
    assert memos.inbox_count(db.session, user("legal")) == 0
    act(memo, "records", "archive")
    assert memos.inbox_count(db.session, user("records")) == 0


def test_the_inbox_page_and_api_say_what_is_waited_for(seeded, token_for):
    memo = reference_memo()
    act(memo, "legal", "submit")
    act(memo, "head", "return", comment="กรุณาแก้ไข")
    client = seeded.test_client()
    login(client, "legal")
    page = client.get("/inbox").get_data(as_text=True)
    assert 'id="inbox-badge">๑<' in page and "รอแก้ไขแล้วเสนอใหม่" in page and "มาถึงวันนี้" in page
    assert 'id="notify-bell">๑<' in page
    body = client.get("/api/v1/inbox", headers={"Authorization": f"Bearer {token_for('legal')}"}).get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == memo.id and item["waiting_for"] == "revise" and item["working_days"] == 0
    assert item["waiting_since"].endswith("+00:00")


def test_the_inbox_stays_within_eight_queries_whatever_its_size(seeded):
    head, legal = user("head"), user("legal")
    data = {"department": "สำนักปลัด", "date": "2025-01-06", "subject": "เรื่องทดสอบ", "addressee": "นายก",
            "sections": [{"title": "เรื่องเดิม", "body": "ทดสอบ"}], "closing": "จึงเรียนมาเพื่อโปรดทราบ"}
    counts = {}
    for size in (3, 45):
        while memos.inbox_count(db.session, head) < size:
            memo = memos.create_memo(db.session, legal, data)
            memos.act(db.session, memo, legal, "submit")
            db.session.commit()
        client = seeded.test_client()
        login(client, "head")
        statements: list[str] = []

        def count(conn, cursor, statement, *args, seen=statements):
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = client.get("/inbox")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert page.status_code == 200
        counts[size] = len(statements)
    assert counts[3] <= 8 and counts[45] <= 8, counts


# --- notifications written with the change ---------------------------------------------------

def test_a_rolled_back_action_leaves_no_notification(seeded):
    memo = reference_memo()
    memos.act(db.session, memo, user("legal"), "submit")
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_decided_and_filed_automatically_tells_no_records_officer(seeded):
    memo = reference_memo()
    org = memo.organization
    org.settings = {**(org.settings or {}), "archive_mode": "auto"}
    db.session.commit()
    for who, action in (("legal", "submit"), ("head", "forward"), ("deputy", "forward")):
        act(memo, who, action, comment="เห็นควร")
    act(memo, "mayor", "order", decision="acknowledge")
    assert memo.state is MemoState.ARCHIVED
    assert [n.kind for n in told("records")] == []
    assert [n.kind for n in told("head")] == [Kind.TURN, Kind.DECIDED]
    assert "ทราบ" in told("legal")[-1].text


def test_withdraw_and_submit_again_tells_again(seeded):
    memo = reference_memo()
    act(memo, "legal", "submit")
    act(memo, "legal", "withdraw")
    act(memo, "legal", "submit")
    assert [n.kind for n in told("head")] == [Kind.TURN, Kind.TURN]


def test_the_api_lists_and_marks_notifications(seeded, token_for):
    memo = reference_memo()
    act(memo, "legal", "submit")
    client = seeded.test_client()
    auth = {"Authorization": f"Bearer {token_for('head')}"}
    body = client.get("/api/v1/notifications?unread=true", headers=auth).get_json()
    assert body["unread"] == 1
    (n,) = body["items"]
    assert n["kind"] == "turn" and n["memo_id"] == memo.id and n["read_at"] is None and "ลงนาม" in n["text"]
    assert set(n) == {"id", "kind", "memo_id", "text", "created_at", "read_at"}
    # Another person's notification is not found, never forbidden.
    other = {"Authorization": f"Bearer {token_for('deputy')}"}
    assert client.post(f"/api/v1/notifications/{n['id']}/read", headers=other).status_code == 404
    read = client.post(f"/api/v1/notifications/{n['id']}/read", headers=auth)
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true", headers=auth).get_json() == {"items": [], "unread": 0}
    act(memo, "head", "forward", comment="เห็นควร")
    act(memo, "deputy", "return", comment="แก้ไข")
    auth = {"Authorization": f"Bearer {token_for('legal')}"}
    assert client.get("/api/v1/notifications", headers=auth).get_json()["unread"] == 1
    assert client.post("/api/v1/notifications/read-all", headers=auth).get_json() == {"marked": 1, "unread": 0}
    assert client.get("/api/v1/notifications?unread=maybe", headers=auth).status_code == 422


def test_settings_through_the_api(seeded, token_for):
    client = seeded.test_client()
    auth = {"Authorization": f"Bearer {token_for('head')}"}
    assert client.get("/api/v1/me/notification-settings", headers=auth).get_json() == {
        "email": "", "channels": {"email": True, "line": False}, "line_user_id": "", "digest": False}
    put = client.put("/api/v1/me/notification-settings", headers=auth, json={
        "email": "head@khonhad.go.th", "channels": {"email": True, "line": True}, "line_user_id": LINE_ID})
    assert put.status_code == 200, put.get_json()
    assert put.get_json() == {"email": "head@khonhad.go.th", "channels": {"email": True, "line": True},
                              "line_user_id": LINE_ID, "digest": False}
    for bad, field in (({"email": "not-an-address"}, "email"), ({"line_user_id": "someone"}, "line_user_id"),
                       ({"channels": {"sms": True}}, "channels"), ({"digest": "yes"}, "digest"),
                       ({"colour": "red"}, "colour")):
        response = client.put("/api/v1/me/notification-settings", headers=auth, json=bad)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], bad


def test_the_pages_bell_list_read_and_settings(seeded):
    memo = reference_memo()
    act(memo, "legal", "submit")
    client = seeded.test_client()
    login(client, "head")
    page = client.get("/notifications").get_data(as_text=True)
    assert 'id="notify-bell">๑<' in page and "หนังสือรอท่านลงนาม" in page
    (n,) = told("head")
    opened = client.post(f"/notifications/{n.id}/read", data={"open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/memos/{memo.id}")
    assert 'id="notify-bell">๐<' in client.get("/notifications").get_data(as_text=True)
    assert client.post("/notifications/read-all").status_code == 302
    settings = client.post("/profile/notifications", data={"email": "head@khonhad.go.th", "email_enabled": "y"})
    assert settings.status_code == 302
    assert service.get_settings(db.session, user("head")).email == "head@khonhad.go.th"
    bad = client.post("/profile/notifications", data={"email": "x", "email_enabled": "y"})
    assert bad.status_code == 422 and "อีเมลไม่ถูกต้อง" in bad.get_data(as_text=True)


# --- delivery ----------------------------------------------------------------------------------

def test_a_real_smtp_server_receives_the_thai_email(app, seeded, monkeypatch):
    with SmtpServer() as smtp:
        mail_config(monkeypatch, app, smtp)
        contact("head", email="head@khonhad.go.th")
        memo = reference_memo()
        act(memo, "legal", "submit")
        assert deliver_due(db.session)["sent"] == 1
        (message,) = smtp.inbox.messages
        assert message["To"].addresses[0].addr_spec == "head@khonhad.go.th"
        assert message["Subject"].startswith("[สารบรรณอิเล็กทรอนิกส์] ถึงลำดับของท่าน: หนังสือรอท่านลงนาม")
        assert "รายงานผลการดำเนินการตามแผน" in message["Subject"]
        body = message.get_content()
        assert body.startswith("เรียน นางสาวเย็นตา อภัยรัตน์")
        assert f"เปิดหนังสือ: http://127.0.0.1:5000/memos/{memo.id}\n" in body
        delivery = db.session.scalar(sa.select(Delivery))
        assert message["Message-ID"] == f"<delivery-{delivery.id}.{delivery.organization_id}@127.0.0.1>"
        # Sent once: asking again, or the job running again, sends nothing.
        assert deliver_due(db.session)["sent"] == 0 and deliver_one(db.session, delivery.id) is None
        assert len(smtp.inbox.messages) == 1
        db.session.expire_all()
        assert delivery.state is DeliveryState.SENT and delivery.attempts == 1


def test_line_push_has_the_messaging_api_shape(app, seeded, monkeypatch):
    with LineServer("channel-token") as line:
        monkeypatch.setitem(app.config, "LINE_CHANNEL_TOKEN", "channel-token")
        monkeypatch.setitem(app.config, "LINE_API_BASE", line.base)
        contact("legal", line=LINE_ID)
        memo = reference_memo()
        act(memo, "legal", "submit")
        act(memo, "head", "return", comment="กรุณาแก้ไขข้อ ๓")
        assert deliver_due(db.session)["sent"] == 1
        (request,) = line.requests
        assert line.check(request["path"], request["headers"], request["body"]) == []
        delivery = db.session.scalar(sa.select(Delivery))
        assert request["headers"]["X-Line-Retry-Key"] == line_retry_key(delivery.id)
        payload = json.loads(request["body"])
        assert payload["to"] == LINE_ID
        assert "ส่งคืนหนังสือให้แก้ไข" in payload["messages"][0]["text"]
        assert f"/memos/{memo.id}" in payload["messages"][0]["text"]


def test_failures_back_off_then_go_dead_and_an_admin_retries(app, seeded, monkeypatch):
    with LineServer("channel-token") as line:
        monkeypatch.setitem(app.config, "LINE_CHANNEL_TOKEN", "channel-token")
        monkeypatch.setitem(app.config, "LINE_API_BASE", line.base)
        monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 3)
        contact("head", line=LINE_ID)
        line.status = 500
        act(reference_memo(), "legal", "submit")
        delivery_id = db.session.scalar(sa.select(Delivery.id))
        queue = get_queue(app)
        task = queue.huey.dequeue()  # enqueued when the submit committed
        assert task is not None and task.args == (delivery_id,)
        queue.huey.execute(task)  # fails: Huey schedules the retry after the backoff
        assert queue.huey.scheduled_count() == 1
        row = db.session.get(Delivery, delivery_id, populate_existing=True)
        assert row.state is DeliveryState.FAILED and row.attempts == 1 and "LINE 500" in row.last_error
        wait = (row.next_attempt_at - dt.datetime.now(dt.UTC)).total_seconds()
        assert 25 < wait <= 30
        assert deliver_one(db.session, delivery_id) == 60  # the backoff doubles
        assert deliver_one(db.session, delivery_id) is None  # the third attempt was the last
        row = db.session.get(Delivery, delivery_id, populate_existing=True)
        assert row.state is DeliveryState.DEAD and row.attempts == 3
        client = seeded.test_client()
        login(client, "admin")
        page = client.get("/admin/notifications").get_data(as_text=True)
        assert "ส่งไม่สำเร็จ" in page and "LINE 500" in page and "ส่งซ้ำ" in page
        assert client.post(f"/admin/notifications/{delivery_id}/retry").status_code == 302
        line.status = 200
        assert deliver_due(db.session)["sent"] == 1
        assert db.session.get(Delivery, delivery_id, populate_existing=True).state is DeliveryState.SENT
        assert len(line.requests) == 4
        assert len({r["headers"]["X-Line-Retry-Key"] for r in line.requests}) == 1


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_the_job_queue_delivers_exactly_once(app, seeded, monkeypatch, tmp_path, storage):
    """Huey on its embedded SQLite storage and on Redis (db 5): enqueued at commit, sent once,
    and a job run a second time (a retry) sends nothing."""
    url = f"sqlite:///{tmp_path / 'huey.sqlite3'}" if storage == "sqlite" else "redis://127.0.0.1:6379/5"
    monkeypatch.setitem(app.config, "HUEY_URL", url)
    monkeypatch.setitem(app.config, "HUEY_NAME", f"test-{uuid.uuid4().hex[:8]}")
    queue = Queue(app)
    monkeypatch.setitem(app.extensions, "notify_queue", queue)
    try:
        with SmtpServer() as smtp:
            mail_config(monkeypatch, app, smtp)
            contact("head", email="head@khonhad.go.th")
            contact("deputy", email="deputy@khonhad.go.th")
            memo = reference_memo()
            act(memo, "legal", "submit")
            act(memo, "head", "forward", comment="เห็นควร")
            assert queue.huey.pending_count() == 2
            tasks = [queue.huey.dequeue() for _ in range(2)]
            for task in tasks + tasks:  # each job twice
                queue.huey.execute(task)
            assert sorted(m["To"].addresses[0].addr_spec for m in smtp.inbox.messages) == [
                "deputy@khonhad.go.th", "head@khonhad.go.th"]
            # Nothing is enqueued for a transaction that rolls back.
            memos.act(db.session, memo, user("deputy"), "forward", comment="เห็นควร", password=PASSWORD)
            db.session.rollback()
            assert queue.huey.pending_count() == 0
    finally:
        queue.huey.flush()
        queue.huey.storage.flush_results() if hasattr(queue.huey.storage, "flush_results") else None


def _worker(app, smtp_port: int, lease: str = "300") -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "APP_ENV": "development",
           "SECRET_KEY": "x", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "HUEY_URL": "memory://",
           "NOTIFY_LEASE_SECONDS": lease, "FLASK_DEBUG": "0"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "notify-worker", "--once"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_batch_delivers_everything_exactly_once_on_restart(app, seeded):
    contact("head", email="head@khonhad.go.th")
    head = user("head")
    rows = [Notification(organization_id=head.organization_id, user_id=head.id, kind=Kind.REMINDER,
                         text=f"เตือนเรื่องที่ {i}", dedupe_key=f"test-kill-{i}") for i in range(12)]
    db.session.add_all(rows)
    service.add_deliveries(db.session, rows)
    db.session.commit()
    ids = list(db.session.scalars(sa.select(Delivery.id).order_by(Delivery.id)))
    assert len(ids) == 12
    with SmtpServer() as smtp:
        worker = None

        def kill_at_the_sixth(received: int):
            if received == 5 and worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGKILL)  # mid-conversation: the sixth is never accepted
                return "451 4.3.0 try again later"
            return None

        smtp.inbox.before_accept = kill_at_the_sixth
        worker = _worker(app, smtp.port)
        worker.communicate(timeout=60)
        assert worker.returncode == -signal.SIGKILL
        assert len(smtp.inbox.messages) == 5
        db.session.expire_all()
        states = [db.session.get(Delivery, i).state for i in ids]
        assert states == [DeliveryState.SENT] * 5 + [DeliveryState.SENDING] + [DeliveryState.PENDING] * 6
        smtp.inbox.before_accept = None
        time.sleep(1.1)
        restarted = _worker(app, smtp.port, lease="1")
        output = restarted.communicate(timeout=60)[0].decode()
        assert restarted.returncode == 0, output
        db.session.expire_all()
        assert all(db.session.get(Delivery, i).state is DeliveryState.SENT for i in ids)
        received = [m["Message-ID"] for m in smtp.inbox.messages]
        assert len(received) == 12 and len(set(received)) == 12
        assert {m["X-Saraban-Delivery"] for m in smtp.inbox.messages} == {str(i) for i in ids}


def test_the_digest_sends_one_message_a_day(app, seeded, monkeypatch):
    from approval.notifications.reminders import queue_digests

    with SmtpServer() as smtp:
        mail_config(monkeypatch, app, smtp)
        contact("legal", email="legal@khonhad.go.th", digest=True)
        memo = reference_memo()
        act(memo, "legal", "submit")
        act(memo, "head", "return", comment="แก้ไข")
        act(memo, "legal", "submit")
        act(memo, "head", "return", comment="แก้ไขอีกครั้ง")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0  # on digest
        assert queue_digests(db.session) == 1
        db.session.commit()
        assert queue_digests(db.session) == 1 and db.session.scalar(
            sa.select(sa.func.count()).select_from(Delivery)) == 1  # once a day
        db.session.commit()
        assert deliver_due(db.session)["sent"] == 1
        (message,) = smtp.inbox.messages
        assert "สรุปการแจ้งเตือน" in message["Subject"] and "(๒ รายการ)" in message["Subject"]
        assert message.get_content().count(f"/memos/{memo.id}") == 2


# --- working days and reminders ----------------------------------------------------------------

def test_working_days_across_songkran_and_a_long_weekend():
    cal = Calendar()
    assert cal.holiday_name(dt.date(2025, 4, 14)) == "วันสงกรานต์"
    assert cal.holiday_name(dt.date(2025, 4, 16)) == "ชดเชยวันสงกรานต์"
    assert cal.holiday_name(dt.date(2025, 4, 12)) == "วันเสาร์"
    # Friday 11 April 2025 to Friday 18 April: Songkran (13-15) and its substitute (16) are off.
    assert cal.working_days_between(dt.date(2025, 4, 11), dt.date(2025, 4, 18)) == 2
    assert cal.add_working_days(dt.date(2025, 4, 11), 2) == dt.date(2025, 4, 18)
    # The Chakri Day long weekend: Saturday 5 to Monday 7 April (the substitute day).
    assert "จักรี" in cal.holiday_name(dt.date(2025, 4, 7))
    assert cal.working_days_between(dt.date(2025, 4, 4), dt.date(2025, 4, 8)) == 1
    # Across the year's end: 31 December (วันสิ้นปี), 1 January and the cabinet's extra 2 January
    # are off; Monday 5 January is the first working day.
    assert cal.holiday_name(dt.date(2026, 1, 2)) == "วันหยุดพิเศษ (เพิ่มเติม)"
    assert cal.working_days_between(dt.date(2025, 12, 30), dt.date(2026, 1, 5)) == 1
    own = Calendar({dt.date(2025, 4, 17): "วันหยุดประจำปีของ อบต."})
    assert own.holiday_name(dt.date(2025, 4, 17)) == "วันหยุดประจำปีของ อบต."
    assert own.working_days_between(dt.date(2025, 4, 11), dt.date(2025, 4, 18)) == 1


def _pending_since(memo: Memo, moment: dt.datetime) -> None:
    db.session.execute(sa.update(Memo.__table__).where(Memo.__table__.c.id == memo.id).values(updated_at=moment))
    db.session.commit()


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 4, day, hour, tzinfo=BKK).astimezone(dt.UTC)


def test_reminders_count_working_days_remind_once_a_day_and_escalate_once(seeded):
    memo = reference_memo()
    act(memo, "legal", "submit")
    _pending_since(memo, _at(10, 9))  # Thursday 10 April 2025
    assert queue_reminders(db.session, now=_at(11))["queued"] == 0  # 1 working day
    assert queue_reminders(db.session, now=_at(14))["queued"] == 0  # Songkran: nobody is reminded
    first = queue_reminders(db.session, now=_at(17))  # 11 and 17: 2 working days
    assert first["queued"] == 1
    assert queue_reminders(db.session, now=_at(17, 15))["queued"] == 0  # once a day
    db.session.commit()
    (reminder,) = [n for n in told("head") if n.kind is Kind.REMINDER]
    assert reminder.text.startswith("เตือน: หนังสือรอท่านลงนามมา ๒ วันทำการแล้ว")
    assert queue_reminders(db.session, now=_at(18))["queued"] == 1  # another day, another reminder
    assert told("deputy") == []
    escalated = queue_reminders(db.session, now=_at(23))  # 11, 17, 18, 21, 22, 23: 6 >= 5
    assert escalated["queued"] == 2
    assert queue_reminders(db.session, now=_at(24))["queued"] == 1  # the escalation only once
    db.session.commit()
    (up,) = told("deputy")
    assert up.kind is Kind.REMINDER and "นางสาวเย็นตา อภัยรัตน์" in up.text and "๖ วันทำการ" in up.text


def test_organisation_days_off_and_remind_settings_from_the_admin_page(seeded):
    client = seeded.test_client()
    login(client, "admin")
    page = client.get("/admin/days-off").get_data(as_text=True)
    assert "วันหยุดราชการ" in page and "วันขึ้นปีใหม่" in page
    added = client.post("/admin/days-off", data={"what": "add", "off-day": "2025-04-17",
                                                 "off-name": "วันหยุดประจำปีของ อบต."})
    assert added.status_code == 302
    again = client.post("/admin/days-off", data={"what": "add", "off-day": "2025-04-17", "off-name": "ซ้ำ"})
    assert again.status_code == 422 and "เป็นวันหยุดของหน่วยงานอยู่แล้ว" in again.get_data(as_text=True)
    saved = client.post("/admin/days-off", data={"what": "remind", "remind-remind_after_days": "3",
                                                 "remind-escalate_after_days": "7"})
    assert saved.status_code == 302
    org = user("admin").organization
    db.session.refresh(org)
    assert service.remind_settings(org) == (3, 7)
    memo = reference_memo()
    act(memo, "legal", "submit")
    _pending_since(memo, _at(10, 9))
    # 11, 18 (17 is now the organisation's day off): 2 < 3.
    assert queue_reminders(db.session, now=_at(18))["queued"] == 0
    assert queue_reminders(db.session, now=_at(21))["queued"] == 1
    db.session.commit()
    (off,) = service.days_off(db.session, org.id)
    assert client.post(f"/admin/days-off/{off.id}/delete").status_code == 302
    assert service.days_off(db.session, org.id) == []


def test_the_commands(app, seeded, monkeypatch):
    memo = reference_memo()
    act(memo, "legal", "submit")
    _pending_since(memo, dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0 and "งานค้าง 1 ขั้น" in result.output, result.output
    again = runner.invoke(args=["remind"])
    assert "เตือนใหม่ 0 รายการ" in again.output
    with SmtpServer() as smtp:
        mail_config(monkeypatch, app, smtp)
        contact("deputy", email="deputy@khonhad.go.th")
        act(memo, "head", "forward", comment="เห็นควร")
        result = runner.invoke(args=["notify-worker", "--once"])
        assert result.exit_code == 0 and "ส่งแล้ว 1 รายการ" in result.output, result.output
        assert len(smtp.inbox.messages) == 1
