"""The JSON API v1 (API.md) through HTTP: authentication, memos, the chain, PDF, plan report."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from approval.plan_report.io import COLUMNS

from .conftest import PASSWORD

API = "/api/v1"
DEMO_CSV = Path(__file__).resolve().parent.parent / "approval" / "plan_report" / "plan-2567-round6-projects.csv"


class Api:
    """A test client speaking as one user (bearer token)."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def _call(self, method: str, path: str, headers: dict | None = None, **kw):
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return getattr(self.client, method)(API + path, headers=headers, **kw)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        return self._call("post", path, **kw)

    def patch(self, path, **kw):
        return self._call("patch", path, **kw)

    def put(self, path, **kw):
        return self._call("put", path, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)

    def act(self, memo_id: int, action: str, **fields):
        return self.post(f"/memos/{memo_id}/actions", json={"action": action, **fields})


@pytest.fixture()
def as_user(seeded, token_for):
    """username -> Api speaking as that user."""
    client = seeded.test_client()
    return lambda username: Api(client, token_for(username))


@pytest.fixture()
def legal(as_user):
    return as_user("legal")


@pytest.fixture()
def memo_id(legal):
    """The reference memo: a draft by legal with the reference plan report attached."""
    response = legal.get("/memos")
    assert response.status_code == 200
    [item] = response.get_json()["items"]
    return item["id"]


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert ("fields" in body["error"]) == (status == 422)
    return body["error"]


def new_memo(**overrides) -> dict:
    data = {
        "department": "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด", "date": "2024-06-03",
        "subject": "ขออนุมัติจัดซื้อวัสดุสำนักงาน", "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด",
        "sections": [{"title": "เรื่องเดิม", "body": "ด้วยสำนักปลัดมีความจำเป็นต้องใช้วัสดุสำนักงาน"}],
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
    }
    data.update(overrides)
    return data


# --- authentication ---------------------------------------------------------------------

def test_token_issue_gives_token_expiry_and_user(seeded):
    response = seeded.test_client().post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "user"}
    assert "+00:00" in body["expires_at"]
    assert body["user"]["username"] == "legal"
    assert body["user"]["full_name"] == "นางสาวอนุศาสน์ อภัยรัตน์"


def test_wrong_credentials_are_401_and_repeated_failures_429(seeded):
    client = seeded.test_client()
    for _ in range(5):
        response = client.post(f"{API}/auth/token", json={"username": "head", "password": "wrong-password"})
        assert_error(response, 401, "unauthenticated")
    response = client.post(f"{API}/auth/token", json={"username": "head", "password": PASSWORD})
    assert_error(response, 429, "too_many_requests")
    unknown = client.post(f"{API}/auth/token", json={"username": "nobody", "password": "x"})
    assert_error(unknown, 401, "unauthenticated")


@pytest.mark.parametrize("body", [{}, {"username": "legal"}, {"username": 1, "password": PASSWORD},
                                  {"username": "legal", "password": PASSWORD, "extra": 1}])
def test_token_request_must_be_well_formed(seeded, body):
    response = seeded.test_client().post(f"{API}/auth/token", json=body)
    assert_error(response, 422, "validation_error")


def test_me_is_the_user(legal):
    body = legal.get("/me").get_json()
    assert set(body) == {"id", "username", "full_name", "position", "division", "organization", "roles"}
    assert body["position"] == "นิติกร"
    assert body["division"] == "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด"  # the writing helpers' setting
    assert body["organization"]["name"] == "องค์การบริหารส่วนตำบลขอนหาด"
    assert body["roles"] == ["officer"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic bGVnYWw6eA==", "Bearer " + "x" * 500])
def test_no_or_bad_token_is_401(seeded, header):
    headers = {"Authorization": header} if header else {}
    response = seeded.test_client().get(f"{API}/me", headers=headers)
    assert_error(response, 401, "unauthenticated")


def test_deleted_token_is_dead(legal):
    assert legal.get("/me").status_code == 200
    response = legal.delete("/auth/token")
    assert response.status_code == 204 and response.data == b""
    assert_error(legal.get("/me"), 401, "unauthenticated")
    assert_error(legal.delete("/auth/token"), 401, "unauthenticated")


def test_expired_token_and_changed_password_end_access(legal, as_user, users):
    import datetime as dt

    import sqlalchemy as sa

    from approval.extensions import db
    from approval.models import ApiToken
    from approval.services import accounts

    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == users["legal"].id)
                       .values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    db.session.commit()
    assert_error(legal.get("/me"), 401, "unauthenticated")
    head = as_user("head")
    accounts.set_password(db.session.get(type(users["head"]), users["head"].id), "another-long-password")
    db.session.commit()
    assert_error(head.get("/me"), 401, "unauthenticated")


# --- memos ------------------------------------------------------------------------------

def test_create_memo_is_201_draft(legal):
    response = legal.post("/memos", json=new_memo())
    assert response.status_code == 201
    memo = response.get_json()
    assert memo["state"] == "draft" and memo["number"] is None and memo["round"] == 0
    assert memo["date"] == "2024-06-03"
    assert memo["author"]["full_name"] == "นางสาวอนุศาสน์ อภัยรัตน์"
    assert memo["decision"] is None and memo["pdf"] is None and memo["plan_report"] is None
    assert memo["current_step"] is None and memo["steps"] == []
    assert [e["action"] for e in memo["events"]] == ["create"]
    assert legal.get(f"/memos/{memo['id']}").get_json() == memo


def test_memo_text_is_stored_nfc(legal):
    # Thai has no canonical compositions; a combining accent shows the normalisation.
    memo = legal.post("/memos", json=new_memo(subject="เรื่อง Cafe\u0301")).get_json()
    assert memo["subject"] == "เรื่อง Caf\u00e9"


def test_create_memo_validation_names_fields(legal):
    error = assert_error(legal.post("/memos", json=new_memo(subject="", date="2024-13-01")), 422,
                         "validation_error")
    assert {"subject", "date"} <= set(error["fields"])
    error = assert_error(legal.post("/memos", json=new_memo(subject="ก" * 501)), 422, "validation_error")
    assert set(error["fields"]) == {"subject"}
    error = assert_error(legal.post("/memos", json=new_memo(owner=1, state="decided")), 422, "validation_error")
    assert set(error["fields"]) == {"owner", "state"}


def test_get_memo_shape(legal, memo_id):
    memo = legal.get(f"/memos/{memo_id}").get_json()
    assert set(memo) == {"id", "organization_id", "state", "number", "department", "date", "subject",
                         "addressee", "sections", "closing", "author", "round", "version", "current_step",
                         "steps", "events", "decision", "pdf", "plan_report", "attachments",
                         "category", "amount", "chain_id", "chain_version"}
    assert memo["attachments"] == []
    assert (memo["category"], memo["amount"], memo["chain_id"]) == ("", None, None)
    assert memo["date"] == "2024-05-02"
    assert set(memo["author"]) == {"id", "full_name", "position"}
    assert [s["title"] for s in memo["sections"]][:1] == ["เรื่องเดิม"]
    assert set(memo["plan_report"]) == {"input", "summary", "warnings"}


def test_patch_respects_if_match(legal, memo_id):
    version = legal.get(f"/memos/{memo_id}").get_json()["version"]
    response = legal.patch(f"/memos/{memo_id}", json={"closing": "จึงเรียนมาเพื่อโปรดทราบและพิจารณา"},
                           headers={"If-Match": str(version)})
    assert response.status_code == 200
    memo = response.get_json()
    assert memo["closing"] == "จึงเรียนมาเพื่อโปรดทราบและพิจารณา" and memo["version"] > version
    stale = legal.patch(f"/memos/{memo_id}", json={"closing": "ก"}, headers={"If-Match": str(version)})
    assert_error(stale, 412, "version_mismatch")
    assert_error(legal.patch(f"/memos/{memo_id}", json={"closing": "ก"}, headers={"If-Match": "garbage"}),
                 412, "version_mismatch")
    quoted = legal.patch(f"/memos/{memo_id}", json={"closing": "ข"}, headers={"If-Match": f'"{memo["version"]}"'})
    assert quoted.status_code == 200
    assert legal.patch(f"/memos/{memo_id}", json={"closing": "ค"}).status_code == 200  # If-Match optional


def test_patch_only_by_author(as_user, memo_id, legal):
    legal.act(memo_id, "submit")
    head = as_user("head")
    assert_error(head.patch(f"/memos/{memo_id}", json={"closing": "ก"}), 403, "not_your_turn")
    assert_error(legal.patch(f"/memos/{memo_id}", json={"closing": "ก"}), 409, "invalid_transition")


def test_list_memos(legal, memo_id, as_user):
    legal.post("/memos", json=new_memo())
    body = legal.get("/memos").get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    assert all("steps" not in m and "events" not in m for m in body["items"])
    assert legal.get("/memos?per_page=1&page=2").get_json()["items"][0]["id"] == memo_id
    assert legal.get("/memos?year=2567").get_json()["total"] == 2
    assert legal.get("/memos?year=2566").get_json()["total"] == 0
    assert legal.get("/memos?state=in_review").get_json()["total"] == 0
    found = legal.get("/memos", query_string={"q": "ป้องกันการทุจริต"}).get_json()
    assert [m["id"] for m in found["items"]] == [memo_id]
    # Somebody else's draft that was never submitted is private to its author.
    assert as_user("head").get("/memos").get_json()["total"] == 0


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"), ("page=x", "page"), ("per_page=0", "per_page"), ("per_page=101", "per_page"),
    ("year=abc", "year"), ("year=-1", "year"), ("year=99999999999999999999999", "year"),
    ("state=bogus", "state"), ("q=" + "ก" * 101, "q"), ("q=%00", "q"),
])
def test_list_memos_refuses_bad_parameters(legal, query, field):
    error = assert_error(legal.get(f"/memos?{query}"), 422, "validation_error")
    assert field in error["fields"]


def test_inbox_is_the_pending_steps_of_the_caller(legal, memo_id, as_user):
    head = as_user("head")
    assert head.get("/inbox").get_json()["total"] == 0
    legal.act(memo_id, "submit")
    inbox = head.get("/inbox").get_json()
    assert [m["id"] for m in inbox["items"]] == [memo_id] and inbox["total"] == 1
    assert as_user("deputy").get("/inbox").get_json()["items"] == []
    assert_error(head.get("/inbox?per_page=500"), 422, "validation_error")


# --- the chain --------------------------------------------------------------------------

def test_whole_chain_through_the_api(legal, memo_id, as_user):
    head, deputy, mayor = as_user("head"), as_user("deputy"), as_user("mayor")

    submitted = legal.act(memo_id, "submit").get_json()
    assert submitted["state"] == "in_review" and submitted["round"] == 1 and submitted["current_step"] == 1
    number = submitted["number"]
    assert number.startswith("นศ ๗๓๖๐๑/")
    assert [(s["seq"], s["status"]) for s in submitted["steps"]] == [(1, "pending"), (2, "waiting"), (3, "waiting")]

    returned = head.act(memo_id, "return", comment="กรุณาแก้ไขข้อเท็จจริง", password=PASSWORD)
    assert returned.status_code == 200
    returned = returned.get_json()
    assert returned["state"] == "returned" and returned["current_step"] is None
    assert returned["steps"][0]["decision"] == "return" and returned["steps"][0]["comment"] == "กรุณาแก้ไขข้อเท็จจริง"

    patched = legal.patch(f"/memos/{memo_id}", json={"subject": returned["subject"] + " (แก้ไข)"},
                          headers={"If-Match": str(returned["version"])})
    assert patched.status_code == 200
    resubmitted = legal.act(memo_id, "submit").get_json()
    assert resubmitted["round"] == 2 and resubmitted["number"] == number
    assert [s["round"] for s in resubmitted["steps"]] == [1, 1, 1, 2, 2, 2]

    assert head.act(memo_id, "forward", comment="เห็นควรอนุมัติ", password=PASSWORD).status_code == 200
    forwarded = deputy.act(memo_id, "forward", comment="เห็นควรอนุมัติ", password=PASSWORD).get_json()
    assert forwarded["current_step"] == 3

    ordered = mayor.act(memo_id, "order", decision="approve", comment="อนุมัติ", password=PASSWORD)
    assert ordered.status_code == 200, ordered.get_json()
    decided = mayor.get(f"/memos/{memo_id}").get_json()
    assert decided["state"] == "decided" and decided["decision"] == "approve"
    assert decided["pdf"]["url"] == f"{API}/memos/{memo_id}/pdf"
    sha = decided["pdf"]["sha256"]
    assert len(sha) == 64
    round2 = [s for s in decided["steps"] if s["round"] == 2]
    assert [s["status"] for s in round2] == ["done", "done", "done"]
    assert [s["decision"] for s in round2] == ["forward", "forward", "approve"]
    assert all(s["signed_at"].endswith("+00:00") for s in round2)
    assert [e["action"] for e in decided["events"]][-4:] == ["submit", "forward", "forward", "order"]
    assert decided["events"][-1]["actor"]["full_name"] == "นายประยงค์ หนูบุญคง"
    assert decided["events"][-1]["from_state"] == "in_review" and decided["events"][-1]["to_state"] == "decided"

    first, second = legal.get(f"/memos/{memo_id}/pdf"), legal.get(f"/memos/{memo_id}/pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data.startswith(b"%PDF") and first.data == second.data
    assert first.headers["X-Content-SHA256"] == hashlib.sha256(first.data).hexdigest() == sha

    archived = as_user("records").act(memo_id, "archive")
    assert archived.status_code == 200 and archived.get_json()["state"] == "archived"
    assert legal.get(f"/memos/{memo_id}/pdf").data == first.data
    assert_error(legal.patch(f"/memos/{memo_id}", json={"closing": "ก"}), 409, "invalid_transition")


def test_preview_pdf_has_no_hash(legal, memo_id):
    response = legal.get(f"/memos/{memo_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "X-Content-SHA256" not in response.headers
    assert legal.get(f"/memos/{memo_id}").get_json()["pdf"] is None


def test_out_of_turn_is_403(legal, memo_id, as_user):
    legal.act(memo_id, "submit")
    response = as_user("deputy").act(memo_id, "forward", comment="เห็นชอบ", password=PASSWORD)
    assert_error(response, 403, "not_your_turn")
    assert_error(as_user("mayor").act(memo_id, "order", decision="approve", password=PASSWORD), 403,
                 "not_your_turn")


def test_action_the_state_refuses_is_409(legal, memo_id, as_user):
    assert_error(legal.act(memo_id, "withdraw"), 409, "invalid_transition")
    legal.act(memo_id, "submit")
    assert_error(legal.act(memo_id, "submit"), 409, "invalid_transition")
    head = as_user("head")
    head.act(memo_id, "forward", comment="เห็นชอบ", password=PASSWORD)
    assert_error(head.act(memo_id, "forward", comment="เห็นชอบ", password=PASSWORD), 409, "invalid_transition")


def test_wrong_signing_password_is_403_confirmation_failed(legal, memo_id, as_user):
    legal.act(memo_id, "submit")
    head = as_user("head")
    assert_error(head.act(memo_id, "forward", comment="เห็นชอบ", password="not-it"), 403, "confirmation_failed")
    assert_error(head.act(memo_id, "forward", comment="เห็นชอบ"), 403, "confirmation_failed")
    assert head.get(f"/memos/{memo_id}").get_json()["current_step"] == 1


@pytest.mark.parametrize("action", ["forward", "return"])
def test_forward_and_return_need_a_comment(legal, memo_id, as_user, action):
    legal.act(memo_id, "submit")
    error = assert_error(as_user("head").act(memo_id, action, comment="  ", password=PASSWORD), 422,
                         "validation_error")
    assert "comment" in error["fields"]


def test_order_needs_a_decision(legal, memo_id, as_user):
    legal.act(memo_id, "submit")
    as_user("head").act(memo_id, "forward", comment="เห็นชอบ", password=PASSWORD)
    as_user("deputy").act(memo_id, "forward", comment="เห็นชอบ", password=PASSWORD)
    mayor = as_user("mayor")
    error = assert_error(mayor.act(memo_id, "order", password=PASSWORD), 422, "validation_error")
    assert "decision" in error["fields"]
    error = assert_error(mayor.act(memo_id, "order", decision="other", password=PASSWORD), 422, "validation_error")
    assert "comment" in error["fields"]
    assert_error(mayor.act(memo_id, "order", decision="maybe", password=PASSWORD), 422, "validation_error")


def test_withdraw_and_cancel(legal, memo_id):
    assert legal.act(memo_id, "submit").status_code == 200
    withdrawn = legal.act(memo_id, "withdraw").get_json()
    assert withdrawn["state"] == "draft" and withdrawn["round"] == 0
    assert legal.act(memo_id, "cancel").get_json()["state"] == "cancelled"


def test_other_organisation_sees_nothing(memo_id, as_user, legal):
    legal.act(memo_id, "submit")
    other = as_user("org2.head")
    for response in (
        other.get(f"/memos/{memo_id}"),
        other.patch(f"/memos/{memo_id}", json={"closing": "ก"}),
        other.act(memo_id, "forward", comment="ก", password=PASSWORD),
        other.get(f"/memos/{memo_id}/pdf"),
        other.get(f"/memos/{memo_id}/plan-report"),
        other.put(f"/memos/{memo_id}/plan-report", json={}),
        other.put(f"/memos/{memo_id}/plan-report", data=b"no\n", content_type="text/csv"),
    ):
        assert_error(response, 404, "not_found")
    assert other.get("/memos").get_json()["total"] == 0
    assert other.get("/inbox").get_json()["total"] == 0


def test_private_draft_is_404_to_colleagues(memo_id, as_user):
    assert_error(as_user("head").get(f"/memos/{memo_id}"), 404, "not_found")


# --- plan report ------------------------------------------------------------------------

def test_plan_report_summary_is_the_reference(legal, memo_id):
    report = legal.get(f"/memos/{memo_id}/plan-report").get_json()
    assert set(report) == {"input", "summary", "warnings"}
    summary = report["summary"]
    assert summary["total"] == {
        "dimension": None, "projects_planned": 49, "projects_done": 31, "budget_planned": "370000.00",
        "budget_ordinance": "0.00", "budget_used": "112652.00", "pct_projects": "63.27", "pct_budget": "30.45",
    }
    assert [r["dimension"] for r in summary["dimensions"]] == [1, 2, 3, 4]
    assert summary["implementation_pct"] == "100.00" and summary["implementation_capped"] is True
    assert summary["level"] == "มาก"
    assert set(summary["status_counts"]) == {"waiting", "in_progress", "completed", "cannot"}
    assert summary["status_counts"]["completed"] == 31
    assert report["input"]["fiscal_year"] == 2567 and report["input"]["round"] == 6
    assert report["input"]["projects"][0]["budget"] == "10000.00"
    assert legal.get(f"/memos/{memo_id}").get_json()["plan_report"] == report


def test_plan_report_put_json_round_trips(legal, memo_id):
    report = legal.get(f"/memos/{memo_id}/plan-report").get_json()
    data = dict(report["input"])
    data["projects"] = data["projects"][:3]
    response = legal.put(f"/memos/{memo_id}/plan-report", json=data)
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()["summary"]
    assert summary["total"]["projects_planned"] == 3
    assert legal.get(f"/memos/{memo_id}/plan-report").get_json() == response.get_json()


def test_plan_report_put_json_errors_name_row_and_column(legal, memo_id):
    data = legal.get(f"/memos/{memo_id}/plan-report").get_json()["input"]
    data["projects"][1]["budget"] = "-5"
    data["projects"][2]["dimension"] = 9
    error = assert_error(legal.put(f"/memos/{memo_id}/plan-report", json=data), 422, "validation_error")
    assert {"projects.2.budget", "projects.3.dimension"} <= set(error["fields"])
    error = assert_error(legal.put(f"/memos/{memo_id}/plan-report", json={**data, "round": 7, "colour": 1}),
                         422, "validation_error")
    assert "colour" in error["fields"]


def test_plan_report_put_csv(legal, memo_id):
    content = DEMO_CSV.read_bytes()
    response = legal.put(f"/memos/{memo_id}/plan-report?fiscal_year=2567&round=6&minimum_projects=15",
                         data=content, content_type="text/csv; charset=utf-8")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["summary"]["total"]["projects_planned"] == 49
    assert report["summary"]["total"]["budget_used"] == "112652.00"
    assert report["input"]["problems"]  # kept from the report already attached
    # Without query parameters the attached report's header is kept.
    again = legal.put(f"/memos/{memo_id}/plan-report", data=content, content_type="text/csv")
    assert again.status_code == 200 and again.get_json() == report


def test_plan_report_put_csv_errors_name_row_and_column(legal, memo_id):
    header = ",".join(COLUMNS[:-1])
    csv = (f"{header}\n"
           "1,1,โครงการหนึ่ง,1000.00,0,0,completed,no,\n"
           "2,7,โครงการสอง,abc,0,0,completed,no,\n").encode()
    response = legal.put(f"/memos/{memo_id}/plan-report?fiscal_year=2567&round=6&minimum_projects=15",
                         data=csv, content_type="text/csv")
    error = assert_error(response, 422, "validation_error")
    # a CSV body names the spreadsheet's rows: the header is row 1, the bad project row 3
    assert {"projects.3.dimension", "projects.3.budget"} <= set(error["fields"])
    assert "แถวที่ ๓" in error["fields"]["projects.3.budget"]
    bad_header = legal.put(f"/memos/{memo_id}/plan-report?fiscal_year=2567&round=6&minimum_projects=15",
                           data=b"no,colour\n1,red\n", content_type="text/csv")
    assert "colour" in assert_error(bad_header, 422, "validation_error")["fields"]
    bad_round = legal.put(f"/memos/{memo_id}/plan-report?fiscal_year=2567&round=7&minimum_projects=15",
                          data=DEMO_CSV.read_bytes(), content_type="text/csv")
    assert "round" in assert_error(bad_round, 422, "validation_error")["fields"]
    # Nothing was stored.
    assert legal.get(f"/memos/{memo_id}/plan-report").get_json()["summary"]["total"]["projects_planned"] == 49


def test_plan_report_only_while_editable_and_by_the_author(legal, memo_id, as_user):
    data = legal.get(f"/memos/{memo_id}/plan-report").get_json()["input"]
    legal.act(memo_id, "submit")
    assert_error(legal.put(f"/memos/{memo_id}/plan-report", json=data), 409, "invalid_transition")
    assert_error(as_user("head").put(f"/memos/{memo_id}/plan-report", json=data), 403, "not_your_turn")
    assert as_user("head").get(f"/memos/{memo_id}/plan-report").status_code == 200


def test_memo_without_plan_report_is_404(legal):
    memo = legal.post("/memos", json=new_memo()).get_json()
    assert_error(legal.get(f"/memos/{memo['id']}/plan-report"), 404, "not_found")


def test_a_reset_password_must_be_changed_before_api_work(seeded, token_for):
    from approval.extensions import db
    from tests.helpers import user

    token = token_for("legal")
    legal = user("legal")
    legal.must_change_password = True
    db.session.commit()
    client = seeded.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.get("/api/v1/memos", headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/me", headers=headers).status_code == 200
