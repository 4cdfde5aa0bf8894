"""wizard: generation logs, wizard-made epics and their edit logs; llm_usage repair flag and cost

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 18:06:27.461245
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('initiative_generation_logs',
    sa.Column('log_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('idea_length', sa.Integer(), nullable=False),
    sa.Column('idea_hash', sa.String(length=64), nullable=False),
    sa.Column('product_name_provided', sa.Boolean(), nullable=False),
    sa.Column('has_delivery_context', sa.Boolean(), nullable=False),
    sa.Column('industry', sa.String(length=500), nullable=True),
    sa.Column('methodology', sa.String(length=20), nullable=True),
    sa.Column('team_size', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('prompt_version', sa.String(length=20), nullable=False),
    sa.Column('quality_mode', sa.String(length=20), nullable=False),
    sa.Column('passes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=True),
    sa.Column('output_tokens', sa.Integer(), nullable=True),
    sa.Column('total_retries', sa.Integer(), nullable=False),
    sa.Column('estimated_cost_usd', sa.Numeric(precision=14, scale=6), nullable=True),
    sa.Column('validation_errors', sa.ARRAY(sa.Text()), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('failed_pass', sa.SmallInteger(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('features_generated', sa.Integer(), nullable=True),
    sa.Column('stories_generated', sa.Integer(), nullable=True),
    sa.Column('critic_issues_found', sa.Integer(), nullable=True),
    sa.Column('critic_auto_fixed', sa.Integer(), nullable=True),
    sa.Column('scope_assessment', sa.String(length=20), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(outcome = 'failed') = (failed_pass IS NOT NULL)", name=op.f('ck_initiative_generation_logs_failed_pass_when_failed')),
    sa.CheckConstraint("log_id LIKE 'ilog\\_%'", name=op.f('ck_initiative_generation_logs_log_id_prefix')),
    sa.CheckConstraint("outcome IN ('success', 'failed', 'abandoned')", name=op.f('ck_initiative_generation_logs_outcome_allowed')),
    sa.CheckConstraint("quality_mode IN ('standard', 'quality')", name=op.f('ck_initiative_generation_logs_quality_mode_allowed')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_initiative_generation_logs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('log_id', name=op.f('pk_initiative_generation_logs'))
    )
    op.create_index('ix_initiative_generation_logs_user_id_created_at', 'initiative_generation_logs', ['user_id', 'created_at'], unique=False)
    op.create_table('initiative_edit_logs',
    sa.Column('edit_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('log_id', sa.String(length=50), nullable=True),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.String(length=50), nullable=False),
    sa.Column('field_edited', sa.String(length=50), nullable=False),
    sa.Column('original_length', sa.Integer(), nullable=False),
    sa.Column('edited_length', sa.Integer(), nullable=False),
    sa.Column('change_ratio', sa.Float(), nullable=False),
    sa.Column('edit_type', sa.String(length=20), nullable=False),
    sa.Column('time_to_edit_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("edit_id LIKE 'iedit\\_%'", name=op.f('ck_initiative_edit_logs_edit_id_prefix')),
    sa.CheckConstraint("edit_type IN ('add', 'remove', 'modify', 'rewrite')", name=op.f('ck_initiative_edit_logs_edit_type_allowed')),
    sa.CheckConstraint("entity_type IN ('feature', 'story')", name=op.f('ck_initiative_edit_logs_entity_type_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_initiative_edit_logs_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['log_id'], ['initiative_generation_logs.log_id'], name=op.f('fk_initiative_edit_logs_log_id_initiative_generation_logs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_initiative_edit_logs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edit_id', name=op.f('pk_initiative_edit_logs'))
    )
    op.create_index(op.f('ix_initiative_edit_logs_epic_id'), 'initiative_edit_logs', ['epic_id'], unique=False)
    op.create_index('ix_initiative_edit_logs_user_id_created_at', 'initiative_edit_logs', ['user_id', 'created_at'], unique=False)
    op.create_table('initiative_saves',
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('log_id', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_initiative_saves_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['log_id'], ['initiative_generation_logs.log_id'], name=op.f('fk_initiative_saves_log_id_initiative_generation_logs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_initiative_saves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('epic_id', name=op.f('pk_initiative_saves'))
    )
    op.create_index(op.f('ix_initiative_saves_user_id'), 'initiative_saves', ['user_id'], unique=False)
    op.add_column('llm_usage', sa.Column('repair', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('llm_usage', sa.Column('cost_usd', sa.Numeric(precision=14, scale=6), nullable=True))


def downgrade() -> None:
    op.drop_column('llm_usage', 'cost_usd')
    op.drop_column('llm_usage', 'repair')
    op.drop_index(op.f('ix_initiative_saves_user_id'), table_name='initiative_saves')
    op.drop_table('initiative_saves')
    op.drop_index('ix_initiative_edit_logs_user_id_created_at', table_name='initiative_edit_logs')
    op.drop_index(op.f('ix_initiative_edit_logs_epic_id'), table_name='initiative_edit_logs')
    op.drop_table('initiative_edit_logs')
    op.drop_index('ix_initiative_generation_logs_user_id_created_at', table_name='initiative_generation_logs')
    op.drop_table('initiative_generation_logs')
