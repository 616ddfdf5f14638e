"""Administration pages: the organisation's settings, its people, its chain, and the admin log.

Everything here but the admin log (records officer too) and one's own signature is for the
organisation's administrators; another organisation's ids are 404. The views parse the form,
call one verb of services.organizations, and commit once.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    Form,
    FormField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ..errors import DomainError
from ..extensions import db
from ..forms import AppForm, FieldList
from ..labels import STEP_KIND_LABELS
from ..models import ROLE_LABELS, Chain, Event, Role, StepKind, User
from ..numbers import parse_id, parse_index
from ..services import appointments as appointment_service
from ..services import chains as chain_service
from ..services import images, organizations, security_log, sessions
from ..thai import BANGKOK
from ..transaction import commit
from ..writing import service as writing
from .paging import page_arg, paged
from .unit import attempt

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_CHOICES = [SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()]
#: Labels of the admin events in the log.
ADMIN_EVENT_LABELS = {
    "admin.create_user": "เพิ่มผู้ใช้", "admin.update_user": "แก้ไขข้อมูลผู้ใช้",
    "admin.deactivate_user": "ระงับการใช้งานผู้ใช้", "admin.activate_user": "เปิดการใช้งานผู้ใช้",
    "admin.reset_password": "ตั้งรหัสผ่านใหม่", "admin.set_signature": "บันทึกลายมือชื่อ",
    "admin.remove_signature": "ลบลายมือชื่อ", "admin.set_chain": "แก้ไขสายการลงนาม",
    "admin.update_settings": "แก้ไขการตั้งค่าหน่วยงาน", "admin.end_sessions": "ให้ออกจากระบบทุกอุปกรณ์",
    "admin.appoint": "แต่งตั้งผู้ปฏิบัติหน้าที่แทน", "admin.end_appointment": "สิ้นสุดการแต่งตั้งผู้ปฏิบัติหน้าที่แทน",
}
#: The fields an admin.* event's "changed" names, as the settings and person forms label them.
CHANGED_FIELD_LABELS = {
    "name": "ชื่อหน่วยงาน", "district": "อำเภอ", "province": "จังหวัด", "prefix": "เลขที่หนังสือ (ที่)",
    "digits": "ตัวเลขในเอกสาร", "archive_mode": "การจัดเก็บเมื่อสั่งการแล้ว",
    "require_signing_password": "การยืนยันรหัสผ่านเมื่อลงนาม", "plan_report": "รายงานแนบ (แผนป้องกันการทุจริต)",
    "level_thresholds": "เกณฑ์ระดับการนำแผนไปปฏิบัติ", "emblem": "ตราหน่วยงาน",
    "full_name": "ชื่อ-สกุล", "position": "ตำแหน่ง", "roles": "บทบาท",
}
# The writing helpers' admin events (memo templates, a person's division) in the same log.
ADMIN_EVENT_LABELS.update(writing.ADMIN_EVENT_LABELS)
CHANGED_FIELD_LABELS.update(writing.CHANGED_FIELD_LABELS)
LOG_PER_PAGE = 50
#: Pages a person who must change their password may still open.
PASSWORD_CHANGE_ALLOWED = {"auth.profile", "auth.logout", "auth.login", "static"}
#: Answers that never show a person's data: the gate does not load the user for them.
NO_USER = {"health.healthz", "static"}


# --- forms (parse and carry CSRF; the rules live in services.organizations) -----------------

class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (the roles)."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(AppForm):
    """The organisation's particulars, numbering, digits, archiving and emblem."""
    name = StringField("ชื่อหน่วยงาน")
    district = StringField("อำเภอ")
    province = StringField("จังหวัด")
    prefix = StringField("เลขที่หนังสือ (ที่)")
    digits = RadioField("ตัวเลขในเอกสาร", choices=[SelectChoice("thai", "เลขไทย (๑๒๓)"), SelectChoice("arabic", "เลขอารบิก (123)")],
                        validate_choice=False)
    archive_mode = RadioField("การจัดเก็บเมื่อสั่งการแล้ว",
                              choices=[SelectChoice("auto", "จัดเก็บอัตโนมัติเมื่อผู้บริหารสั่งการ"),
                                       SelectChoice("records", "เจ้าหน้าที่สารบรรณเป็นผู้จัดเก็บ")],
                              validate_choice=False)
    level_thresholds = TextAreaField("เกณฑ์ระดับการนำแผนไปปฏิบัติ (บรรทัดละหนึ่งระดับ: ร้อยละขั้นต่ำ ชื่อระดับ)")
    require_signing_password = BooleanField("ผู้ลงนามต้องยืนยันรหัสผ่านทุกครั้งที่ลงนาม")
    plan_report = BooleanField("หนังสือของหน่วยงานแนบรายงานผลการดำเนินงานตามแผนป้องกันการทุจริตได้ (รายงานแนบ)")
    emblem = FileField("ตราหน่วยงาน (PNG หรือ JPEG ไม่เกิน ๒ MB)")
    remove_emblem = BooleanField("ลบตราหน่วยงาน")


class PersonForm(AppForm):
    """A person's name, position, roles and signature image."""
    username = StringField("ชื่อผู้ใช้ (ภาษาอังกฤษ)")
    full_name = StringField("ชื่อ-สกุล")
    position = StringField("ตำแหน่ง")
    division = StringField("ส่วนราชการ (สังกัด)")
    roles = MultiCheckboxField("บทบาท", choices=ROLE_CHOICES, validate_choice=False)
    signature = FileField("ลายมือชื่อ (PNG หรือ JPEG ไม่เกิน ๒ MB)")
    remove_signature = BooleanField("ลบลายมือชื่อ")


class SignatureForm(AppForm):
    """One's own signature image."""
    signature = FileField("ลายมือชื่อ (PNG หรือ JPEG ไม่เกิน ๒ MB)")
    remove_signature = BooleanField("ลบลายมือชื่อ")


class ActionOnlyForm(AppForm):
    """A button that posts (CSRF only)."""


class ChainRowForm(Form):
    """One step of the chain editor."""
    title = StringField("หัวข้อ")
    kind = StringField("ประเภท")
    assignee_id = StringField("ผู้ลงนาม")
    group = StringField("ลงนามพร้อมกัน (กลุ่ม)")


class ChainForm(AppForm):
    """The chain editor: its steps and the no-JavaScript row commands."""
    steps = FieldList(FormField(ChainRowForm), min_entries=0, max_entries=20)
    #: Without JavaScript the row buttons post "add", "remove:N", "up:N", "down:N" or "preview".
    chain_cmd = StringField()

    #: Which chain: "" the default one, "new" a new one, else its id.
    chain_ref = StringField()
    name = StringField("ชื่อสายการลงนาม")
    category = StringField("ประเภทหนังสือ")
    active = BooleanField("ใช้งาน")
    amount_at_least = StringField("จำนวนเงินตั้งแต่ (บาท)")
    amount_below = StringField("จำนวนเงินต่ำกว่า (บาท)")
    division = StringField("ส่วนราชการของผู้เสนอ")

    def rows(self) -> list[dict]:
        """The editor's rows as plain dicts."""
        return [{"title": e.form.title.data or "", "kind": e.form.kind.data or "",
                 "assignee_id": e.form.assignee_id.data or "", "group": (e.form.group.data or "").strip()}
                for e in self.steps]

    def chain_data(self, posted) -> dict:
        """The chain's fields as the service takes them; the fields not on the page stay as they are."""
        data: dict = {"steps": self.rows()}
        for key in ("name", "category"):
            if key in posted:
                data[key] = getattr(self, key).data or ""
        if "active_shown" in posted:
            data["active"] = bool(self.active.data)
        if any(key in posted for key in ("amount_at_least", "amount_below", "division")):
            data["conditions"] = {key: (getattr(self, key).data or "").strip() or None
                                  for key in ("amount_at_least", "amount_below", "division")}
        return data


# --- access -------------------------------------------------------------------------------

def _user() -> User:
    return current_user._get_current_object()


def _require(*roles: Role) -> User:
    user = _user()
    if not any(user.has_role(r) for r in roles):
        abort(403)
    return user


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; each view checks the role it needs."""


@bp.app_context_processor  # the admin nav is included by other blueprints' admin pages too
def _admin_context():
    def emblem_missing() -> bool:
        """Whether the organisation's memos print without the ครุฑ (no emblem uploaded)."""
        return current_user.is_authenticated and not current_user.organization.has_emblem

    def security_alerts() -> list:
        """The organisation's unacknowledged alerts, for the banner (administrators only)."""
        if not (current_user.is_authenticated and current_user.has_role(Role.ADMIN)):
            return []
        return security_log.open_alerts(db.session, current_user.organization_id)

    return {"roles": Role, "emblem_missing": emblem_missing, "security_alerts": security_alerts, "ack_form": ActionOnlyForm(formdata=None),
            "alert_scopes": security_log.ALERT_SCOPES}


@bp.before_app_request
def _force_password_change():
    """A person with a reset (or first) password sees only the profile page until they change it."""
    if request.path.startswith("/api/") or request.endpoint in PASSWORD_CHANGE_ALLOWED or request.endpoint in NO_USER:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        if not session.get("_flashes"):  # one reminder, however many pages were tried
            flash("กรุณาเปลี่ยนรหัสผ่านก่อนใช้งาน", "warning")
        return redirect(url_for("auth.profile"))
    return None


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _png(data: bytes | None) -> Response:
    if not data:
        abort(404)
    return _no_store(Response(data, mimetype="image/png"))


def _upload(field) -> bytes | None:
    storage = field.data
    if storage is None or not getattr(storage, "filename", None):
        return None
    try:
        return storage.read(images.MAX_BYTES + 1)  # enough to know it is too large
    finally:
        storage.close()  # a large upload is spooled to a temporary file


# --- settings -------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The organisation's settings page (administrators)."""
    admin = _require(Role.ADMIN)
    org = admin.organization
    form = SettingsForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "GET":
        form.name.data, form.district.data, form.province.data = org.name, org.district, org.province
        form.prefix.data = org.number_prefix
        form.digits.data = org.setting("digits")
        form.archive_mode.data = org.setting("archive_mode")
        form.require_signing_password.data = bool(org.setting("require_signing_password"))
        form.plan_report.data = bool(org.setting("plan_report"))
        form.level_thresholds.data = organizations.thresholds_text(org.setting("level_thresholds"))
    elif form.validate_on_submit():
        with attempt() as work:
            organizations.update_settings(
                db.session, org, name=form.name.data, district=form.district.data,
                province=form.province.data, prefix=form.prefix.data, digits=form.digits.data or "",
                archive_mode=form.archive_mode.data or "",
                require_signing_password=form.require_signing_password.data, plan_report=form.plan_report.data,
                level_thresholds=organizations.parse_thresholds(form.level_thresholds.data),
                emblem=_upload(form.emblem), remove_emblem=form.remove_emblem.data, actor=admin)
        if work.failed:
            errors, status = work.error.fields, work.error.status
        else:
            flash("บันทึกการตั้งค่าหน่วยงานแล้ว", "success")
            return redirect(url_for("admin.settings"))
    else:
        status = 400
    return render_template("admin/settings.html", form=form, errors=errors, org=org), status


@bp.route("/settings/emblem.png")
def emblem():
    """The organisation's emblem image (administrators)."""
    admin = _require(Role.ADMIN)
    return _png(admin.organization.emblem_png)


# --- people ---------------------------------------------------------------------------------

@bp.route("/people")
def people():
    """The organisation's people (administrators)."""
    admin = _require(Role.ADMIN)
    items = list(db.session.scalars(sa.select(User).where(User.organization_id == admin.organization_id)
                                    .order_by(User.is_active_flag.desc(), User.full_name)))
    return render_template("admin/people.html", items=items, action_form=ActionOnlyForm())


@bp.route("/people/new", methods=["GET", "POST"])
def person_new():
    """Add a person; their first password is shown once."""
    admin = _require(Role.ADMIN)
    form = PersonForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "GET":
        form.roles.data = [Role.OFFICER.value]
    elif form.validate_on_submit():
        password = organizations.generate_password(form.username.data or "")
        with attempt() as work:
            user = organizations.create_user(
                db.session, admin.organization, username=form.username.data or "",
                full_name=form.full_name.data or "", position=form.position.data or "",
                roles=form.roles.data or [], password=password, actor=admin)
            user.must_change_password = True
            if form.division.raw_data:  # a post without the field leaves the division as it is
                writing.set_division(db.session, user, form.division.data)
            signature = _upload(form.signature)
            if signature is not None:
                organizations.set_signature(db.session, user, signature, actor=admin)
        if work.failed:
            errors, status = work.error.fields, work.error.status
        else:
            return _no_store(Response(render_template("admin/password_once.html", person=user,
                                                      password=password, created=True)))
    else:
        status = 400
    return render_template("admin/person_form.html", form=form, errors=errors, person=None), status


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
def person_edit(user_id: int):
    """Change a person's name, position, roles or signature."""
    admin = _require(Role.ADMIN)
    person = organizations.user_in_org(db.session, admin.organization, user_id)
    form = PersonForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "GET":
        form.full_name.data, form.position.data = person.full_name, person.position
        form.division.data = person.division
        form.roles.data = sorted(r.value for r in person.roles)
    elif form.validate_on_submit():
        with attempt() as work:
            organizations.update_user(db.session, person, full_name=form.full_name.data or "",
                                      position=form.position.data or "", roles=form.roles.data or [],
                                      actor=admin)
            if form.division.raw_data:  # a post without the field leaves the division as it is
                writing.set_division(db.session, person, form.division.data, actor=admin)
            signature = _upload(form.signature)
            if signature is not None:
                organizations.set_signature(db.session, person, signature, actor=admin)
            elif form.remove_signature.data:
                organizations.set_signature(db.session, person, None, actor=admin)
        if work.failed:
            errors, status = work.error.fields, work.error.status
        else:
            flash(f"บันทึกข้อมูลของ {person.full_name} แล้ว", "success")
            return redirect(url_for("admin.person_edit", user_id=person.id))
    else:
        status = 400
    return render_template("admin/person_form.html", form=form, errors=errors, person=person,
                           action_form=ActionOnlyForm(), in_chain=organizations.in_chain(db.session, person),
                           live_sessions=sessions.live_count(db.session, person)), status


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
def person_deactivate(user_id: int):
    """Suspend a person's account (signed memos keep their effect)."""
    return _set_active(user_id, False)


@bp.route("/people/<int:user_id>/activate", methods=["POST"])
def person_activate(user_id: int):
    """Re-open a suspended account."""
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    admin = _require(Role.ADMIN)
    person = organizations.user_in_org(db.session, admin.organization, user_id)
    if not ActionOnlyForm().validate_on_submit():
        abort(400)
    with attempt() as work:
        organizations.set_active(db.session, person, active, actor=admin)
    if not work.failed:
        if active:
            flash(f"เปิดการใช้งานบัญชีของ {person.full_name} แล้ว", "success")
        else:
            flash(f"ระงับการใช้งานบัญชีของ {person.full_name} แล้ว หนังสือที่ลงนามไปแล้วยังคงมีผลเช่นเดิม", "success")
            if organizations.in_chain(db.session, person):
                flash("ผู้ใช้นี้ยังอยู่ในสายการลงนาม กรุณาแก้ไขสายการลงนาม มิฉะนั้นจะเสนอหนังสือใหม่ไม่ได้", "warning")
    return redirect(url_for("admin.person_edit", user_id=person.id))


@bp.route("/people/<int:user_id>/reset-password", methods=["POST"])
def person_reset_password(user_id: int):
    """Give a person a new one-time password (their sessions end)."""
    admin = _require(Role.ADMIN)
    person = organizations.user_in_org(db.session, admin.organization, user_id)
    if not ActionOnlyForm().validate_on_submit():
        abort(400)
    password = organizations.reset_password(db.session, person, actor=admin)
    commit()
    return _no_store(Response(render_template("admin/password_once.html", person=person, password=password,
                                              created=False)))


@bp.route("/people/<int:user_id>/end-sessions", methods=["POST"])
def person_end_sessions(user_id: int):
    """Sign the person out everywhere: every page session and API token (an admin event)."""
    admin = _require(Role.ADMIN)
    person = organizations.user_in_org(db.session, admin.organization, user_id)
    if not ActionOnlyForm().validate_on_submit():
        abort(400)
    with attempt() as work:
        ended = organizations.end_sessions(db.session, person, actor=admin)
    if not work.failed:
        flash(f"ให้ {person.full_name} ออกจากระบบทุกอุปกรณ์แล้ว ({ended} เซสชัน) ต้องเข้าสู่ระบบใหม่", "success")
    return redirect(url_for("admin.person_edit", user_id=person.id))


@bp.route("/people/<int:user_id>/signature.png")
def person_signature(user_id: int):
    """A person's signature image (administrators)."""
    admin = _require(Role.ADMIN)
    return _png(organizations.user_in_org(db.session, admin.organization, user_id).signature_png)


# --- one's own signature (any signed-in person) ---------------------------------------------

@bp.route("/my-signature", methods=["GET", "POST"])
def my_signature():
    """Upload or remove one's own signature image."""
    user = _user()
    form = SignatureForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        signature = _upload(form.signature)
        with attempt() as work:
            if signature is not None:
                organizations.set_signature(db.session, user, signature, actor=user)
            elif form.remove_signature.data:
                organizations.set_signature(db.session, user, None, actor=user)
            else:
                raise DomainError("กรุณาเลือกไฟล์รูปภาพ", {"signature": "กรุณาเลือกไฟล์รูปภาพ"})
        if work.failed:
            errors, status = work.error.fields, (work.error.status if work.error.status != 400 else 422)
        else:
            flash("บันทึกลายมือชื่อแล้ว", "success")
            return redirect(url_for("admin.my_signature"))
    return render_template("admin/my_signature.html", form=form, errors=errors), status


@bp.route("/my-signature.png")
def my_signature_image():
    """One's own signature image."""
    return _png(_user().signature_png)


# --- the chain ------------------------------------------------------------------------------

def _apply_chain_command(form: ChainForm, command: str) -> list[dict]:
    rows = form.rows()
    verb, _, arg = command.partition(":")
    index = parse_index(arg)
    if verb == "add" and len(rows) < form.steps.max_entries:
        rows.append({"title": "", "kind": StepKind.OPINION.value, "assignee_id": ""})
    elif verb == "remove" and 0 <= index < len(rows):
        rows.pop(index)
    elif verb == "up" and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and 0 <= index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


def preview_blocks(rows: list[dict], people: dict[int, User]) -> list[dict]:
    """The signature blocks as the printed memo shows them for a chain not yet signed."""
    blocks = []
    for row in rows:
        person = people.get(parse_id(str(row.get("assignee_id") or "")))
        blocks.append({"title": row.get("title") or "", "kind": row.get("kind") or "",
                       "group": str(row.get("group") or "").strip(),
                       "full_name": person.full_name if person else "……………………",
                       "position": person.position if person else "",
                       "has_signature": bool(person and person.signature_png), "user_id": person.id if person else None})
    return blocks


def _chain_fields(chain: Chain | None) -> dict:
    """What the editor's chain fields show for a saved chain (or a new one)."""
    if chain is None:
        return {"ref": "new", "name": "", "category": "", "active": True, "is_default": False,
                "amount_at_least": "", "amount_below": "", "division": "", "version": None}
    conditions = chain.conditions or {}
    return {"ref": str(chain.id), "name": chain.name, "category": chain.category or "", "active": chain.active,
            "is_default": chain.is_default, "amount_at_least": conditions.get("amount_at_least") or "",
            "amount_below": conditions.get("amount_below") or "", "division": conditions.get("division") or "",
            "version": chain.version}


def _posted_fields(form: ChainForm, chain: Chain | None) -> dict:
    """The chain fields as posted (shown again after a command or a refusal)."""
    fields = _chain_fields(chain)
    posted = request.form
    for key in ("name", "category", "amount_at_least", "amount_below", "division"):
        if key in posted:
            fields[key] = getattr(form, key).data or ""
    if "active_shown" in posted:
        fields["active"] = bool(form.active.data)
    return fields


@bp.route("/chain", methods=["GET", "POST"])
def chain():
    """The signing chains: the list, and the editor of one (its fields, conditions, steps and groups)
    with its print preview. ``?id=N`` edits chain N, ``?new=1`` a new one; the default chain otherwise."""
    admin = _require(Role.ADMIN)
    org = admin.organization
    members = list(db.session.scalars(sa.select(User).where(User.organization_id == org.id)
                                      .order_by(User.full_name)))
    people = {u.id: u for u in members}
    form = ChainForm()
    errors: dict[str, str] = {}
    status = 200
    ref = (request.form.get("chain_ref") if request.method == "POST" else None) or \
        ("new" if request.args.get("new") else request.args.get("id", ""))
    if ref == "new":
        current = None
    elif ref:
        try:
            current = chain_service.get_chain(db.session, admin, ref)
        except DomainError:
            abort(404)
    else:
        current = chain_service.ensure_default(db.session, org)
    if request.method == "GET":
        rows = [{"title": s.title, "kind": s.kind.value, "assignee_id": str(s.assignee_id),
                 "group": str(s.group) if s.group is not None else ""} for s in (current.steps if current else [])]
        fields = _chain_fields(current)
    elif not form.validate_on_submit():
        abort(400)
    elif form.chain_cmd.data:
        rows, fields = _apply_chain_command(form, form.chain_cmd.data), _posted_fields(form, current)
    else:
        rows, fields = form.rows(), _posted_fields(form, current)
        with attempt() as work:
            saved = chain_service.save_chain(db.session, org, form.chain_data(request.form), chain=current,
                                             actor=admin)
            saved_id, is_default = saved.id, saved.is_default
        if work.failed:
            errors, status = work.error.fields, work.error.status
        else:
            flash("บันทึกสายการลงนามแล้ว หนังสือที่เสนอไปก่อนหน้านี้ยังใช้สายการลงนามเดิม", "success")
            return redirect(url_for("admin.chain") if is_default else url_for("admin.chain", id=saved_id))
    return render_template(
        "admin/chain.html", form=form, rows=rows, errors=errors, fields=fields,
        chains=chain_service.chains_of(db.session, org.id), categories=chain_service.CATEGORIES,
        assignees=[u for u in members if u.is_active], people=people, kind_labels=STEP_KIND_LABELS,
        blocks=preview_blocks(rows, people),
        max_rows=form.steps.max_entries), status


# --- acting officials (administrators; an executive for their own position) ---------------

class AppointmentForm(AppForm):
    kind = RadioField("ลักษณะ", choices=[SelectChoice("acting", "รักษาราชการแทน"),
                                        SelectChoice("delegated", "ปฏิบัติราชการแทน")], validate_choice=False)
    holder_id = StringField("ผู้ดำรงตำแหน่ง")
    stand_in_id = StringField("ผู้ปฏิบัติหน้าที่แทน")
    starts_on = StringField("ตั้งแต่วันที่")
    ends_on = StringField("ถึงวันที่")
    order_number = StringField("คำสั่งที่")
    order_date = StringField("ลงวันที่")
    note = StringField("หมายเหตุ")

    def data_dict(self) -> dict:
        return {k: (getattr(self, k).data or "").strip() or None
                for k in ("kind", "holder_id", "stand_in_id", "starts_on", "ends_on", "order_number",
                          "order_date", "note")}


@bp.route("/appointments", methods=["GET", "POST"])
def appointments():
    actor = _require(Role.ADMIN, Role.EXECUTIVE)
    form = AppointmentForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        with attempt() as work:
            appointment_service.appoint(db.session, actor, form.data_dict())
        if work.failed:
            errors, status = work.error.fields, work.error.status
        else:
            flash("บันทึกการแต่งตั้งแล้ว", "success")
            return redirect(url_for("admin.appointments"))
    else:
        form.starts_on.data = appointment_service.today().isoformat()
        form.kind.data = "acting"
        if not actor.has_role(Role.ADMIN):
            form.holder_id.data = str(actor.id)
    members = list(db.session.scalars(sa.select(User).where(User.organization_id == actor.organization_id,
                                                            User.is_active_flag.is_(True))
                                      .order_by(User.full_name)))
    holders = members if actor.has_role(Role.ADMIN) else [actor]
    items = appointment_service.listing(db.session, actor)
    return render_template("admin/appointments.html", form=form, errors=errors, items=items, holders=holders,
                           members=members, status_of=appointment_service.status, action_form=ActionOnlyForm(),
                           kind_labels=appointment_service.KIND_LABELS,
                           may_end=lambda a: actor.has_role(Role.ADMIN) or a.holder_id == actor.id), status


@bp.route("/appointments/<int:appointment_id>/end", methods=["POST"])
def appointment_end(appointment_id: int):
    actor = _require(Role.ADMIN, Role.EXECUTIVE)
    if not ActionOnlyForm().validate_on_submit():
        abort(400)
    try:
        found = appointment_service.get(db.session, actor, appointment_id)
    except DomainError:
        abort(404)
    with attempt(flash_error=False) as work:
        ended = appointment_service.end(db.session, actor, found)
    if work.failed:
        abort(work.error.status)
    else:
        flash("สิ้นสุดการแต่งตั้งแล้ว" if ended else "การแต่งตั้งนี้สิ้นสุดไปก่อนแล้ว", "success")
    return redirect(url_for("admin.appointments"))


# --- the admin log (administrators and the records officer) --------------------------------

@bp.route("/log")
def log():
    """The admin log: every administrative change (administrators and records officers)."""
    user = _require(Role.ADMIN, Role.RECORDS)
    where = sa.and_(Event.organization_id == user.organization_id, Event.memo_id.is_(None))

    def fetch(page: int) -> tuple[list, int]:
        """One page of the log's rows and their total."""
        total = db.session.scalar(sa.select(sa.func.count(Event.id)).where(where)) or 0
        return list(db.session.scalars(sa.select(Event).where(where).order_by(Event.id.desc())
                                       .offset((page - 1) * LOG_PER_PAGE).limit(LOG_PER_PAGE))), total

    items, total, page, pages = paged(fetch, page_arg(), LOG_PER_PAGE)
    actors = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_({e.actor_id for e in items if e.actor_id})))}
    return render_template("admin/log.html", items=items, actors=actors, labels=ADMIN_EVENT_LABELS,
                           field_labels=CHANGED_FIELD_LABELS, page=page, pages=pages, total=total)


# --- the security log (administrators only) ------------------------------------------------

SECURITY_PER_PAGE = 50


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BANGKOK)


@bp.route("/security")
def security():
    """Refused attempts against the organisation, newest first; filters: kind, dates, username."""
    admin = _require(Role.ADMIN)
    kind = request.args.get("kind") or ""
    kind = kind if kind in security_log.KINDS else ""
    day_from, day_to = _day(request.args.get("from")), _day(request.args.get("to"))
    username = (request.args.get("username") or "").strip()[:64]
    query = security_log.events_query(
        admin.organization_id, kind=kind or None, username=username or None,
        since=_local_midnight(day_from) if day_from else None,
        until=_local_midnight(day_to + dt.timedelta(days=1)) if day_to and day_to < dt.date.max else None)

    def fetch(page: int) -> tuple[list, int]:
        """One page of the security events and their total."""
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
        return list(db.session.scalars(query.offset((page - 1) * SECURITY_PER_PAGE).limit(SECURITY_PER_PAGE))), total

    items, total, page, pages = paged(fetch, page_arg(), SECURITY_PER_PAGE)
    filters = {k: v for k, v in {"kind": kind, "from": day_from.isoformat() if day_from else "",
                                 "to": day_to.isoformat() if day_to else "", "username": username}.items() if v}
    return render_template("admin/security.html", items=items, total=total, page=page, pages=pages,
                           filters=filters, kind_labels=security_log.KIND_LABELS,
                           scopes=security_log.ALERT_SCOPES, threshold=security_log.ALERT_THRESHOLD,
                           window_minutes=int(security_log.ALERT_WINDOW.total_seconds() // 60))


@bp.route("/security/acknowledge", methods=["POST"])
def security_acknowledge():
    """An administrator has seen the alerts: the banner goes for every administrator."""
    admin = _require(Role.ADMIN)
    if not ActionOnlyForm().validate_on_submit():
        abort(400)
    with attempt() as work:
        count = security_log.acknowledge_alerts(db.session, admin)
    if not work.failed:
        flash(f"รับทราบการแจ้งเตือน {count} รายการแล้ว", "success")
    back = request.form.get("back") or ""
    if not (back.startswith("/admin/") and "//" not in back and "\\" not in back):
        back = url_for("admin.security")
    return redirect(back, 303)
