"""The writing helpers' endpoint of /api/v1, on the ``api`` blueprint: the organisation's memo templates.

``approval.api.register_api`` imports this module before it registers the blueprint; the OpenAPI
description is :mod:`approval.writing.openapi`. A template is a starting text: a client sends its
fields in ``POST /memos`` (an empty addressee left out is the chain's order step, as on the page).
"""

from __future__ import annotations

from flask import g, jsonify

from ..api import serializers as out
from ..api.views import bp
from ..extensions import db
from . import service
from .models import MemoTemplate


def template(t: MemoTemplate) -> dict:
    """A MemoTemplate as JSON."""
    return {"id": t.id, "category": out.text(t.category), "name": out.text(t.name),
            "subject": out.text(t.subject), "addressee": out.text(t.addressee),
            "sections": [{"title": out.text(s.get("title") or ""), "body": out.text(s.get("body") or "")}
                         for s in t.sections or []],
            "closing": out.text(t.closing)}


@bp.get("/memo-templates")
def list_memo_templates():
    """The caller's organisation's memo templates, by category then name."""
    items = service.list_templates(db.session, g.api_user.organization_id)
    return jsonify({"items": [template(t) for t in items]})
