"""Sending one delivery exactly once: claim it, send it, mark it -- each step its own commit.

The state machine (``Delivery.state``)::

    pending --claim--> sending --accepted--> sent
                          |--error--> failed --claim (after the backoff)--> sending ...
                          |--error, last attempt--> dead --admin's retry--> pending

A claim is one conditional UPDATE (only a pending or failed row, or a ``sending`` row whose
lease ran out because its worker died), so two workers, or a job the queue runs twice, never
both send. A row is marked ``sent`` right after the server accepts it; the one window left
(a crash after the server accepted and before that commit) is closed on the server's side
by the delivery's id: LINE's ``X-Line-Retry-Key`` (a second push with the same key is
refused with 409, which we count as sent) and the e-mail's ``Message-ID``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
import uuid
from email.message import EmailMessage
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import Session

from .. import thai
from ..thai import utcnow
from ..transaction import commit
from .models import Channel, Delivery, DeliveryState, Notification, NotificationSettings
from .workdays import BANGKOK

log = logging.getLogger(__name__)

LINE_TEXT_MAX = 5000
RETRY_KEY_NAMESPACE = uuid.UUID("6f1c1d2e-3b4a-5c6d-8e7f-90a1b2c3d4e5")


class SendError(Exception):
    """The channel refused or could not be reached; the delivery is retried later."""


# --- what is said -------------------------------------------------------------------------

def memo_url(memo_id: int | None) -> str:
    """The absolute link to a memo (or to the notifications), from APP_BASE_URL."""
    base = current_app.config["APP_BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        if memo_id is None:
            return url_for("notifications.index", _external=True)
        return url_for("memos.detail", memo_id=memo_id, _external=True)


def compose(session: Session, delivery: Delivery) -> tuple[str, str, str]:
    """(subject, body, link) of a delivery, in Thai."""
    from .service import KIND_LABELS

    if delivery.notification is not None:
        n = delivery.notification
        link = memo_url(n.memo_id)
        subject = f"[สารบรรณอิเล็กทรอนิกส์] {KIND_LABELS[n.kind]}: {n.text}"[:250]
        body = (f"เรียน {delivery.user.full_name}\n\n{n.text}\n\nเปิดหนังสือ: {link}\n\n"
                f"ระบบสารบรรณอิเล็กทรอนิกส์ · {thai.thai_datetime(n.created_at)}\n")
        return subject, body, link
    start = dt.datetime.combine(delivery.digest_on, dt.time(), tzinfo=BANGKOK)
    items = list(session.scalars(
        sa.select(Notification).where(Notification.user_id == delivery.user_id,
                                      Notification.created_at >= start.astimezone(dt.UTC),
                                      Notification.created_at < (start + dt.timedelta(days=1)).astimezone(dt.UTC))
        .order_by(Notification.id)
    ))
    link = memo_url(None)
    lines = [f"{i}. {n.text}\n   {memo_url(n.memo_id)}" for i, n in enumerate(items, start=1)]
    subject = (f"[สารบรรณอิเล็กทรอนิกส์] สรุปการแจ้งเตือนประจำวันที่ {thai.thai_date(delivery.digest_on)} "
               f"({thai.thai_digits(len(items))} รายการ)")
    body = (f"เรียน {delivery.user.full_name}\n\nการแจ้งเตือนของท่านวันนี้:\n\n" + "\n".join(lines)
            + f"\n\nดูทั้งหมด: {link}\n")
    return subject, body, link


# --- the channels ---------------------------------------------------------------------------

def _domain() -> str:
    return urlsplit(current_app.config["APP_BASE_URL"]).hostname or "localhost"


def send_email(delivery: Delivery, to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    # The address alone: a long Thai display name is folded into encoded-words that some
    # readers (Python's own among them) join back with a stray space inside a word.
    message["To"] = to
    # The delivery's id is the message's identity: a receiver can drop a duplicate.
    message["Message-ID"] = f"<delivery-{delivery.id}.{delivery.organization_id}@{_domain()}>"
    message["X-Saraban-Delivery"] = str(delivery.id)
    message.set_content(body, charset="utf-8")
    server = config["MAIL_SERVER"]
    if not server:
        if config["APP_ENV"] == "production":
            raise SendError("MAIL_SERVER ยังไม่ได้ตั้งค่า")
        log.warning("MAIL_SERVER is not set: the e-mail is written to the log instead\n%s", message)
        return
    timeout = config["MAIL_TIMEOUT"]
    try:
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(server, config["MAIL_PORT"], timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, config["MAIL_PORT"], timeout=timeout)
        with smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"SMTP: {exc}") from exc


def line_retry_key(delivery_id: int) -> str:
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"delivery-{delivery_id}"))


def send_line(delivery: Delivery, to: str, text: str) -> None:
    """LINE Messaging API push (https://api.line.me/v2/bot/message/push)."""
    config = current_app.config
    token = config["LINE_CHANNEL_TOKEN"]
    if not token:
        if config["APP_ENV"] == "production":
            raise SendError("LINE_CHANNEL_TOKEN ยังไม่ได้ตั้งค่า")
        log.warning("LINE_CHANNEL_TOKEN is not set: the LINE message is written to the log instead\n%s", text)
        return
    url = config["LINE_API_BASE"].rstrip("/") + "/v2/bot/message/push"
    if not url.startswith(("https://", "http://")):
        raise SendError("LINE_API_BASE ต้องขึ้นต้นด้วย https://")
    payload = {"to": to, "messages": [{"type": "text", "text": text[:LINE_TEXT_MAX]}]}
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8",
                 "X-Line-Retry-Key": line_retry_key(delivery.id)},
    )
    try:
        # the scheme is checked above (http(s) only; the base URL comes from configuration)
        with urllib.request.urlopen(request, timeout=config["LINE_TIMEOUT"]) as response:  # nosec B310
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 409:  # this retry key was accepted before: the message went out already
            return
        detail = exc.read()[:200].decode("utf-8", "replace")
        raise SendError(f"LINE {exc.code}: {detail}") from exc
    except OSError as exc:
        raise SendError(f"LINE: {exc}") from exc


# --- the state machine --------------------------------------------------------------------

def backoff(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: the delay doubling from NOTIFY_RETRY_DELAY, capped."""
    config = current_app.config
    return min(config["NOTIFY_RETRY_DELAY"] * 2 ** max(attempts - 1, 0), config["NOTIFY_RETRY_MAX_DELAY"])


def claim(session: Session, delivery_id: int, now: dt.datetime | None = None) -> bool:
    """Take the delivery for sending (one conditional UPDATE, committed); False when not ours to send."""
    now = now or utcnow()
    lease = dt.timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    claimable = sa.or_(
        Delivery.state.in_([DeliveryState.PENDING, DeliveryState.FAILED]),
        sa.and_(Delivery.state == DeliveryState.SENDING, Delivery.claimed_at < now - lease),
    )
    result = session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, claimable)
        .values(state=DeliveryState.SENDING, attempts=Delivery.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    commit(session)
    return result.rowcount == 1


def _finish(session: Session, delivery_id: int, **values) -> None:
    session.execute(sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.state == DeliveryState.SENDING)
                    .values(**values).execution_options(synchronize_session=False))
    commit(session)


def deliver_one(session: Session, delivery_id: int) -> float | None:
    """Send one delivery if it is still to be sent. Returns the delay before a retry, or None."""
    if not claim(session, delivery_id):
        return None
    delivery = session.get(Delivery, delivery_id, populate_existing=True)
    try:
        prefs = session.get(NotificationSettings, delivery.user_id)
        subject, body, _link = compose(session, delivery)
        if delivery.channel is Channel.EMAIL:
            if prefs is None or not prefs.email:
                raise SendError("ผู้รับไม่มีที่อยู่อีเมล")
            send_email(delivery, prefs.email, subject, body)
        else:
            if prefs is None or not prefs.line_user_id:
                raise SendError("ผู้รับไม่มี LINE user ID")
            send_line(delivery, prefs.line_user_id, body)
    except Exception as exc:  # noqa: BLE001  (any failure: record it, back off, retry)
        session.rollback()
        attempts = session.scalar(sa.select(Delivery.attempts).where(Delivery.id == delivery_id)) or 1
        error = f"{type(exc).__name__}: {exc}"[:500]
        if attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
            log.error("delivery %s is dead after %s attempts: %s", delivery_id, attempts, error)
            _finish(session, delivery_id, state=DeliveryState.DEAD, last_error=error)
            return None
        delay = backoff(attempts)
        log.warning("delivery %s failed (attempt %s), retry in %ss: %s", delivery_id, attempts, delay, error)
        _finish(session, delivery_id, state=DeliveryState.FAILED, last_error=error,
                next_attempt_at=utcnow() + dt.timedelta(seconds=delay))
        return delay
    _finish(session, delivery_id, state=DeliveryState.SENT, sent_at=utcnow(), last_error="")
    return None


def due_ids(session: Session, *, grace: float = 0, limit: int = 10_000) -> list[int]:
    """Deliveries that should be tried now: pending or failed and due (``grace`` seconds late
    when the queue should already have them), or sending with a lease that ran out."""
    now = utcnow()
    late = now - dt.timedelta(seconds=grace)
    lease = dt.timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    return list(session.scalars(
        sa.select(Delivery.id).where(sa.or_(
            sa.and_(Delivery.state.in_([DeliveryState.PENDING, DeliveryState.FAILED]),
                    Delivery.next_attempt_at <= late),
            sa.and_(Delivery.state == DeliveryState.SENDING, Delivery.claimed_at < now - lease),
        )).order_by(Delivery.id).limit(limit)
    ))


def deliver_due(session: Session) -> dict[str, int]:
    """Everything due now, one by one (``notify-worker --once``); counts by outcome."""
    counts = {"sent": 0, "retry": 0, "skipped": 0}
    for delivery_id in due_ids(session):
        before = session.scalar(sa.select(Delivery.state).where(Delivery.id == delivery_id))
        delay = deliver_one(session, delivery_id)
        after = session.scalar(sa.select(Delivery.state).where(Delivery.id == delivery_id))
        if after is DeliveryState.SENT and before is not DeliveryState.SENT:
            counts["sent"] += 1
        elif delay is not None or after in (DeliveryState.FAILED, DeliveryState.DEAD):
            counts["retry"] += 1
        else:
            counts["skipped"] += 1
    return counts
