"""Benchmark: the word-level Thai diff of the memo page (approval.writing.diff) at the memo's limits.

Run: ``.venv/bin/python bench/writing_diff.py [repeats]``. Builds memos from the reference memo's
Thai text: a typical one (the reference memo, ~3,000 characters, one word changed per section),
and the largest a memo may be (limits.MEMO_CHARS_MAX characters over limits.SECTIONS_MAX
sections, each paragraph edited in several places, a section added and one removed). Prints the
token counts and the median / max time of ``diff_memo`` (PyThaiNLP's tokenizer is warmed up
first, as it is in a running server), as the first view of the page and as a later one (the runs'
words are cached per process). Target: the largest memo under 0.5 s, a typical one under
50 ms, so that the memo page of a resubmitted memo stays quick.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from approval import limits
from approval.demo import reference
from approval.writing import diff


def _edit(text: str, every: int) -> str:
    """`text` with a word replaced every `every` characters (a Thai word, not at a space)."""
    out, last = [], 0
    for at in range(every, len(text), every):
        out.append(text[last:at])
        out.append("แก้ไขแล้ว")
        last = at + 3
    out.append(text[last:])
    return "".join(out)


def _memo(sections: list[dict]) -> dict:
    return {"department": reference.MEMO["department"], "subject": reference.MEMO["subject"],
            "addressee": reference.MEMO["addressee"], "closing": reference.MEMO["closing"], "sections": sections}


def _largest() -> tuple[dict, dict]:
    body = " ".join(s["body"] for s in reference.MEMO["sections"]).replace("\n", " ")
    per = (limits.MEMO_CHARS_MAX - 1_000) // limits.SECTIONS_MAX
    text = (body * (per // len(body) + 1))[:per]
    old = [{"title": f"หัวข้อ {i}", "body": text} for i in range(limits.SECTIONS_MAX)]
    new = [{"title": f"หัวข้อ {i}", "body": _edit(text, 400)} for i in range(1, limits.SECTIONS_MAX)]
    new.append({"title": "", "body": text[:500]})
    return _memo(old), _memo(new)


def _typical() -> tuple[dict, dict]:
    old = [dict(s) for s in reference.MEMO["sections"]]
    new = [{"title": s["title"], "body": _edit(s["body"], 400)} for s in old]
    return _memo(old), _memo(new)


def _time(old: dict, new: dict, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        diff._run_words.cache_clear()  # every run as the first view of the page
        start = time.perf_counter()
        diff.diff_memo(old, new)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    diff.words("อุ่นเครื่องตัวตัดคำ")  # load PyThaiNLP's dictionary once, as a server has
    for name, (old, new) in (("typical (reference memo)", _typical()), ("largest allowed", _largest())):
        chars = sum(len(s["body"]) + len(s["title"]) for s in new["sections"])
        tokens = sum(len(diff.words(s["body"])) for s in new["sections"])
        times = _time(old, new, repeats)
        diff.diff_memo(old, new)
        start = time.perf_counter()
        diff.diff_memo(old, new)
        again = (time.perf_counter() - start) * 1000
        changes = diff.diff_memo(old, new)
        print(f"{name}: {len(new['sections'])} sections, {chars:,} characters, {tokens:,} tokens; "
              f"{sum(s.status != 'same' for s in changes.sections)} sections changed; diff_memo median "
              f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {repeats} runs "
              f"(first view); {again:.1f} ms when viewed again (words cached)")


if __name__ == "__main__":
    main()
