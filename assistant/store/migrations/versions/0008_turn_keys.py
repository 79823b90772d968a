"""Chat turns recorded under their Idempotency-Key, so that a resend is recorded once.

Revision ID: 0008_turn_keys
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_turn_keys"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turn_keys",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_turn_keys_recorded_at", "turn_keys", ["recorded_at"])


def downgrade() -> None:
    op.drop_table("turn_keys")
