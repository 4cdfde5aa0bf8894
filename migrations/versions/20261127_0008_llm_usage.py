"""llm usage: one row per provider call (metering)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 16:00:21.021431
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('llm_usage',
    sa.Column('usage_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('route', sa.String(length=100), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=True),
    sa.Column('output_tokens', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("outcome IN ('ok', 'failed', 'interrupted')", name=op.f('ck_llm_usage_outcome_allowed')),
    sa.CheckConstraint("usage_id LIKE 'use\\_%'", name=op.f('ck_llm_usage_usage_id_prefix')),
    sa.CheckConstraint('input_tokens >= 0 AND output_tokens >= 0 AND duration_ms >= 0', name=op.f('ck_llm_usage_counts_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_llm_usage_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('usage_id', name=op.f('pk_llm_usage'))
    )
    op.create_index('ix_llm_usage_user_id_created_at', 'llm_usage', ['user_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_llm_usage_user_id_created_at', table_name='llm_usage')
    op.drop_table('llm_usage')
