"""Digital signatures: each signer's own key, a signed PDF anyone can verify, a QR code on paper.

The parts:

* ``models.py``  -- ``SigningAuthority`` (each organisation's CA), ``SigningKey`` (a person's
  key pair and certificate, the private key wrapped under their password), ``StepSignature``
  (the detached CMS signature of one signing act), ``DocumentSeal`` (the frozen document's QR
  token and PDF signature); re-exported by :mod:`approval.models`.
* ``ca.py``      -- the CA: its key encrypted at rest under a key from configuration, the
  certificates it issues, its CRL.
* ``keys.py``    -- people's keys: argon2id-derived wrapping key, AES-GCM, issue, re-wrap,
  revoke.
* ``signing.py`` -- the canonical content of a signing act, its CMS signature and the check.
* ``pades.py``   -- the frozen document: certificate page (``templates/pdf/_signatures.html``),
  QR codes, embedded step signatures, PDF/A-3b, PAdES (pyHanko).
* ``service.py`` -- the verbs: sign a step, seal a document, check a memo's signatures.
* ``verify.py``  -- verifying an uploaded PDF and the whole archive.
* ``views.py``   -- the public pages ``/verify``, ``/verify/<token>``, the CA certificate and
  CRL downloads (blueprint ``signatures``), and the memo page's panel.
* ``api.py``     -- ``GET /api/v1/memos/<id>/signatures``, ``POST /api/v1/verify``.

The rest of the application calls only the hooks below, one line each.
"""

from __future__ import annotations

import logging

from .. import models as _models  # noqa: F401  (load approval.models first, as plan_report does)

log = logging.getLogger(__name__)


def organization_created(session, org) -> None:
    """Hook (services.organizations.create_org): the organisation's own CA."""
    from . import ca

    ca.create_authority(session, org)


def signed_in(session, user, password: str) -> None:
    """Hook (services.accounts.authenticate): issue a key when the person has none usable.

    A failure here never refuses the sign-in; the key is then issued at the first signing act.
    """
    from . import keys

    try:
        keys.ensure_key(session, user, password)
    except Exception:
        log.exception("could not issue a signing key for user %s at sign-in", user.id)


def password_changed(user, current: str, new: str) -> None:
    """Hook (services.accounts.change_password): the same key, wrapped under the new password."""
    from sqlalchemy.orm import object_session

    from . import keys

    session = object_session(user)
    if session is not None:
        keys.rewrap(session, user, current, new)


def password_reset(session, user) -> None:
    """Hook (services.organizations.reset_password): revoke; a new key comes at the next sign-in."""
    from . import keys

    keys.revoke_all(session, user, "password_reset")


def open_key(session, user, password: str):
    """Hook (services.memos.act, confirming a signing act): the signer's existing key opened
    with `password` (which it proves), or None; never issues one."""
    from .keys import open_existing

    return open_existing(session, user, password)


def sign_step(session, memo, user, password: str, event, key=None):
    """Hook (services.memos.act, after a confirmed signing act): the step's CMS signature.

    ``key``: the key :func:`open_key` opened at the confirmation, if any. Returns the signer's
    opened key, which :func:`seal_document` uses at the order.
    """
    from .service import sign_step as sign

    return sign(session, memo, user, password, event, key)


def seal_document(session, memo, doc, key) -> None:
    """Hook (services.memos.act, after documents.freeze): PDF/A-3b, certificate page, QR, PAdES.

    A failure refuses the order like a failed render (503, nothing recorded).
    """
    from ..services.documents import RENDER_FAILED, RenderFailed
    from .service import seal_document as seal

    try:
        seal(session, memo, doc, key)
    except Exception as exc:
        log.exception("sealing the frozen document of memo %s failed", memo.id)
        raise RenderFailed(RENDER_FAILED) from exc
