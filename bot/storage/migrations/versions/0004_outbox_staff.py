"""the outbox, the staff table, offered cases, referrals, outcomes and message authors

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 20:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'staff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pseudonym', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('roles', sa.String(length=120), nullable=False),
        sa.Column('telegram_id', sa.String(length=32), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
        sa.UniqueConstraint('pseudonym', name=op.f('uq_staff_pseudonym')),
        sa.UniqueConstraint('telegram_id', name=op.f('uq_staff_telegram_id')),
    )
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=64), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('dedupe_key', sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key')),
    )
    op.create_index('ix_outbox_due', 'outbox', ['status', 'priority', 'id'], unique=False)
    op.create_index(
        'ix_outbox_recipient', 'outbox', ['channel', 'recipient', 'status'], unique=False
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_to', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('author', sa.String(length=16), server_default='', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('case_messages', schema=None) as batch_op:
        batch_op.drop_column('author')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('outcome')
        batch_op.drop_column('referred_to')
    op.drop_index('ix_outbox_recipient', table_name='outbox')
    op.drop_index('ix_outbox_due', table_name='outbox')
    op.drop_table('outbox')
    op.drop_table('staff')
