"""Which tables belong to one organisation and which are shared: the keys of a sharded schema.

The path past one database server is PostgreSQL with Citus (docs/scaling.md): the tenant
tables are *distributed* by ``organization_id`` (each organisation's rows live together on
one shard) and the shared tables are *reference* tables (a full copy on every node). Citus
asks three things of a distributed table, and ``tests/test_tenancy.py`` checks all of them
on the models and on the migrated database:

1. it has ``organization_id`` NOT NULL;
2. its primary key and every unique constraint (or unique index) include ``organization_id``;
3. every foreign key to another distributed table includes ``organization_id`` on both
   sides: ``(x_id, organization_id) -> x(id, organization_id)``. A foreign key to a
   reference table may be on that table's key alone; a reference table never refers to a
   distributed one.

How a new table is declared (see docs/scaling.md, "Adding a table"):

- list it here, in DISTRIBUTED or REFERENCE, with a one-line reason (the test fails for a
  table that is in neither);
- a distributed table with a surrogate key: ``id: Mapped[int] = tenant_id("name")``,
  ``__table_args__ = (tenant_pk(), ...)`` and ``__mapper_args__ = {"primary_key": [id]}``
  (the ORM still identifies a row by ``id`` alone: ``db.session.get(Model, id)`` works);
  each foreign key to a distributed table with ``tenant_fk("x_id", "x")`` in
  ``__table_args__``, its relationships with an explicit join (``many_to_one`` /
  ``one_to_many`` below), and unique constraints with ``organization_id`` in them.

A new row's ``organization_id`` is copied from its parent when left empty (``fill_tenant``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, mapped_column
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from ..extensions import db

#: The distribution column of every tenant table.
TENANT_COLUMN = "organization_id"

#: Tenant tables: distributed by organization_id, colocated (table: why it is a tenant's).
DISTRIBUTED: dict[str, str] = {
    "memo": "the tenant's documents; the root every other tenant table hangs from",
    "step": "a memo's signing steps",
    "event": "a memo's (and the organisation's admin) audit chain: each tenant's chain is its own",
    "number_counter": "the organisation's register numbers per year",
    "memo_document": "a decided memo's frozen PDF",
    "memo_search": "a memo's search document (searched inside one organisation)",
    "attachment": "a memo's attached files",
    "plan_report": "the plan report attached to a memo",
    "plan_project": "the projects of a plan report",
    "step_signature": "the digital signature of one step",
    "document_seal": "the seal and QR token of a frozen document",
    "notification": "what one person of the organisation is told about its memos",
    "notification_delivery": "the outbox of those notifications",
    "appointment": "acting officials of the organisation; steps refer to them",
    "audit_checkpoint": "signed checkpoints of the organisation's own audit chain",
}

#: Shared tables: one copy on every node; small, or read before the tenant is known.
REFERENCE: dict[str, str] = {
    "organization": "the tenants themselves; every tenant table refers to it",
    "user": "sign-in finds a person by a username unique across organisations, before the tenant is known",
    "api_token": "a bearer token is looked up by its hash before the tenant is known",
    "user_session": "a session cookie is looked up by its hash before the tenant is known",
    "login_throttle": "keyed by account and client address, before any tenant is known; no organisation",
    "security_event": "refused attempts, often of no known organisation (organization_id NULL)",
    "signature_image": "content-addressed by SHA-256, shared by whoever signed with the same image",
    "signing_authority": "one CA per organisation, few rows; certificates are verified by fingerprint",
    "signing_key": "people's certificates, few rows; step signatures (distributed) refer to them",
    "chain_step": "the organisation's chain configuration: a few rows, read at submission",
    "notification_settings": "one row per person, read with the person",
    "day_off": "the organisation's calendar: a few rows a year",
    "chain": "the organisation's chains per kind of memo: a few rows, read at submission",
    "chain_version": "each saved version of a chain (its steps as JSON): a memo keeps the one it took",
    "memo_template": "the organisation's ready memo texts: a few rows, read when a memo is started",
}


class next_id(ColumnElement):
    """The next surrogate id of a tenant table, evaluated inside the INSERT.

    PostgreSQL: the table's own sequence (the SERIAL the table was created with). SQLite cannot
    autoincrement a column of a composite primary key, so there the INSERT itself takes
    ``max(id) + 1``: atomic, because SQLite runs one writing statement at a time and the
    engine inserts row by row (``sqlite_engine_options``), never many rows in one statement.
    """

    type = sa.Integer()
    inherit_cache = True
    _traverse_internals = [("table_name", InternalTraversal.dp_string)]  # noqa: RUF012

    def __init__(self, table_name: str):
        self.table_name = table_name


@compiles(next_id)
def _next_id_sqlite(element: next_id, compiler, **kw) -> str:
    table = compiler.preparer.quote(element.table_name)
    return f"(SELECT coalesce(max(id), 0) + 1 FROM {table})"  # nosec B608: a table name of our own metadata, quoted by the compiler


@compiles(next_id, "postgresql")
def _next_id_postgresql(element: next_id, compiler, **kw) -> str:
    return f"nextval('{element.table_name}_id_seq')"


class next_ids(ColumnElement):
    """The ids of the rows of ``INSERT INTO table SELECT ...``, numbered in the order of ``order_by``.

    PostgreSQL: the sequence, once per row. SQLite: ``max(id)`` (read once by the statement)
    plus the row's number.
    """

    type = sa.Integer()
    inherit_cache = True
    _traverse_internals = [("table_name", InternalTraversal.dp_string),  # noqa: RUF012
                           ("order_by", InternalTraversal.dp_clauseelement)]

    def __init__(self, table_name: str, order_by):
        self.table_name = table_name
        self.order_by = order_by


@compiles(next_ids)
def _next_ids_sqlite(element: next_ids, compiler, **kw) -> str:
    table = compiler.preparer.quote(element.table_name)
    order = compiler.process(element.order_by, **kw)
    return f"((SELECT coalesce(max(id), 0) FROM {table}) + row_number() OVER (ORDER BY {order}))"  # nosec B608: a table name of our own metadata, quoted by the compiler


@compiles(next_ids, "postgresql")
def _next_ids_postgresql(element: next_ids, compiler, **kw) -> str:
    return f"nextval('{element.table_name}_id_seq')"


def tenant_id(table_name: str):
    """The surrogate ``id`` of a distributed table: half of its primary key (with organization_id)."""
    # The sequence exists in a migrated PostgreSQL database (SERIAL); create_all makes it too.
    sa.Sequence(f"{table_name}_id_seq", metadata=db.metadata)
    return mapped_column(sa.Integer, default=next_id(table_name), autoincrement=False)


def tenant_pk(column: str = "id") -> sa.PrimaryKeyConstraint:
    """The primary key of a distributed table: ``(id, organization_id)``.

    The surrogate id leads, so that a lookup by id alone (``session.get``) is one index probe.
    """
    return sa.PrimaryKeyConstraint(column, TENANT_COLUMN)


def tenant_fk(column: str, target: str, **kw) -> sa.ForeignKeyConstraint:
    """A foreign key from a distributed table to another: ``(column, organization_id) -> target(id, organization_id)``."""
    return sa.ForeignKeyConstraint([column, TENANT_COLUMN], [f"{target}.id", f"{target}.{TENANT_COLUMN}"], **kw)


def one_to_many(parent: str, child: str, column: str) -> str:
    """The join of a parent's collection of children: on the key and the organisation, so that
    the organisation is copied onto an appended child and the query stays on one shard."""
    return (f"and_({parent}.id == foreign({child}.{column}), "
            f"{parent}.{TENANT_COLUMN} == foreign({child}.{TENANT_COLUMN}))")


def many_to_one(child: str, parent: str, column: str) -> str:
    """The join of a child to its parent: on the id alone, so that the parent comes from the
    identity map when it is loaded (the organisation is the same by the composite foreign key)."""
    return f"foreign({child}.{column}) == {parent}.id"


def sqlite_engine_options(options: dict) -> dict:
    """Engine options for SQLite: insert row by row (``next_id`` takes max + 1 per statement)."""
    options.setdefault("use_insertmanyvalues", False)
    return options


def _tenant_of_parent(session: Session, obj) -> int | None:
    """The organisation of a new row's distributed parent (by relationship, or by its key)."""
    mapper = sa.inspect(obj).mapper
    for rel in mapper.relationships:
        target = rel.mapper
        if rel.direction.name != "MANYTOONE" or target.local_table.name not in DISTRIBUTED:
            continue
        parent = getattr(obj, rel.key)
        if parent is None:
            (local,) = [c for c in rel.local_columns if c.key != TENANT_COLUMN] or [None]
            value = getattr(obj, local.key) if local is not None else None
            parent = session.get(target.class_, value) if value is not None else None
        if parent is not None and getattr(parent, TENANT_COLUMN, None) is not None:
            return getattr(parent, TENANT_COLUMN)
    return None


@event.listens_for(Session, "before_flush")
def fill_tenant(session: Session, _context, _instances) -> None:
    """A new row of a distributed table without an organisation takes its parent's."""
    for obj in session.new:
        table = getattr(type(obj), "__table__", None)
        if table is None or table.name not in DISTRIBUTED or getattr(obj, TENANT_COLUMN, 1) is not None:
            continue
        tenant = _tenant_of_parent(session, obj)
        if tenant is not None:
            setattr(obj, TENANT_COLUMN, tenant)
