"""Memo verbs: create, edit, act on the chain; and the queries the pages and API share."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from .. import limits, signatures, thai, workflow
from ..errors import (
    ConfirmationFailed,
    Conflict,
    InvalidTransition,
    NotFound,
    NotYourTurn,
    ValidationFailed,
    VersionMismatch,
)
from ..models import (
    READ_ALL_ROLES,
    ChainStep,
    Memo,
    MemoDocument,
    MemoState,
    PlanReport,
    Role,
    Step,
    StepKind,
    User,
)
from ..models.memo import pending_grouped
from ..notifications import service as notifications
from ..numbers import parse_id
from ..thai import utcnow
from ..transaction import conflicts_as_409
from . import (
    accounts,
    anchors,
    appointments,
    audit,
    chains,
    documents,
    search,
    security_log,
)
from . import chain as chain_service
from .text import clean_text

LIMITS = {"department": 300, "subject": 500, "addressee": 300, "closing": 300}
SECTION_TITLE_MAX, SECTION_BODY_MAX, SECTIONS_MAX = limits.SECTION_TITLE_MAX, limits.SECTION_BODY_MAX, limits.SECTIONS_MAX
TEXT_FIELDS = ("department", "subject", "addressee", "closing")
_LONG_RUN = re.compile(r"\S{" + str(limits.RUN_CHARS_MAX + 1) + ",}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  #: YYYY-MM-DD only, never 20240101
MEMO_CONFLICT = "มีผู้ดำเนินการกับหนังสือนี้ไปก่อนแล้ว กรุณาโหลดหน้าใหม่"
WRITABLE = ("department", "date", "subject", "addressee", "sections", "closing", "category", "amount")
CATEGORY_MAX = 100
#: A signer of the same group acting at the same moment: the act is tried again on the memo as
#: it is then (parallel opinions), at most this many times in all.
PARALLEL_ATTEMPTS = 3


def _clean_text(value, field: str, limit: int, errors: dict, required: bool = True) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = "ต้องเป็นข้อความ"
        return None
    value = clean_text(value, field).replace("\r\n", "\n").strip()
    if required and not value:
        errors[field] = "กรุณากรอกข้อมูล"
    elif len(value) > limit:
        errors[field] = f"ยาวได้ไม่เกิน {limit:,} ตัวอักษร"
    return value


def validate_fields(data: dict, *, partial: bool = False, current: dict | None = None) -> dict:
    """Checked, NFC-normalised memo fields; ValidationFailed lists every problem in Thai.

    ``current``: the stored fields a partial update leaves as they are, counted in the
    memo's total length (approval/limits.py) with the new ones.
    """
    errors: dict[str, str] = {}
    clean: dict = {}
    for field in WRITABLE:
        if partial and field not in data:
            continue
        if field in ("category", "amount") and field not in data:
            continue  # optional: a memo without them takes the default chain
        value = data.get(field)
        if field == "date":
            if isinstance(value, dt.date):
                clean["date"] = value
            else:
                try:
                    clean["date"] = dt.date.fromisoformat(_ISO_DATE.fullmatch(str(value or ""))[0])
                except (TypeError, ValueError):
                    errors["date"] = "วันที่ไม่ถูกต้อง (รูปแบบ YYYY-MM-DD)"
                    continue
            if not dt.date(2000, 1, 1) <= clean["date"] <= dt.date(2200, 12, 31):
                errors["date"] = "วันที่อยู่นอกช่วงที่รับได้"
        elif field == "sections":
            clean["sections"] = _clean_sections(value, errors)
        elif field == "category":
            clean["category"] = _clean_text(value, field, CATEGORY_MAX, errors, required=False)
        elif field == "amount":
            clean["amount"] = chains.parse_amount(value, "amount", errors)
        else:
            clean[field] = _clean_text(value, field, LIMITS[field], errors)
    if not errors:
        _check_total({**(current or {}), **clean}, errors)
    if errors:
        raise ValidationFailed("ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ", errors)
    return clean


def memo_chars(fields: dict) -> int:
    """Characters of the memo's own text (limits.MEMO_CHARS_MAX counts these)."""
    total = sum(len(fields.get(f) or "") for f in TEXT_FIELDS)
    for section in fields.get("sections") or []:
        total += len(section.get("title") or "") + len(section.get("body") or "")
    return total


def _check_total(fields: dict, errors: dict) -> None:
    total = memo_chars(fields)
    if total > limits.MEMO_CHARS_MAX:
        errors["sections"] = (f"เนื้อหาทั้งฉบับยาวได้ไม่เกิน {limits.MEMO_CHARS_MAX:,} ตัวอักษร "
                              f"(ขณะนี้ {total:,} ตัวอักษร) กรุณาลดความยาวของเนื้อหา")


def _check_body(body: str, field: str, errors: dict) -> None:
    """Lines and unbroken runs of a section's body: what makes a memo slow to print."""
    lines = sum(1 for line in body.splitlines() if line.strip())
    if lines > limits.SECTION_LINES_MAX:
        errors[field] = (f"มีได้ไม่เกิน {limits.SECTION_LINES_MAX:,} บรรทัด (ขณะนี้ {lines:,} บรรทัด) "
                         "กรุณารวมบรรทัดหรือแยกเป็นหัวข้อใหม่")
    elif _LONG_RUN.search(body):
        errors[field] = (f"มีข้อความติดกันโดยไม่เว้นวรรคยาวเกิน {limits.RUN_CHARS_MAX:,} ตัวอักษร "
                         "กรุณาเว้นวรรคหรือขึ้นบรรทัดใหม่")


def _clean_sections(value, errors: dict) -> list:
    if not isinstance(value, list) or not value:
        errors["sections"] = "ต้องมีเนื้อหาอย่างน้อยหนึ่งหัวข้อ"
        return []
    if len(value) > SECTIONS_MAX:
        errors["sections"] = f"มีได้ไม่เกิน {SECTIONS_MAX} หัวข้อ"
        return []
    result = []
    for i, section in enumerate(value):
        if not isinstance(section, dict) or set(section) - {"title", "body"}:
            errors[f"sections.{i}"] = "หัวข้อต้องมี title และ body เท่านั้น"
            continue
        # A title is optional: a one-paragraph memo has none (printed unnumbered, still indented).
        title = _clean_text(section.get("title"), f"sections.{i}.title", SECTION_TITLE_MAX, errors,
                            required=False)
        body = _clean_text(section.get("body"), f"sections.{i}.body", SECTION_BODY_MAX, errors)
        if body and f"sections.{i}.body" not in errors:
            _check_body(body, f"sections.{i}.body", errors)
        result.append({"title": title, "body": body})
    return result


def default_addressee(org, chain=None) -> str:
    """เรียน of a new memo: the position of whoever holds the order step of `chain` (ChainSteps, or
    anything with ``.steps``; default: the organisation's chain), e.g. นายกองค์การบริหารส่วนตำบล...

    Empty when the chain has no order step.
    """
    steps = org.chain if chain is None else getattr(chain, "steps", chain)
    order = next((s for s in reversed(list(steps)) if s.kind is StepKind.ORDER), None)
    return order.assignee.position if order is not None and order.assignee is not None else ""


def default_department(user: User) -> str:
    """ส่วนราชการ of a new memo: the writer's own division, else their organisation's name."""
    return (user.division or "").strip() or user.organization.name
def _chain_choice(session: Session, organization_id: int, data: dict, clean: dict) -> None:
    """The author's chosen chain (``chain_id``: an active chain of their organisation, or null)."""
    if "chain_id" not in data:
        return
    value = data["chain_id"]
    if value is None or value == "":
        clean["chain_id"] = None
        return
    chain_id = value if isinstance(value, int) and not isinstance(value, bool) else parse_id(str(value))
    chain = session.get(chains.Chain, chain_id) if chain_id is not None else None
    if chain is None or chain.organization_id != organization_id or not chain.active:
        raise ValidationFailed("ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ",
                               {"chain_id": "ไม่พบสายการลงนามนี้ หรือสายนี้ปิดใช้งานแล้ว"})
    clean["chain_id"] = chain.id


def create_memo(session: Session, author: User, data: dict) -> Memo:
    """A new draft by `author`; ส่วนราชการ and เรียน left out of `data` take their defaults."""
    data = dict(data)
    if "department" not in data:
        data["department"] = default_department(author)
    if "addressee" not in data:
        data["addressee"] = default_addressee(author.organization)
    clean = validate_fields(data)
    _chain_choice(session, author.organization_id, data, clean)
    memo = Memo(organization_id=author.organization_id, author=author, author_id=author.id,
                state=MemoState.DRAFT, **clean)
    session.add(memo)
    session.flush()
    audit.record_event(session, organization_id=memo.organization_id, memo=memo, actor=author,
                       action="create", to_state=MemoState.DRAFT.value, at=utcnow())
    search.index_memo(session, memo)
    return memo


def ensure_editable(memo: Memo, user: User, what: str = "หนังสือ") -> None:
    """Memo.can_edit as a refusal: anyone but the author is 403, a memo not editable is 409."""
    if memo.can_edit(user):
        return
    if memo.author_id != user.id:
        raise NotYourTurn(f"เฉพาะผู้จัดทำเท่านั้นที่แก้ไข{what}ได้")
    raise InvalidTransition(f"แก้ไข{what}ได้เฉพาะหนังสือที่เป็นร่างหรือถูกส่งคืนแก้ไข")


def update_memo(session: Session, memo: Memo, user: User, data: dict, expected_version: int | None = None) -> Memo:
    ensure_editable(memo, user)
    if expected_version is not None and expected_version != memo.version:
        raise VersionMismatch("มีผู้แก้ไขหนังสือนี้ไปก่อนแล้ว กรุณาโหลดใหม่")
    clean = validate_fields(data, partial=True, current={
        **{f: getattr(memo, f) for f in TEXT_FIELDS}, "sections": memo.sections or []})
    _chain_choice(session, memo.organization_id, data, clean)
    clean = {k: v for k, v in clean.items() if k not in ("category", "amount", "chain_id") or getattr(memo, k) != v}
    for key, value in clean.items():
        setattr(memo, key, value)
    if clean:
        audit.record_event(session, organization_id=memo.organization_id, memo=memo, actor=user,
                           action="edit", from_state=memo.state.value, to_state=memo.state.value,
                           data={"fields": sorted(clean)}, at=utcnow())
        search.index_memo(session, memo)
    with conflicts_as_409(session, MEMO_CONFLICT):  # a concurrent change: 409 with nothing recorded, as in act
        session.flush()
    return memo


def org_chain(session: Session, organization_id: int) -> list[ChainStep]:
    """The steps of the organisation's default chain."""
    return list(session.scalars(
        sa.select(ChainStep).join(chains.Chain, chains.Chain.id == ChainStep.chain_id)
        .where(ChainStep.organization_id == organization_id, chains.Chain.is_default)
        .options(selectinload(ChainStep.assignee)).order_by(ChainStep.position)
    ))


def hold(session: Session, memo: Memo, expected_version: int | None = None, *, wait: bool = False) -> None:
    """The memo's row for this action, or a refusal before anything costly is done.

    ``expected_version`` (the API's If-Match): stale -> VersionMismatch (412). Then the row is
    locked (PostgreSQL ``FOR UPDATE NOWAIT``; SQLite's writes are serialised anyway) and its
    version compared with the one loaded: a row changed meanwhile, or held by another action
    in flight, is a race lost -> Conflict (409) at once -- not after the password check, the
    signature and the PDF that the action would otherwise pay for and then roll back.

    ``wait``: a memo with a group of steps pending together, whose signers legitimately act at
    once -- the row is waited for (not refused at once), so the second signer then sees the
    first's version and is tried again on it (:func:`act`).
    """
    if expected_version is not None and expected_version != memo.version:
        raise VersionMismatch("มีผู้ดำเนินการกับหนังสือนี้ไปก่อนแล้ว กรุณาโหลดใหม่")
    with conflicts_as_409(session, MEMO_CONFLICT):
        current = session.scalar(sa.select(Memo.version).where(Memo.id == memo.id).with_for_update(nowait=not wait))
    if current != memo.version:
        raise Conflict(MEMO_CONFLICT)


def chain_for(session: Session, memo: Memo, chain_id=None, options: list | None = None) -> list[ChainStep]:
    """Who would sign this memo, in order, if it were submitted now: the steps of the chain chosen
    (``chain_id`` or the memo's), or of the only one that applies; empty while a choice among
    several is still to be made, or none applies (submission then says why).

    Submission itself takes its chain from :func:`chains.resolve`, as this does. `options`: the
    memo's applicable chains when the caller has them already (the memo page).
    """
    try:
        return list(chains.resolve(session, memo, chain_id, options).steps)
    except ValidationFailed:
        return []


def check_action(session: Session, memo: Memo, user: User, action: str, *, comment: str = "",
                 decision: str | None = None) -> None:
    """Refuse as ``act`` would for the turn and what was written, without acting or asking
    for the password: the return's reason is checked before its confirmation is asked."""
    chosen = workflow.parse_action(action)
    if not isinstance(comment, str) or (decision is not None and not isinstance(decision, str)):
        raise ValidationFailed("ข้อมูลไม่ถูกต้อง", {"comment": "ต้องเป็นข้อความ"})
    standing = appointments.standing(session, user) if memo.state is MemoState.IN_REVIEW else workflow.NO_STANDING
    rule = workflow.check(memo, user, chosen, standing)
    workflow.validate_input(rule, chosen, clean_text(comment, "comment", strip=False).strip(), decision)


def _confirm_with_input(session: Session, user: User, password: str | None, rule, chosen, comment: str,
                        decision: str | None):
    """The password and what was written, checked together: a wrong password and an empty
    opinion are reported at once, so the signer corrects both in one go.

    The signer's key, when the password opens it, is the proof of the password and is
    returned for the signature (one argon2 derivation per act, not two); else None and the
    password hash was checked (a person with no key yet gets one at the signature)."""
    invalid = None
    try:
        workflow.validate_input(rule, chosen, comment.strip(), decision)
    except ValidationFailed as exc:
        invalid = exc
    opened = []

    def prove(candidate: str) -> bool:
        if invalid is not None:
            return False  # nothing will be signed: the hash answers, the key stays shut
        key = signatures.open_key(session, user, candidate)
        if key is not None:
            opened.append(key)
        return key is not None

    try:
        accounts.confirm_password(user, password, prove)  # throttled per account; counted even if rolled back
    except ConfirmationFailed as exc:
        if invalid is None or getattr(exc, "ends_session", False):
            raise
        raise ValidationFailed(f"{invalid.message} และ{exc.message}", {**invalid.fields, "password": exc.message}) from None
    if invalid is not None:
        raise invalid
    return opened[0] if opened else None


def act(
    session: Session, memo: Memo, user: User, action: str, *, comment: str = "",
    decision: str | None = None, password: str | None = None, expected_version: int | None = None,
    chain_id=None,
) -> Memo:
    """Take one chain action: guard, confirm the signature, apply, freeze the PDF on the order.

    The cheap refusals come first, so that a request that ends in 403/409/412 costs little:
    the memo's version and row lock (:func:`hold`), then the rulebook (whose turn, which
    state), then the password (argon2, ~25 ms), then the step's signature, and the PDF last.
    Flushes so that a concurrent change of the same memo fails here (version check) and is
    reported as a 409, leaving nothing recorded. `chain_id`: at submission, the chain the
    author chose among those that apply (``chains.resolve``).

    Parallel opinions: when several steps are pending, two of their signers may act at once;
    the one who loses the race at the memo's version is tried again on the memo as it is now
    (``PARALLEL_ATTEMPTS``), so both signatures count and exactly one of them opens the next
    stage -- or the second is refused for what really happened (the memo was returned).
    """
    from ..errors import Conflict

    memo_id = memo.id
    parallel = memo.state is MemoState.IN_REVIEW and len(memo.pending_steps) > 1
    for attempt_no in range(1, PARALLEL_ATTEMPTS + 1):
        try:
            return _act(session, memo, user, action, comment=comment, decision=decision, password=password,
                        expected_version=expected_version, chain_id=chain_id, wait_for_row=parallel)
        except Conflict:
            if not parallel or attempt_no == PARALLEL_ATTEMPTS:
                raise
            # Read the memo again, steps and all, as the other signer left it: a rollback (ours,
            # if conflicts_as_409 has not done it) ends the transaction and expires everything.
            session.rollback()
            memo = session.get(Memo, memo_id)
            if memo is None:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _act(
    session: Session, memo: Memo, user: User, action: str, *, comment: str = "",
    decision: str | None = None, password: str | None = None, expected_version: int | None = None,
    chain_id=None, wait_for_row: bool = False,
) -> Memo:
    chosen = workflow.parse_action(action)
    if not isinstance(comment, str) or (decision is not None and not isinstance(decision, str)):
        raise ValidationFailed("ข้อมูลไม่ถูกต้อง", {"comment": "ต้องเป็นข้อความ"})
    hold(session, memo, expected_version, wait=wait_for_row)
    # Whose turn a pending step is depends on the appointments in force today (acting officials).
    standing = appointments.standing(session, user) if memo.state is MemoState.IN_REVIEW else workflow.NO_STANDING
    rule = workflow.check(memo, user, chosen, standing)
    turn = workflow.turn(memo, user, standing)
    comment = clean_text(comment, "comment", strip=False)
    confirmed, opened = False, None
    if rule.signing and memo.organization.setting("require_signing_password"):
        # A stand-in confirms with their own password: the signature is theirs. The password and
        # what was written are checked together (one answer names every mistake), after the
        # cheap refusals (the row, the turn) and before the key and the PDF.
        opened = _confirm_with_input(session, user, password, rule, chosen, comment, decision)
        confirmed = True
    else:
        workflow.validate_input(rule, chosen, comment.strip(), decision)
    chain = None
    if chosen is workflow.Action.SUBMIT:
        taken = chains.resolve(session, memo, chain_id)
        memo.chain_id, memo.chain_version = taken.id, taken.version
        chain = list(taken.steps)
    with conflicts_as_409(session, MEMO_CONFLICT):
        event = chain_service.apply(session, memo, user, chosen, rule, comment=comment,
                                    decision=decision, chain=chain, confirmed=confirmed, turn=turn)
        key = signatures.sign_step(session, memo, user, password, event, opened) if confirmed else None
        if chosen is workflow.Action.RETURN:
            session.flush()  # the return's event, final, is the one the closed steps' events link to
            chain_service.close_skipped(session, memo, user, event.at)
        if memo.state is MemoState.DECIDED:
            signatures.seal_document(session, memo, documents.freeze(session, memo), key)
            anchors.anchor_after_commit(session, memo.organization_id)
            if memo.organization.setting("archive_mode") == "auto":
                archiver = _SystemArchiver()
                archive = workflow.check(memo, archiver, workflow.Action.ARCHIVE)
                chain_service.apply(session, memo, archiver, workflow.Action.ARCHIVE, archive)
        notifications.on_transition(session, memo, chosen, user)
        session.flush()
        search.index_memo(session, memo)
    return memo


class _SystemArchiver:
    """Stands in for the records officer when the organisation archives automatically."""

    id = None

    def has_role(self, role: Role) -> bool:
        return role is Role.RECORDS


# --- visibility and queries -------------------------------------------------------------

@lru_cache(maxsize=2)
def _memo_statement(full: bool):
    """get_memo's statement, built once (its loader options cost more to build than to run)."""
    query = sa.select(Memo).where(Memo.id == sa.bindparam("memo_id"), Memo.organization_id == sa.bindparam("memo_org"))
    if full:
        # One row with its many-to-ones joined, then one query per collection: the memo page
        # stays at a fixed number of queries however long its history.
        query = query.options(
            joinedload(Memo.author), joinedload(Memo.organization),
            joinedload(Memo.document).load_only(MemoDocument.id, MemoDocument.sha256, MemoDocument.memo_id),
            joinedload(Memo.plan_report).selectinload(PlanReport.projects),
            selectinload(Memo.steps).joinedload(Step.assignee),
            selectinload(Memo.events),
        )
    return query


def get_memo(session: Session, user: User, memo_id, *, full: bool = True) -> Memo:
    """The memo if the user may see it; NotFound otherwise (also for other organisations)."""
    memo_id = parse_id(memo_id)
    if memo_id is None:
        raise _not_found(user, "memo id is not an id")
    memo = session.scalar(_memo_statement(full), {"memo_id": memo_id, "memo_org": user.organization_id})
    if memo is None or not _may_view(session, memo, user):
        raise _not_found(user, f"memo {memo_id}")
    return memo


def _may_view(session: Session, memo: Memo, user: User) -> bool:
    """Memo.can_view, with the holders the user stands in for today (one more query, only when needed)."""
    if memo.can_view(user):
        return True
    if memo.state is not MemoState.IN_REVIEW or memo.organization_id != user.organization_id:
        return False
    return memo.can_view(user, covering=appointments.standing(session, user).holder_ids)


@dataclass(frozen=True)
class InboxItem:
    """One thing waiting for a person: the memo, what it waits for, since when, for how long."""

    memo: Memo
    waiting_for: str  #: "sign" | "order" | "revise" | "archive" (API.md)
    since: dt.datetime
    working_days: int


_pending = aliased(Step, name="pending_step")
#: What the memo waits for from the person whose inbox it is in.
WAITING_FOR = sa.case(
    (Memo.state == MemoState.RETURNED, "revise"),
    (Memo.state == MemoState.DECIDED, "archive"),
    (_pending.kind == StepKind.ORDER, "order"),
    else_="sign",
)


def _branches(org_id, user_id, day, records: bool, holders=None, standing_in: bool = True) -> list[tuple]:
    """Everything waiting for a person as disjoint (condition, since) pairs on Memo, from values
    or bound parameters (see :func:`_inbox_statement`): steps pending with them, steps pending
    with a holder they stand in for today (acting officials), their own returned memos, and for
    records officers the decided memos not yet archived.

    Since when: the decision for a memo to file; else the memo's last change (in review only
    the chain moves it, so that is when its step became pending; a returned memo: its return,
    or the author's last edit of it).

    Each condition names the organisation and is served by one index on its own
    (ix_memo_inbox, ix_memo_org_author, ix_memo_org_state); a single OR of them is not on
    SQLite (it scanned the organisation's memos: 0.2-0.4 s at 10,000 memos). The branches are
    disjoint, so the inbox is their UNION ALL and its count the sum of their counts, each read
    from its index alone (a UNION of the ids read every memo's row: 4 ms for 3,334 waiting at
    10,000 memos on SQLite, where the id is not the rowid).

    ``holders``: the holders the user stands in for today, as an expanding bound parameter when
    the caller read them already (the page: with the appointments' subquery SQLite may walk the
    whole organisation's memos in date order for the stand-in branch, 7.7 ms at 10,000 memos),
    else None for that subquery. ``standing_in`` false: the user stands in for no one today,
    and the stand-in branches are left out.

    Parallel opinions: the memo points at its first pending step (the first two branches); the
    other steps of a group pending together are found among the steps (the partial index
    ``ix_step_pending_group``), for their assignees and their stand-ins, leaving out the memos
    the branches before already found.
    """
    org = Memo.organization_id == org_id
    in_review = Memo.state == MemoState.IN_REVIEW
    if holders is None:
        holders = appointments.covered_holders_of(org_id, user_id, day)
    grouped = sa.select(Step.memo_id).where(Step.organization_id == org_id, pending_grouped())
    mine_grouped = grouped.where(Step.assignee_id == user_id)
    not_first = Memo.pending_assignee_id != user_id
    branches = [(sa.and_(org, Memo.pending_assignee_id == user_id, in_review), Memo.updated_at)]
    if standing_in:
        not_first = sa.and_(not_first, Memo.pending_assignee_id.not_in(holders))
        branches.append((sa.and_(org, Memo.pending_assignee_id.in_(holders), in_review), Memo.updated_at))
    branches.append((sa.and_(org, in_review, Memo.id.in_(mine_grouped), not_first), Memo.updated_at))
    if standing_in:
        branches.append((sa.and_(org, in_review, Memo.id.in_(grouped.where(Step.assignee_id.in_(holders))),
                                 Memo.id.not_in(mine_grouped), not_first), Memo.updated_at))
    branches.append((sa.and_(org, Memo.author_id == user_id, Memo.state == MemoState.RETURNED), Memo.updated_at))
    if records:
        branches.append((sa.and_(org, Memo.state == MemoState.DECIDED), Memo.decided_at))
    return branches


def _not_found(user: User, reason: str) -> NotFound:
    """The NotFound of a memo id, recorded: probing for others' memos is a refused attempt."""
    security_log.record("not_found", reason, user=user)
    return NotFound("ไม่พบหนังสือนี้")


def _ranked(branches: list[tuple], keep, limit, offset):
    """(Memo, waiting_for, since) of one page over the branches, the latest first: each branch
    stops at its own first ``keep`` rows in index order before they are merged, so a page costs
    the same with 20 or 20,000 waiting."""
    parts = [sa.select(sa.select(Memo.id.label("id"), since.label("since")).where(condition)
                       .order_by(since.desc(), Memo.id.desc()).limit(keep).subquery())
             for condition, since in branches]
    top = sa.union_all(*parts).subquery("waiting")  # disjoint branches: no memo twice
    ranked = (sa.select(top.c.id, top.c.since).order_by(top.c.since.desc(), top.c.id.desc())
              .limit(limit).offset(offset).subquery("ranked"))
    return (
        sa.select(Memo, WAITING_FOR.label("waiting_for"), ranked.c.since)
        .join(ranked, ranked.c.id == Memo.id)
        .outerjoin(_pending, sa.and_(_pending.memo_id == Memo.id, _pending.round == Memo.round,
                                     _pending.seq == Memo.current_step))
        .order_by(ranked.c.since.desc(), Memo.id.desc())
    )


def _summed_counts(branches: list[tuple]):
    """How many memos the branches find: the sum of their counts (disjoint branches), each
    counted on its own index."""
    counts = [sa.select(sa.func.count()).select_from(Memo).where(condition).scalar_subquery()
              for condition, _since in branches]
    return sa.select(sum(counts[1:], counts[0]))


_INBOX_PARAMS = ("inbox_org", "inbox_user", "inbox_day")


@dataclass(frozen=True)
class InboxCounts:
    """What the inbox page and the navigation read first, in one statement: how many things
    wait for the person, their unread notifications, the holders they stand in for today."""

    waiting: int
    unread: int
    holders: tuple[int, ...]


@lru_cache(maxsize=4)
def _inbox_statement(records: bool, counting: bool, standing_in: bool = True):
    """The inbox's page statement (or its counts) with bound parameters, built once per process:
    building it took longer than running it (about 1.7 ms against 2.3 ms).

    The page's statement takes the holders as the expanding parameter ``inbox_holders``, and
    has no stand-in branches when ``standing_in`` is false."""
    from ..models import Appointment, Notification

    org, user, day = (sa.bindparam(name) for name in _INBOX_PARAMS)
    if counting:
        waiting = _summed_counts(_branches(org, user, day, records)).scalar_subquery()
        unread = (sa.select(sa.func.count()).select_from(Notification)
                  .where(Notification.organization_id == org, Notification.user_id == user,
                         Notification.read_at.is_(None)).scalar_subquery())
        holders = (sa.select(sa.func.aggregate_strings(sa.cast(Appointment.holder_id, sa.String), ","))
                   .where(Appointment.organization_id == org, Appointment.stand_in_id == user,
                          appointments.in_force(day)).scalar_subquery())
        return sa.select(waiting, unread, holders)
    holders = sa.bindparam("inbox_holders", expanding=True)
    return _ranked(_branches(org, user, day, records, holders, standing_in), sa.bindparam("inbox_keep", type_=sa.Integer),
                   sa.bindparam("inbox_limit", type_=sa.Integer), sa.bindparam("inbox_offset", type_=sa.Integer))


@lru_cache(maxsize=16)
def _inbox_page_statement(records: bool, standing_in: bool, load: tuple):
    """The page's statement with the author joined (not a second statement) and the caller's
    loader options, kept: a statement made anew per request had its cache key computed anew
    (a quarter of a millisecond for this one). ``load`` is one of the callers' constants."""
    return _inbox_statement(records, False, standing_in).options(joinedload(Memo.author), *load)


def _inbox_params(user: User, **more) -> dict:
    return {"inbox_org": user.organization_id, "inbox_user": user.id, "inbox_day": appointments.today(), **more}


def inbox_counts(session: Session, user: User) -> InboxCounts:
    """How many things wait for `user`, their unread notifications and whom they stand in for
    today: one statement, each count read from its own index."""
    waiting, unread, holders = session.execute(
        _inbox_statement(user.has_role(Role.RECORDS), True), _inbox_params(user)).one()
    ids = tuple(sorted({int(i) for i in holders.split(",") if i})) if holders else ()
    return InboxCounts(waiting or 0, unread or 0, ids)


def inbox_page(session: Session, user: User, page: int = 1, per_page: int = 20, load: tuple = (),
               counts: InboxCounts | None = None) -> tuple[list[InboxItem], int]:
    """One page of the user's inbox and the total waiting; each item's age in working days.

    ``load``: loader options for what the caller shows beyond the memo and its author.
    ``counts``: :func:`inbox_counts` when the caller read them already (the page shows the bell too).
    """
    from ..notifications.service import calendar

    counts = counts if counts is not None else inbox_counts(session, user)
    offset = (page - 1) * per_page
    statement = _inbox_page_statement(user.has_role(Role.RECORDS), bool(counts.holders), tuple(load))
    params = _inbox_params(user, inbox_keep=offset + per_page, inbox_limit=per_page, inbox_offset=offset)
    if counts.holders:
        params["inbox_holders"] = list(counts.holders)
    rows = session.execute(statement, params).all()
    total = counts.waiting
    if not rows:
        return [], total
    days, today = calendar(session, user.organization_id), utcnow()
    return [InboxItem(memo, waiting_for, since,
                      days.working_days_between(thai.to_local(since).date(), thai.to_local(today).date()))
            for memo, waiting_for, since in rows], total


def inbox_count(session: Session, user: User) -> int:
    return inbox_counts(session, user).waiting


def visible_query(user: User):
    """Memos of the user's organisation that the user may see (can_view as SQL)."""
    query = sa.select(Memo).where(Memo.organization_id == user.organization_id)
    if user.roles & READ_ALL_ROLES:
        return query.where(sa.or_(Memo.author_id == user.id, Memo.round > 0))
    on_chain = sa.select(Step.memo_id).where(
        Step.organization_id == user.organization_id,
        sa.or_(Step.assignee_id == user.id, Step.signed_by_id == user.id),
    )
    return query.where(sa.or_(Memo.author_id == user.id, Memo.id.in_(on_chain),
                              appointments.stand_in_clause(user)))


def list_memos(session: Session, user: User, *, state: str | None = None, q: str | None = None,
               year: int | None = None, mine: bool = False, page: int = 1, per_page: int = 20,
               load: tuple = ()):
    """One page of visible memos, newest first, and the total (``load``: as for inbox_page)."""
    if mine:  # the author sees all their own memos: no need for the rest of visible_query (its OR scans)
        query = sa.select(Memo).where(Memo.organization_id == user.organization_id, Memo.author_id == user.id)
    else:
        query = visible_query(user)
    if state:
        try:
            query = query.where(Memo.state == MemoState(state))
        except ValueError:
            raise ValidationFailed("สถานะไม่ถูกต้อง", {"state": "สถานะไม่ถูกต้อง"}) from None
    if year:
        gregorian = int(year) - 543
        query = query.where(Memo.date >= dt.date(gregorian, 1, 1), Memo.date <= dt.date(gregorian, 12, 31))
    if q and search.terms(q):
        # Newest first by id (ids grow with creation); the total of a text search stops at
        # search.COUNT_CAP + 1, so that a common word does not count the whole archive.
        page_query, total = search.paged(session, query, q, user.organization_id, page=page, per_page=per_page)
    else:
        total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        page_query = search.newest_page(session, query, [Memo.created_at.desc(), Memo.id.desc()],
                                        page=page, per_page=per_page)
    items = list(session.scalars(page_query.options(selectinload(Memo.author), *load)))
    return items, total


def search_clause(q: str, organization_id: int, dialect: str | None = None):
    """Thai text anywhere in number, subject, body, the chain's comments or the plan's projects.

    Uses the search index (services.search): FTS5 trigram on SQLite, pg_trgm on PostgreSQL.
    """
    from ..extensions import db

    return search.search_clause(q, organization_id, dialect or db.engine.dialect.name)
