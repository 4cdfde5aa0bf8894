"""planning: scope plans, sprint insights, initiative activity

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 16:31:30.825651
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = [("scope_plans_touch_updated_at", "BEFORE UPDATE ON scope_plans", "touch_updated_at()")]


def upgrade() -> None:
    op.create_table('sprint_insights',
    sa.Column('insight_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('sprint_number', sa.Integer(), nullable=False),
    sa.Column('insight_type', sa.String(length=50), nullable=False),
    sa.Column('content', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("insight_id LIKE 'si\\_%'", name=op.f('ck_sprint_insights_insight_id_prefix')),
    sa.CheckConstraint("insight_type IN ('kickoff_plan', 'standup_summary', 'wip_suggestions')", name=op.f('ck_sprint_insights_insight_type_allowed')),
    sa.CheckConstraint('sprint_number >= 1', name=op.f('ck_sprint_insights_sprint_number_positive')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_sprint_insights_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('insight_id', name=op.f('pk_sprint_insights'))
    )
    op.create_index('ix_sprint_insights_user_id_sprint_number_insight_type', 'sprint_insights', ['user_id', 'sprint_number', 'insight_type', 'generated_at'], unique=False)
    op.create_table('initiative_activity',
    sa.Column('activity_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('event_type', sa.String(length=30), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("activity_id LIKE 'act\\_%'", name=op.f('ck_initiative_activity_activity_id_prefix')),
    sa.CheckConstraint("event_type IN ('archived', 'restored', 'scope_plan_saved')", name=op.f('ck_initiative_activity_event_type_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_initiative_activity_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_initiative_activity_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_initiative_activity'))
    )
    op.create_index(op.f('ix_initiative_activity_epic_id'), 'initiative_activity', ['epic_id'], unique=False)
    op.create_index('ix_initiative_activity_user_id_created_at', 'initiative_activity', ['user_id', 'created_at'], unique=False)
    op.create_table('scope_plans',
    sa.Column('plan_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), server_default=sa.text("'Default Plan'"), nullable=False),
    sa.Column('deferred_story_ids', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('total_points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('deferred_points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('remaining_points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("plan_id LIKE 'splan\\_%'", name=op.f('ck_scope_plans_plan_id_prefix')),
    sa.CheckConstraint('length(btrim(name)) > 0', name=op.f('ck_scope_plans_name_not_blank')),
    sa.CheckConstraint('total_points >= 0 AND deferred_points >= 0', name=op.f('ck_scope_plans_points_not_negative')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_scope_plans_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_scope_plans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_scope_plans'))
    )
    op.create_index('ix_scope_plans_epic_id', 'scope_plans', ['epic_id'], unique=False)
    op.create_index(op.f('ix_scope_plans_user_id'), 'scope_plans', ['user_id'], unique=False)
    op.create_index('uq_scope_plans_epic_id_active', 'scope_plans', ['epic_id'], unique=True, postgresql_where=sa.text('is_active'))
    for name, when, function in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {function}")


def downgrade() -> None:
    op.execute("DROP TRIGGER scope_plans_touch_updated_at ON scope_plans")
    op.drop_index('uq_scope_plans_epic_id_active', table_name='scope_plans', postgresql_where=sa.text('is_active'))
    op.drop_index(op.f('ix_scope_plans_user_id'), table_name='scope_plans')
    op.drop_index('ix_scope_plans_epic_id', table_name='scope_plans')
    op.drop_table('scope_plans')
    op.drop_index('ix_initiative_activity_user_id_created_at', table_name='initiative_activity')
    op.drop_index(op.f('ix_initiative_activity_epic_id'), table_name='initiative_activity')
    op.drop_table('initiative_activity')
    op.drop_index('ix_sprint_insights_user_id_sprint_number_insight_type', table_name='sprint_insights')
    op.drop_table('sprint_insights')
