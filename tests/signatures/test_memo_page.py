"""The memo page of a signed memo: few statements, and the signatures' verdicts remembered only by
content -- a row tampered with, a CA or a CRL changed after the page was seen is reported at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.signatures import ca, service, signing
from approval.signatures.models import SigningAuthority, SigningKey, StepSignature
from tests.conftest import login
from tests.helpers import reference_memo, user
from tests.test_wire import PAGE_QUERIES_MAX, Statements

from .conftest import run_chain

BAD = "ไม่ถูกต้อง</span>"  #: the badge of a signature that does not hold


def _panel(client, memo_id: int) -> str:
    """The signatures panel of the memo page, whitespace folded."""
    response = client.get(f"/memos/{memo_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index('id="signatures"')
    return re.sub(r"\s+", " ", html[start:html.index('class="col-12 col-lg-5"', start)])


def _signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.fixture()
def verifications(monkeypatch):
    """Counts the signatures cryptographically checked (cache misses)."""
    seen = []
    real = signing.verify

    def counting(*args, **kwargs):
        seen.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(signing, "verify", counting)
    service._VERDICTS.clear()  # sealing the document at the order checked them already
    return seen


@pytest.mark.parametrize(("state", "viewers"), [
    ("decided", ("mayor", "records", "legal")),
    ("review_mayor", ("mayor", "records", "deputy")),
    ("draft", ("legal",)),
])
def test_the_memo_page_issues_few_statements_with_its_signatures(seeded, state, viewers):
    memo = run_chain(state, with_report=True)
    for username in viewers:
        client = _signed_in(seeded, username)
        client.get(f"/memos/{memo.id}")  # warm
        with Statements() as statements:
            response = client.get(f"/memos/{memo.id}")
        assert response.status_code == 200
        assert len(statements) <= PAGE_QUERIES_MAX, (state, username, statements.seen)
        # neither the frozen PDF's bytes, nor signature images, nor wrapped keys are read for the page
        unread = ("memo_document.content", "signature_png", "signature_image.png", "wrapped_key", "key_encrypted")
        assert not [(c, s) for s in statements.seen for c in unread if c in s]


def test_a_second_view_checks_no_signature_again(decided, app, verifications):
    client = _signed_in(app, "mayor")
    assert _panel(client, decided.id).count(BAD) == 0
    assert len(verifications) == 3
    assert BAD not in _panel(client, decided.id)
    assert len(verifications) == 3


def test_a_signature_tampered_with_after_a_view_is_reported(decided, app, verifications):
    client = _signed_in(app, "mayor")
    assert BAD not in _panel(client, decided.id)
    row = db.session.scalars(sa.select(StepSignature).order_by(StepSignature.id)).first()
    row.content = row.content.replace("เห็นควรนำเสนอ", "ไม่เห็นควร")
    db.session.commit()
    panel = _panel(client, decided.id)
    assert panel.count(BAD) == 1 and "เนื้อหาที่ลงนามถูกแก้ไข (ค่าแฮชไม่ตรงกัน)" in panel
    # the CMS bytes themselves (the signature value): the same
    row.content = row.content.replace("ไม่เห็นควร", "เห็นควรนำเสนอ")
    cms = bytearray(row.cms)
    cms[-10] ^= 0x01
    row.cms = bytes(cms)
    db.session.commit()
    panel = _panel(client, decided.id)
    assert panel.count(BAD) == 1 and "ลายมือชื่อดิจิทัลไม่ถูกต้อง" in panel
    assert len(verifications) == 5  # three at first, then only the row changed, twice


def test_a_certificate_revoked_before_signing_is_reported_after_a_view(decided, app):
    client = _signed_in(app, "records")
    assert BAD not in _panel(client, decided.id)
    # The CRL re-issued saying the head's key was compromised before the head signed.
    row = db.session.scalars(sa.select(StepSignature).order_by(StepSignature.id)).first()
    key = db.session.get(SigningKey, row.key_id)
    key.revoked_at, key.revocation_reason = row.signed_at.replace(microsecond=0) - dt.timedelta(seconds=1), "compromise"
    db.session.flush()
    ca.publish_crl(db.session, ca.authority_for(db.session, decided.organization_id))
    db.session.commit()
    panel = _panel(client, decided.id)
    assert panel.count(BAD) == 1 and "ใบรับรองถูกเพิกถอนก่อนเวลาที่ลงนาม" in panel


def test_another_ca_certificate_after_a_view_is_reported(decided, app):
    client = _signed_in(app, "mayor")
    assert BAD not in _panel(client, decided.id)
    ours, other = (db.session.scalar(sa.select(SigningAuthority).where(SigningAuthority.organization_id == org))
                   for org in (decided.organization_id, user("org2.legal").organization_id))
    ours.certificate = other.certificate
    db.session.commit()
    panel = _panel(client, decided.id)
    assert panel.count(BAD) == 3 and "ใบรับรองไม่ได้ออกโดยหน่วยรับรองของหน่วยงาน" in panel


def test_the_memo_text_changed_after_a_view_is_reported(decided, app):
    client = _signed_in(app, "mayor")
    assert BAD not in _panel(client, decided.id)
    decided.subject = decided.subject + " (แก้)"
    db.session.commit()
    assert _panel(client, decided.id).count("เนื้อหาหนังสือถูกแก้ไขหลังการลงนาม") == 3


def test_one_signature_in_review(seeded, app):
    memo = run_chain("review_deputy")
    panel = _panel(_signed_in(app, "deputy"), memo.id)
    assert "ถูกต้อง" in panel and BAD not in panel and user("head").full_name in panel
    assert memo.id == reference_memo().id
    assert [c["valid"] for c in service.step_checks(db.session, memo)] == [True]


def test_a_memo_with_nothing_signed_yet_reads_no_signature(seeded, app):
    memo = run_chain("review_head")
    client = _signed_in(app, "head")
    client.get(f"/memos/{memo.id}")
    with Statements() as statements:
        html = client.get(f"/memos/{memo.id}").get_data(as_text=True)
    assert "ยังไม่มีลายมือชื่อดิจิทัลของขั้นตอนการลงนาม" in html
    assert not [s for s in statements.seen if "step_signature" in s or "signing_authority" in s]
    assert len(statements) < PAGE_QUERIES_MAX
