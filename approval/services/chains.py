"""Chains per kind of memo: an organisation's named, versioned chains and which a memo takes.

An organisation has a default chain (made with it; the one chain it had before) and any number
of chains for kinds of memo, each with a category, conditions (amount at or above / below,
the author's division) and steps. Saving a changed chain makes a new version (kept in
``chain_version``); a memo copies the steps of the version it takes at submission, so an
edit never changes a memo in flight. Which chains a memo may take is the rulebook's
(:func:`approval.workflow.applicable`); :func:`resolve` applies it at submission.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .. import workflow
from ..errors import NotFound, ValidationFailed
from ..models import Chain, ChainStep, ChainVersion, Memo, Organization, StepKind, User
from ..numbers import parse_id
from ..thai import arabic_digits, utcnow
from . import audit

DEFAULT_NAME = "สายการลงนามหลัก"
NAME_MAX, CATEGORY_MAX, DIVISION_MAX, TITLE_MAX = 200, 100, 200, 200
CHAINS_MAX = 50
#: Numeric(14, 2): twelve digits before the point, two after.
AMOUNT_DIGITS = 12
#: Categories offered in the forms (any text is accepted).
CATEGORIES = ("ขออนุมัติจัดซื้อจัดจ้าง", "ขออนุมัติ", "รายงานผล", "ขออนุญาตไปราชการ", "ขอเชิญประชุม")
_MONEY = re.compile(r"(\d+)(?:\.(\d+))?\Z", re.ASCII)


def _nfc(value) -> str:
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


# --- money ----------------------------------------------------------------------------------

def parse_amount(value, field: str, errors: dict) -> Decimal | None:
    """A money amount (two places) from "150000.00", "150,000", "๑๕๐,๐๐๐.๕" or an int; None when blank.

    A problem is put in `errors[field]` in Thai (and None returned).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        errors[field] = 'จำนวนเงินต้องเป็นข้อความตัวเลข เช่น "150000.00"'
        return None
    text = arabic_digits(str(value)).strip().replace(",", "").replace(" ", "")
    if text.startswith("-"):
        errors[field] = "จำนวนเงินต้องไม่ติดลบ"
        return None
    match = _MONEY.match(text.lstrip("+"))
    if match is None:
        errors[field] = "จำนวนเงินไม่ถูกต้อง กรุณากรอกเป็นตัวเลข เช่น 150000.00"
        return None
    whole, cents = match.group(1).lstrip("0"), match.group(2) or ""
    if len(whole) > AMOUNT_DIGITS:
        errors[field] = f"จำนวนเงินมีได้ไม่เกิน {AMOUNT_DIGITS} หลักก่อนจุดทศนิยม"
        return None
    if len(cents) > 2:
        errors[field] = "จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"
        return None
    try:
        return Decimal(text.lstrip("+")).quantize(Decimal("0.01"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        errors[field] = "จำนวนเงินไม่ถูกต้อง"
        return None


def money_text(amount: Decimal | None) -> str | None:
    """``Decimal("150000")`` -> ``"150000.00"`` (the API's money); None stays None."""
    if amount is None:
        return None
    return f"{Decimal(amount).quantize(Decimal('0.01')):f}"


# --- reading --------------------------------------------------------------------------------

def chains_of(session: Session, organization_id: int) -> list[Chain]:
    """The organisation's chains, the default first, with their steps and signers."""
    return list(session.scalars(
        sa.select(Chain).where(Chain.organization_id == organization_id)
        .options(selectinload(Chain.steps).joinedload(ChainStep.assignee))
        .order_by(Chain.is_default.desc(), Chain.id)
    ))


def get_chain(session: Session, actor: User, chain_id) -> Chain:
    """One chain of the actor's organisation; NotFound otherwise (also for other organisations)."""
    chain_id = parse_id(chain_id) if not isinstance(chain_id, int) else chain_id
    chain = session.get(Chain, chain_id) if chain_id is not None else None
    if chain is None or chain.organization_id != actor.organization_id:
        raise NotFound("ไม่พบสายการลงนามนี้")
    return chain


def ensure_default(session: Session, org: Organization) -> Chain:
    """The organisation's default chain, made (with no steps yet) if it has none."""
    chain = session.scalar(sa.select(Chain).where(Chain.organization_id == org.id, Chain.is_default))
    if chain is None:
        chain = Chain(organization_id=org.id, name=DEFAULT_NAME, category="", active=True, is_default=True,
                      conditions={}, version=1)
        session.add(chain)
        session.flush()
        session.add(ChainVersion(organization_id=org.id, chain_id=chain.id, version=1,
                                 definition=definition(chain)))
        session.flush()
        session.expire(org, ["chains"])
    return chain


def definition(chain: Chain, steps: list | None = None) -> dict:
    """A chain as the API's Chain without its id: what a version keeps."""
    rows = steps if steps is not None else [
        {"title": s.title, "kind": s.kind.value, "assignee_id": s.assignee_id, "group": s.group}
        for s in chain.steps]
    conditions = chain.conditions or {}
    return {
        "name": chain.name, "category": chain.category or "", "active": bool(chain.active),
        "is_default": bool(chain.is_default),
        "conditions": {"amount_at_least": conditions.get("amount_at_least"),
                       "amount_below": conditions.get("amount_below"),
                       "division": conditions.get("division")},
        "steps": rows,
    }


# --- checking and saving --------------------------------------------------------------------

def _clean_group(value, field: str, errors: dict) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[field] = "กลุ่มต้องเป็นตัวเลข"
        return None
    if isinstance(value, str):
        text = arabic_digits(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 3):
            errors[field] = "กลุ่มต้องเป็นตัวเลข (ขั้นที่ลงนามพร้อมกันใส่เลขเดียวกัน)"
            return None
        value = int(text)
    if not isinstance(value, int):
        errors[field] = "กลุ่มต้องเป็นตัวเลข"
        return None
    return value


def clean_steps(session: Session, org: Organization, rows, errors: dict) -> list[dict]:
    """The steps {"title", "kind", "assignee_id", "group"} checked; problems by "chain.<i>.<field>"."""
    if not isinstance(rows, list):
        errors["chain"] = "ขั้นของสายการลงนามต้องเป็นรายการ"
        return []
    clean, people = [], []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"chain.{i}"] = "ขั้นต้องมี title, kind, assignee_id และ group"
            continue
        title = _nfc(row.get("title"))
        if not title or len(title) > TITLE_MAX:
            errors[f"chain.{i}.title"] = f"กรุณากรอกหัวข้อ (ไม่เกิน {TITLE_MAX} ตัวอักษร)"
        kind = row.get("kind")
        if kind not in (StepKind.OPINION.value, StepKind.ORDER.value):
            errors[f"chain.{i}.kind"] = "กรุณาเลือกประเภทขั้น"
            kind = None
        raw = row.get("assignee_id")
        assignee_id = parse_id(str(raw)) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
        assignee = session.get(User, assignee_id) if assignee_id is not None else None
        if assignee is None or assignee.organization_id != org.id:
            errors[f"chain.{i}.assignee"] = "ผู้ลงนามต้องเป็นผู้ใช้ที่ใช้งานอยู่ของหน่วยงานนี้"
            assignee = None
        group = _clean_group(row.get("group"), f"chain.{i}.group", errors)
        clean.append({"title": title, "kind": kind, "assignee_id": assignee.id if assignee else None,
                      "group": group})
        people.append(assignee)
    if not any(k.endswith(".kind") or k.count(".") == 1 and k.startswith("chain.") for k in errors):
        kinds = [StepKind(r["kind"]) if r["kind"] else StepKind.OPINION for r in clean]
        problems = workflow.chain_problems(
            kinds, [p is None or p.is_active for p in people], [r["group"] for r in clean],
            [r["assignee_id"] for r in clean])
        for key, message in problems.items():
            errors.setdefault(key, message)
    return clean


def clean_chain(session: Session, org: Organization, data: dict, chain: Chain | None = None) -> dict:
    """A chain's definition checked (ValidationFailed lists every problem in Thai)."""
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ValidationFailed("ข้อมูลไม่ถูกต้อง", {"chain": "ต้องเป็นออบเจกต์"})
    name = _nfc(data.get("name")) if "name" in data or chain is None else chain.name
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"กรุณากรอกชื่อสายการลงนาม (ไม่เกิน {NAME_MAX} ตัวอักษร)"
    elif session.scalar(sa.select(Chain.id).where(Chain.organization_id == org.id, Chain.name == name,
                                                  Chain.id != (chain.id if chain else -1))) is not None:
        errors["name"] = "มีสายการลงนามชื่อนี้แล้ว"
    category = _nfc(data.get("category")) if "category" in data or chain is None else chain.category
    if len(category) > CATEGORY_MAX:
        errors["category"] = f"ยาวได้ไม่เกิน {CATEGORY_MAX} ตัวอักษร"
    active = data.get("active", chain.active if chain else True)
    if not isinstance(active, bool):
        errors["active"] = "ต้องเป็น true หรือ false"
    given = data.get("conditions", chain.conditions if chain else {}) or {}
    conditions: dict = {"amount_at_least": None, "amount_below": None, "division": None}
    if not isinstance(given, dict) or set(given) - set(conditions):
        errors["conditions"] = "เงื่อนไขมีได้เฉพาะ amount_at_least, amount_below และ division"
    else:
        for key in ("amount_at_least", "amount_below"):
            conditions[key] = money_text(parse_amount(given.get(key), f"conditions.{key}", errors))
        division = given.get("division")
        if division is not None and not isinstance(division, str):
            errors["conditions.division"] = "ต้องเป็นข้อความ"
        elif len(_nfc(division)) > DIVISION_MAX:
            errors["conditions.division"] = f"ยาวได้ไม่เกิน {DIVISION_MAX} ตัวอักษร"
        else:
            conditions["division"] = _nfc(division) or None
        low, high = conditions["amount_at_least"], conditions["amount_below"]
        if low is not None and high is not None and Decimal(low) >= Decimal(high):
            errors["conditions.amount_below"] = "จำนวนเงิน \"ต่ำกว่า\" ต้องมากกว่าจำนวนเงิน \"ตั้งแต่\""
    if chain is not None and chain.is_default and (category or any(conditions.values())):
        errors["conditions"] = "สายการลงนามหลักใช้กับหนังสือที่ไม่เข้าสายอื่น จึงกำหนดประเภทหรือเงื่อนไขไม่ได้"
    if "steps" in data or chain is None:
        steps = clean_steps(session, org, data.get("steps"), errors)
    else:
        steps = definition(chain)["steps"]
    if errors:
        raise ValidationFailed("สายการลงนามไม่ถูกต้อง", errors)
    return {"name": name, "category": category, "active": active, "conditions": conditions, "steps": steps}


def save_chain(session: Session, org: Organization, data: dict, *, chain: Chain | None = None,
               actor: User | None = None) -> Chain:
    """Create a chain, or save `chain` as a new version when anything changed.

    Memos already submitted keep the steps they copied; the chain's former versions stay in
    ``chain_version``.
    """
    if chain is None and session.scalar(sa.select(sa.func.count()).select_from(Chain)
                                        .where(Chain.organization_id == org.id)) >= CHAINS_MAX:
        raise ValidationFailed(f"มีสายการลงนามได้ไม่เกิน {CHAINS_MAX} สาย", {"chain": "มีสายการลงนามครบแล้ว"})
    clean = clean_chain(session, org, data, chain)
    now = utcnow()
    if chain is not None:
        before = definition(chain)
        after = {**clean, "is_default": chain.is_default}
        if before == after:
            return chain
        if before["steps"]:
            chain.version += 1
        else:  # a chain without steps was never taken by a memo: its first version is this one
            session.execute(sa.delete(ChainVersion).where(ChainVersion.chain_id == chain.id,
                                                          ChainVersion.version == chain.version))
        session.execute(sa.delete(ChainStep).where(ChainStep.chain_id == chain.id))
        session.expire(chain, ["steps"])
        session.flush()
    else:
        chain = Chain(organization_id=org.id, is_default=False, version=1, created_at=now)
        session.add(chain)
    chain.name, chain.category, chain.active = clean["name"], clean["category"], clean["active"]
    chain.conditions, chain.updated_at = clean["conditions"], now
    session.flush()
    for position, row in enumerate(clean["steps"], start=1):
        session.add(ChainStep(organization_id=org.id, chain_id=chain.id, position=position, title=row["title"],
                              kind=StepKind(row["kind"]), assignee_id=row["assignee_id"], group=row["group"]))
    session.flush()
    session.expire(chain, ["steps"])
    session.add(ChainVersion(organization_id=org.id, chain_id=chain.id, version=chain.version,
                             definition=definition(chain, clean["steps"]), created_at=now,
                             created_by_id=actor.id if actor is not None else None))
    session.flush()
    session.expire(org, ["chains"])
    if actor is not None:
        audit.record_event(session, organization_id=org.id, memo=None, actor=actor, action="admin.set_chain",
                           data={"chain_id": chain.id, "name": chain.name, "version": chain.version,
                                 "steps": [[r["title"], r["kind"], r["assignee_id"], r["group"]]
                                           for r in clean["steps"]]}, at=now)
    return chain


def versions(session: Session, chain: Chain) -> list[ChainVersion]:
    """The chain's saved versions, newest first."""
    return list(session.scalars(sa.select(ChainVersion).where(ChainVersion.chain_id == chain.id)
                                .order_by(ChainVersion.version.desc())))


# --- which chain a memo takes ---------------------------------------------------------------

def author_division(memo: Memo) -> str:
    """What the division condition is matched against: the author's division, and the memo's ส่วนราชการ."""
    own = getattr(memo.author, "division", None) if memo.author is not None else None
    return " ".join(part for part in (own or "", memo.department or "") if part)


def applicable(session: Session, memo: Memo) -> list[Chain]:
    """The chains this memo may take now (workflow.applicable over the organisation's chains)."""
    return workflow.applicable(chains_of(session, memo.organization_id), memo.category or "", memo.amount,
                               author_division(memo))


def resolve(session: Session, memo: Memo, chain_id=None, options: list[Chain] | None = None) -> Chain:
    """The chain the memo takes at submission: the one chosen (it must apply), or the only one that applies.

    `chain_id`: chosen in the submission form or the API's action; else the memo's ``chain_id``.
    `options`: :func:`applicable` of the memo when the caller has it already (the memo page).
    """
    options = applicable(session, memo) if options is None else options
    if not options:
        raise ValidationFailed("ไม่มีสายการลงนามที่ใช้กับหนังสือนี้ได้ (ตามประเภทและจำนวนเงิน) "
                               "กรุณาตรวจสอบประเภทและจำนวนเงิน หรือติดต่อผู้ดูแลระบบ",
                               {"chain_id": "ไม่มีสายการลงนามที่ใช้ได้"})
    wanted = chain_id if chain_id not in (None, "") else memo.chain_id
    if wanted not in (None, ""):
        wanted_id = wanted if isinstance(wanted, int) and not isinstance(wanted, bool) else parse_id(str(wanted))
        chosen = next((c for c in options if c.id == wanted_id), None)
        if chosen is not None:
            return chosen
        if chain_id not in (None, ""):  # chosen now, and it does not apply
            raise ValidationFailed("สายการลงนามที่เลือกใช้กับหนังสือนี้ไม่ได้ กรุณาเลือกจากรายการ",
                                   {"chain_id": "สายการลงนามที่เลือกใช้กับหนังสือนี้ไม่ได้"})
    if len(options) == 1:
        return options[0]
    names = ", ".join(c.name for c in options)
    raise ValidationFailed(f"มีสายการลงนามที่ใช้ได้หลายสาย กรุณาเลือกหนึ่งสาย: {names}",
                           {"chain_id": "กรุณาเลือกสายการลงนาม"})
