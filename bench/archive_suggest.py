"""Benchmark: the archive's "หมายถึง ...?" vocabulary (services.archive_view), no database.

Run: ``.venv/bin/python bench/archive_suggest.py [memos]`` (default 2000 = VOCAB_MEMOS).
Builds the vocabulary from generated subjects and section titles (bench/search.py's word
lists), as the first suggestion of a process does, then looks up 2,000 one-letter typos of
its words. Prints: characters tokenised, build time, words, index entries, lookups per
second and the share of typos whose intended word comes first.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from approval.services import archive_view
from bench.search import LINKS, PLACES, THINGS, TITLES, VERBS


def subject(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}{rng.choice(THINGS)} {rng.choice(LINKS)}{rng.choice(THINGS)} {rng.choice(PLACES)}"


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(len(word))
    kind = rng.choice(("drop", "swap", "change"))
    if kind == "drop" or len(word) < 2:
        return word[:i] + word[i + 1:]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice("กขคงจฉชซดตถทนบปผพฟมยรลวสหอะาิีุูเแโใไ่้") + word[i + 1:]


def main() -> None:
    memos = int(sys.argv[1]) if len(sys.argv) > 1 else archive_view.VOCAB_MEMOS
    rng = random.Random(7)
    texts = ["\n".join([subject(rng), *rng.sample(TITLES, 3)]) for _ in range(memos)]
    archive_view.words_of("อุ่นเครื่อง")  # PyThaiNLP's dictionary loads once per process
    vocab = archive_view.Vocabulary()
    started = time.perf_counter()
    for text in texts:
        vocab.add_text(text)
    build = time.perf_counter() - started
    words = [w for w in vocab.counts if len(w) >= 4]
    probes = [(w, typo(rng, w)) for w in rng.choices(words, k=2000)]
    times, first = [], 0
    for word, wrong in probes:
        t = time.perf_counter()
        found = vocab.candidates(wrong)
        times.append(time.perf_counter() - t)
        first += bool(found) and found[0] == word
    entries = sum(len(v) for v in vocab.index.values())
    print(f"memos {memos}, characters tokenised {sum(map(len, texts)):,}, build {build:.2f} s")
    print(f"words {len(vocab.counts):,}, index keys {len(vocab.index):,}, index entries {entries:,}")
    print(f"lookup median {statistics.median(times) * 1e6:.0f} us, p95 "
          f"{sorted(times)[int(len(times) * 0.95)] * 1e6:.0f} us; intended word first for "
          f"{first / len(probes):.0%} of {len(probes)} one-letter typos")


if __name__ == "__main__":
    main()
