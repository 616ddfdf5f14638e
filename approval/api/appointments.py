"""Acting officials on /api/v1 (API.md, "Every step's real signer"): appoint, list, end.

Registered on the ``api`` blueprint by ``approval.api.register_api``. The rules are
:mod:`approval.services.appointments`'s; here: parse, call one service, commit once.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request

from ..extensions import db
from ..services import appointments
from ..transaction import commit
from . import serializers as out
from .errors import ApiError
from .parsing import json_object
from .views import bp


@bp.post("/appointments")
def create_appointment():
    data = json_object(appointments.FIELDS)
    appointment = appointments.appoint(db.session, g.api_user, data)
    commit()
    return jsonify(out.appointment(appointment)), 201


@bp.get("/appointments")
def list_appointments():
    raw = request.args.get("active")
    if raw not in (None, "", "true", "false"):
        raise ApiError(422, "เงื่อนไขการค้นหาไม่ถูกต้อง", {"active": "ต้องเป็น true หรือ false"})
    active = None if not raw else raw == "true"
    items = appointments.listing(db.session, g.api_user, active=active)
    return jsonify({"items": [out.appointment(a) for a in items]})


@bp.delete("/appointments/<int:appointment_id>")
def end_appointment(appointment_id: int):
    found = appointments.get(db.session, g.api_user, appointment_id)
    appointments.end(db.session, g.api_user, found)
    commit()
    return Response(status=204)
