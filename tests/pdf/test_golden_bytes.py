"""The reference memo's PDF, byte for byte.

The hashes were taken from the code before the xhtml2pdf/ReportLab patches
were split into approval.pdf.thai and approval.pdf.speed: any change to the
patches, their installation or the process settings (``rl_config.useA85``)
that changes a single byte of the output fails here.  The render input is a
plain dict with a fixed creation date, so the bytes do not depend on the
database the rest of the suite runs on (SQLite or PostgreSQL).

A change that is meant to change the PDF updates these hashes in the same
commit, with the reason.
"""

from __future__ import annotations

import hashlib

from approval.pdf import render_memo_pdf

from .reference_memo import reference_memo

#: SHA-256 of the signed reference memo (created 2024-05-02 02:30 UTC).
SIGNED_SHA256 = "4030dcc1722cbcf00f42a362d288b5ca5c27b57ad18155d1dce789735492462e"
#: SHA-256 of the same memo before anyone has signed.
BLANK_SHA256 = "400df416f4a85e37ae549d42eeb3cd4dd40ca048e8b924bd19017b0be953b8ae"
#: Arabic digits and the draft mark.
ARABIC_DRAFT_SHA256 = "3e81ed234db9fdd77395a5a15931e3c1bfe26ff1f79db6daed63aafe40dc6787"
#: The signed memo with the 49-project plan report (grid tables, CSS cache, table commands).
PLAN_REPORT_SHA256 = "c78d4cace7f430e372c0d2b74c336a74f42fce0649a5448a00a849e9d2a0dc08"


def _sha(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def test_signed_reference_memo_bytes(signed_pdf):
    assert _sha(signed_pdf) == SIGNED_SHA256


def test_blank_reference_memo_bytes(blank_pdf):
    assert _sha(blank_pdf) == BLANK_SHA256


def test_arabic_draft_reference_memo_bytes():
    assert _sha(render_memo_pdf(reference_memo(signed=True, digits="arabic", is_draft=True))) == ARABIC_DRAFT_SHA256


def test_reference_memo_with_plan_report_bytes():
    from approval.plan_report.demo import reference_report

    memo = reference_memo(signed=True)
    memo["plan_report"] = reference_report(digits=True)
    assert _sha(render_memo_pdf(memo)) == PLAN_REPORT_SHA256
