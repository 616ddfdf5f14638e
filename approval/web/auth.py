"""Sign in and out, the session's user, and changing one's own password."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_url, login_user, logout_user
from werkzeug.exceptions import HTTPException

from ..extensions import db, limiter, login_manager
from ..forms import LoginForm, PasswordChangeForm
from ..models import User
from ..services import accounts, security_log, sessions, throttle
from ..transaction import commit
from . import device
from .unit import attempt

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"


#: Why the session ended, as the sign-in page tells it.
SESSION_ENDED_MESSAGES = {
    "idle": "ไม่มีการใช้งานเกิน {idle} นาที ระบบจึงออกจากระบบให้ กรุณาเข้าสู่ระบบใหม่",
    "expired": "เข้าสู่ระบบมาเกิน {hours} ชั่วโมงแล้ว กรุณาเข้าสู่ระบบใหม่",
}
SESSION_ENDED = "เซสชันนี้สิ้นสุดแล้ว (ออกจากระบบ เปลี่ยนรหัสผ่าน หรือผู้ดูแลระบบให้ออกจากระบบ) กรุณาเข้าสู่ระบบใหม่"


def init_login(app) -> None:
    """Wire Flask-Login to the server-side session records."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "กรุณาเข้าสู่ระบบก่อนใช้งาน"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    # The session cookie carries the id of a server-side session record, not the user's id.
    login_manager.id_attribute = "get_session_id"

    def _one_user_per_request():
        """Load the user afresh for every request, even when a caller (the test suite) keeps
        one application context, and so one `g`, across several requests."""
        for name in ("_login_user", "nav_counts", "web_session", "session_end_reason"):
            g.pop(name, None)

    # First of all the app's before-request functions: one registered earlier that looks at
    # current_user (admin's password-change gate) would otherwise load the user, have it
    # dropped here and loaded again (two session and two user queries per request).
    app.before_request_funcs.setdefault(None, []).insert(0, _one_user_per_request)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a live session record; an ended, idle or expired one is no one (and is told why)."""
    config = current_app.config
    user, row, reason = sessions.resume(
        db.session, session_id, idle=dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        lifetime=dt.timedelta(hours=config["SESSION_MAX_HOURS"]))
    if user is None:
        session.pop("_user_id", None)  # told once; the next request is simply signed out
        session.pop("_fresh", None)
        g.session_end_reason = reason
        security_log.record("session_ended", reason or "", user=row.user if row is not None else None,
                            address=request.remote_addr, route=request.path)
        return None
    user.web_session_id = session_id
    g.web_session = row
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """To the sign-in page, saying why when a session has just ended."""
    reason = g.get("session_end_reason")
    if reason in (None, "unknown") and request.endpoint == "memos.index":
        return redirect(url_for(login_manager.login_view))  # the front door: a welcome, not a warning
    if reason in (None, "unknown"):
        message = login_manager.login_message
    else:
        message = SESSION_ENDED_MESSAGES.get(reason, SESSION_ENDED).format(
            idle=current_app.config["SESSION_IDLE_MINUTES"], hours=current_app.config["SESSION_MAX_HOURS"])
    flash(message, "warning")
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def start_session(user: User) -> str:
    """A fresh session record and cookie for ``user`` (no fixation); the caller commits."""
    raw, _row = sessions.start(db.session, user, address=request.remote_addr,
                               user_agent=request.headers.get("User-Agent"))
    session.clear()
    user.web_session_id = raw
    login_user(user, remember=False)
    session.permanent = True
    return raw


def end_current_session(reason: str, message: str) -> None:
    """End this browser's session record (committed now) and sign out, telling the person why."""
    _ = current_user.is_authenticated  # load the record
    row = g.get("web_session")
    if row is not None:
        sessions.end(row, reason)
        commit()
        security_log.record("session_ended", reason, user=row.user, address=request.remote_addr,
                            route=request.path)
    logout_user()
    session.clear()
    flash(message, "warning")


def safe_next(target: str | None) -> str | None:
    """`target` when it is a relative path to a page of this app, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(parts.path, method="GET")
    except HTTPException:
        return None
    except Exception:  # noqa: BLE001 - any other routing failure: not a page of ours, refuse
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_LIMIT"], methods=["POST"],
               deduct_when=lambda r: r.status_code != 302,  # a ceiling against floods, failures only
               on_breach=throttle.record_ceiling)
def login():
    """The sign-in page: throttled per account and client, a fresh session on success."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("memos.inbox"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        username = form.username.data or ""
        with attempt() as work:  # the throttle's count is kept apart, whatever happens here
            user = accounts.authenticate(db.session, username, form.password.data,
                                         client=device.client_for(username))
            if user is not None:
                start_session(user)
        if work.failed:
            response = make_response(render_template("auth/login.html", form=form), work.error.status)
            if getattr(work.error, "retry_after", None):
                response.headers["Retry-After"] = str(work.error.retry_after)
            return response
        if user is None:
            flash(BAD_CREDENTIALS, "danger")
        else:
            if user.must_change_password:
                flash("กรุณาเปลี่ยนรหัสผ่านก่อนใช้งาน", "warning")
                target = url_for("auth.profile")
            else:
                flash(f"ยินดีต้อนรับ {user.full_name}", "success")
                target = safe_next(form.next.data) or url_for("memos.inbox")
            return device.issue(redirect(target), user.username)
    return render_template("auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
def logout():
    """End this session (its server-side record too) and go back to the sign-in page."""
    if current_user.is_authenticated and g.get("web_session") is not None:
        sessions.end(g.web_session, "logout")
        commit()
    logout_user()
    session.clear()
    flash("ออกจากระบบแล้ว", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """One's own profile: change the password (other sessions end)."""
    form = PasswordChangeForm()
    errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with attempt() as work:
            accounts.change_password(user, form.current_password.data, form.new_password.data,
                                     keep=g.get("web_session"))
        if work.failed:
            if getattr(work.error, "ends_session", False):
                end_current_session("confirmation_failed", work.error.message)
                return redirect(url_for("auth.login"))
            errors, status = work.error.fields, work.error.status
        else:
            flash("เปลี่ยนรหัสผ่านแล้ว ระบบได้ออกจากระบบในอุปกรณ์อื่นทั้งหมด", "success")
            return redirect(url_for("auth.profile"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/profile.html", form=form, errors=errors), status
