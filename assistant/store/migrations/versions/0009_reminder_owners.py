"""Reminders record who set them (the owner's subject, authority and sign-in method).

Rows from before have no owner and are left so: delivery withholds a reminder without an
owner rather than guess whose it is (assistant/core/reminders/delivery.py); the worker sets
it again by asking for their checkpoints. Filling the owner in from the conversation's owner
was not chosen: before issue 16's tenancy fix, a turn could reach another authority's plan,
so a conversation's owner is not proof of whose a reminder's plan is.

Revision ID: 0009_reminder_owners
Revises: 0008_turn_keys
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_reminder_owners"
down_revision = "0008_turn_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("owner_subject", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("owner_authority", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("owner_method", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("owner_method")
        batch.drop_column("owner_authority")
        batch.drop_column("owner_subject")
