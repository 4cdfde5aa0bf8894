"""bugs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 22:06:42.984245
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = [
    ("bugs_touch_updated_at", "BEFORE UPDATE ON bugs", "touch_updated_at()"),
    ("bug_status_history_append_only", "BEFORE UPDATE OR DELETE ON bug_status_history", "guard_append_only('bug_id')"),
]
TRIGGER_TABLES = {name: when.rsplit(" ON ", 1)[1] for name, when, _ in TRIGGERS}


def upgrade() -> None:
    op.create_table('bugs',
    sa.Column('bug_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=20), server_default=sa.text("'medium'"), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'draft'"), nullable=False),
    sa.Column('steps_to_reproduce', sa.Text(), nullable=True),
    sa.Column('expected_behavior', sa.Text(), nullable=True),
    sa.Column('actual_behavior', sa.Text(), nullable=True),
    sa.Column('environment', sa.String(length=500), nullable=True),
    sa.Column('assignee_id', sa.String(length=50), nullable=True),
    sa.Column('priority', sa.String(length=5), nullable=True),
    sa.Column('due_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_deleted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rice_reach', sa.Integer(), nullable=True),
    sa.Column('rice_impact', sa.Float(), nullable=True),
    sa.Column('rice_confidence', sa.Float(), nullable=True),
    sa.Column('rice_effort', sa.Float(), nullable=True),
    sa.Column('rice_total', sa.Float(), nullable=True),
    sa.Column('rice_reasoning', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("bug_id LIKE 'bug\\_%'", name=op.f('ck_bugs_bug_id_prefix')),
    sa.CheckConstraint("priority IN ('p0', 'p1', 'p2', 'p3')", name=op.f('ck_bugs_priority_allowed')),
    sa.CheckConstraint("severity IN ('critical', 'high', 'medium', 'low')", name=op.f('ck_bugs_severity_allowed')),
    sa.CheckConstraint("status IN ('draft', 'confirmed', 'in_progress', 'resolved', 'closed')", name=op.f('ck_bugs_status_allowed')),
    sa.CheckConstraint('is_deleted = (deleted_at IS NOT NULL)', name=op.f('ck_bugs_deleted_at_when_deleted')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_bugs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bug_id', name=op.f('pk_bugs'))
    )
    op.create_index(op.f('ix_bugs_user_id'), 'bugs', ['user_id'], unique=False)
    op.create_table('bug_status_history',
    sa.Column('history_id', sa.String(length=50), nullable=False),
    sa.Column('bug_id', sa.String(length=50), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('changed_by', sa.String(length=50), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.CheckConstraint("from_status IN ('draft', 'confirmed', 'in_progress', 'resolved', 'closed')", name=op.f('ck_bug_status_history_from_status_allowed')),
    sa.CheckConstraint("history_id LIKE 'hist\\_%'", name=op.f('ck_bug_status_history_history_id_prefix')),
    sa.CheckConstraint("to_status IN ('draft', 'confirmed', 'in_progress', 'resolved', 'closed')", name=op.f('ck_bug_status_history_to_status_allowed')),
    sa.ForeignKeyConstraint(['bug_id'], ['bugs.bug_id'], name=op.f('fk_bug_status_history_bug_id_bugs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by'], ['users.user_id'], name=op.f('fk_bug_status_history_changed_by_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('history_id', name=op.f('pk_bug_status_history'))
    )
    op.create_index('ix_bug_status_history_bug_id_seq', 'bug_status_history', ['bug_id', 'seq'], unique=False)
    op.create_table('bug_links',
    sa.Column('link_id', sa.String(length=50), nullable=False),
    sa.Column('bug_id', sa.String(length=50), nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=True),
    sa.Column('feature_id', sa.String(length=50), nullable=True),
    sa.Column('story_id', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(entity_type = 'epic') = (epic_id IS NOT NULL) AND (entity_type = 'feature') = (feature_id IS NOT NULL)", name=op.f('ck_bug_links_target_matches_type')),
    sa.CheckConstraint("entity_type IN ('epic', 'feature', 'story')", name=op.f('ck_bug_links_entity_type_allowed')),
    sa.CheckConstraint("link_id LIKE 'link\\_%'", name=op.f('ck_bug_links_link_id_prefix')),
    sa.CheckConstraint('num_nonnulls(epic_id, feature_id, story_id) = 1', name=op.f('ck_bug_links_one_target')),
    sa.ForeignKeyConstraint(['bug_id'], ['bugs.bug_id'], name=op.f('fk_bug_links_bug_id_bugs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_bug_links_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feature_id'], ['features.feature_id'], name=op.f('fk_bug_links_feature_id_features'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['user_stories.story_id'], name=op.f('fk_bug_links_story_id_user_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('link_id', name=op.f('pk_bug_links')),
    sa.UniqueConstraint('bug_id', 'epic_id', name=op.f('uq_bug_links_bug_id_epic_id')),
    sa.UniqueConstraint('bug_id', 'feature_id', name=op.f('uq_bug_links_bug_id_feature_id')),
    sa.UniqueConstraint('bug_id', 'story_id', name=op.f('uq_bug_links_bug_id_story_id'))
    )
    op.create_index(op.f('ix_bug_links_bug_id'), 'bug_links', ['bug_id'], unique=False)
    op.create_index(op.f('ix_bug_links_epic_id'), 'bug_links', ['epic_id'], unique=False)
    op.create_index(op.f('ix_bug_links_feature_id'), 'bug_links', ['feature_id'], unique=False)
    op.create_index(op.f('ix_bug_links_story_id'), 'bug_links', ['story_id'], unique=False)
    for name, when, function in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {function}")


def downgrade() -> None:
    for name, table in TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.drop_index(op.f('ix_bug_links_story_id'), table_name='bug_links')
    op.drop_index(op.f('ix_bug_links_feature_id'), table_name='bug_links')
    op.drop_index(op.f('ix_bug_links_epic_id'), table_name='bug_links')
    op.drop_index(op.f('ix_bug_links_bug_id'), table_name='bug_links')
    op.drop_table('bug_links')
    op.drop_index('ix_bug_status_history_bug_id_seq', table_name='bug_status_history')
    op.drop_table('bug_status_history')
    op.drop_index(op.f('ix_bugs_user_id'), table_name='bugs')
    op.drop_table('bugs')
