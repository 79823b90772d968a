"""Conversation owners and the answer audit log; joins the feature branches into one head.

Revision ID: 0007
Revises: 0003, 0004, 0005, 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = ("0003", "0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=255), primary_key=True),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("authority", sa.String(length=40), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversations_subject", "conversations", ["subject"])
    op.create_index("ix_conversations_last_active_at", "conversations", ["last_active_at"])
    op.create_table(
        "answer_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("authority", sa.String(length=40), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
    )
    op.create_index("ix_answer_audit_conversation_id", "answer_audit", ["conversation_id"])
    op.create_index("ix_answer_audit_authority", "answer_audit", ["authority"])
    op.create_index("ix_answer_audit_answered_at", "answer_audit", ["answered_at"])


def downgrade() -> None:
    op.drop_table("answer_audit")
    op.drop_table("conversations")
