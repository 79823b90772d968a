"""Citation log: which answers cited which sections.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citation_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("section_id", sa.String(length=200), nullable=False),
        sa.Column("section_hash", sa.String(length=32), nullable=False),
        sa.Column("cited_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_citation_log_conversation_id", "citation_log", ["conversation_id"])
    op.create_index("ix_citation_log_section_id", "citation_log", ["section_id"])


def downgrade() -> None:
    op.drop_index("ix_citation_log_section_id", table_name="citation_log")
    op.drop_index("ix_citation_log_conversation_id", table_name="citation_log")
    op.drop_table("citation_log")
