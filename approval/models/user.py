"""People and their API tokens."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .organization import Organization


class Role(str, enum.Enum):
    """What a person may do in their organisation."""
    OFFICER = "officer"  #: writes and submits memos
    REVIEWER = "reviewer"  #: adds opinions
    EXECUTIVE = "executive"  #: gives orders
    RECORDS = "records"  #: records officer (สารบรรณ): keeps the archive
    ADMIN = "admin"  #: manages people, the chain and settings


#: Roles that read every submitted memo of their organisation, not only those they are on.
READ_ALL_ROLES = frozenset({Role.RECORDS, Role.EXECUTIVE, Role.ADMIN})

ROLE_LABELS = {
    Role.OFFICER: "ผู้จัดทำหนังสือ",
    Role.REVIEWER: "ผู้ให้ความเห็น",
    Role.EXECUTIVE: "ผู้บริหาร (ผู้สั่งการ)",
    Role.RECORDS: "เจ้าหน้าที่สารบรรณ",
    Role.ADMIN: "ผู้ดูแลระบบ",
}


class User(UserMixin, db.Model):
    """A person of one organisation, with roles, password and signature image."""
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[str] = mapped_column(sa.String(200))
    #: The person's own division (ส่วนราชการ), which their new memos start with; empty: the organisation.
    division: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    roles_csv: Mapped[str] = mapped_column("roles", sa.String(100), default="officer")
    is_active_flag: Mapped[bool] = mapped_column("is_active", sa.Boolean, default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Deferred: the user is loaded on every request; only printing and the admin's pages need it.
    signature_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship()

    @property
    def roles(self) -> set[Role]:
        """The person's roles as a set of Role."""
        return {Role(r) for r in self.roles_csv.split(",") if r}

    @roles.setter
    def roles(self, values) -> None:
        """The person's roles as a set of Role."""
        self.roles_csv = ",".join(sorted(Role(v).value for v in values))

    def has_role(self, role: Role) -> bool:
        """Whether the person holds `role`."""
        return role in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        """Flask-Login: may this account sign in."""
        return bool(self.is_active_flag)

    #: The raw id of the page session this object was loaded for (set by the web layer, never stored).
    web_session_id = None

    def get_id(self) -> str:
        """Flask-Login: the id kept in the session."""
        return str(self.id)

    def get_session_id(self) -> str | None:
        """What the session cookie carries (Flask-Login's id_attribute): the session record's raw id."""
        return self.web_session_id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    session_version: Mapped[int] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()
