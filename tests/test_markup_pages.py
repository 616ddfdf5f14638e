"""Valid markup on the administration pages (what the W3C Nu checker and axe-core reported):
one id="csrf_token" however many forms a page has, file inputs with a real <label>, and the
"ตั้งรหัสผ่านใหม่" button in colours that can be read (black on amber, not amber on white)."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.markup import duplicate_ids, elements, empty_options


@pytest.fixture()
def admin(seeded):
    client = seeded.test_client()
    assert login(client, "admin").status_code == 302
    return client


PAGES = ["/admin/settings", "/admin/people", "/admin/people/new", "/admin/people/{legal}", "/admin/chain",
         "/admin/appointments", "/admin/log", "/admin/security", "/admin/my-signature", "/admin/days-off",
         "/admin/notifications", "/notifications"]


@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_have_unique_ids_and_no_empty_options(admin, users, path):
    response = admin.get(path.format(legal=users["legal"].id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert duplicate_ids(html) == []
    assert empty_options(html) == 0


def test_the_person_page_has_four_forms_and_one_csrf_id(admin, users):
    html = admin.get(f"/admin/people/{users['legal'].id}").get_data(as_text=True)
    assert len(elements(html, "form")) >= 4
    tokens = [a for a in elements(html, "input") if a.get("name") == "csrf_token"]
    assert len(tokens) >= 4 and sum(1 for a in tokens if a.get("id")) <= 1


def test_the_reset_password_button_is_readable(admin, users):
    html = admin.get(f"/admin/people/{users['legal'].id}").get_data(as_text=True)
    button = html[html.rindex("<button", 0, html.index(">ตั้งรหัสผ่านใหม่</button>")):]
    assert 'class="btn btn-warning"' in button[:60]  # #000 on #ffc107 is 10.5:1; outline was 1.63:1
    assert "btn-outline-warning" not in html


@pytest.mark.parametrize("path, field", [("/admin/settings", "emblem"), ("/admin/people/new", "signature"),
                                         ("/admin/people/{legal}", "signature")])
def test_file_inputs_are_labelled(admin, users, path, field):
    html = admin.get(path.format(legal=users["legal"].id)).get_data(as_text=True)
    assert [a for a in elements(html, "input") if a.get("id") == field and a.get("type") == "file"]
    assert [a for a in elements(html, "label") if a.get("for") == field]
