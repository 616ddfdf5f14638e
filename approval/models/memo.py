"""Memos, the steps of their chain, their events, numbers and frozen documents."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .organization import StepKind
from .tenancy import many_to_one, one_to_many, tenant_fk, tenant_id, tenant_pk
from .user import READ_ALL_ROLES

if TYPE_CHECKING:
    from ..plan_report.models import PlanReport
    from .appointment import Appointment
    from .organization import Organization
    from .user import User


class MemoState(str, enum.Enum):
    """Where a memo is in its life."""
    DRAFT = "draft"  #: being written by its author
    IN_REVIEW = "in_review"  #: climbing the chain; one step pending
    RETURNED = "returned"  #: sent back for revision; the author may edit and resubmit
    DECIDED = "decided"  #: the order is given; frozen PDF stored
    ARCHIVED = "archived"  #: kept by the records officer; read-only
    CANCELLED = "cancelled"  #: withdrawn for good; keeps its number


class Decision(str, enum.Enum):
    """The order's decision."""
    ACKNOWLEDGE = "acknowledge"  #: ทราบ
    APPROVE = "approve"  #: อนุมัติ
    REJECT = "reject"  #: ไม่อนุมัติ
    OTHER = "other"  #: free text


class StepStatus(str, enum.Enum):
    """Where a step is in its round."""
    WAITING = "waiting"  #: later in the chain
    PENDING = "pending"  #: may act now (all the steps of a group at once)
    DONE = "done"  #: signed
    RETURNED = "returned"  #: signed, sending the memo back
    SKIPPED = "skipped"  #: pending beside a step that returned the memo: closed, not needed


class StepDecision(str, enum.Enum):
    """What the signer of a step did."""
    FORWARD = "forward"
    RETURN = "return"
    ACKNOWLEDGE = "acknowledge"
    APPROVE = "approve"
    REJECT = "reject"
    OTHER = "other"


class Memo(db.Model):
    """An internal memo (บันทึกข้อความ): its text, number, state and chain.

    A distributed (tenant) table, as are its children: see models/tenancy.py.
    """
    __tablename__ = "memo"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("organization_id", "number_year", "number_seq", name="uq_memo_number"),
        sa.CheckConstraint(
            "state NOT IN ('decided', 'archived') OR (decision IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_has_decision",
        ),
        sa.CheckConstraint("(number IS NULL) = (number_seq IS NULL)", name="number_complete"),
        sa.Index("ix_memo_org_state", "organization_id", "state"),
        # The author's memos newest first (หนังสือของฉัน).
        sa.Index("ix_memo_org_author", "organization_id", "author_id", "created_at"),
        # The inbox: equality on all three, ordered by updated_at, counted from the index alone.
        sa.Index("ix_memo_inbox", "organization_id", "pending_assignee_id", "state", "updated_at"),
    )

    id: Mapped[int] = tenant_id("memo")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    state: Mapped[MemoState] = mapped_column(enum_column(MemoState, "memo_state"), default=MemoState.DRAFT)
    number: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    number_year: Mapped[int | None] = mapped_column(nullable=True)
    number_seq: Mapped[int | None] = mapped_column(nullable=True)
    department: Mapped[str] = mapped_column(sa.String(300))
    date: Mapped[dt.date] = mapped_column(sa.Date)
    subject: Mapped[str] = mapped_column(sa.String(500))
    addressee: Mapped[str] = mapped_column(sa.String(300))
    sections: Mapped[list] = mapped_column(sa.JSON, default=list)
    closing: Mapped[str] = mapped_column(sa.String(300), default="จึงเรียนมาเพื่อโปรดทราบ")
    #: The kind of memo and its money (ขออนุมัติจัดซื้อจัดจ้าง, 150000.00): which chains apply.
    category: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2), nullable=True)
    #: The chain chosen (by the author, or by the rules at submission) and the version copied.
    chain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("chain.id"), nullable=True)
    chain_version: Mapped[int | None] = mapped_column(nullable=True)
    round: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    current_step: Mapped[int | None] = mapped_column(nullable=True)
    pending_assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), nullable=True)
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "memo_decision"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    #: The author's signing block as it was at the last submission (the author signs by submitting).
    author_name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    author_position: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    author_signature_sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)  #: signature_image

    organization: Mapped[Organization] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    steps: Mapped[list[Step]] = relationship(
        back_populates="memo", order_by="(Step.round, Step.seq)", cascade="all, delete-orphan",
        primaryjoin=one_to_many("Memo", "Step", "memo_id"),
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="memo", order_by="Event.id", cascade="all, delete-orphan",
        primaryjoin=one_to_many("Memo", "Event", "memo_id"),
    )
    document: Mapped[MemoDocument | None] = relationship(
        back_populates="memo", uselist=False, primaryjoin=one_to_many("Memo", "MemoDocument", "memo_id")
    )
    plan_report: Mapped[PlanReport | None] = relationship(
        back_populates="memo", uselist=False, cascade="all, delete-orphan",
        primaryjoin=one_to_many("Memo", "PlanReport", "memo_id"),
    )

    # Optimistic concurrency: every flush is UPDATE ... WHERE version = :seen. The ORM knows
    # a memo by its id alone (the table's key is (id, organization_id): models/tenancy.py).
    __mapper_args__ = {"version_id_col": version, "primary_key": [id]}  # noqa: RUF012 - read once

    @property
    def round_steps(self) -> list[Step]:
        """The steps of the current round, in chain order."""
        return [s for s in self.steps if s.round == self.round]

    @property
    def pending_step(self) -> Step | None:
        """The first step that may act now, if any (one of several when a group is pending)."""
        return next((s for s in self.round_steps if s.status == StepStatus.PENDING), None)

    @property
    def pending_steps(self) -> list[Step]:
        """Every step that may act now: one, or all the unsigned steps of a group."""
        return [s for s in self.round_steps if s.status == StepStatus.PENDING]

    @property
    def is_editable(self) -> bool:
        """A draft or a returned memo: its text and attachments may still change."""
        return self.state in (MemoState.DRAFT, MemoState.RETURNED)

    def can_edit(self, user: User) -> bool:
        """Only the author edits, and only while the memo is editable."""
        return self.author_id == user.id and self.is_editable

    def can_view(self, user: User, covering: frozenset[int] = frozenset()) -> bool:
        """Its author; once submitted, everyone on its chain (or who signed a step of it) and the
        READ_ALL_ROLES; while in review, the stand-in of the pending step's assignee
        (`covering`: the holders the user stands in for today, services.appointments).

        Other organisations never see it. ``services.memos.visible_query`` states the same
        rule in SQL; ``tests/test_visibility.py`` holds the two together.
        """
        if self.organization_id != user.organization_id:
            return False
        if self.author_id == user.id:
            return True
        if self.round == 0:  # never submitted: the author's private draft
            return False
        if user.roles & READ_ALL_ROLES:
            return True
        if any(s.assignee_id == user.id or s.signed_by_id == user.id for s in self.steps):
            return True
        return self.state is MemoState.IN_REVIEW and any(s.assignee_id in covering for s in self.pending_steps)

    def __repr__(self) -> str:
        return f"<Memo {self.id} {self.state.value}>"


#: A step pending in a parallel group, as literal SQL: the predicate of ``ix_step_pending_group``,
#: which a query must repeat word for word (not as bound parameters) for the index to be used.
PENDING_GROUPED_SQL = "status = 'pending' AND step_group IS NOT NULL"


def pending_grouped():
    """SQL on Step: pending in a parallel group, in the words of ``ix_step_pending_group``'s predicate."""
    return sa.and_(Step.status == sa.literal_column("'pending'"), Step.group.is_not(None))


class Step(db.Model):
    """One signing step of one round, copied from the chain at submission."""

    __tablename__ = "step"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("memo_id", "round", "seq", "organization_id"),
        tenant_fk("memo_id", "memo"),
        tenant_fk("appointment_id", "appointment"),
        # The archive's person filter (memos someone was on the chain of), from the index alone.
        sa.Index("ix_step_org_assignee_memo", "organization_id", "assignee_id", "memo_id"),
        # The inbox's grouped branches: only the pending steps of parallel groups (usually none).
        sa.Index("ix_step_pending_group", "organization_id", "assignee_id", "memo_id",
                 sqlite_where=sa.text(PENDING_GROUPED_SQL), postgresql_where=sa.text(PENDING_GROUPED_SQL)),
    )

    id: Mapped[int] = tenant_id("step")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    memo_id: Mapped[int] = mapped_column(index=True)
    round: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "step_kind"))
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    #: Steps of one round sharing a group are pending together (parallel opinions).
    group: Mapped[int | None] = mapped_column("step_group", nullable=True)
    #: The free-text capacity line the chain editor had before appointments (migration
    #: e8a0f0000008): kept and printed for the steps that were copied with one; new steps have none.
    acting: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    status: Mapped[StepStatus] = mapped_column(enum_column(StepStatus, "step_status"))
    decision: Mapped[StepDecision | None] = mapped_column(
        enum_column(StepDecision, "step_decision"), nullable=True
    )
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirmed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: The signer's block as it was when signed (forward, return, order); None until then.
    signer_name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    signer_position: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    signature_sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)  #: signature_image
    #: Who signed: the assignee, or a stand-in (then ``capacity`` says how and ``on_behalf_of_id``
    #: is the assignee, whose position as it was then is ``on_behalf_of_position``).
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), nullable=True)
    capacity: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)  #: "acting" | "delegated"
    on_behalf_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), nullable=True)
    on_behalf_of_position: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    appointment_id: Mapped[int | None] = mapped_column(nullable=True)

    memo: Mapped[Memo] = relationship(back_populates="steps", primaryjoin=many_to_one("Step", "Memo", "memo_id"))
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
    appointment: Mapped[Appointment | None] = relationship(
        primaryjoin=many_to_one("Step", "Appointment", "appointment_id"))

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<Step {self.id} r{self.round}#{self.seq} {self.status.value}>"


class Event(db.Model):
    """Append-only audit log; each row chains to the previous one by hash."""

    __tablename__ = "event"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("hash", "organization_id"),
        tenant_fk("memo_id", "memo"),
        sa.Index("ix_event_org_memo", "organization_id", "memo_id"),
        # A memo's last event (its chain's head, audit._last_hash) by one index probe, however
        # many events the organisation has: 44 ms -> 0.1 ms on an older memo (issue 20).
        sa.Index("ix_event_memo_id_id", "memo_id", "id"),
    )

    id: Mapped[int] = tenant_id("event")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    memo_id: Mapped[int | None] = mapped_column(nullable=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    to_state: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    round: Mapped[int | None] = mapped_column(nullable=True)
    step: Mapped[int | None] = mapped_column(nullable=True)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    memo: Mapped[Memo | None] = relationship(back_populates="events", primaryjoin=many_to_one("Event", "Memo", "memo_id"))
    actor: Mapped[User | None] = relationship()

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.action}>"


class NumberCounter(db.Model):
    """The running number of the register, per organisation and Buddhist Era year."""

    __tablename__ = "number_counter"

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class MemoDocument(db.Model):
    """The frozen PDF of a decided memo, stored in the database with its SHA-256."""

    __tablename__ = "memo_document"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("memo_id", "organization_id"),
        tenant_fk("memo_id", "memo"),
    )

    id: Mapped[int] = tenant_id("memo_document")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    memo_id: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: Deferred: lists and pages show the hash; only the PDF download and the seal read the bytes.
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The seal of the attached files at the order: [{"id", "filename", "title", "size", "sha256"}]
    #: (approval.attachments.service.manifest); the PDF prints the same hashes.
    attachments: Mapped[list | None] = mapped_column(sa.JSON, nullable=True)

    memo: Mapped[Memo] = relationship(back_populates="document", primaryjoin=many_to_one("MemoDocument", "Memo", "memo_id"))

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012
