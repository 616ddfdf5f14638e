"""Keys, the CA, step signatures: the reference chain signed; tampering, revocation, passwords."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from approval.errors import ConfirmationFailed
from approval.extensions import db
from approval.models import Event, Organization
from approval.services import accounts, audit, memos, organizations
from approval.signatures import ca, keys, service, signing
from approval.signatures.models import SigningAuthority, SigningKey, StepSignature
from approval.thai import utcnow
from tests.conftest import PASSWORD, login
from tests.helpers import user

from .conftest import run_chain


def test_every_organisation_has_its_own_ca_key_encrypted_at_rest(seeded):
    authorities = list(db.session.scalars(sa.select(SigningAuthority)))
    assert len(authorities) == db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 2
    for authority in authorities:
        cert = ca.ca_certificate(authority)
        assert cert.extensions.get_extension_for_class(ca.x509.BasicConstraints).value.ca
        der = ca.ca_private_key(authority).private_bytes(ca.serialization.Encoding.DER,
                                                         ca.serialization.PrivateFormat.PKCS8,
                                                         ca.serialization.NoEncryption())
        assert der not in authority.key_encrypted and der[-32:] not in authority.key_encrypted
        assert authority.key_source == "secret_key"  # no SIGNING_CA_KEY in the tests
        assert authority.crl  # an empty CRL is published from the start
    assert authorities[0].certificate != authorities[1].certificate


def test_the_ca_key_needs_the_configured_key(seeded, app, monkeypatch):
    authority = db.session.scalars(sa.select(SigningAuthority)).first()
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM refuses: InvalidTag
        ca.ca_private_key(authority)
    monkeypatch.setitem(app.config, "SIGNING_CA_KEY", "x" * 40)
    with pytest.raises(RuntimeError, match="encrypted under"):
        ca.ca_private_key(authority)


def test_the_reference_chain_signs_each_act(decided):
    memo = decided
    checks = service.step_checks(db.session, memo)
    assert [(c["step"], c["action"], c["valid"]) for c in checks] == [
        (1, "forward", True), (2, "forward", True), (3, "order", True)]
    assert [c["signer"].username for c in checks] == ["head", "deputy", "mayor"]
    assert audit.verify_chain(db.session) == []
    events = {e.action: e for e in memo.events}
    for check, action in zip(checks, ["forward", "forward", "order"], strict=True):
        row = db.session.scalar(sa.select(StepSignature).join(StepSignature.step).where(
            StepSignature.memo_id == memo.id, StepSignature.step.has(seq=check["step"])))
        assert row.content.startswith("{") and '"memo_sha256"' in row.content
        assert any(e.data.get("signature_sha256") == hashlib.sha256(row.cms).hexdigest()
                   for e in memo.events if e.action == action)
    assert events["order"].data["certificate_sha256"] == checks[2]["certificate_sha256"]


def test_a_signature_stays_with_its_round(seeded):
    memo = run_chain("returned")
    assert [(c["round"], c["action"], c["valid"]) for c in service.step_checks(db.session, memo)] == [
        (1, "return", True)]


def test_tampering_with_a_step_signature_is_caught(decided):
    row = db.session.scalars(sa.select(StepSignature).order_by(StepSignature.id)).first()
    cms = bytearray(row.cms)
    cms[-10] ^= 0x01  # a byte of the ECDSA signature value
    row.cms = bytes(cms)
    db.session.commit()
    checks = service.step_checks(db.session, decided)
    assert [c["valid"] for c in checks] == [False, True, True]
    assert "ลายมือชื่อไม่ตรงกับที่บันทึกในห่วงโซ่เหตุการณ์" in checks[0]["problems"]


def test_tampering_with_the_signed_content_is_caught(decided):
    row = db.session.scalars(sa.select(StepSignature).order_by(StepSignature.id)).first()
    row.content = row.content.replace("เห็นควรนำเสนอ", "ไม่เห็นควร")
    db.session.commit()
    check = service.step_checks(db.session, decided)[0]
    assert not check["valid"] and "เนื้อหาที่ลงนามถูกแก้ไข (ค่าแฮชไม่ตรงกัน)" in check["problems"]


def test_tampering_with_one_event_is_caught(decided):
    event = db.session.scalar(sa.select(Event).where(Event.memo_id == decided.id, Event.action == "forward")
                              .order_by(Event.id))
    event.comment = "ไม่เห็นควร"
    db.session.commit()
    assert audit.verify_chain(db.session)
    check = service.step_checks(db.session, decided)[0]
    assert not check["valid"] and "เหตุการณ์การลงนามถูกแก้ไข" in check["problems"]


def test_tampering_with_the_memo_text_is_caught(decided):
    decided.subject = decided.subject + " (แก้)"
    db.session.commit()
    assert all("เนื้อหาหนังสือถูกแก้ไขหลังการลงนาม" in c["problems"] for c in service.step_checks(db.session, decided))


def test_a_key_is_useless_without_its_password(decided, app):
    row = db.session.scalar(sa.select(SigningKey).where(SigningKey.user_id == user("head").id))
    with pytest.raises(keys.KeyUnavailable):
        keys.unwrap(row, "not-the-password")
    # What the server holds (the database, SECRET_KEY, the CA key) opens nothing either.
    for guess in ("", app.config["SECRET_KEY"], user("head").password_hash, row.fingerprint):
        with pytest.raises(keys.KeyUnavailable):
            keys.unwrap(row, guess)
    assert keys.unwrap(row, PASSWORD).public_key().public_numbers() == \
        keys.x509.load_der_x509_certificate(row.certificate).public_key().public_numbers()


def test_a_signing_act_without_the_password_signs_nothing(seeded):
    memo = run_chain("review_head")
    with pytest.raises(ConfirmationFailed):
        memos.act(db.session, memo, user("head"), "forward", comment="เห็นควร", password="wrong-password")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StepSignature)) == 0


def test_a_password_change_rewraps_the_same_key(decided):
    head = user("head")
    before = keys.current_key(db.session, head)
    fingerprint, wrapped = before.fingerprint, before.wrapped_key
    accounts.change_password(head, PASSWORD, "a-new-password-2567")
    db.session.commit()
    after = keys.current_key(db.session, head)
    assert after.fingerprint == fingerprint and after.wrapped_key != wrapped
    keys.unwrap(after, "a-new-password-2567")
    with pytest.raises(keys.KeyUnavailable):
        keys.unwrap(after, PASSWORD)


def test_a_reset_revokes_and_a_new_key_comes_at_the_next_sign_in(decided, client):
    head, admin = user("head"), user("admin")
    old = keys.current_key(db.session, head)
    old_id, old_serial = old.id, old.serial
    password = organizations.reset_password(db.session, head, actor=admin)
    db.session.commit()
    assert keys.current_key(db.session, head) is None
    revoked = db.session.get(SigningKey, old_id)
    assert revoked.revoked_at is not None and revoked.revocation_reason == "password_reset"
    authority = ca.authority_for(db.session, head.organization_id)
    crl = ca.x509.load_der_x509_crl(authority.crl)
    assert crl.get_revoked_certificate_by_serial_number(old_serial) is not None
    # The signatures made before the revocation still hold.
    assert all(c["valid"] for c in service.step_checks(db.session, decided))
    assert login(client, "head", password).status_code == 302
    db.session.expire_all()
    new = keys.current_key(db.session, user("head"))
    assert new is not None and new.id != old_id
    keys.unwrap(new, password)


def test_a_revoked_signers_later_signature_is_refused(decided):
    head = user("head")
    unlocked = keys.unlock(db.session, head, PASSWORD)
    organizations.reset_password(db.session, head, actor=user("admin"))
    db.session.commit()
    authority = ca.authority_for(db.session, head.organization_id)
    step = next(s for s in decided.steps if s.seq == 1)
    step.signed_at = utcnow() + dt.timedelta(seconds=2)  # (not committed) a later act with the old key
    content = signing.step_content(decided, step, head, "forward", unlocked.row.fingerprint)
    cms = signing.sign(content, unlocked.private_key, unlocked.certificate)
    check = signing.verify(content, cms, ca.ca_certificate(authority), ca.x509.load_der_x509_crl(authority.crl),
                           signed_at=step.signed_at)
    assert not check.valid and "ใบรับรองถูกเพิกถอนก่อนเวลาที่ลงนาม" in check.problems
    db.session.rollback()


def test_a_revoked_key_is_never_used_to_sign(seeded):
    memo = run_chain("review_head")
    head = user("head")
    first = keys.ensure_key(db.session, head, PASSWORD)
    keys.revoke_all(db.session, head, "compromise")
    db.session.commit()
    memos.act(db.session, memo, head, "forward", comment="เห็นควร", password=PASSWORD)
    db.session.commit()
    check = service.step_checks(db.session, memo)[0]
    assert check["valid"] and check["certificate_sha256"] != first.fingerprint


def test_an_organisation_without_signing_passwords_has_no_step_signatures(seeded):
    org = user("legal").organization
    org.settings = {**(org.settings or {}), "require_signing_password": False}
    db.session.commit()
    memo = run_chain("decided")
    assert service.step_checks(db.session, memo) == []
    seal = service.seal_for(db.session, memo.id)
    assert seal is not None and not seal.pdf_signed
