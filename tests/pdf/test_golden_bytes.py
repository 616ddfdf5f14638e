"""The reference memo's PDF, byte for byte.

The hashes were taken from the code before the xhtml2pdf/ReportLab patches
were split into approval.pdf.thai and approval.pdf.speed: any change to the
patches, their installation or the process settings (``rl_config.useA85``)
that changes a single byte of the output fails here.  The render input is a
plain dict with a fixed creation date, so the bytes do not depend on the
database the rest of the suite runs on (SQLite or PostgreSQL).

A change that is meant to change the PDF updates these hashes in the same
commit, with the reason.  Last changed by issue 17 (justification over
character clusters with the breaks chosen per paragraph, long strings and
dates, header values on their labels' baseline, left-aligned table cells,
the signing block's electronic signature mark and room to sign).
"""

from __future__ import annotations

import hashlib

from approval.pdf import render_memo_pdf

from .reference_memo import reference_memo

#: SHA-256 of the signed reference memo (created 2024-05-02 02:30 UTC).
SIGNED_SHA256 = "3247cb259bef43157d11cf557ee1c77b33aadbd03581bdddbc3ac1b799bd2863"
#: SHA-256 of the same memo before anyone has signed.
BLANK_SHA256 = "dc14bdb52b829271c59757bd3aeb9e6f8d7f7abea2cb36863b0876b2b260d759"
#: Arabic digits and the draft mark.
ARABIC_DRAFT_SHA256 = "4c2e7ac84640dbc83ccbd53f27eb6f9a4b840627736d75d2c09370306f457538"
#: The signed memo with the 49-project plan report (grid tables, CSS cache, table commands).
PLAN_REPORT_SHA256 = "bce998d828e4ad5a8423c17ac8240258e7a38cbeca902b5a876bfeff0ff22293"


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
