"""Nu checker and axe-core over the plan report, archive and admin pages (issue 21).

Run: ``.venv/bin/python bench/a11y_scan.py <tree> <outdir>`` with ``AXE_JS`` (npm axe-core's
axe.min.js) and ``VNU_JAR`` (npm vnu-jar's vnu.jar; Java 17) in the environment. Migrates and
seeds a fresh SQLite database from <tree> (a checkout: this one, or ``git archive main``),
decides the reference memo, serves it on a free port, visits the pages as legal / records /
admin in Chromium (/usr/bin/chromium) at 1366x768 and 390x844, saves each page's HTML under
<outdir>, and prints every Nu error, every serious or critical axe violation, any page wider
than the window, then the totals. Not part of the test suite (the browser suite has its own
harness); it prints the before/after figures of the pages this work touched.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PASSWORD = "demo-pass-123"
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PREPARE = f'''
import sys
sys.path.insert(0, ".")
from flask_migrate import upgrade
from approval import create_app
app = create_app()
with app.app_context():
    upgrade()
    from approval.cli import seed_demo
    from tests.helpers import act, memo_in
    seed_demo("{PASSWORD}")
    memo = memo_in("review_mayor")
    act(memo, "mayor", "order", comment="อนุมัติตามเสนอ <b>ขุดลอกคลอง</b>", decision="approve")
'''
RECORDS_PAGES = [("archive", "/archive/"), ("archive-search", "/archive/?q=ขุดลอก"),
                 ("archive-typo", "/archive/?q=ทุจรติ"), ("register", "/archive/register"),
                 ("integrity", "/archive/integrity"), ("archive-after-check", "/archive/")]
ADMIN_PAGES = [("admin-settings", "/admin/settings"), ("admin-people", "/admin/people"),
               ("admin-person", "/admin/people/2"), ("admin-person-new", "/admin/people/new"),
               ("admin-chain", "/admin/chain"), ("admin-appointments", "/admin/appointments"),
               ("admin-log", "/admin/log"), ("admin-security", "/admin/security"),
               ("admin-my-signature", "/admin/my-signature"), ("admin-days-off", "/admin/days-off"),
               ("admin-deliveries", "/admin/notifications"), ("notifications", "/notifications")]


def serve(tree: Path, work: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "STORAGE_DIR": str(work / "files"),
           "SECRET_KEY": "a11y-scan-" + "x" * 24, "APP_ENV": "development", "FLASK_DEBUG": "0"}
    subprocess.run([sys.executable, "-c", PREPARE], cwd=tree, env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "server.log", "wb")  # noqa: SIM115 - open while the server runs
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port),
                             "--no-reload"], cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    return proc, base


def scan(tree: Path, out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    axe_js = Path(os.environ["AXE_JS"])
    work = Path(tempfile.mkdtemp(prefix="a11y-scan-"))
    bad = work / "bad.csv"
    bad.write_text("no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n"
                   "1,9,x,abc,0,0,completed,no,\n", encoding="utf-8")
    results: dict = {}
    proc, base = serve(tree, work)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])

            def session(user: str):
                context = browser.new_context(viewport=SIZES["desktop"], locale="th-TH", bypass_csp=True)
                page = context.new_page()
                page.goto(base + "/login")
                page.get_by_label("ชื่อผู้ใช้").fill(user)
                page.get_by_label("รหัสผ่าน").fill(PASSWORD)
                page.get_by_role("button", name="เข้าสู่ระบบ").click()
                page.wait_for_load_state("load")
                return page

            def check(page, name: str, html: str) -> None:
                (out / f"{name}.html").write_text(html)
                for label, size in SIZES.items():
                    page.set_viewport_size(size)
                    page.add_script_tag(path=str(axe_js))
                    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                    results[f"{name}@{label}"] = {
                        "axe": [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                                for v in found["violations"] if v["impact"] in ("serious", "critical")],
                        "width": page.evaluate("document.documentElement.scrollWidth"), "limit": size["width"]}
                page.set_viewport_size(SIZES["desktop"])

            def visit(page, name: str, path: str) -> None:
                response = page.goto(base + path)
                page.wait_for_load_state("load")
                check(page, name, response.text())

            legal = session("legal")
            legal.goto(base + "/memos/new")
            legal.get_by_label("เรื่อง", exact=True).fill("รายงานตรวจหน้า")
            legal.get_by_label("เรียน", exact=True).fill("นายก")
            legal.get_by_label("ชื่อหัวข้อ").first.fill("เรื่องเดิม")
            legal.get_by_label("เนื้อความ").first.fill("ทดสอบ")
            legal.get_by_role("button", name="บันทึก", exact=True).click()
            legal.wait_for_url(re.compile(r"/memos/\d+$"))
            memo_path = legal.url.removeprefix(base)
            for file in (tree / "approval/plan_report/plan-2567-round6-projects.csv", bad):
                legal.goto(base + memo_path + "/plan-report")
                form = legal.locator("#import")
                form.get_by_label("ปีงบประมาณ (พ.ศ.)").fill("2567")
                form.get_by_label("รอบ ๖ เดือน").check()
                form.get_by_label("จำนวนโครงการขั้นต่ำ").fill("20")
                form.locator("input[type=file]").set_input_files(str(file))
                with legal.expect_response(lambda r: r.request.method == "POST") as posted:
                    form.get_by_role("button", name=re.compile("นำเข้า")).click()
                legal.wait_for_load_state("load")
            check(legal, "plan-import-failed", posted.value.text())
            visit(legal, "plan-report", memo_path + "/plan-report")
            visit(legal, "plan-reference", "/memos/1/plan-report")
            records = session("records")
            for name, path in RECORDS_PAGES:
                visit(records, name, path)
            admin = session("admin")
            for name, path in ADMIN_PAGES:
                visit(admin, name, path)
            browser.close()
    finally:
        proc.terminate()
        proc.wait()
    return results


def nu_errors(out: Path) -> dict[str, list[str]]:
    done = subprocess.run(["java", "-jar", os.environ["VNU_JAR"], "--format", "json", "--stdout",
                           *sorted(str(f) for f in out.glob("*.html"))], check=False, capture_output=True, text=True)
    errors: dict[str, list[str]] = {}
    for message in json.loads(done.stdout or "{}").get("messages", []):
        if message["type"] == "error":
            errors.setdefault(Path(message["url"]).stem, []).append(
                f"{message['message'][:150]} (line {message.get('lastLine')})")
    return errors


def main() -> None:
    tree, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    results = scan(tree, out)
    errors = nu_errors(out)
    axe = 0
    for key, value in results.items():
        axe += len(value["axe"])
        if value["axe"] or value["width"] > value["limit"]:
            print("axe", key, value)
    for page, messages in sorted(errors.items()):
        print("Nu", page, len(messages))
        for text in messages[:8]:
            print("   ", text)
    print(f"pages {len(list(out.glob('*.html')))}, page views {len(results)}, "
          f"Nu errors {sum(map(len, errors.values()))}, axe serious+critical {axe}")


if __name__ == "__main__":
    main()
