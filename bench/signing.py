"""Cost of digital signatures: each signing act, the sealing of the frozen PDF, the bytes added.

    .venv/bin/python bench/signing.py [--runs 5] [--with-report]

Builds a throw-away SQLite database with the demo data and signs the reference chain
(head forward, deputy forward, mayor order) ``--runs`` times, with the production key
derivation (argon2id t=2, m=19 MiB) and the production password hasher. Prints, per act:
the step signature (open the key with the password, sign the canonical content as CMS, check
it, store it); at the order: building the archival PDF (certificate page, QR codes, embedded
signatures, PDF/A-3b) and the PAdES signature; and the bytes added per signer.
Targets (issue 19): under 150 ms for each signing act and for the PAdES signature; under
40 KB added per signer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(module, name: str, bucket: list):
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            bucket.append(time.perf_counter() - start)

    setattr(module, name, wrapper)


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values) * 1000:7.1f} ms   worst {max(values) * 1000:7.1f} ms   (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--with-report", action="store_true", help="keep the 49-project plan report")
    args = parser.parse_args()

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from approval import create_app, signatures
    from approval.cli import seed_demo
    from approval.demo import reference
    from approval.extensions import db
    from approval.models import Memo, User
    from approval.plan_report import service as plans
    from approval.services import memos
    from approval.signatures import keys, pades
    from approval.signatures.models import StepSignature

    root = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    app = create_app({"APP_ENV": "testing", "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'bench.sqlite3'}",
                      "STORAGE_DIR": str(root / "files")})
    password = "bench-pass-2567"
    step_times: list[float] = []
    kdf_times: list[float] = []
    build_times: list[float] = []
    pades_times: list[float] = []
    sizes: list[tuple[int, int, int, int]] = []
    with app.app_context():
        upgrade()
        seed_demo(password)
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        # The first signing of each person issues their key: not a signing act's usual cost.
        for name in ("head", "deputy", "mayor"):
            keys.ensure_key(db.session, people[name], password)
        db.session.commit()
        print(f"key derivation: {keys.KDF_PARAMS}")
        _timed(signatures, "sign_step", step_times)
        _timed(keys, "_derive", kdf_times)
        _timed(pades, "build", build_times)
        _timed(pades, "sign", pades_times)
        original_sign = pades.sign
        unsigned: dict = {}

        def remember(data, signer):
            unsigned["size"] = len(data)
            return original_sign(data, signer)

        pades.sign = remember
        for run in range(args.runs):
            memo = memos.create_memo(db.session, people["legal"], reference.MEMO)
            if args.with_report:
                plans.attach_reference_report(db.session, memo, people["legal"])
            db.session.commit()
            for username, action in [("legal", "submit"), ("head", "forward"), ("deputy", "forward"),
                                     ("mayor", "order")]:
                memos.act(db.session, memo, people[username], action, comment="เห็นควรนำเสนอ",
                          decision="approve", password=password)
                db.session.commit()
            seal = signatures.service.seal_for(db.session, memo.id)
            from approval.services.documents import render

            rendered = len(render(memo)) if run == 0 else sizes[0][0]
            cms = sum(len(r.cms) + len(r.content.encode()) for r in db.session.scalars(
                sa.select(StepSignature).where(StepSignature.memo_id == memo.id)))
            sizes.append((rendered, unsigned["size"], len(memo.document.content), cms))
            assert seal.pdf_signed
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Memo))
    print(f"{args.runs} chains of 3 signing acts{' with the plan report' if args.with_report else ''} "
          f"({count} memos in the database)")
    acts = step_times
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"each signing act (key + CMS + check + store):  {_ms(acts)}")
    print(f"  of which the argon2id key derivation:         {_ms(kdf_times)}")
    rest = [a - k for a, k in zip(acts, kdf_times, strict=False)]
    print(f"  the rest (unwrap, CMS sign, check, store):    {_ms(rest)}")
    print(f"archival PDF (certificate page, QR, PDF/A):     {_ms(build_times)}")
    print(f"PAdES signature (pyHanko, B-B):                 {_ms(pades_times)}")
    rendered, before_sign, final, cms = sizes[-1]
    signers = 3
    print(f"bytes: rendered memo {rendered:,}; archival unsigned {before_sign:,}; signed {final:,}")
    print(f"added by the PAdES signature: {final - before_sign:,} B; step signatures stored "
          f"(CMS + content): {cms:,} B for {signers} signers")
    print(f"added per signer, everything included (certificate page, QR, ICC profile, CA, "
          f"signatures): {(final - rendered) / signers / 1024:.1f} KB")


if __name__ == "__main__":
    main()
