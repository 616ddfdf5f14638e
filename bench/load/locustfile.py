"""Locust: the people of many offices at work at once (run by bench/load.py, which prepares the
database and the accounts file; see its docstring).

Each simulated user is one desk of one organisation (users are spread over the organisations
in turn): it holds the bearer tokens of its organisation's people (issued by bench/load.py)
and one signed-in browser session (the mayor's, who reads everything), and every 2-5 s takes
one step: write a memo, submit it, sign (forward with an opinion) or return what waits in the
head's or deputy's inbox, order what waits in the mayor's (and fetch the frozen PDF), or read:
the inbox page, the archive, a Thai text search, a memo's page.

Two desks of the same organisation may pick the same memo at once: one wins, the other is
refused -- 409 (the row is held / changed) or 412 (the inbox it read is stale, If-Match) --
and that is a true race, not an error. Everything is recorded per kind of request and written
to LOAD_OUT when the run ends.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8").read())  # noqa: SIM115
PASSWORD = ACCOUNTS["password"]
ORGS = ACCOUNTS["orgs"]
WORDS = ["จัดซื้อ", "งบประมาณ", "ถนน", "ฝึกอบรม", "ยาเสพติด", "ประชุม", "พัสดุ", "เดินทาง", "แผนปฏิบัติงาน"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_desks = itertools.count()
_lock = threading.Lock()
RESULTS: dict = {"requests": {}, "successes": [], "exceptions": 0}
STARTED = [None]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **_kw):
    """Every request: its time and status under its kind's name."""
    with _lock:
        kind = RESULTS["requests"].setdefault(name, {"times": [], "statuses": {}})
        kind["times"].append(response_time)
        status = getattr(response, "status_code", 0) or 0
        if status == 0:
            RESULTS["exceptions"] += 1
        kind["statuses"][str(status)] = kind["statuses"].get(str(status), 0) + 1


@events.test_start.add_listener
def _start(environment, **_kw):
    STARTED[0] = time.time()


@events.quitting.add_listener
def _write(environment, **_kw):
    RESULTS["seconds"] = time.time() - (STARTED[0] or time.time())
    with open(os.environ["LOAD_OUT"], "w", encoding="utf-8") as handle:
        json.dump(RESULTS, handle)


def _memo_body(n: int) -> dict:
    word = random.choice(WORDS)
    return {"department": "สำนักปลัด องค์การบริหารส่วนตำบลทดสอบ", "date": time.strftime("%Y-%m-%d"),
            "subject": f"ขออนุมัติดำเนินการเรื่อง{word} ครั้งที่ {n}", "addressee": "นายกองค์การบริหารส่วนตำบล",
            "sections": [{"title": "เรื่องเดิม", "body": f"สำนักปลัดมีความจำเป็นต้องดำเนินการเรื่อง{word} ตามแผนงาน"},
                         {"title": "ข้อพิจารณา", "body": "จึงเห็นควรพิจารณาอนุมัติตามเสนอ"}],
            "closing": "จึงเรียนมาเพื่อโปรดพิจารณา"}


class Desk(HttpUser):
    """One desk of one organisation."""

    wait_time = between(2, 5)

    def on_start(self):
        number = next(_desks)
        self.org = ORGS[number % len(ORGS)]
        self.writer = self.org["writers"][(number // len(ORGS)) % len(self.org["writers"])]
        self.drafts: list[int] = []
        self.written = 0
        low, high = self.org["decided_ids"]
        self.decided = (low, high)
        self.signed_in = self._sign_in(self.org["mayor"])

    # --- helpers ---------------------------------------------------------------------------

    def _bearer(self, username: str, **extra) -> dict:
        return {"Authorization": f"Bearer {self.org['tokens'][username]}", **extra}

    def _sign_in(self, username: str) -> bool:
        page = self.client.get("/login", name="page login")
        found = CSRF.search(page.text or "")
        if not found:
            return False
        with self.client.post("/login", name="sign in", allow_redirects=False, catch_response=True,
                              data={"csrf_token": found.group(1), "username": username, "password": PASSWORD}) as r:
            if r.status_code == 302:
                r.success()
                return True
            r.failure(f"sign-in answered {r.status_code}")
            return False

    def _inbox(self, username: str, waiting_for: str) -> list[dict]:
        with self.client.get("/api/v1/inbox?per_page=20", headers=self._bearer(username), name="api inbox",
                             catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                return []
            return [i for i in r.json()["items"] if i["waiting_for"] == waiting_for]

    def _act(self, username: str, item: dict, body: dict, name: str) -> bool:
        """One action; a race lost (409 / 412) is recorded as such, not as a failure of the site."""
        headers = self._bearer(username, **{"If-Match": str(item["version"])})
        with self.client.post(f"/api/v1/memos/{item['id']}/actions", json=body, headers=headers, name=name,
                              catch_response=True) as r:
            if r.status_code == 200:
                with _lock:
                    RESULTS["successes"].append((item["id"], body["action"]))
                r.success()
                return True
            if r.status_code in (409, 412):
                r.success()  # a true race: someone else acted on it first
                return False
            r.failure(f"{r.status_code} {r.text[:200]}")
            return False

    # --- the steps --------------------------------------------------------------------------

    @task(2)
    def write(self):
        self.written += 1
        with self.client.post("/api/v1/memos", json=_memo_body(self.written), headers=self._bearer(self.writer),
                              name="write", catch_response=True) as r:
            if r.status_code == 201:
                memo_id = r.json()["id"]
                with _lock:
                    RESULTS["successes"].append((memo_id, "create"))
                self.drafts.append((memo_id, r.json()["version"]))
                r.success()
            else:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(2)
    def submit(self):
        if self.drafts:
            memo_id, version = self.drafts.pop(0)
            item = {"id": memo_id, "version": version}
        else:  # a memo returned to this writer: submitted again (a new round)
            returned = self._inbox(self.writer, "revise")
            if not returned:
                return
            item = random.choice(returned)
        self._act(self.writer, item, {"action": "submit"}, "submit")

    @task(3)
    def sign(self):
        who = random.choice((self.org["head"], self.org["deputy"]))
        waiting = self._inbox(who, "sign")
        if waiting:
            self._act(who, random.choice(waiting), {"action": "forward", "comment": "เห็นควรพิจารณาอนุมัติ",
                                                    "password": PASSWORD}, "forward")

    @task(1)
    def send_back(self):
        waiting = self._inbox(self.org["head"], "sign")
        if waiting:
            self._act(self.org["head"], random.choice(waiting),
                      {"action": "return", "comment": "กรุณาแก้ไขวันที่และแนบเอกสารประกอบ", "password": PASSWORD},
                      "return")

    @task(2)
    def order(self):
        mayor = self.org["mayor"]
        waiting = self._inbox(mayor, "order")
        if not waiting:
            return
        item = random.choice(waiting)
        if self._act(mayor, item, {"action": "order", "decision": "approve", "comment": "อนุมัติ",
                                   "password": PASSWORD}, "order"):
            with self.client.get(f"/api/v1/memos/{item['id']}/pdf", headers=self._bearer(mayor),
                                 name="order pdf", catch_response=True) as r:
                if r.status_code == 200 and r.headers.get("X-Content-SHA256"):
                    r.success()
                else:
                    r.failure(f"{r.status_code}")

    @task(2)
    def inbox_page(self):
        if self.signed_in:
            self.client.get("/inbox", name="page inbox")

    @task(2)
    def archive_page(self):
        if self.signed_in:
            self.client.get(f"/archive/?page={random.randint(1, 5)}", name="page archive")

    @task(2)
    def search(self):
        if self.signed_in:
            self.client.get("/archive/", params={"q": random.choice(WORDS)}, name="page search")

    @task(1)
    def memo_page(self):
        if self.signed_in:
            self.client.get(f"/memos/{random.randint(*self.decided)}", name="page memo")
