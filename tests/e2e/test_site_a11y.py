"""Every kind of page, for every role, at 1366x768 and 390x844: axe-core (no serious or
critical violation) and the W3C Nu HTML checker (no error).

axe-core and vnu.jar come from tests/e2e/package.json (`make e2e` runs `npm ci` there); the
Nu checker needs Java 11 or later. The results of the last run are written to
tests/e2e/artifacts/a11y/ (report.json, summary.txt) with the screenshots of the inbox, the
memo card and the signing form at both sizes.

The file's name sorts after test_chain and test_pages on purpose: they expect the reference
memo still a draft; this walk only finishes it when they have not.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import attachment_files as files

from .conftest import ARTIFACTS, DESKTOP, PHONE
from .test_chain import _sign
from .test_pages import BAD_CSV, _new_memo
from .test_verify import _decided_memo

#: What a finger presses on a phone (WCAG 2.5.5, 44x44 px): buttons, the bar's and the
#: pager's links, radio buttons and checkboxes (with their labels). Links inside text are exempt.
TOUCH_TARGETS = ("button, .btn, .app-navbar a, .nav-link, .page-link, input[type=radio], input[type=checkbox],"
                 " .form-select, .form-control, summary")

TOOLS = Path(__file__).resolve().parent / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
OUT = ARTIFACTS / "a11y"
BLOCKING = ("serious", "critical")
# The pages and their templates another helper answers for at this moment (plan report
# import, archive and admin pages). Their findings are reported, not failed, until that
# work is merged: then this set is emptied and the checks hold for the whole site.
REPORTED_ONLY: dict[str, str] = {}  # every page owned and fixed: nothing is only reported


def _small_targets(page, selector: str) -> list[str]:
    """Visible elements matching selector smaller than 44x44 (a radio or checkbox counts with its label)."""
    return page.evaluate("""([selector, min]) => {
        const small = [];
        for (const el of document.querySelectorAll(selector)) {
            let r = el.getBoundingClientRect();
            if (r.width <= 1 || r.height <= 1 || getComputedStyle(el).visibility === 'hidden') continue;  // hidden, or visually hidden
            if ((el.type === 'radio' || el.type === 'checkbox') && el.labels && el.labels.length) {
                const l = el.labels[0].getBoundingClientRect();
                const left = Math.min(r.left, l.left), top = Math.min(r.top, l.top);
                r = {width: Math.max(r.right, l.right) - left, height: Math.max(r.bottom, l.bottom) - top};
            }
            if (r.width < min - 0.5 || r.height < min - 0.5) {
                small.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} "${(el.textContent || el.value || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
            }
        }
        return small;
    }""", [selector, 44])


class SiteCheck:
    """Runs axe at both sizes and keeps each page's HTML for one Nu run at the end."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        self.axe: list[dict] = []
        self.small: list[dict] = []  #: touch targets under 44x44 px at the phone size
        OUT.mkdir(parents=True, exist_ok=True)
        for old in OUT.glob("*"):
            if old.is_file():
                old.unlink()
        self.html_dir = OUT / "html"
        shutil.rmtree(self.html_dir, ignore_errors=True)
        self.html_dir.mkdir()

    def visit(self, s, path: str, label: str, *, status: int | None = None, shots: bool = False):
        """Open path as session s and check the page."""
        response = s.goto(path, expect_status=status)
        s.page.wait_for_load_state("load")
        self.check(s, label, response.text(), shots=shots)

    def check(self, s, label: str, html: str | None = None, *, shots: bool = False):
        """Check the page s is on now; html is the server's text when known (else the DOM)."""
        page = s.page
        page.evaluate("document.fonts.ready.then(() => true)")
        self.pages[label] = html if html is not None else page.content()
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            if not page.evaluate("typeof window.axe === 'object'"):
                # evaluated through the DevTools protocol, which the page's CSP does not govern
                page.evaluate("() => {" + AXE.read_text(encoding="utf-8") + "\n}")
            result = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n')[1])}))")
            for v in result:
                self.axe.append({"page": label, "size": size_name, **v})
            if size is PHONE:
                for target in _small_targets(page, TOUCH_TARGETS):
                    self.small.append({"page": label, "target": target})
            if shots:
                page.screenshot(path=str(OUT / f"{label}-{size_name}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)

    def nu(self) -> list[dict]:
        """The Nu checker's errors over every page's HTML, in one Java run."""
        names = {}
        for i, (label, html) in enumerate(self.pages.items()):
            name = f"{i:02d}-{re.sub(r'[^a-z0-9-]+', '-', label)}.html"
            (self.html_dir / name).write_text(html, encoding="utf-8")
            names[name] = label
        done = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                               str(self.html_dir)], capture_output=True, text=True, timeout=300, check=False)
        messages = json.loads(done.stderr or done.stdout or "{}").get("messages", [])
        errors = []
        for m in messages:
            if m.get("type") == "error" or m.get("subType") == "fatal":
                label = names.get(Path(m.get("url", "")).name, m.get("url"))
                errors.append({"page": label, "line": m.get("lastLine"), "message": m.get("message"),
                               "extract": (m.get("extract") or "").strip()[:160]})
        return errors


@pytest.fixture
def site():
    if not AXE.exists() or not VNU.exists():
        pytest.fail("axe-core / vnu.jar are missing: run `make e2e` (npm ci in tests/e2e)")
    if not shutil.which("java"):
        pytest.fail("the Nu checker needs Java: apt-get install -y default-jre-headless")
    return SiteCheck()


def _memo_in_state(as_user, subject: str, *, to: str) -> str:
    """A new memo by legal, taken to: draft, submitted, returned, cancelled, at-mayor."""
    legal = as_user("legal")
    path = _new_memo(legal, subject)
    if to == "draft":
        return path
    if to == "cancelled":
        legal.page.get_by_role("button", name="ยกเลิกหนังสือ").click()
        legal.page.wait_for_load_state("load")
        return path
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    legal.page.wait_for_load_state("load")
    if to == "submitted":
        return path
    head = as_user("head")
    head.goto(path)
    if to == "returned":
        _sign(head, "return", "กรุณาระบุงบประมาณให้ชัดเจน", "ส่งคืนแก้ไข")
        return path
    _sign(head, "forward", "เห็นควรเสนอ", "ลงนามความเห็นและส่งต่อ")
    deputy = as_user("deputy")
    deputy.goto(path)
    _sign(deputy, "forward", "เห็นชอบตามเสนอ", "ลงนามความเห็นและส่งต่อ")
    return path


def test_every_page_passes_axe_and_the_nu_checker(as_user, site, tmp_path):
    decided = _decided_memo(as_user)
    draft = _memo_in_state(as_user, "ขออนุมัติจัดซื้อวัสดุสำนักงาน (ตรวจหน้าเว็บ)", to="draft")
    submitted = _memo_in_state(as_user, "ขอความเห็นชอบโครงการอบรม (ตรวจหน้าเว็บ)", to="submitted")
    returned = _memo_in_state(as_user, "ขออนุมัติเดินทางไปราชการ (ตรวจหน้าเว็บ)", to="returned")
    cancelled = _memo_in_state(as_user, "ร่างที่ยกเลิก (ตรวจหน้าเว็บ)", to="cancelled")
    at_mayor = _memo_in_state(as_user, "ขออนุมัติซ่อมแซมอาคาร (ตรวจหน้าเว็บ)", to="at-mayor")

    anon = as_user(None)
    site.visit(anon, "/login", "anon-login")
    site.visit(anon, "/verify", "anon-verify")
    site.visit(anon, "/no-such-page", "anon-404", status=404)

    legal = as_user("legal")
    site.visit(legal, "/inbox", "legal-inbox")
    site.visit(legal, "/memos", "legal-mine")
    site.visit(legal, "/memos/new", "legal-new-memo")
    # an attachment on the draft, so that the lists and their buttons are there
    legal.goto(draft + "/edit")
    photo = tmp_path / "ภาพสถานที่.png"
    photo.write_bytes(files.image("PNG", (320, 200)))
    legal.page.get_by_label("เลือกไฟล์ที่จะแนบ").set_input_files(str(photo))
    legal.page.get_by_role("button", name="แนบไฟล์").click()
    legal.page.wait_for_url(re.compile(r"/edit(#attachments)?$"))
    site.visit(legal, draft + "/edit", "legal-edit-memo")
    site.visit(legal, draft, "legal-memo-draft", shots=True)
    site.visit(legal, submitted, "legal-memo-submitted", shots=True)
    site.visit(legal, returned, "legal-memo-returned")
    site.visit(legal, cancelled, "legal-memo-cancelled")
    site.visit(legal, decided, "legal-memo-decided")
    token_href = legal.page.get_by_role("link", name="หน้าตรวจสอบสาธารณะ").get_attribute("href")
    site.visit(legal, draft + "/plan-report", "legal-plan-report-editable")
    form = legal.page.locator("#import")
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    form.get_by_label("ปีงบประมาณ (พ.ศ.)").fill("2567")
    form.get_by_label("จำนวนโครงการขั้นต่ำ").fill("3")
    form.locator("input[type=file]").set_input_files(str(bad))
    legal.watch.expect(422, "/plan-report/import")
    form.get_by_role("button", name="นำเข้าและแทนที่รายการเดิม").click()
    legal.page.wait_for_load_state("load")
    site.check(legal, "legal-plan-import-errors")
    site.visit(legal, decided + "/plan-report", "legal-plan-report-decided")
    site.visit(legal, "/notifications", "legal-notifications")
    site.visit(legal, "/profile", "legal-profile")
    site.visit(legal, "/profile/notifications", "legal-notification-settings")
    site.visit(legal, "/admin/settings", "legal-403", status=403)
    site.visit(legal, "/memos/999999", "legal-404", status=404)

    head = as_user("head")
    site.visit(head, "/inbox", "head-inbox", shots=True)
    site.visit(head, submitted, "head-signing-form", shots=True)
    form = head.page.locator("form.action-form:has(input[name=action][value=forward])")
    form.locator("input[name=password]").fill("not-the-password")
    head.watch.expect(422, "/action")
    form.get_by_role("button", name="ลงนามความเห็นและส่งต่อ").click()
    head.page.wait_for_load_state("load")
    site.check(head, "head-signing-errors", shots=True)

    mayor = as_user("mayor")
    site.visit(mayor, at_mayor, "mayor-order-form")
    site.visit(mayor, "/admin/appointments", "mayor-appointments")

    records = as_user("records")
    site.visit(records, "/inbox", "records-inbox")
    site.visit(records, "/archive/", "records-archive")
    site.visit(records, "/archive/?q=" + "ทุจริต", "records-archive-search")
    site.visit(records, "/archive/register", "records-register")
    site.visit(records, "/archive/integrity", "records-integrity")
    site.visit(records, decided, "records-memo-decided")

    admin = as_user("admin")
    for path in ("/admin/settings", "/admin/people", "/admin/people/new", "/admin/chain",
                 "/admin/appointments", "/admin/log", "/admin/security", "/admin/my-signature",
                 "/admin/days-off", "/admin/notifications"):
        site.visit(admin, path, "admin-" + path.strip("/").replace("/", "-"))
    admin.goto("/admin/people")
    person = admin.page.locator("main a[href^='/admin/people/']").filter(has_text=re.compile(r"\S")).nth(1)
    site.visit(admin, person.get_attribute("href"), "admin-person")

    anyone = as_user(None)
    site.visit(anyone, token_href, "anon-verify-token")

    nu_errors = site.nu()
    axe_blocking = [v for v in site.axe if v["impact"] in BLOCKING]
    report = {"pages": len(site.pages), "axe": site.axe, "nu": nu_errors, "small_targets": site.small}
    (OUT / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    critical = sum(v["impact"] == "critical" for v in axe_blocking)
    head = (f"{len(site.pages)} pages x 2 sizes; axe blocking (serious+critical): {len(axe_blocking)}"
            f" ({critical} critical); Nu errors: {len(nu_errors)}")
    head += f"; touch targets under 44 px at 390 px: {len(site.small)}"
    lines = [head]
    lines += [f"axe {v['impact']:8} {v['size']:7} {v['page']:32} {v['id']}: {v['help']} | {v['nodes'][:3]}"
              for v in axe_blocking]
    lines += [f"nu  {e['page']:32} line {e['line']}: {e['message']} | {e['extract']}" for e in nu_errors]
    lines += [f"44px {t['page']:32} {t['target']}" for t in site.small]
    (OUT / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    failing = [v for v in axe_blocking if not any(v["page"].startswith(p) for p in REPORTED_ONLY)]
    failing_nu = [e for e in nu_errors if not any(str(e["page"]).startswith(p) for p in REPORTED_ONLY)]
    failing_small = [t for t in site.small if not any(t["page"].startswith(p) for p in REPORTED_ONLY)]
    assert not failing and not failing_nu and not failing_small, "\n".join(lines)
