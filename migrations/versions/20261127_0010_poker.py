"""poker: estimate sessions and persona estimates

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 17:05:44.690247
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('poker_estimate_sessions',
    sa.Column('session_id', sa.String(length=50), nullable=False),
    sa.Column('story_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('min_estimate', sa.Integer(), nullable=True),
    sa.Column('max_estimate', sa.Integer(), nullable=True),
    sa.Column('average_estimate', sa.Float(), nullable=True),
    sa.Column('suggested_estimate', sa.Integer(), nullable=True),
    sa.Column('accepted_estimate', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("session_id LIKE 'pses\\_%'", name=op.f('ck_poker_estimate_sessions_session_id_prefix')),
    sa.CheckConstraint('(accepted_estimate IS NULL) = (accepted_at IS NULL)', name=op.f('ck_poker_estimate_sessions_accepted_at_when_accepted')),
    sa.CheckConstraint('accepted_estimate IS NULL OR accepted_estimate IN (1, 2, 3, 5, 8, 13)', name=op.f('ck_poker_estimate_sessions_accepted_is_fibonacci')),
    sa.ForeignKeyConstraint(['story_id'], ['user_stories.story_id'], name=op.f('fk_poker_estimate_sessions_story_id_user_stories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_poker_estimate_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_poker_estimate_sessions'))
    )
    op.create_index('ix_poker_estimate_sessions_story_id_created_at', 'poker_estimate_sessions', ['story_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_poker_estimate_sessions_user_id'), 'poker_estimate_sessions', ['user_id'], unique=False)
    op.create_table('poker_persona_estimates',
    sa.Column('estimate_id', sa.String(length=50), nullable=False),
    sa.Column('session_id', sa.String(length=50), nullable=False),
    sa.Column('persona_name', sa.String(length=100), nullable=False),
    sa.Column('persona_role', sa.String(length=100), nullable=False),
    sa.Column('estimate_points', sa.Integer(), nullable=False),
    sa.Column('reasoning', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("confidence IN ('low', 'medium', 'high')", name=op.f('ck_poker_persona_estimates_confidence_allowed')),
    sa.CheckConstraint("estimate_id LIKE 'pest\\_%'", name=op.f('ck_poker_persona_estimates_estimate_id_prefix')),
    sa.CheckConstraint('estimate_points IN (1, 2, 3, 5, 8, 13)', name=op.f('ck_poker_persona_estimates_estimate_is_fibonacci')),
    sa.ForeignKeyConstraint(['session_id'], ['poker_estimate_sessions.session_id'], name=op.f('fk_poker_persona_estimates_session_id_poker_estimate_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('estimate_id', name=op.f('pk_poker_persona_estimates'))
    )
    op.create_index(op.f('ix_poker_persona_estimates_session_id'), 'poker_persona_estimates', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_poker_persona_estimates_session_id'), table_name='poker_persona_estimates')
    op.drop_table('poker_persona_estimates')
    op.drop_index(op.f('ix_poker_estimate_sessions_user_id'), table_name='poker_estimate_sessions')
    op.drop_index('ix_poker_estimate_sessions_story_id_created_at', table_name='poker_estimate_sessions')
    op.drop_table('poker_estimate_sessions')
