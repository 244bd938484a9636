"""webhook events kept until handled: seen_events.payload (Telegram's durable inbox)

Revision ID: 0008
Revises: 0005 (the head when it was written)
Create Date: 2026-12-06 23:10:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('seen_events') as batch:
        batch.add_column(sa.Column('payload', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('seen_events') as batch:
        batch.drop_column('payload')
