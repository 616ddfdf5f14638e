"""No line-breaking state shared across organisations in one worker.

Each organisation's place names are words its memos keep whole; they are a
render input (approval.pdf.render.place_words), never added to the process,
so one office's line breaks do not depend on which office printed before.
"""

from __future__ import annotations

import hashlib

from approval.pdf import render, render_memo_pdf, thaibreak

from .reference_memo import FACTS, ORIGINAL, reference_memo
from .test_golden_bytes import SIGNED_SHA256

#: Office B: place names that, kept whole, change where A's paragraphs break.
B_ORG = {"name": "องค์การบริหารส่วนตำบลป้องกันการทุจริต", "district": "ปฏิบัติการป้องกัน",
         "province": "ยกระดับมาตรฐาน", "emblem_path": None}


def _memo_b() -> dict:
    memo = reference_memo(signed=True)
    memo["organization"] = dict(B_ORG)
    return memo


def _sha(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def test_place_words_come_from_the_memo():
    assert render.place_words(reference_memo()) == frozenset({"ขอนหาด", "ชะอวด", "นครศรีธรรมราช"})
    assert render.place_words(_memo_b()) == frozenset({"ป้องกันการทุจริต", "ปฏิบัติการป้องกัน", "ยกระดับมาตรฐาน"})
    assert render.place_words({}) == frozenset()


def test_b_words_would_change_a_lines():
    """The precondition of the tests below: B's words matter to A's text.

    (Since the breaks are chosen per paragraph and the slack is spread over
    character clusters, the reference memo happens to print the same with
    B's words; a narrower column shows where a line may end.)"""
    render.install_thai_support()
    memo = reference_memo(signed=True)
    a, b = render.place_words(memo), render.place_words(_memo_b())
    html, images = render.render_memo_html(memo)
    plain = render.html_to_pdf(html, images, memo["created_at"], words=a)
    assert _sha(plain) == SIGNED_SHA256
    text = " ".join(ORIGINAL.split()[:6])
    with thaibreak.custom_words(a):
        alone = render.field_lines(text, 120)
    with thaibreak.custom_words(a | b):
        mixed = render.field_lines(text, 120)
    assert alone != mixed


def test_a_then_b_then_a_same_bytes():
    first = render_memo_pdf(reference_memo(signed=True))
    render_memo_pdf(_memo_b())
    again = render_memo_pdf(reference_memo(signed=True))
    assert first == again
    assert _sha(again) == SIGNED_SHA256


def test_b_words_do_not_leak_into_a_breaking():
    a_words = render.place_words(reference_memo())
    texts = [ORIGINAL, FACTS, "องค์การบริหารส่วนตำบลขอนหาด"]

    def breaks():
        with thaibreak.custom_words(a_words):
            return [[thaibreak.segments(w) for w in t.split()] for t in texts]

    before = breaks()
    render_memo_pdf(_memo_b())
    assert breaks() == before
    # A's own words are kept whole in A's context only
    with thaibreak.custom_words(a_words):
        assert thaibreak.segments("ตำบลขอนหาด")[-1] == "ขอนหาด"
    assert "ขอนหาด" not in thaibreak.segments("ตำบลขอนหาด")
    # ... and B's only in B's
    assert "ปฏิบัติการป้องกันการทุจริต" not in thaibreak.segments("แผนปฏิบัติการป้องกันการทุจริต", a_words)
    b_words = render.place_words(_memo_b())
    assert "ปฏิบัติการป้องกันการทุจริต" in thaibreak.segments("แผนปฏิบัติการป้องกันการทุจริต", b_words)


def test_words_are_per_context():
    with thaibreak.custom_words(["ขอนหาด"]):
        with thaibreak.custom_words([]):
            assert thaibreak.segments("ขอนหาด") != ["ขอนหาด"]
        assert thaibreak.segments("ขอนหาด") == ["ขอนหาด"]
    assert thaibreak.segments("ขอนหาด") != ["ขอนหาด"]
