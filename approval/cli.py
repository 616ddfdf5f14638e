"""Flask commands: seed-demo, render-memo, create-org, create-user, verify-chain."""

from __future__ import annotations

import secrets
import sys

import click
import sqlalchemy as sa
from flask import Flask

from .errors import DomainError
from .extensions import db
from .models import Memo, Organization, User
from .transaction import commit


def _password(given: str | None) -> str:
    return given or secrets.token_urlsafe(12)


def _fail(exc: DomainError) -> None:
    click.echo(f"ผิดพลาด: {exc.message}", err=True)
    for field, message in exc.fields.items():
        click.echo(f"  {field}: {message}", err=True)
    sys.exit(1)


def seed_org(session, org_data, people, chain, password: str | None) -> tuple[Organization, dict, dict]:
    """Create an organisation, its people and its chain if missing; return the new passwords."""
    from .services import organizations

    org = session.scalar(sa.select(Organization).where(Organization.name == org_data["name"]))
    if org is None:
        org = organizations.create_org(session, name=org_data["name"], district=org_data["district"],
                                       province=org_data["province"], prefix=org_data["number_prefix"])
    users, created = {}, {}
    for username, full_name, position, roles in people:
        user = session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            pw = _password(password)
            user = organizations.create_user(session, org, username=username, full_name=full_name,
                                             position=position, roles=roles, password=pw,
                                             enforce_policy=False)
            created[username] = pw
        users[username] = user
    if not org.chain:
        organizations.set_chain(session, org, [(t, k, users[u]) for t, k, u in chain])
    return org, users, created


def seed_demo(password: str | None = None) -> dict:
    """The reference organisation, its people, chain and draft memo; a second organisation."""
    from .demo import reference
    from .plan_report import service as plans
    from .services import memos

    session = db.session
    org, users, created = seed_org(session, reference.ORG, reference.PEOPLE, reference.CHAIN, password)
    legal = users["legal"]
    if not org.setting("plan_report"):  # the reference memo carries a plan report
        org.settings = {**(org.settings or {}), "plan_report": True}
    has_memo = session.scalar(sa.select(Memo.id).where(Memo.organization_id == org.id, Memo.author_id == legal.id,
                                                       Memo.subject == reference.MEMO["subject"]))
    if not has_memo:
        memo = memos.create_memo(session, legal, reference.MEMO)
        plans.attach_reference_report(session, memo, legal)
    org2, _, created2 = seed_org(session, reference.SECOND_ORG, reference.SECOND_PEOPLE, reference.SECOND_CHAIN,
                                 password)
    created.update(created2)
    from .writing import service as writing

    writing.seed_demo(session, [org, org2], templates_for=org)  # divisions and memo templates
    commit(session)
    return created


def register_cli(app: Flask) -> None:
    from .commands import register_all

    register_all(app)

    @app.cli.command("seed-demo")
    @click.option("--password", default=None, help="Password for every new demo user.")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no organisation yet.")
    def seed_demo_command(password, if_empty):
        """Load the reference organisation, people, chain and memo (idempotent)."""
        if if_empty and db.session.scalar(sa.select(Organization.id).limit(1)) is not None:
            click.echo("ฐานข้อมูลมีข้อมูลอยู่แล้ว ไม่ได้โหลดข้อมูลตัวอย่าง")
            return
        created = seed_demo(password)
        if not created:
            click.echo("ข้อมูลตัวอย่างมีอยู่แล้ว (ไม่ได้สร้างซ้ำ)")
        for username, pw in created.items():
            click.echo(f"{username}\t{pw if not password else '(รหัสผ่านตามที่กำหนด)'}")

    @app.cli.command("render-memo")
    @click.argument("memo_id", type=int)
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
    def render_memo_command(memo_id, output):
        """Write a memo's PDF (the frozen bytes once decided)."""
        from .services import documents

        memo = db.session.get(Memo, memo_id)
        if memo is None:
            click.echo("ไม่พบหนังสือนี้", err=True)
            sys.exit(1)
        try:
            content, sha = documents.pdf_for(memo)
        except DomainError as refused:  # past the render budget, say
            click.echo(refused.message, err=True)
            sys.exit(1)
        with open(output, "wb") as fh:
            fh.write(content)
        click.echo(f"{output}\t{sha or '(ร่าง)'}")

    @app.cli.command("create-org")
    @click.option("--name", required=True)
    @click.option("--district", required=True)
    @click.option("--province", required=True)
    @click.option("--prefix", required=True, help='Number prefix, e.g. "นศ ๗๓๖๐๑"')
    def create_org_command(name, district, province, prefix):
        """Create an organisation and print its id."""
        from .services import organizations

        try:
            org = organizations.create_org(db.session, name=name, district=district, province=province,
                                           prefix=prefix)
        except DomainError as exc:
            _fail(exc)
        commit()
        click.echo(org.id)

    @app.cli.command("create-user")
    @click.option("--org", "org_ref", required=True, help="Organisation name or id")
    @click.option("--username", required=True)
    @click.option("--full-name", required=True)
    @click.option("--position", required=True)
    @click.option("--role", "roles", multiple=True, required=True,
                  type=click.Choice(["officer", "reviewer", "executive", "records", "admin"]))
    @click.option("--password", default=None, help="Avoid: it lands in shell history.")
    def create_user_command(org_ref, username, full_name, position, roles, password):
        """Create a user; the password is asked for, or generated and printed once."""
        from .services import organizations

        org = organizations.find_org(db.session, org_ref)
        if org is None:
            click.echo("ไม่พบหน่วยงานนี้", err=True)
            sys.exit(1)
        generated = False
        if password is None:
            if sys.stdin.isatty():
                password = click.prompt("รหัสผ่าน", hide_input=True, confirmation_prompt=True)
            else:
                password, generated = secrets.token_urlsafe(12), True
        try:
            user = organizations.create_user(db.session, org, username=username, full_name=full_name,
                                             position=position, roles=list(roles), password=password)
        except DomainError as exc:
            _fail(exc)
        commit()
        click.echo(f"{user.id}\t{user.username}" + (f"\t{password}" if generated else ""))

    @app.cli.command("verify-chain")
    def verify_chain_command():
        """Recompute every event hash chain and check it against the signed checkpoints
        (the exported files); exit 1 when any link is broken or anything was rewritten."""
        from .services import anchors, audit

        problems = audit.verify_chain(db.session)
        found, checked = anchors.verify(db.session, anchors.settings())
        problems += found
        for p in problems:
            click.echo(f"event {p.event_id} (memo {p.memo_id}): {p.problem}")
        if problems:
            sys.exit(1)
        click.echo("ห่วงโซ่เหตุการณ์ครบถ้วน ไม่พบการแก้ไข")
        click.echo(f"ตรงกับจุดยึดที่ลงนามไว้ {checked} จุด" if checked else
                   "ยังไม่มีจุดยึด (flask anchor-chain) จึงตรวจได้เฉพาะความต่อเนื่องของห่วงโซ่")
