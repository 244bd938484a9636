"""seen webhook events (redeliveries handled once) and rotating channel tokens (Zalo)

Revision ID: 0006
Revises: 0007 (the admin's migration landed first; the ids give the order they were written in)
Create Date: 2026-12-10 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'seen_events',
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('channel', 'key', name=op.f('pk_seen_events')),
    )
    op.create_index('ix_seen_events_at', 'seen_events', ['at'], unique=False)
    op.create_table(
        'channel_tokens',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('access', sa.Text(), nullable=False),
        sa.Column('refresh', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('seed', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_channel_tokens')),
    )


def downgrade() -> None:
    op.drop_table('channel_tokens')
    op.drop_index('ix_seen_events_at', table_name='seen_events')
    op.drop_table('seen_events')
