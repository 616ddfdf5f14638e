"""memo search index

One search document per memo (memo_search), indexed by the database's own text index:
SQLite FTS5 with the trigram tokenizer (memo_fts, external content, kept in step by
triggers); PostgreSQL pg_trgm with a GIN index. Also two indexes for the archive and the
register. Existing memos get their search document here.

Revision ID: afa2c406592f
Revises: 4757f22923fc
Create Date: 2026-11-27 10:00:00

"""
import json
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'afa2c406592f'
down_revision = '4757f22923fc'
branch_labels = None
depends_on = None

THAI_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

SQLITE_FTS = [
    ("CREATE VIRTUAL TABLE memo_fts USING fts5("
     "text, content='memo_search', content_rowid='memo_id', tokenize='trigram')"),
    ("CREATE TRIGGER memo_search_ai AFTER INSERT ON memo_search BEGIN "
     "INSERT INTO memo_fts(rowid, text) VALUES (new.memo_id, new.text); END"),
    ("CREATE TRIGGER memo_search_ad AFTER DELETE ON memo_search BEGIN "
     "INSERT INTO memo_fts(memo_fts, rowid, text) VALUES ('delete', old.memo_id, old.text); END"),
    ("CREATE TRIGGER memo_search_au AFTER UPDATE ON memo_search BEGIN "
     "INSERT INTO memo_fts(memo_fts, rowid, text) VALUES ('delete', old.memo_id, old.text); "
     "INSERT INTO memo_fts(rowid, text) VALUES (new.memo_id, new.text); END"),
]


def _document_text(number, subject, sections, comments, names):
    """Frozen copy of services.search.document_text (migrations do not import the app)."""
    parts = []
    if number:
        parts.append(number)
        latin = number.translate(THAI_TO_ARABIC)
        if latin != number:
            parts.append(latin)
    parts.append(subject or "")
    for section in sections or ():
        parts.append(section.get("title") or "")
        parts.append(section.get("body") or "")
    parts.extend(c for c in comments if c)
    parts.extend(n for n in names if n)
    return unicodedata.normalize("NFC", "\n".join(p for p in parts if p)).lower()


def _backfill(bind):
    memos = bind.execute(sa.text("SELECT id, organization_id, number, subject, sections FROM memo")).all()
    rows = []
    for memo_id, org_id, number, subject, sections in memos:
        if isinstance(sections, str):
            sections = json.loads(sections)
        comments = bind.execute(sa.text(
            "SELECT comment FROM step WHERE memo_id = :m ORDER BY round, seq"), {"m": memo_id}).scalars()
        names = bind.execute(sa.text(
            "SELECT p.name FROM plan_project p JOIN plan_report r ON p.report_id = r.id "
            "WHERE r.memo_id = :m ORDER BY p.position"), {"m": memo_id}).scalars()
        rows.append({"memo_id": memo_id, "organization_id": org_id,
                     "text": _document_text(number, subject, sections, list(comments), list(names))})
    if rows:
        bind.execute(sa.text(
            "INSERT INTO memo_search (memo_id, organization_id, text) VALUES (:memo_id, :organization_id, :text)"
        ), rows)


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.create_table('memo_search',
    sa.Column('memo_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['memo_id'], ['memo.id'], name=op.f('fk_memo_search_memo_id_memo')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_memo_search_organization_id_organization')),
    sa.PrimaryKeyConstraint('memo_id', name=op.f('pk_memo_search'))
    )
    with op.batch_alter_table('memo_search', schema=None) as batch_op:
        batch_op.create_index('ix_memo_search_org', ['organization_id'], unique=False)
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.create_index('ix_memo_org_decided', ['organization_id', 'decided_at', 'state'], unique=False)
        batch_op.create_index('ix_memo_org_date', ['organization_id', 'date', 'state', 'decision', 'decided_at'], unique=False)
        batch_op.create_index('ix_memo_org_number', ['organization_id', 'number_year', 'number_seq'], unique=False)

    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_memo_search_text_trgm ON memo_search USING gin (text gin_trgm_ops)")
    _backfill(bind)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("memo_search_au", "memo_search_ad", "memo_search_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS memo_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_memo_search_text_trgm")
        # The pg_trgm extension stays: other schemas of the database may use it.
    with op.batch_alter_table('memo', schema=None) as batch_op:
        batch_op.drop_index('ix_memo_org_number')
        batch_op.drop_index('ix_memo_org_date')
        batch_op.drop_index('ix_memo_org_decided')
    with op.batch_alter_table('memo_search', schema=None) as batch_op:
        batch_op.drop_index('ix_memo_search_org')
    op.drop_table('memo_search')
