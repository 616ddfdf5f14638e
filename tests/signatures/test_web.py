"""Through the pages and the API: the memo's signatures, the public verify pages, the CA downloads."""

from __future__ import annotations

import io

import sqlalchemy as sa

from approval.extensions import db
from approval.signatures import service
from approval.signatures.models import StepSignature
from tests.conftest import PASSWORD, login

API = "/api/v1"


def test_api_lists_the_memo_signatures(decided, token_for, client):
    auth = {"Authorization": f"Bearer {token_for('legal')}"}
    body = client.get(f"{API}/memos/{decided.id}/signatures", headers=auth).get_json()
    assert body["pdf_signed"] is True
    from tests.helpers import user

    assert [(i["step"], i["round"], i["valid"], i["signer"]["id"]) for i in body["items"]] == [
        (1, 1, True, user("head").id), (2, 1, True, user("deputy").id), (3, 1, True, user("mayor").id)]
    assert all(len(i["certificate_sha256"]) == 64 and i["capacity"] for i in body["items"])


def test_api_signatures_of_another_organisation_are_404(decided, token_for, client):
    auth = {"Authorization": f"Bearer {token_for('org2.legal')}"}
    assert client.get(f"{API}/memos/{decided.id}/signatures", headers=auth).status_code == 404
    assert client.get(f"{API}/memos/{decided.id}/signatures").status_code == 401


def test_api_verify_is_public(decided, client):
    pdf = decided.document.content
    body = client.post(f"{API}/verify", data={"file": (io.BytesIO(pdf), "memo.pdf")},
                       content_type="multipart/form-data").get_json()
    assert body == {"matches_memo_id": decided.id, "sha256": decided.document.sha256,
                    "signatures": [{"signer": "นายประยงค์ หนูบุญคง", "valid": True, "intact": True}]}
    tampered = pdf.replace(b"/DisplayDocTitle true", b"/DisplayDocTitle fals", 1)
    body = client.post(f"{API}/verify", data={"file": (io.BytesIO(tampered), "memo.pdf")},
                       content_type="multipart/form-data").get_json()
    assert body["matches_memo_id"] is None and body["signatures"][0]["intact"] is False
    response = client.post(f"{API}/verify", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_error"


def test_the_token_page_needs_no_sign_in(decided, client):
    seal = service.seal_for(db.session, decided.id)
    html = client.get(f"/verify/{seal.token}").get_data(as_text=True)
    assert "เอกสารนี้เป็นต้นฉบับที่จัดเก็บในระบบ ลายมือชื่อทุกรายการถูกต้อง" in html
    assert decided.subject in html and decided.document.sha256 in html and "นายประยงค์ หนูบุญคง" in html
    assert client.get("/verify/not-a-token").status_code == 404


def test_the_token_page_shows_a_broken_signature(decided, client):
    row = db.session.scalars(sa.select(StepSignature)).first()
    row.cms = row.cms[:-3] + b"\x00\x00\x00"
    db.session.commit()
    seal = service.seal_for(db.session, decided.id)
    assert "พบความผิดปกติของลายมือชื่อ" in client.get(f"/verify/{seal.token}").get_data(as_text=True)


def test_the_upload_page(decided, client):
    assert client.get("/verify").status_code == 200
    html = client.post("/verify", data={"file": (io.BytesIO(decided.document.content), "memo.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "ไฟล์นี้ตรงกับต้นฉบับที่จัดเก็บในระบบ" in html and "ลายมือชื่อถูกต้อง เอกสารไม่ถูกแก้ไข" in html
    html = client.post("/verify", data={"file": (io.BytesIO(b"%PDF-1.4 nothing"), "x.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "ไฟล์นี้ไม่ตรงกับต้นฉบับใดที่จัดเก็บในระบบ" in html
    assert client.post("/verify", data={}, content_type="multipart/form-data").status_code == 400


def test_the_ca_certificate_and_crl_are_published(decided, client):
    org_id = decided.organization_id
    cert = client.get(f"/verify/ca/{org_id}.cer")
    assert cert.status_code == 200 and cert.mimetype == "application/pkix-cert"
    crl = client.get(f"/verify/ca/{org_id}.crl")
    assert crl.status_code == 200 and crl.mimetype == "application/pkix-crl"
    assert client.get("/verify/ca/99999.cer").status_code == 404


def test_the_memo_page_shows_the_signatures_and_the_tier(decided, client):
    login(client, "legal", PASSWORD)
    html = client.get(f"/memos/{decided.id}").get_data(as_text=True)
    assert "ลายมือชื่อดิจิทัล" in html and "ถูกต้อง" in html and "ไม่ใช่ใบรับรองจากผู้ให้บริการออกใบรับรองที่ได้รับอนุญาต" in html
    seal = service.seal_for(db.session, decided.id)
    assert f"/verify/{seal.token}" in html


def test_signing_through_the_pages(seeded, client):
    from tests.helpers import act, reference_memo

    memo = reference_memo()
    act(memo, "legal", "submit")
    login(client, "head", PASSWORD)
    response = client.post(f"/memos/{memo.id}/action", data={"action": "forward", "comment": "เห็นควร",
                                                            "password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    [check] = service.step_checks(db.session, memo)
    assert check["valid"] and check["signer"].username == "head"


def test_verify_archive_reports_a_broken_signature(decided, app):
    row = db.session.scalars(sa.select(StepSignature)).first()
    row.cms = row.cms[:-3] + b"\x00\x00\x00"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify-archive"])
    assert result.exit_code == 1 and "signature memo" in result.output
