"""Sign in and out, the session's user, and changing one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import HTTPException

from ..extensions import db, limiter, login_manager
from ..forms import LoginForm, PasswordChangeForm
from ..models import User
from ..services import accounts
from .unit import attempt

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"


def init_login(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "กรุณาเข้าสู่ระบบก่อนใช้งาน"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @app.before_request
    def _one_user_per_request():
        """Load the user afresh for every request, even when a caller (the test suite) keeps
        one application context, and so one `g`, across several requests."""
        g.pop("_login_user", None)
        g.pop("inbox_badge", None)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a session id "id:session_version"; a stale version or inactive user is no one."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except (AttributeError, ValueError):
        return None
    user = db.session.get(User, uid)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


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
@limiter.limit("50 per minute", methods=["POST"], deduct_when=lambda r: r.status_code != 302)  # failures only
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("memos.inbox"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        with attempt() as work:  # the failure counter (or its reset) is kept either way
            user = accounts.authenticate(db.session, form.username.data, form.password.data)
        if work.failed:
            return render_template("auth/login.html", form=form), work.error.status
        if user is None:
            flash(BAD_CREDENTIALS, "danger")
        else:
            session.clear()  # a fresh session at sign-in (no fixation)
            login_user(user, remember=False)
            session.permanent = True
            if user.must_change_password:
                flash("กรุณาเปลี่ยนรหัสผ่านก่อนใช้งาน", "warning")
                return redirect(url_for("auth.profile"))
            flash(f"ยินดีต้อนรับ {user.full_name}", "success")
            return redirect(safe_next(form.next.data) or url_for("memos.inbox"))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("ออกจากระบบแล้ว", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = PasswordChangeForm()
    errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with attempt() as work:
            accounts.change_password(user, form.current_password.data, form.new_password.data)
        if work.failed:
            errors, status = work.error.fields, 422
        else:
            login_user(user, remember=False)  # this session carries the new version
            session.permanent = True
            flash("เปลี่ยนรหัสผ่านแล้ว ระบบได้ออกจากระบบในอุปกรณ์อื่นทั้งหมด", "success")
            return redirect(url_for("auth.profile"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/profile.html", form=form, errors=errors), status
