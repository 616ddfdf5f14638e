"""The OpenAPI 3.1 document of /api/v1, built as a plain dict (served at /api/v1/openapi.json)."""

from __future__ import annotations

from copy import deepcopy

from ..models import Decision, MemoState, StepDecision, StepKind, StepStatus
from ..notifications import openapi as notifications_openapi
from ..plan_report import io as plan_io
from ..plan_report.compute import STATUSES
from ..services import appointments as appointment_service
from ..services import memos as memo_service
from ..workflow import COMMENT_MAX, Action
from ..writing import openapi as writing_openapi

STATES = [s.value for s in MemoState]
DECISIONS = [d.value for d in Decision]
MONEY = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "examples": ["105000.00"]}
PERCENT = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "examples": ["63.27"]}
DATETIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
KINDS = ["acting", "delegated"]
ERROR_CODES = [
    "bad_request", "unauthenticated", "forbidden", "not_your_turn", "confirmation_failed", "not_found",
    "method_not_allowed", "invalid_transition", "conflict", "version_mismatch", "too_large", "unsupported_media_type",
    "validation_error", "too_many_requests", "internal_error", "unavailable",
]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict, required: list[str] | None = None, *, closed: bool = True) -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties) if required is None
              else required}
    if closed:
        schema["additionalProperties"] = False
    return schema


def _text(max_length: int, **extra) -> dict:
    return {"type": "string", "maxLength": max_length, **extra}


def _schemas() -> dict:
    limits = memo_service.LIMITS
    user_summary = _obj({"id": {"type": "integer"}, "full_name": {"type": "string"},
                         "position": {"type": "string"}})
    # A title may be empty or left out: an untitled paragraph (printed without a number).
    section_in = _obj({"title": _text(memo_service.SECTION_TITLE_MAX),
                       "body": _text(memo_service.SECTION_BODY_MAX, minLength=1)}, ["body"])
    memo_fields = {
        "department": _text(limits["department"], minLength=1),
        "date": {"type": "string", "format": "date"},
        "subject": _text(limits["subject"], minLength=1),
        "addressee": _text(limits["addressee"], minLength=1),
        "sections": {"type": "array", "items": _ref("SectionInput"), "minItems": 1,
                     "maxItems": memo_service.SECTIONS_MAX},
        "closing": _text(limits["closing"], minLength=1),
        "category": _text(memo_service.CATEGORY_MAX, description="The kind of memo (ขออนุมัติจัดซื้อจัดจ้าง, "
                                                                 "รายงานผล ...): which chains apply"),
        "amount": _nullable({"type": "string", "maxLength": 40, "examples": ["150000.00"],
                             "description": "Money, two places at most, not negative, at most 12 digits "
                                            "before the point"}),
        "chain_id": _nullable({"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                               "description": "The chain the author chooses among those that apply "
                                              "(checked at submission); null: by the rules"}),
    }
    chain_step = _obj({
        "title": _text(200, minLength=1), "kind": {"type": "string", "enum": [k.value for k in StepKind]},
        "assignee_id": {"type": "integer"},
        "group": _nullable({"type": "integer", "minimum": 1, "maximum": 8,
                            "description": "Adjacent opinion steps sharing a group are pending at the same "
                                           "time; the next step waits for all of them"}),
    }, ["title", "kind", "assignee_id"])
    conditions = _obj({
        "amount_at_least": _nullable({"type": "string", "maxLength": 40, "examples": ["100000.00"]}),
        "amount_below": _nullable({"type": "string", "maxLength": 40}),
        "division": _nullable(_text(200, description="The author's division (or the memo's ส่วนราชการ) "
                                                     "contains this")),
    }, [])
    money_in = {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "number", "minimum": 0}]}
    project_in = {
        "type": "object",
        "description": "One project row; values may be text as in the CSV (Thai digits accepted). "
                       "Other keys (e.g. status_label) are ignored.",
        "properties": {
            "no": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": plan_io.MAX_NO},
                             {"type": "string", "maxLength": 20}]},
            "dimension": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 4},
                                    {"type": "string", "maxLength": 5}]},
            "name": _text(plan_io.MAX_NAME),
            "budget": money_in, "ordinance_budget": money_in, "disbursed": money_in,
            "status": {"type": "string", "maxLength": 60,
                       "description": "waiting, in_progress, completed, cannot (or the Thai label)"},
            "in_ordinance": {"anyOf": [{"type": "boolean"}, {"type": "string", "maxLength": 20}]},
            "note": _nullable(_text(plan_io.MAX_TEXT)),
            "reason": _nullable(_text(plan_io.MAX_TEXT, description="required when the status is cannot")),
        },
        "required": ["no", "dimension", "name", "status"],
    }
    project_out = _obj({
        "no": {"type": "integer"}, "dimension": {"type": "integer", "minimum": 1, "maximum": 4},
        "name": {"type": "string"}, "budget": MONEY, "ordinance_budget": MONEY, "disbursed": MONEY,
        "status": {"type": "string", "enum": list(STATUSES)}, "in_ordinance": {"type": "boolean"},
        "note": {"type": "string"}, "reason": {"type": "string"},
    })
    texts = {"type": "array", "maxItems": 20, "items": _text(2000)}
    row = _obj({
        "dimension": _nullable({"type": "integer", "minimum": 1, "maximum": 4}),
        "projects_planned": {"type": "integer"}, "projects_done": {"type": "integer"},
        "budget_planned": MONEY, "budget_ordinance": MONEY, "budget_used": MONEY,
        "pct_projects": PERCENT, "pct_budget": PERCENT,
    })
    return {
        "Error": _obj({"error": _obj({
            "code": {"type": "string", "enum": ERROR_CODES},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Only for 422: the field (or projects.<row>.<column>) and its problem"},
        }, ["code", "message"])}),
        "TokenRequest": _obj({"username": _text(64, minLength=1), "password": _text(1024, minLength=1)}),
        "Token": _obj({"token": {"type": "string"}, "expires_at": DATETIME, "user": _ref("User")}),
        "User": _obj({
            "id": {"type": "integer"}, "username": {"type": "string"}, "full_name": {"type": "string"},
            "position": {"type": "string"},
            "division": {"type": "string", "description": "ส่วนราชการ: a new memo's department (empty: the "
                                                          "organisation's name)"},
            "organization": _obj({"id": {"type": "integer"}, "name": {"type": "string"}}),
            "roles": {"type": "array", "items": {"type": "string",
                                                  "enum": ["officer", "reviewer", "executive", "records", "admin"]}},
        }),
        "UserSummary": user_summary,
        "SectionInput": section_in,
        "Section": _obj({"title": {"type": "string"}, "body": {"type": "string"}}),
        # Left out, department is the writer's division and addressee the chain's order step.
        "MemoCreate": _obj(memo_fields, ["date", "subject", "sections", "closing"]),
        "MemoPatch": _obj(memo_fields, []),
        "ChainStep": chain_step,
        "ChainConditions": conditions,
        "ChainInput": _obj({
            "name": _text(200, minLength=1), "category": _text(100),
            "active": {"type": "boolean"}, "conditions": _ref("ChainConditions"),
            "steps": {"type": "array", "items": _ref("ChainStep"), "minItems": 1, "maxItems": 8},
        }, []),
        "Chain": _obj({
            "id": {"type": "integer"}, "name": {"type": "string"}, "category": {"type": "string"},
            "active": {"type": "boolean"}, "is_default": {"type": "boolean"},
            "conditions": _ref("ChainConditions"), "version": {"type": "integer", "minimum": 1},
            "steps": {"type": "array", "items": _ref("ChainStep")},
        }),
        "ChainList": _obj({"items": {"type": "array", "items": _ref("Chain")}}),
        "Step": _obj({
            "seq": {"type": "integer"}, "title": {"type": "string"},
            "group": _nullable({"type": "integer"}),
            "kind": {"type": "string", "enum": [k.value for k in StepKind]},
            "assignee": _ref("UserSummary"), "acting": _nullable({"type": "string"}),
            "status": {"type": "string", "enum": [s.value for s in StepStatus]},
            "decision": _nullable({"type": "string", "enum": [d.value for d in StepDecision]}),
            "comment": {"type": "string"}, "signed_at": _nullable(DATETIME), "round": {"type": "integer"},
            "signed_by": _nullable(_ref("UserSummary")),
            "capacity": _nullable({"type": "string", "enum": KINDS,
                                   "description": "acting: รักษาราชการแทน; delegated: ปฏิบัติราชการแทน; "
                                                  "null when the assignee signed"}),
            "on_behalf_of": _nullable(_ref("UserSummary")),
        }),
        "Appointment": _obj({
            "id": {"type": "integer"}, "kind": {"type": "string", "enum": KINDS},
            "holder": _ref("UserSummary"), "stand_in": _ref("UserSummary"),
            "starts_on": DATE, "ends_on": _nullable(DATE),
            "order_number": _nullable({"type": "string", "examples": ["๑๒/๒๕๖๘"]}),
            "order_date": _nullable(DATE), "note": {"type": "string"}, "ended_at": _nullable(DATETIME),
        }),
        "AppointmentList": _obj({"items": {"type": "array", "items": _ref("Appointment")}}),
        "AppointmentCreate": _obj({
            "kind": {"type": "string", "enum": KINDS}, "holder_id": {"type": "integer"},
            "stand_in_id": {"type": "integer"}, "starts_on": DATE, "ends_on": _nullable(DATE),
            "order_number": _nullable(_text(appointment_service.ORDER_NUMBER_MAX)),
            "order_date": _nullable(DATE), "note": _nullable(_text(appointment_service.NOTE_MAX)),
        }, ["kind", "holder_id", "stand_in_id", "starts_on"]),
        "Event": _obj({
            "at": DATETIME, "actor": _nullable(_ref("UserSummary")), "action": {"type": "string"},
            "from_state": _nullable({"type": "string"}), "to_state": _nullable({"type": "string"}),
            "step": _nullable({"type": "integer"}), "comment": {"type": "string"},
        }),
        "Memo": _obj({
            "id": {"type": "integer"}, "organization_id": {"type": "integer"},
            "state": {"type": "string", "enum": STATES},
            "number": _nullable({"type": "string", "examples": ["นศ ๗๓๖๐๑/๒๕๖"]}),
            "department": {"type": "string"}, "date": {"type": "string", "format": "date"},
            "subject": {"type": "string"}, "addressee": {"type": "string"},
            "sections": {"type": "array", "items": _ref("Section")}, "closing": {"type": "string"},
            "author": _ref("UserSummary"), "round": {"type": "integer"}, "version": {"type": "integer"},
            "current_step": _nullable({"type": "integer"}),
            "category": {"type": "string"}, "amount": _nullable(MONEY),
            "chain_id": _nullable({"type": "integer"}), "chain_version": _nullable({"type": "integer"}),
            "steps": {"type": "array", "items": _ref("Step")},
            "events": {"type": "array", "items": _ref("Event")},
            "decision": _nullable({"type": "string", "enum": DECISIONS}),
            "pdf": _nullable(_obj({"url": {"type": "string"},
                                   "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}})),
            "plan_report": _nullable(_ref("PlanReport")),
            "attachments": {"type": "array", "items": _ref("Attachment"),
                            "description": "The current attached files (สิ่งที่ส่งมาด้วย), in order"},
        }),
        **_attachment_schemas(),
        "MemoSummary": {"description": "A Memo without steps and events.", **_obj({
            key: value for key, value in {
                "id": {"type": "integer"}, "organization_id": {"type": "integer"},
                "state": {"type": "string", "enum": STATES}, "number": _nullable({"type": "string"}),
                "department": {"type": "string"}, "date": {"type": "string", "format": "date"},
                "subject": {"type": "string"}, "addressee": {"type": "string"},
                "sections": {"type": "array", "items": _ref("Section")}, "closing": {"type": "string"},
                "author": _ref("UserSummary"), "round": {"type": "integer"}, "version": {"type": "integer"},
                "current_step": _nullable({"type": "integer"}),
                "category": {"type": "string"}, "amount": _nullable(MONEY),
                "chain_id": _nullable({"type": "integer"}), "chain_version": _nullable({"type": "integer"}),
                "decision": _nullable({"type": "string", "enum": DECISIONS}),
                "pdf": _nullable(_obj({"url": {"type": "string"},
                                       "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}})),
                "plan_report": _nullable(_ref("PlanReport")),
            }.items()
        })},
        "MemoPage": _obj({"items": {"type": "array", "items": _ref("MemoSummary")},
                          "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
                          "per_page": {"type": "integer", "minimum": 1, "maximum": 100}}),
        "ActionRequest": _obj({
            "action": {"type": "string", "enum": [a.value for a in Action]},
            "comment": _nullable(_text(COMMENT_MAX)),
            "decision": _nullable({"type": "string", "enum": DECISIONS}),
            "password": _nullable(_text(1024, description="The signer's own password (forward, return, order)")),
            "chain_id": _nullable({"type": "integer", "description": "submit: the chain chosen among those "
                                                                     "that apply (else the memo's chain_id, "
                                                                     "else the only one that applies)"}),
        }, ["action"]),
        "ProjectInput": project_in,
        "Project": project_out,
        "PlanReportInput": _obj({
            "fiscal_year": {"type": "integer", "minimum": 2500, "maximum": 2700},
            "round": {"type": "integer", "enum": [6, 12]},
            "minimum_projects": {"type": "integer", "minimum": 0, "maximum": 10000},
            "projects": {"type": "array", "items": _ref("ProjectInput"), "maxItems": plan_io.MAX_ROWS},
            "problems": _nullable(texts), "suggestions": _nullable(texts),
            "reporter_name": _text(200), "reporter_position": _text(200),
        }, ["fiscal_year", "round", "minimum_projects", "projects"]),
        "SummaryRow": row,
        "PlanReport": _obj({
            "input": _obj({
                "fiscal_year": {"type": "integer"}, "round": {"type": "integer", "enum": [6, 12]},
                "minimum_projects": {"type": "integer"},
                "projects": {"type": "array", "items": _ref("Project")},
                "problems": {"type": "array", "items": {"type": "string"}},
                "suggestions": {"type": "array", "items": {"type": "string"}},
                "reporter_name": {"type": "string"}, "reporter_position": {"type": "string"},
            }),
            "summary": _obj({
                "dimensions": {"type": "array", "items": _ref("SummaryRow"), "minItems": 4, "maxItems": 4},
                "total": _ref("SummaryRow"),
                "status_counts": _obj({s: {"type": "integer", "minimum": 0} for s in STATUSES}),
                "in_ordinance": {"type": "integer"}, "minimum_projects": {"type": "integer"},
                "implementation_pct": PERCENT, "implementation_capped": {"type": "boolean"},
                "level": {"type": "string"},
            }),
            "warnings": {"type": "array", "items": _obj({
                "code": {"type": "string"}, "no": _nullable({"type": "integer"}), "message": {"type": "string"},
            })},
        }),
    }


def _attachment_schemas() -> dict:
    from ..attachments import service as attachments
    from ..attachments.sniff import KINDS

    return {
        "Attachment": _obj({
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "filename": {"type": "string", "description": "The stored name: a basename, with the extension of "
                                                          "the type found in the content"},
            "content_type": {"type": "string", "enum": [v[0] for v in KINDS.values()]},
            "kind": {"type": "string", "enum": list(KINDS)},
            "size": {"type": "integer", "minimum": 0},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "url": {"type": "string"},
        }),
        "AttachmentList": _obj({"items": {"type": "array", "items": _ref("Attachment")}}),
        "AttachmentUpload": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream",
                         "description": "PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS, TXT or CSV, judged by content"},
                "title": _text(attachments.TITLE_MAX),
            },
            "required": ["file"],
            "additionalProperties": False,
        },
        "AttachmentPatch": _obj({
            "title": _text(attachments.TITLE_MAX, minLength=1),
            "position": {"type": "integer", "minimum": 1, "maximum": attachments.MAX_FILES},
        }, []),
    }


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _waiting(description: str) -> dict:
    """A 429 that says how long to wait in Retry-After (seconds)."""
    return {**_error(description), "headers": {"Retry-After": {
        "description": "Seconds to wait before trying again", "schema": {"type": "integer", "minimum": 1}}}}


def _json(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


COMMON = {"401": _error("No, invalid, expired or revoked bearer token (unauthenticated)"),
          "429": _error("Too many requests (too_many_requests)")}
BODY_ERRORS = {
    "400": _error("Malformed JSON (bad_request)"),
    "413": _error("Body larger than the server accepts (too_large)"),
    "415": _error("Body is not JSON (unsupported_media_type)"),
    "422": _error("Invalid or unknown fields, or a body that is not a JSON object (validation_error)"),
}
NOT_FOUND = {"404": _error("No such memo in the caller's organisation, or not visible to the caller (not_found)")}
MEMO_ID = {"name": "memo_id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": 2**62 - 1}}
ATTACHMENT_ID = {"name": "attachment_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 2**62 - 1}}
EDIT_REFUSED = {
    "403": _error("Not the author (not_your_turn)"),
    "409": _error("The memo is not editable in its state, or decided and its files sealed (invalid_transition), "
                  "or a concurrent change won the race (conflict)"),
}
FILE_BYTES = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
PAGING = [
    {"name": "page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}},
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]


def _op(summary: str, responses: dict, *, op_id: str, params: list | None = None, body: dict | None = None,
        public: bool = False, tags: list[str] | None = None) -> dict:
    operation = {"operationId": op_id, "summary": summary, "responses": {**responses}}
    if not public:
        operation["responses"].update(COMMON)
    else:
        operation["security"] = []
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = body
    if tags:
        operation["tags"] = tags
    return operation


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def _paths() -> dict:
    memo_ok = _json("The memo", "Memo")
    return {
        "/auth/token": {
            "post": _op("Issue a bearer token", {
                "200": _json("The token, its expiry and the user", "Token"),
                "401": _error("Wrong username or password (unauthenticated)"),
                "429": _waiting("After 5 failures for this account from this client (the device cookie, "
                                "else the address) each further attempt waits 1 s, 2 s, 4 s ... at most 15 "
                                "minutes; during the wait the password is not checked. Also a ceiling of "
                                "failed sign-ins per address (300 a minute) against floods "
                                "(too_many_requests)"),
                **BODY_ERRORS,
            }, op_id="issueToken", body=_body("TokenRequest"), public=True, tags=["auth"]),
            "delete": _op("Revoke the token of this request", {"204": {"description": "Revoked"}},
                          op_id="revokeToken", tags=["auth"]),
        },
        "/me": {"get": _op("The caller", {"200": _json("The caller", "User")}, op_id="getMe", tags=["auth"])},
        "/memos": {
            "post": _op("Create a draft memo", {"201": _json("The new memo, in draft", "Memo"), **BODY_ERRORS},
                        op_id="createMemo", body=_body("MemoCreate"), tags=["memos"]),
            "get": _op("Memos the caller may see, newest first", {
                "200": _json("One page of memos (without steps and events)", "MemoPage"),
                "422": _error("Invalid query parameter (validation_error)"),
            }, op_id="listMemos", tags=["memos"], params=[
                {"name": "state", "in": "query", "required": False, "schema": {"type": "string", "enum": STATES}},
                {"name": "q", "in": "query", "required": False,
                 "description": "Thai text anywhere in number, subject, body and comments",
                 "schema": {"type": "string", "maxLength": 100}},
                {"name": "year", "in": "query", "required": False, "description": "Buddhist Era year of the memo date",
                 "schema": {"type": "integer", "minimum": 2400, "maximum": 2800}},
                *PAGING,
            ]),
        },
        "/memos/{memo_id}": {
            "parameters": [MEMO_ID],
            "get": _op("One memo with its steps and events", {"200": memo_ok, **NOT_FOUND},
                       op_id="getMemo", tags=["memos"]),
            "patch": _op("Edit a draft or returned memo (author only)", {
                "200": memo_ok, **NOT_FOUND, **BODY_ERRORS,
                "403": _error("Not the author (not_your_turn)"),
                "409": _error("The memo is not editable in its state (invalid_transition), or a concurrent "
                              "change won the race (conflict)"),
                "412": _error("If-Match names a stale version (version_mismatch)"),
            }, op_id="updateMemo", body=_body("MemoPatch"), tags=["memos"], params=[
                {"name": "If-Match", "in": "header", "required": False,
                 "description": "The memo version the edit is based on", "schema": {"type": "string"}},
            ]),
        },
        "/inbox": {"get": _op("Everything waiting for the caller: pending steps, their returned memos, "
                              "and for records officers the decided memos to file", {
            "200": _json("One page of inbox items (memos without steps and events)", "InboxPage"),
            "422": _error("Invalid query parameter (validation_error)"),
        }, op_id="getInbox", params=PAGING, tags=["memos"])},
        "/memos/{memo_id}/actions": {
            "parameters": [MEMO_ID],
            "post": _op("Take a chain action", {
                "200": memo_ok, **NOT_FOUND, **BODY_ERRORS,
                "403": _error("Not the caller's turn (not_your_turn) or wrong signing password "
                              "(confirmation_failed); the 5th wrong one in a row revokes this token"),
                "429": _waiting("Too many wrong signing passwords for this account: wait, the password is "
                                "not checked (too_many_requests)"),
                "409": _error("The state does not allow the action (invalid_transition), or someone acted "
                              "first (conflict: load the memo again)"),
                "422": _error("Invalid fields (validation_error); or, on the order, the memo's PDF takes longer "
                              "than the render budget (pdf_too_slow): nothing is recorded, the memo stays in review"),
                "412": _error("If-Match names a stale version (version_mismatch): refused before the "
                              "password is checked"),
                "503": _error("The order's PDF could not be made (pdf_failed): nothing is recorded"),
            }, op_id="actOnMemo", body=_body("ActionRequest"), tags=["memos"], params=[
                {"name": "If-Match", "in": "header", "required": False,
                 "description": "The memo version the action is based on (optional)", "schema": {"type": "string"}},
            ]),
        },
        "/memos/{memo_id}/pdf": {
            "parameters": [MEMO_ID],
            "get": _op("The memo as PDF: frozen bytes once decided, else a draft preview", {
                "200": {"description": "The PDF",
                        "headers": {"X-Content-SHA256": {
                            "description": "SHA-256 of the body; only for decided or archived memos",
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
                        "content": {"application/pdf": {"schema": {"type": "string",
                                                                  "contentMediaType": "application/pdf"}}}},
                **NOT_FOUND,
                "422": _error("The preview takes longer than the render budget to lay out (pdf_too_slow): "
                              "the content has to be shortened"),
            }, op_id="getMemoPdf", tags=["documents"]),
        },
        "/memos/{memo_id}/plan-report": {
            "parameters": [MEMO_ID],
            "get": _op("The attached plan report with its computed summary", {
                "200": _json("The plan report", "PlanReport"),
                "404": _error("No such memo, or it has no plan report (not_found)"),
            }, op_id="getPlanReport", tags=["plan report"]),
            "put": _op("Replace the attached plan report (author, while editable)", {
                "200": _json("The plan report", "PlanReport"), **NOT_FOUND, **BODY_ERRORS,
                "403": _error("Not the author (not_your_turn)"),
                "409": _error("The memo is not editable in its state (invalid_transition), or a concurrent "
                              "change won the race (conflict)"),
            }, op_id="putPlanReport", tags=["plan report"], params=[
                {"name": name, "in": "query", "required": False,
                 "description": f"With text/csv only: {name} (defaults to the attached report's)",
                 "schema": schema}
                for name, schema in (
                    ("fiscal_year", {"type": "integer", "minimum": 2500, "maximum": 2700}),
                    ("round", {"type": "integer", "enum": [6, 12]}),
                    ("minimum_projects", {"type": "integer", "minimum": 0, "maximum": 10000}),
                )
            ], body={"required": True, "content": {
                "application/json": {"schema": _ref("PlanReportInput")},
                "text/csv": {"schema": {"type": "string", "description": "UTF-8 CSV with a header row: " + ", ".join(
                    plan_io.COLUMNS) + " (reason optional)"}},
            }}),
        },
        "/memos/{memo_id}/attachments": {
            "parameters": [MEMO_ID],
            "get": _op("The memo's current attachments, in order", {
                "200": _json("The attachments", "AttachmentList"), **NOT_FOUND,
            }, op_id="listAttachments", tags=["attachments"]),
            "post": _op("Attach a file (author, while editable); its type is decided from its content", {
                "201": _json("The new attachment", "Attachment"), **NOT_FOUND, **EDIT_REFUSED,
                "413": _error("The file is over ATTACHMENT_MAX_BYTES (20 MB), or the memo's files together over "
                              "MEMO_ATTACHMENTS_MAX_BYTES (50 MB) (too_large)"),
                "415": _error("Not multipart, or not a PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS, TXT or CSV by its "
                              "content (unsupported_media_type)"),
                "422": _error("No file, an empty or broken file, a PDF with JavaScript, a zip bomb, a macro "
                              "document (validation_error)"),
            }, op_id="uploadAttachment", tags=["attachments"], body={"required": True, "content": {
                "multipart/form-data": {"schema": _ref("AttachmentUpload")}}}),
        },
        "/memos/{memo_id}/attachments/{attachment_id}": {
            "parameters": [MEMO_ID, ATTACHMENT_ID],
            "get": _op("The file's bytes, as a download", {
                "200": {"description": "The bytes", "content": FILE_BYTES, "headers": {
                    "X-Content-SHA256": {"description": "SHA-256 of the body",
                                         "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                    "Content-Disposition": {"description": "attachment; filename=...; filename*=UTF-8''...",
                                            "schema": {"type": "string"}}}},
                **NOT_FOUND,
            }, op_id="getAttachment", tags=["attachments"]),
            "patch": _op("Rename or move an attachment (author, while editable)", {
                "200": _json("The attachment", "Attachment"), **NOT_FOUND, **BODY_ERRORS, **EDIT_REFUSED,
            }, op_id="patchAttachment", body=_body("AttachmentPatch"), tags=["attachments"]),
            "delete": _op("Remove an attachment (author, while editable; kept in the history once submitted)", {
                "204": {"description": "Removed"}, **NOT_FOUND, **EDIT_REFUSED,
            }, op_id="deleteAttachment", tags=["attachments"]),
        },
        "/memos/{memo_id}/print.pdf": {
            "parameters": [MEMO_ID],
            "get": _op("The memo's PDF followed by its PDF attachments, one file for printing", {
                "200": {"description": "The PDF", "content": {"application/pdf": {"schema": {
                    "type": "string", "contentMediaType": "application/pdf"}}}},
                **NOT_FOUND,
            }, op_id="getMemoPrint", tags=["attachments"]),
        },
        "/appointments": {
            "post": _op("Appoint a stand-in (administrator; an executive for their own position)", {
                "201": _json("The appointment", "Appointment"), **BODY_ERRORS,
                "403": _error("Not an administrator, nor the executive holding the position (forbidden)"),
                "422": _error("Invalid fields: holder and stand-in must be different users of the caller's "
                              "organisation; dates; or it overlaps another appointment for the holder "
                              "(validation_error)"),
            }, op_id="createAppointment", body=_body("AppointmentCreate"), tags=["appointments"]),
            "get": _op("The organisation's appointments (only one's own for people who are not "
                       "administrator, executive or records officer), newest first", {
                "200": _json("The appointments", "AppointmentList"),
                "422": _error("Invalid query parameter (validation_error)"),
            }, op_id="listAppointments", tags=["appointments"], params=[
                {"name": "active", "in": "query", "required": False,
                 "description": "true: only those in force today (Asia/Bangkok); false: only those not",
                 "schema": {"type": "string", "enum": ["true", "false"]}},
            ]),
        },
        "/appointments/{appointment_id}": {
            "parameters": [{"name": "appointment_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
            "delete": _op("End the appointment now (the record stays; unsigned steps are the holder's again)", {
                "204": {"description": "Ended (or already ended)"},
                "403": _error("Not an administrator, nor the holder (forbidden)"),
                "404": _error("No such appointment in the caller's organisation (not_found)"),
            }, op_id="endAppointment", tags=["appointments"]),
        },
        "/chains": {
            "get": _op("The organisation's signing chains, the default first (administrators)", {
                "200": _json("The chains", "ChainList"),
                "403": _error("Not an administrator (forbidden)"),
            }, op_id="listChains", tags=["chains"]),
            "post": _op("Create a chain: name, category, conditions and steps (administrators)", {
                "201": _json("The new chain, version 1", "Chain"), **BODY_ERRORS,
                "403": _error("Not an administrator (forbidden)"),
            }, op_id="createChain", body=_body("ChainInput"), tags=["chains"]),
        },
        "/chains/{chain_id}": {
            "parameters": [{"name": "chain_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
            "put": _op("Save a chain as a new version (fields left out stay); memos already submitted "
                       "keep the steps they copied (administrators)", {
                "200": _json("The chain", "Chain"), **BODY_ERRORS,
                "403": _error("Not an administrator (forbidden)"),
                "404": _error("No such chain in the caller's organisation (not_found)"),
            }, op_id="saveChain", body=_body("ChainInput"), tags=["chains"]),
        },
        "/openapi.json": {"get": _op("This document", {
            "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}},
        }, op_id="getOpenapi", public=True, tags=["meta"])},
    }


def _all_schemas() -> dict:
    schemas = _schemas()
    return {**schemas, **notifications_openapi.schemas(schemas, _obj, _ref, _nullable, DATETIME),
            **writing_openapi.schemas(_obj, _ref)}


def spec() -> dict:
    """A fresh copy of the whole document."""
    from ..signatures import api as signature_api

    return deepcopy({
        "openapi": "3.1.0",
        "info": {
            "title": "e-Saraban API", "version": "1.0.0",
            "description": "Internal memos (บันทึกข้อความ) and their signing chain. Errors are "
                           "{\"error\": {\"code\", \"message\", \"fields\"}}; money and percentages are strings "
                           "with two decimals; dates YYYY-MM-DD; datetimes ISO 8601 with offset. Any "
                           "endpoint may answer 503 service_unavailable with Retry-After when the server is "
                           "busy (nothing was done: retry after that many seconds).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {**_paths(), **notifications_openapi.paths(_op, _json, _error, _body, BODY_ERRORS),
                  **writing_openapi.paths(_op, _json),
                  **signature_api.openapi_paths(_op, _json, _error, MEMO_ID, NOT_FOUND)},
        "components": {
            "schemas": {**_all_schemas(), **signature_api.openapi_schemas(_ref)},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token from POST /auth/token"}},
        },
    })
