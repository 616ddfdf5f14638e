"""The endpoints of /api/v1: parse, call one service, commit once, serialise."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from ..extensions import db, limiter
from ..models import MemoState
from ..numbers import PAGE_MAX, YEAR_MAX, YEAR_MIN
from ..services import accounts, documents, memos, throttle
from ..transaction import commit
from ..web import device
from . import serializers as out
from .errors import ApiError, register_blueprint_handlers
from .parsing import (
    if_match_version,
    json_object,
    optional_text,
    query_int,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_blueprint_handlers(bp)

PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi"}
MEMO_FIELDS = frozenset({*memos.WRITABLE, "chain_id"})
ACTION_FIELDS = frozenset({"action", "comment", "decision", "password", "chain_id"})
STATES = tuple(s.value for s in MemoState)
Q_MAX, PER_PAGE_MAX = 100, 100
TOKEN_MAX = 200


@bp.before_request
def authenticate_bearer():
    """Every endpoint but the token issue and the OpenAPI document needs a live bearer token."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > TOKEN_MAX:
        raise ApiError(401)
    found = accounts.user_for_token(db.session, token)
    if found is None:
        raise ApiError(401, "โทเค็นไม่ถูกต้องหรือหมดอายุ กรุณาเข้าสู่ระบบใหม่")
    g.api_user, g.api_token = found
    if g.api_user.must_change_password and request.endpoint not in ("api.me", "api.revoke_token"):
        # As on the pages: a reset (or first) password is changed before any work is done.
        raise ApiError(403, "กรุณาเปลี่ยนรหัสผ่านที่หน้าข้อมูลส่วนตัวก่อนใช้งาน")


# --- authentication ---------------------------------------------------------------------

@bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_LIMIT"],  # a ceiling against floods only
               deduct_when=lambda response: response.status_code == 401, on_breach=throttle.record_ceiling)
def issue_token():
    """Sign in with a password and receive a bearer token."""
    data = json_object({"username", "password"})
    problems: dict[str, str] = {}
    username = optional_text(data, "username", problems)
    password = optional_text(data, "password", problems)
    for key, value in (("username", username), ("password", password)):
        if not value and key not in problems:
            problems[key] = "กรุณากรอกข้อมูล"
    if problems:
        raise ApiError(422, "กรุณากรอกชื่อผู้ใช้และรหัสผ่าน", problems)
    # Throttled per (account, client) with growing delays: 429 + Retry-After, the password unchecked.
    user = accounts.authenticate(db.session, username, password, client=device.client_for(username))
    if user is None:
        raise ApiError(401, "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
    token, row = accounts.issue_token(db.session, user, current_app.config["API_TOKEN_HOURS"])
    commit()
    return jsonify({"token": token, "expires_at": out.when(row.expires_at), "user": out.user_full(user)})


@bp.delete("/auth/token")
def revoke_token():
    """Revoke the token of this request."""
    accounts.revoke_token(g.api_token)
    commit()
    return Response(status=204)


@bp.get("/me")
def me():
    """The caller, with roles and organisation."""
    return jsonify(out.user_full(g.api_user))


# --- memos ------------------------------------------------------------------------------

@bp.post("/memos")
def create_memo():
    """Create a draft memo."""
    data = memo_fields()
    memo = memos.create_memo(db.session, g.api_user, data)
    commit()
    return jsonify(out.memo(memo)), 201


def memo_fields() -> dict:
    """The writable memo fields of the body; the date must be text (YYYY-MM-DD)."""
    data = json_object(MEMO_FIELDS)
    if "date" in data and not isinstance(data["date"], str):
        raise ApiError(422, "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ", {"date": "วันที่ต้องเป็นข้อความรูปแบบ YYYY-MM-DD"})
    return data


@bp.get("/memos/<int:memo_id>")
def get_memo(memo_id: int):
    """One memo with its steps and events."""
    return jsonify(out.memo(memos.get_memo(db.session, g.api_user, memo_id)))


@bp.patch("/memos/<int:memo_id>")
def update_memo(memo_id: int):
    """Edit a draft or returned memo (author only; If-Match guards a stale edit)."""
    expected = if_match_version()
    memo = memos.get_memo(db.session, g.api_user, memo_id)
    data = memo_fields()
    memos.update_memo(db.session, memo, g.api_user, data, expected)
    commit()
    return jsonify(out.memo(memo))


def _paging(problems: dict) -> tuple[int, int]:
    page = query_int("page", 1, 1, PAGE_MAX, problems)
    per_page = query_int("per_page", 20, 1, PER_PAGE_MAX, problems)
    return page, per_page


@bp.get("/memos")
def list_memos():
    """The memos the caller may see, filtered and paged."""
    problems: dict[str, str] = {}
    page, per_page = _paging(problems)
    year = query_int("year", None, YEAR_MIN, YEAR_MAX, problems)
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        problems["state"] = "สถานะต้องเป็น " + ", ".join(STATES)
    q = request.args.get("q") or None
    if q is not None and (len(q) > Q_MAX or "\x00" in q):
        problems["q"] = f"ยาวได้ไม่เกิน {Q_MAX} ตัวอักษร"
    if problems:
        raise ApiError(422, "เงื่อนไขการค้นหาไม่ถูกต้อง", problems)
    items, total = memos.list_memos(db.session, g.api_user, state=state, q=q, year=year, page=page,
                                    per_page=per_page, load=out.LIST_LOAD)
    return jsonify(out.page(items, total, page, per_page))


@bp.get("/inbox")
def inbox():
    """Everything waiting for the caller, with what it waits for."""
    problems: dict[str, str] = {}
    page, per_page = _paging(problems)
    if problems:
        raise ApiError(422, "เงื่อนไขการค้นหาไม่ถูกต้อง", problems)
    items, total = memos.inbox_page(db.session, g.api_user, page=page, per_page=per_page, load=out.LIST_LOAD)
    from ..notifications.api import inbox_item

    return jsonify({"items": [inbox_item(i) for i in items], "total": total, "page": page, "per_page": per_page})


@bp.post("/memos/<int:memo_id>/actions")
def act(memo_id: int):
    """Take one chain action (``If-Match: <version>``, optional: a stale one is 412 at once)."""
    expected = if_match_version()
    memo = memos.get_memo(db.session, g.api_user, memo_id)
    data = json_object(ACTION_FIELDS)
    problems: dict[str, str] = {}
    action = data.get("action")
    if not isinstance(action, str) or not action:
        problems["action"] = "กรุณาระบุคำสั่ง"
    comment = optional_text(data, "comment", problems)
    decision = optional_text(data, "decision", problems)
    password = optional_text(data, "password", problems)
    chain_id = data.get("chain_id")
    if chain_id is not None and (isinstance(chain_id, bool) or not isinstance(chain_id, int)):
        problems["chain_id"] = "ต้องเป็นเลขสายการลงนาม หรือ null"
    if problems:
        raise ApiError(422, "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ", problems)
    memos.act(db.session, memo, g.api_user, action, comment=comment or "", decision=decision or None,
              password=password, expected_version=expected, chain_id=chain_id)
    # Serialised from the session as the action left it (every collection is loaded, the
    # version is the new one): after the commit everything would be expired and loaded
    # again, 15-21 queries for what is already in hand. A failed commit discards it (409).
    body = out.memo(memo)
    commit()
    return jsonify(body)


# --- documents --------------------------------------------------------------------------

@bp.get("/memos/<int:memo_id>/pdf")
def memo_pdf(memo_id: int):
    """The memo's PDF (frozen once decided)."""
    memo = memos.get_memo(db.session, g.api_user, memo_id)
    return documents.pdf_response(memo, request.if_none_match)


# --- the document describing all this ---------------------------------------------------

@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    from .openapi import spec

    return jsonify(spec())


