"""Everyone's work finds them: the head's bell rings when a memo arrives, and the author finds
the memo sent back in งานรอพิจารณา."""

from __future__ import annotations

import json
import re
import urllib.request

from .conftest import PASSWORD
from .test_chain import _sign

SUBJECT = "ขออนุมัติจัดซื้อวัสดุสำนักงาน (ทดสอบการแจ้งเตือน)"
THAI = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _api(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(base + "/api/v1" + path, method=method,
                                     data=json.dumps(body or {}).encode(), headers={
                                         "Content-Type": "application/json",
                                         **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _bell(s) -> int:
    return int(s.page.locator("#notify-bell").inner_text().strip().translate(THAI))


def test_the_bell_rings_and_the_returned_memo_waits_for_its_author(as_user, server):
    head = as_user("head")
    head.goto("/notifications")
    button = head.page.get_by_role("button", name="อ่านทั้งหมดแล้ว")
    if button.is_enabled():
        button.click()
        head.page.wait_for_load_state("load")
    head.goto("/inbox")
    assert _bell(head) == 0

    # legal writes and sends a memo (through the API: the pages' own form is the chain suite's).
    token = _api(server, "POST", "/auth/token", {"username": "legal", "password": PASSWORD})["token"]
    memo = _api(server, "POST", "/memos", {
        "department": "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด", "date": "2025-05-02", "subject": SUBJECT,
        "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด", "closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
        "sections": [{"title": "เรื่องเดิม", "body": "สำนักปลัดมีความจำเป็นต้องจัดซื้อวัสดุสำนักงาน"}]}, token)
    _api(server, "POST", f"/memos/{memo['id']}/actions", {"action": "submit"}, token)

    head.goto("/inbox")
    assert _bell(head) == 1
    head.shot("bell-rings")
    head.page.locator("a.notify-bell").click()
    head.page.wait_for_url(re.compile(r"/notifications$"))
    assert head.page.get_by_text(SUBJECT).count() >= 1
    head.shot("notifications")
    head.page.get_by_role("button", name="เปิดหนังสือ").first.click()
    head.page.wait_for_url(re.compile(rf"/memos/{memo['id']}$"))
    assert _bell(head) == 0
    _sign(head, "return", "กรุณาระบุจำนวนและราคาวัสดุให้ครบถ้วน", "ส่งคืนแก้ไข")  # reason, then confirmation

    legal = as_user("legal")
    legal.goto("/inbox")
    item = legal.page.locator(f"a[href$='/memos/{memo['id']}']")
    assert item.count() == 1
    assert "รอแก้ไขแล้วเสนอใหม่" in item.inner_text()
    assert legal.badge() >= 1 and _bell(legal) >= 1
    legal.shot("returned-in-inbox")
