"""The schema is ready to shard: Citus's rules hold on the models and on the migrated database.

Every table is either a tenant table, distributed by organization_id, or a shared reference
table (approval/models/tenancy.py says which and why). A distributed table carries
organization_id NOT NULL, in its primary key, in every unique constraint or unique index,
and in every foreign key to another distributed table (on both sides); a reference table
never refers to a distributed one. A table added later that is not classified, or breaks a
rule, fails here with its name in the message.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import configure_mappers

from approval.extensions import db
from approval.models import Event, Memo, MemoDocument, PlanProject, PlanReport, Step
from approval.models.tenancy import DISTRIBUTED, REFERENCE, TENANT_COLUMN
from tests import helpers

#: Tables of the search index that SQLite keeps beside memo_search (FTS5 shadow tables).
SQLITE_FTS = {"memo_fts", "memo_fts_data", "memo_fts_idx", "memo_fts_docsize", "memo_fts_config"}


@dataclass
class Shape:
    """What the rules look at in one table, read from the metadata or from the database."""
    columns: dict[str, bool] = field(default_factory=dict)  #: name -> nullable
    primary_key: list[str] = field(default_factory=list)
    uniques: list[tuple[str, list[str]]] = field(default_factory=list)  #: (name, columns)
    foreign_keys: list[tuple[str, list[str], str, list[str]]] = field(default_factory=list)


def shapes_of_metadata(metadata: sa.MetaData) -> dict[str, Shape]:
    """The shapes of the tables as the models declare them."""
    found = {}
    for table in metadata.tables.values():
        shape = Shape(columns={c.name: c.nullable for c in table.columns},
                      primary_key=[c.name for c in table.primary_key.columns])
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                shape.uniques.append((str(constraint.name), [c.name for c in constraint.columns]))
            elif isinstance(constraint, sa.ForeignKeyConstraint):
                shape.foreign_keys.append((str(constraint.name), list(constraint.column_keys),
                                           constraint.referred_table.name, [e.column.name for e in constraint.elements]))
        for index in table.indexes:
            if index.unique:
                shape.uniques.append((str(index.name), [c.name for c in index.columns]))
        found[table.name] = shape
    return found


def shapes_of_database(engine) -> dict[str, Shape]:
    """The shapes of the tables as the migrations made them."""
    inspector = sa.inspect(engine)
    found = {}
    for name in inspector.get_table_names():
        if name == "alembic_version" or name in SQLITE_FTS:
            continue
        shape = Shape(columns={c["name"]: c["nullable"] for c in inspector.get_columns(name)},
                      primary_key=inspector.get_pk_constraint(name)["constrained_columns"])
        for unique in inspector.get_unique_constraints(name):
            shape.uniques.append((str(unique["name"]), unique["column_names"]))
        for index in inspector.get_indexes(name):
            if index["unique"]:
                shape.uniques.append((str(index["name"]), index["column_names"]))
        for fk in inspector.get_foreign_keys(name):
            shape.foreign_keys.append((str(fk["name"]), fk["constrained_columns"], fk["referred_table"],
                                       fk["referred_columns"]))
        found[name] = shape
    return found


def problems(shapes: dict[str, Shape], distributed=DISTRIBUTED, reference=REFERENCE) -> list[str]:
    """Every breach of the rules, one sentence each, naming the table."""
    found = []
    for name in sorted(set(distributed) & set(reference)):
        found.append(f"{name}: listed both as distributed and as reference (approval/models/tenancy.py)")
    for name in sorted(set(distributed) | set(reference)):
        if name not in shapes:
            found.append(f"{name}: listed in approval/models/tenancy.py but there is no such table")
    for name, shape in sorted(shapes.items()):
        if name not in distributed and name not in reference:
            found.append(f"{name}: not classified: add it to DISTRIBUTED or REFERENCE in approval/models/tenancy.py")
            continue
        if name in reference:
            for fk_name, _columns, parent, _remote in shape.foreign_keys:
                if parent in distributed:
                    found.append(f"{name}: reference table with a foreign key ({fk_name}) to the distributed table {parent}")
            continue
        if TENANT_COLUMN not in shape.columns:
            found.append(f"{name}: distributed table without {TENANT_COLUMN}")
            continue
        if shape.columns[TENANT_COLUMN]:
            found.append(f"{name}: {TENANT_COLUMN} may be NULL")
        if TENANT_COLUMN not in shape.primary_key:
            found.append(f"{name}: primary key {shape.primary_key} lacks {TENANT_COLUMN}")
        for unique_name, columns in shape.uniques:
            if TENANT_COLUMN not in columns:
                found.append(f"{name}: unique {unique_name} {columns} lacks {TENANT_COLUMN}")
        for fk_name, columns, parent, remote in shape.foreign_keys:
            if parent not in distributed:
                continue
            pairs = dict(zip(columns, remote, strict=True))
            if pairs.get(TENANT_COLUMN) != TENANT_COLUMN:
                found.append(f"{name}: foreign key {fk_name} {columns} -> {parent}{remote} "
                             f"does not pair {TENANT_COLUMN} with {parent}.{TENANT_COLUMN}")
    return found


def test_the_models_follow_the_rules():
    assert problems(shapes_of_metadata(db.metadata)) == []


def test_the_migrated_database_follows_the_rules(app):
    with app.app_context():
        assert problems(shapes_of_database(db.engine)) == []


def test_the_migrated_database_has_the_models_keys(app):
    """The migration and the models agree on every key the rules look at."""
    with app.app_context():
        live = shapes_of_database(db.engine)
    declared = shapes_of_metadata(db.metadata)
    assert set(live) == set(declared)
    for name, shape in declared.items():
        assert set(live[name].primary_key) == set(shape.primary_key), name
        assert {frozenset(c) for _n, c in live[name].uniques} == {frozenset(c) for _n, c in shape.uniques}, name
        assert ({(frozenset(zip(c, r, strict=True)), p) for _n, c, p, r in live[name].foreign_keys}
                == {(frozenset(zip(c, r, strict=True)), p) for _n, c, p, r in shape.foreign_keys}), name


def test_a_new_table_that_breaks_a_rule_is_named():
    """What a future table would get: an unclassified table, and a tenant table with a global unique,
    a key without the organisation and a foreign key on the parent's id alone."""
    metadata = sa.MetaData()
    sa.Table("organization", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("memo", metadata, sa.Column("id", sa.Integer), sa.Column(TENANT_COLUMN, sa.Integer, nullable=False),
             sa.PrimaryKeyConstraint("id", TENANT_COLUMN))
    sa.Table("memo_tag", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column(TENANT_COLUMN, sa.ForeignKey("organization.id"), nullable=True),
             sa.Column("memo_id", sa.Integer), sa.Column("tag", sa.String(20), unique=True),
             sa.ForeignKeyConstraint(["memo_id"], ["memo.id"], name="fk_tag_memo"))
    sa.Table("stray", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("shared", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("memo_id", sa.Integer),
             sa.Column(TENANT_COLUMN, sa.Integer),
             sa.ForeignKeyConstraint(["memo_id", TENANT_COLUMN], ["memo.id", f"memo.{TENANT_COLUMN}"], name="fk_shared_memo"))
    found = problems(shapes_of_metadata(metadata), distributed={"memo": "", "memo_tag": ""},
                     reference={"organization": "", "shared": "", "gone": ""})
    assert found == [
        "gone: listed in approval/models/tenancy.py but there is no such table",
        "memo_tag: organization_id may be NULL",
        "memo_tag: primary key ['id'] lacks organization_id",
        "memo_tag: unique None ['tag'] lacks organization_id",
        "memo_tag: foreign key fk_tag_memo ['memo_id'] -> memo['id'] does not pair organization_id with memo.organization_id",
        "shared: reference table with a foreign key (fk_shared_memo) to the distributed table memo",
        "stray: not classified: add it to DISTRIBUTED or REFERENCE in approval/models/tenancy.py",
    ]


def test_the_mappers_configure_without_warnings():
    """The composite keys overlap organization_id across relationships: no overlap warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        configure_mappers()


def test_the_orm_still_knows_a_row_by_its_id(seeded):
    memo = helpers.memo_in("decided")
    db.session.expire_all()
    assert db.session.get(Memo, memo.id).id == memo.id
    step = memo.steps[0]
    assert db.session.get(Step, step.id) is step
    assert sa.inspect(Memo).primary_key == (Memo.__table__.c.id,)
    assert memo.document.memo is memo  # many-to-one from the identity map


def test_children_take_their_parents_organisation(seeded):
    """A child appended to its parent, or given only its parent's id, gets the parent's organisation."""
    memo = helpers.reference_memo()
    report = memo.plan_report
    project = PlanProject(no=99, position=99, dimension=1, name="โครงการทดสอบ", status="waiting")
    report.projects.append(project)  # through the collection
    event = Event(memo_id=memo.id, action="test", comment="", data={}, at=memo.created_at,
                  prev_hash="0" * 64, hash="e" * 64)  # by the parent's key alone (the flush hook)
    db.session.add(event)
    db.session.flush()
    assert project.organization_id == memo.organization_id == event.organization_id
    db.session.rollback()


def test_a_child_cannot_belong_to_another_organisation(seeded, users):
    """The composite foreign key: a step of org 1's memo recorded under org 2 is refused by the database."""
    memo = helpers.reference_memo()
    other = users["org2.legal"].organization_id
    assert other != memo.organization_id
    with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.insert(MemoDocument.__table__).values(
            organization_id=other, memo_id=memo.id, sha256="0" * 64, content=b"%PDF", created_at=memo.created_at))
        conn.commit()


def test_the_reference_memo_report_stays_one_per_memo(seeded):
    """The uniques still hold inside the organisation: a second plan report for the same memo is refused."""
    memo = helpers.reference_memo()
    with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.insert(PlanReport.__table__).values(
            organization_id=memo.organization_id, memo_id=memo.id, fiscal_year=2567, round=6, minimum_projects=1,
            problems=[], suggestions=[], reporter_name="", reporter_position="", updated_at=memo.created_at))
        conn.commit()
