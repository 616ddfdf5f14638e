import time
from tests.helpers import memo_in
from approval.extensions import db

def test_decided(seeded):
    t = time.time()
    memo = memo_in("decided")
    print("chain", time.time() - t)
    with open("/tmp/sign_decided.pdf", "wb") as fh:
        fh.write(memo.document.content)
    from approval.signatures import service
    for c in service.step_checks(db.session, memo):
        print(c["step"], c["valid"], c["problems"])
    from approval.signatures import verify
    r = verify.verify_pdf(db.session, memo.document.content)
    print(r.memo, r.signatures)
