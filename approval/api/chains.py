"""Chains per kind of memo on /api/v1 (API.md, "Chains per kind of memo"): list, create, save.

Administrators only. Registered on the ``api`` blueprint by ``approval.api.register_api``;
the rules are :mod:`approval.services.chains`'s: parse, call one service, commit once.
"""

from __future__ import annotations

from flask import g, jsonify

from ..errors import Forbidden
from ..extensions import db
from ..models import Chain, Role
from ..services import chains
from ..transaction import commit
from .parsing import json_object
from .views import bp

FIELDS = frozenset({"name", "category", "active", "conditions", "steps"})


def chain_json(chain: Chain) -> dict:
    """The contract's Chain: {id, name, category, active, conditions, steps} (and its version, default)."""
    return {"id": chain.id, **chains.definition(chain), "version": chain.version}


def _admin():
    user = g.api_user
    if not user.has_role(Role.ADMIN):
        raise Forbidden("เฉพาะผู้ดูแลระบบเท่านั้นที่จัดการสายการลงนามได้")
    return user


@bp.get("/chains")
def list_chains():
    admin = _admin()
    return jsonify({"items": [chain_json(c) for c in chains.chains_of(db.session, admin.organization_id)]})


@bp.post("/chains")
def create_chain():
    admin = _admin()
    data = json_object(FIELDS)
    chain = chains.save_chain(db.session, admin.organization, data, actor=admin)
    commit()
    return jsonify(chain_json(chain)), 201


@bp.put("/chains/<int:chain_id>")
def save_chain(chain_id: int):
    admin = _admin()
    chain = chains.get_chain(db.session, admin, chain_id)
    data = json_object(FIELDS)
    chain = chains.save_chain(db.session, admin.organization, data, chain=chain, actor=admin)
    commit()
    return jsonify(chain_json(chain))
