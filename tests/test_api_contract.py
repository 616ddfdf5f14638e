"""The API's outside rules: JSON errors for every bad input, never HTML, never a 500; OpenAPI."""

from __future__ import annotations

import json
import re

import pytest

from approval.extensions import limiter

from .conftest import PASSWORD
from .test_api import API, assert_error, new_memo

ALL = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@pytest.fixture()
def auth(seeded, token_for):
    return {"Authorization": f"Bearer {token_for('legal')}"}


@pytest.fixture()
def client(seeded):
    return seeded.test_client()


@pytest.fixture()
def memo_id(client, auth):
    return client.get(f"{API}/memos", headers=auth).get_json()["items"][0]["id"]


BODY_ENDPOINTS = [
    ("post", "/memos"),
    ("patch", "/memos/{id}"),
    ("post", "/memos/{id}/actions"),
    ("put", "/memos/{id}/plan-report"),
]


@pytest.mark.parametrize("method, path", BODY_ENDPOINTS)
@pytest.mark.parametrize("raw", [b"{", b"{'a': 1}", b"\xff\xfe", b"[1,", b'{"a": NaN}', b"[" * 5000 + b"]" * 5000])
def test_malformed_json_is_400(client, auth, memo_id, method, path, raw):
    response = getattr(client, method)(API + path.format(id=memo_id), data=raw, headers=auth,
                                       content_type="application/json")
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("method, path", BODY_ENDPOINTS)
@pytest.mark.parametrize("value", [[], [1, 2], "text", 3, None, True])
def test_json_that_is_not_an_object_is_422(client, auth, memo_id, method, path, value):
    response = getattr(client, method)(API + path.format(id=memo_id), data=json.dumps(value), headers=auth,
                                       content_type="application/json")
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("method, path", BODY_ENDPOINTS + [("post", "/auth/token")])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_body_that_is_not_json_is_415(client, auth, memo_id, method, path, content_type):
    kw = {"data": b'{"a": 1}'}
    if content_type:
        kw["content_type"] = content_type
    response = getattr(client, method)(API + path.format(id=memo_id), headers=auth, **kw)
    assert_error(response, 415, "unsupported_media_type")


def test_body_over_the_limit_is_413(client, auth, memo_id, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    big = {"subject": "ก" * 2000}
    assert_error(client.post(f"{API}/memos", json=big, headers=auth), 413, "too_large")
    assert_error(client.put(f"{API}/memos/{memo_id}/plan-report", data=b"x" * 2000, headers=auth,
                            content_type="text/csv"), 413, "too_large")


def test_unknown_action_and_unknown_fields_are_422(client, auth, memo_id):
    url = f"{API}/memos/{memo_id}/actions"
    error = assert_error(client.post(url, json={"action": "approve_everything"}, headers=auth), 422,
                         "validation_error")
    assert "action" in error["fields"]
    error = assert_error(client.post(url, json={"action": "submit", "signature": "x"}, headers=auth), 422,
                         "validation_error")
    assert error["fields"] == {"signature": "ไม่รู้จักช่องนี้"}
    error = assert_error(client.patch(f"{API}/memos/{memo_id}", json={"number": "1/2567"}, headers=auth), 422,
                         "validation_error")
    assert "number" in error["fields"]


@pytest.mark.parametrize("body, field", [
    ({}, "action"), ({"action": 1}, "action"), ({"action": None}, "action"), ({"action": ["submit"]}, "action"),
    ({"action": "submit", "comment": 5}, "comment"), ({"action": "order", "decision": {"x": 1}}, "decision"),
    ({"action": "forward", "password": 123}, "password"),
])
def test_action_type_errors_are_422(client, auth, memo_id, body, field):
    error = assert_error(client.post(f"{API}/memos/{memo_id}/actions", json=body, headers=auth), 422,
                         "validation_error")
    assert field in error["fields"]


@pytest.mark.parametrize("data, field", [
    ({"subject": 5}, "subject"), ({"sections": "text"}, "sections"), ({"sections": [{"title": "ก"}]}, "sections.0.body"),
    ({"date": 20240101}, "date"), ({"subject": "ก\x00ข"}, "subject"), ({"subject": "\ud800"}, "subject"),
    ({"sections": [{"title": "ก", "body": "ข", "x": 1}]}, "sections.0"),
])
def test_memo_type_errors_are_422(client, auth, data, field):
    error = assert_error(client.post(f"{API}/memos", json=new_memo(**data), headers=auth), 422, "validation_error")
    assert field in error["fields"]


@pytest.mark.parametrize("path", ["/memos/abc", "/memos/-1", "/memos/0", "/memos/1.5", "/memos/" + "9" * 30,
                                  "/memos/99999999999999999999/pdf", "/memos/4611686018427387904",
                                  "/memos/abc/actions", "/nothing-here", "/memos/1/unknown", ""])
def test_unknown_ids_and_urls_are_json_404(client, auth, path):
    assert_error(client.get(API + path, headers=auth), 404, "not_found")


def test_unknown_ids_are_404_on_every_method(client, auth):
    big = "9" * 25
    assert_error(client.patch(f"{API}/memos/{big}", json={}, headers=auth), 404, "not_found")
    assert_error(client.post(f"{API}/memos/{big}/actions", json={"action": "submit"}, headers=auth), 404,
                 "not_found")
    assert_error(client.put(f"{API}/memos/123456/plan-report", json={}, headers=auth), 404, "not_found")


@pytest.mark.parametrize("method, path", [("delete", "/me"), ("put", "/memos"), ("delete", "/memos/1"),
                                          ("post", "/openapi.json"), ("get", "/memos/1/actions")])
def test_wrong_method_is_json_405(client, auth, method, path):
    response = getattr(client, method)(API + path, headers=auth)
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"]


def test_unexpected_failure_is_json_500(client, auth, app, monkeypatch):
    from approval.services import memos

    def boom(*args, **kwargs):
        raise RuntimeError("defect")

    monkeypatch.setattr(memos, "list_memos", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert_error(client.get(f"{API}/memos", headers=auth), 500, "internal_error")


def test_every_error_is_json_never_html(client, auth, memo_id):
    responses = [
        client.get(f"{API}/memos"),
        client.post(f"{API}/memos", data="<html>", headers=auth, content_type="text/html"),
        client.get(f"{API}/memos/{memo_id}/nope", headers=auth),
    ]
    for response in responses:
        assert response.mimetype == "application/json"
        assert set(response.get_json()) == {"error"}


@pytest.fixture()
def limited_client(app, seeded, monkeypatch):
    """A client of a second app on the same database, with rate limiting on."""
    from approval import create_app

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # restored after the test
    limited = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "STORAGE_DIR")},
                          "APP_ENV": "testing", "TESTING": True, "RATELIMIT_ENABLED": True,
                          "RATELIMIT_STORAGE_URI": "memory://"})
    limiter.reset()
    yield limited.test_client()
    limiter.reset()


def test_failed_logins_per_address_are_limited(limited_client):
    for i in range(50):
        response = limited_client.post(f"{API}/auth/token", json={"username": f"nobody{i}", "password": "x"})
        assert response.status_code == 401
    response = limited_client.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD})
    assert_error(response, 429, "too_many_requests")
    other_address = limited_client.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD},
                                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 200


def test_successful_logins_are_not_counted(limited_client):
    for _ in range(55):
        response = limited_client.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD})
        assert response.status_code == 200


def test_csrf_does_not_apply_to_bearer_requests(app, seeded, token_for, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = seeded.test_client()
    token = client.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD})
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.post(f"{API}/memos", json=new_memo(), headers=headers).status_code == 201


# --- OpenAPI ----------------------------------------------------------------------------

@pytest.fixture()
def spec(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_openapi_document_is_valid_3_1(spec):
    validate = pytest.importorskip("openapi_spec_validator").validate  # requirements-dev.txt

    assert spec["openapi"].startswith("3.1")
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "A token from POST /auth/token"}


def test_openapi_describes_every_route(app, spec):
    described = {(path, method.upper()) for path, item in spec["paths"].items()
                 for method in item if method in {"get", "post", "put", "patch", "delete"}}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<int:(\w+)>", r"{\1}", rule.rule.removeprefix(API))
            served |= {(path, m) for m in rule.methods if m in ALL}
    assert described == served


def test_openapi_request_bodies_are_closed_and_bounded(spec):
    schemas = spec["components"]["schemas"]
    for name in ("TokenRequest", "MemoCreate", "MemoPatch", "ActionRequest", "PlanReportInput", "SectionInput"):
        assert schemas[name]["additionalProperties"] is False, name
    memo = schemas["MemoCreate"]["properties"]
    assert {k: memo[k]["maxLength"] for k in ("subject", "department", "addressee", "closing")} == {
        "subject": 500, "department": 300, "addressee": 300, "closing": 300}
    section = schemas["SectionInput"]["properties"]
    assert section["title"]["maxLength"] == 200 and section["body"]["maxLength"] == 20000
    action = schemas["ActionRequest"]["properties"]
    assert action["comment"]["anyOf"][0]["maxLength"] == 5000
    assert action["action"]["enum"] == ["submit", "forward", "return", "withdraw", "order", "archive", "cancel"]


def test_responses_match_the_openapi_schemas(client, auth, memo_id, spec):
    """The documents the API serves validate against the schemas it publishes."""
    Draft202012Validator = pytest.importorskip("jsonschema").Draft202012Validator

    def check(instance, name):
        schema = {**spec["components"]["schemas"][name], "components": spec["components"]}
        resolved = json.loads(json.dumps(schema).replace("#/components/", "#/components/"))
        Draft202012Validator(resolved).validate(instance)

    check(client.get(f"{API}/memos/{memo_id}", headers=auth).get_json(), "Memo")
    check(client.get(f"{API}/memos", headers=auth).get_json(), "MemoPage")
    check(client.get(f"{API}/me", headers=auth).get_json(), "User")
    check(client.get(f"{API}/memos/{memo_id}/plan-report", headers=auth).get_json(), "PlanReport")
    check(client.get(f"{API}/memos/0", headers=auth).get_json(), "Error")
    check(client.post(f"{API}/memos", json={}, headers=auth).get_json(), "Error")


# --- no input makes a 500 ---------------------------------------------------------------

def _json_values():
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


def test_random_bodies_never_make_a_500(client, auth, memo_id):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    keys = st.sampled_from(["action", "comment", "decision", "password", "subject", "date", "sections",
                            "closing", "projects", "round", "fiscal_year", "minimum_projects"])
    bodies = st.dictionaries(keys, _json_values(), max_size=5) | _json_values()
    targets = st.sampled_from([("post", "/memos"), ("patch", f"/memos/{memo_id}"),
                               ("post", f"/memos/{memo_id}/actions"), ("put", f"/memos/{memo_id}/plan-report"),
                               ("post", "/auth/token")])

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(target=targets, body=bodies)
    def run(target, body):
        method, path = target
        response = getattr(client, method)(API + path, data=json.dumps(body), headers=auth,
                                           content_type="application/json")
        assert response.status_code < 500, (target, body, response.get_json())
        if response.status_code >= 400:
            assert set(response.get_json()) == {"error"}

    run()


@pytest.mark.parametrize("query", ["page=1&per_page=100", "q=%E0%B8%81%25_%5C", "year=2567&state=draft",
                                   "page=1000000", "q=" + "%20" * 100])
def test_list_queries_never_make_a_500(client, auth, query):
    assert client.get(f"{API}/memos?{query}", headers=auth).status_code == 200


@pytest.mark.parametrize("query", ["round=%C2%B2", "fiscal_year=%EF%BC%92%EF%BC%95%EF%BC%96%EF%BC%97",
                                   "minimum_projects=" + "9" * 5000])
def test_plan_report_header_numbers_must_be_plain_digits(client, auth, memo_id, query):
    response = client.put(f"{API}/memos/{memo_id}/plan-report?{query}", data=b"no\n", headers=auth,
                          content_type="text/csv")
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("amount", ["9" * 40, 10**30, 1e300])
def test_absurd_amounts_are_422(client, auth, memo_id, amount):
    data = client.get(f"{API}/memos/{memo_id}/plan-report", headers=auth).get_json()["input"]
    data["projects"][0]["budget"] = amount
    assert_error(client.put(f"{API}/memos/{memo_id}/plan-report", json=data, headers=auth), 422,
                 "validation_error")
    csv = ("no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n"
           f"1,1,โครงการ,{'9' * 40},0,0,completed,no,\n").encode()
    assert_error(client.put(f"{API}/memos/{memo_id}/plan-report", data=csv, headers=auth,
                            content_type="text/csv"), 422, "validation_error")
