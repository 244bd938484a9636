"""campaigns: subscriptions and communes on users, campaigns and their audit, shared outbox payloads

Revision ID: 0005
Revises: 0006 (landed after the admin's and Zalo's migrations)
Create Date: 2026-12-10 20:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frequency', sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column('topics', sa.String(length=120), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('child_age', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('subscribed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'outbox_payloads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_payloads')),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('message_ref', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_outbox_payload_id_outbox_payloads'),
            'outbox_payloads',
            ['payload_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_index('ix_outbox_campaign', ['campaign_id', 'status'], unique=False)
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('author', sa.String(length=16), nullable=True),
        sa.Column('submitted_by', sa.String(length=16), nullable=True),
        sa.Column('approved_by', sa.String(length=16), nullable=True),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('messages', sa.JSON(), nullable=False),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('schedule', sa.JSON(), nullable=False),
        sa.Column('audience_size', sa.Integer(), nullable=True),
        sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    )
    op.create_index('ix_campaigns_status', 'campaigns', ['status', 'next_run_at'], unique=False)
    op.create_table(
        'campaign_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=32), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('detail', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ['campaign_id'],
            ['campaigns.id'],
            name=op.f('fk_campaign_audit_campaign_id_campaigns'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_audit')),
    )
    op.create_index(
        op.f('ix_campaign_audit_campaign_id'), 'campaign_audit', ['campaign_id'], unique=False
    )
    op.create_table(
        'periodic',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('done', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_periodic')),
    )


def downgrade() -> None:
    op.drop_table('periodic')
    op.drop_index(op.f('ix_campaign_audit_campaign_id'), table_name='campaign_audit')
    op.drop_table('campaign_audit')
    op.drop_index('ix_campaigns_status', table_name='campaigns')
    op.drop_table('campaigns')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_campaign')
        batch_op.drop_constraint(op.f('fk_outbox_payload_id_outbox_payloads'), type_='foreignkey')
        batch_op.drop_column('message_ref')
        batch_op.drop_column('campaign_id')
        batch_op.drop_column('payload_id')
    op.drop_table('outbox_payloads')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('opted_out_at')
        batch_op.drop_column('subscribed_at')
        batch_op.drop_column('child_age')
        batch_op.drop_column('topics')
        batch_op.drop_column('frequency')
