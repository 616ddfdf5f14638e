"""The OpenAPI description of the writing helpers' endpoint (merged into ``approval.api.openapi.spec``)."""

from __future__ import annotations


def schemas(_obj, _ref) -> dict:
    """The MemoTemplate schemas (the helpers of approval.api.openapi passed in)."""
    section = _obj({"title": {"type": "string", "description": "Empty: an untitled paragraph"},
                    "body": {"type": "string"}})
    return {
        "MemoTemplate": _obj({
            "id": {"type": "integer"}, "category": {"type": "string"}, "name": {"type": "string"},
            "subject": {"type": "string"},
            "addressee": {"type": "string", "description": "Empty: left out of POST /memos, the addressee "
                                                           "is the holder of the chain's order step"},
            "sections": {"type": "array", "items": section}, "closing": {"type": "string"},
        }),
        "MemoTemplateList": _obj({"items": {"type": "array", "items": _ref("MemoTemplate")}}),
    }


def paths(_op, _json) -> dict:
    """The /memo-templates path."""
    return {
        "/memo-templates": {"get": _op("The organisation's memo templates (a starting text for POST /memos)", {
            "200": _json("Templates, by category then name", "MemoTemplateList"),
        }, op_id="listMemoTemplates", tags=["memos"])},
    }
