"""The administration commands: create-org and create-user (API.md, Command line)."""

from __future__ import annotations

import sys
import types

import pytest
import sqlalchemy as sa

from approval import cli
from approval.extensions import db
from approval.models import Organization, Role, User
from approval.services import accounts


@pytest.fixture()
def runner(ctx):
    return ctx.test_cli_runner()


ORG_ARGS = ["create-org", "--name", "องค์การบริหารส่วนตำบลทดสอบ", "--district", "เมือง",
            "--province", "นครศรีธรรมราช", "--prefix", "นศ ๗๓๖๙๙"]


def make_org(runner) -> int:
    result = runner.invoke(args=ORG_ARGS)
    assert result.exit_code == 0, result.output
    return int(result.output.strip())


def user_args(org, username="somchai", *extra):
    return ["create-user", "--org", str(org), "--username", username, "--full-name", "นายสมชาย ใจดี",
            "--position", "นักจัดการงานทั่วไป", "--role", "officer", "--role", "reviewer", *extra]


def test_create_org_prints_its_id(runner):
    org_id = make_org(runner)
    org = db.session.get(Organization, org_id)
    assert (org.name, org.district, org.province, org.number_prefix) == (
        "องค์การบริหารส่วนตำบลทดสอบ", "เมือง", "นครศรีธรรมราช", "นศ ๗๓๖๙๙")
    assert org.setting("digits") == "thai" and org.chain == []


def test_create_org_refuses_blank_fields(runner):
    args = list(ORG_ARGS)
    args[args.index("--district") + 1] = "  "
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "district" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0


def test_create_org_requires_every_option(runner):
    assert runner.invoke(args=["create-org", "--name", "x"]).exit_code == 2


def test_create_user_with_an_explicit_password(runner):
    org_id = make_org(runner)
    result = runner.invoke(args=user_args(org_id, "somchai", "--password", "a-good-long-pass"))
    assert result.exit_code == 0, result.output
    user_id, username = result.output.strip().split("\t")
    user = db.session.get(User, int(user_id))
    assert username == "somchai" and user.organization_id == org_id
    assert user.roles == {Role.OFFICER, Role.REVIEWER}
    assert accounts.verify_password(user, "a-good-long-pass")
    assert "a-good-long-pass" not in result.output


def test_create_user_by_organisation_name(runner):
    make_org(runner)
    result = runner.invoke(args=user_args("องค์การบริหารส่วนตำบลทดสอบ", "somchai", "--password", "a-good-long-pass"))
    assert result.exit_code == 0, result.output


def test_without_a_terminal_the_password_is_generated_and_printed_once(runner):
    org_id = make_org(runner)
    result = runner.invoke(args=user_args(org_id))
    assert result.exit_code == 0, result.output
    user_id, _username, password = result.output.strip().split("\t")
    user = db.session.get(User, int(user_id))
    assert accounts.verify_password(user, password) and len(password) >= accounts.PASSWORD_MIN


def test_with_a_terminal_the_password_is_asked_for_twice(runner, monkeypatch):
    org_id = make_org(runner)
    monkeypatch.setattr(cli, "sys", types.SimpleNamespace(stdin=types.SimpleNamespace(isatty=lambda: True),
                                                          exit=sys.exit))
    result = runner.invoke(args=user_args(org_id), input="typed-at-the-prompt\ntyped-at-the-prompt\n")
    assert result.exit_code == 0, result.output
    assert "typed-at-the-prompt" not in result.output  # hidden input, not echoed back
    user = db.session.scalar(sa.select(User).where(User.username == "somchai"))
    assert accounts.verify_password(user, "typed-at-the-prompt")


@pytest.mark.parametrize("args, words", [
    (["--password", "short"], "password"),
    (["--password", "somchai-is-my-name"], "password"),
])
def test_create_user_refuses_weak_passwords(runner, args, words):
    org_id = make_org(runner)
    result = runner.invoke(args=user_args(org_id, "somchai", *args))
    assert result.exit_code == 1 and words in result.output
    assert db.session.scalar(sa.select(User.id)) is None


def test_create_user_refuses_a_taken_username_and_an_unknown_organisation(runner):
    org_id = make_org(runner)
    assert runner.invoke(args=user_args(org_id, "somchai", "--password", "a-good-long-pass")).exit_code == 0
    result = runner.invoke(args=user_args(org_id, "somchai", "--password", "a-good-long-pass"))
    assert result.exit_code == 1 and "username" in result.output
    result = runner.invoke(args=user_args(999, "other", "--password", "a-good-long-pass"))
    assert result.exit_code == 1 and "ไม่พบหน่วยงาน" in result.output


def test_create_user_refuses_an_unknown_role(runner):
    org_id = make_org(runner)
    args = user_args(org_id, "somchai", "--password", "a-good-long-pass")
    args[args.index("reviewer")] = "superuser"
    assert runner.invoke(args=args).exit_code == 2


def test_a_created_admin_can_sign_in_and_open_the_admin_pages(runner, ctx):
    from tests.conftest import login

    org_id = make_org(runner)
    args = user_args(org_id, "boss", "--password", "a-good-long-pass")
    args[args.index("reviewer")] = "admin"
    assert runner.invoke(args=args).exit_code == 0
    client = ctx.test_client()
    assert login(client, "boss", "a-good-long-pass").status_code == 302
    assert client.get("/admin/people").status_code == 200
