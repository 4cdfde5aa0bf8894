"""features and user stories

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 21:50:26.099098
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Once approved, a work item stays approved and the content columns named in the trigger's arguments
# never change; scoring, points and sprint columns stay writable.
GUARD_APPROVED_CONTENT = """
CREATE FUNCTION guard_approved_content() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    frozen_column text;
BEGIN
    IF OLD.current_stage <> 'approved' THEN
        RETURN NEW;
    END IF;
    IF NEW.current_stage <> 'approved' OR NEW.approved_at IS DISTINCT FROM OLD.approved_at THEN
        RAISE EXCEPTION '% is approved and stays approved', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END IF;
    FOREACH frozen_column IN ARRAY TG_ARGV LOOP
        IF to_jsonb(NEW) -> frozen_column IS DISTINCT FROM to_jsonb(OLD) -> frozen_column THEN
            RAISE EXCEPTION 'approved % cannot change %', TG_TABLE_NAME, frozen_column
                USING ERRCODE = 'restrict_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$
"""

FEATURE_CONTENT = "'epic_id', 'title', 'description', 'acceptance_criteria', 'source'"
STORY_CONTENT = (
    "'feature_id', 'title', 'persona', 'action', 'benefit', 'acceptance_criteria', 'labels', 'story_priority', "
    "'dependencies', 'risks', 'edge_cases', 'notes_for_engineering', 'source'"
)
TRIGGERS = [
    ("features_approved_content", "BEFORE UPDATE ON features", f"guard_approved_content({FEATURE_CONTENT})"),
    ("user_stories_approved_content", "BEFORE UPDATE ON user_stories", f"guard_approved_content({STORY_CONTENT})"),
    ("features_touch_updated_at", "BEFORE UPDATE ON features", "touch_updated_at()"),
    ("user_stories_touch_updated_at", "BEFORE UPDATE ON user_stories", "touch_updated_at()"),
    (
        "feature_conversation_events_append_only",
        "BEFORE UPDATE OR DELETE ON feature_conversation_events",
        "guard_append_only('feature_id', 'epic_id')",
    ),
    (
        "user_story_conversation_events_append_only",
        "BEFORE UPDATE OR DELETE ON user_story_conversation_events",
        "guard_append_only('story_id', 'feature_id', 'epic_id')",
    ),
]
TRIGGER_TABLES = {name: when.rsplit(" ON ", 1)[1] for name, when, _ in TRIGGERS}


def upgrade() -> None:
    op.create_table('features',
    sa.Column('feature_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('acceptance_criteria', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('current_stage', sa.String(length=20), server_default=sa.text("'draft'"), nullable=False),
    sa.Column('source', sa.String(length=20), server_default=sa.text("'manual'"), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('moscow_score', sa.String(length=20), nullable=True),
    sa.Column('moscow_reasoning', sa.Text(), nullable=True),
    sa.Column('rice_reach', sa.Integer(), nullable=True),
    sa.Column('rice_impact', sa.Float(), nullable=True),
    sa.Column('rice_confidence', sa.Float(), nullable=True),
    sa.Column('rice_effort', sa.Float(), nullable=True),
    sa.Column('rice_total', sa.Float(), nullable=True),
    sa.Column('rice_reasoning', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(current_stage = 'approved') = (approved_at IS NOT NULL)", name=op.f('ck_features_approved_at_when_approved')),
    sa.CheckConstraint("current_stage IN ('draft', 'refining', 'approved')", name=op.f('ck_features_current_stage_allowed')),
    sa.CheckConstraint("feature_id LIKE 'feat\\_%'", name=op.f('ck_features_feature_id_prefix')),
    sa.CheckConstraint("moscow_score IN ('must_have', 'should_have', 'could_have', 'wont_have')", name=op.f('ck_features_moscow_score_allowed')),
    sa.CheckConstraint("source IN ('manual', 'ai_generated')", name=op.f('ck_features_source_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_features_epic_id_epics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('feature_id', name=op.f('pk_features'))
    )
    op.create_index(op.f('ix_features_epic_id'), 'features', ['epic_id'], unique=False)
    op.create_table('feature_conversation_events',
    sa.Column('event_id', sa.String(length=50), nullable=False),
    sa.Column('feature_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('event_metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.CheckConstraint("event_id LIKE 'fevt\\_%'", name=op.f('ck_feature_conversation_events_event_id_prefix')),
    sa.CheckConstraint("role IN ('user', 'assistant', 'system')", name=op.f('ck_feature_conversation_events_role_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_feature_conversation_events_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feature_id'], ['features.feature_id'], name=op.f('fk_feature_conversation_events_feature_id_features'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_feature_conversation_events'))
    )
    op.create_index('ix_feature_conversation_events_feature_id_seq', 'feature_conversation_events', ['feature_id', 'seq'], unique=False)
    op.create_table('user_stories',
    sa.Column('story_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('feature_id', sa.String(length=50), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('persona', sa.String(length=200), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('benefit', sa.Text(), nullable=False),
    sa.Column('story_text', sa.Text(), sa.Computed("'As a ' || persona || ', I want to ' || action || ' so that ' || benefit || '.'", persisted=True), nullable=True),
    sa.Column('acceptance_criteria', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('labels', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('story_priority', sa.String(length=20), nullable=True),
    sa.Column('dependencies', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('risks', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('edge_cases', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('notes_for_engineering', sa.Text(), nullable=True),
    sa.Column('current_stage', sa.String(length=20), server_default=sa.text("'draft'"), nullable=False),
    sa.Column('source', sa.String(length=20), server_default=sa.text("'manual'"), nullable=False),
    sa.Column('story_points', sa.Integer(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('rice_reach', sa.Integer(), nullable=True),
    sa.Column('rice_impact', sa.Float(), nullable=True),
    sa.Column('rice_confidence', sa.Float(), nullable=True),
    sa.Column('rice_effort', sa.Float(), nullable=True),
    sa.Column('rice_total', sa.Float(), nullable=True),
    sa.Column('rice_reasoning', sa.Text(), nullable=True),
    sa.Column('is_standalone', sa.Boolean(), sa.Computed('feature_id IS NULL', persisted=True), nullable=True),
    sa.Column('sprint_number', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('blocked_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(current_stage = 'approved') = (approved_at IS NOT NULL)", name=op.f('ck_user_stories_approved_at_when_approved')),
    sa.CheckConstraint("current_stage IN ('draft', 'refining', 'approved')", name=op.f('ck_user_stories_current_stage_allowed')),
    sa.CheckConstraint("source IN ('manual', 'ai_generated')", name=op.f('ck_user_stories_source_allowed')),
    sa.CheckConstraint("status IN ('draft', 'ready', 'in_progress', 'done', 'blocked')", name=op.f('ck_user_stories_status_allowed')),
    sa.CheckConstraint("story_id LIKE 'story\\_%'", name=op.f('ck_user_stories_story_id_prefix')),
    sa.CheckConstraint("story_priority IN ('must-have', 'should-have', 'nice-to-have')", name=op.f('ck_user_stories_story_priority_allowed')),
    sa.CheckConstraint('story_points >= 0', name=op.f('ck_user_stories_story_points_range')),
    sa.ForeignKeyConstraint(['feature_id'], ['features.feature_id'], name=op.f('fk_user_stories_feature_id_features'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_user_stories_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', name=op.f('pk_user_stories'))
    )
    op.create_index(op.f('ix_user_stories_feature_id'), 'user_stories', ['feature_id'], unique=False)
    op.create_index(op.f('ix_user_stories_user_id'), 'user_stories', ['user_id'], unique=False)
    op.create_table('user_story_conversation_events',
    sa.Column('event_id', sa.String(length=50), nullable=False),
    sa.Column('story_id', sa.String(length=50), nullable=False),
    sa.Column('feature_id', sa.String(length=50), nullable=True),
    sa.Column('epic_id', sa.String(length=50), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('event_metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.CheckConstraint("event_id LIKE 'sevt\\_%'", name=op.f('ck_user_story_conversation_events_event_id_prefix')),
    sa.CheckConstraint("role IN ('user', 'assistant', 'system')", name=op.f('ck_user_story_conversation_events_role_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_user_story_conversation_events_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feature_id'], ['features.feature_id'], name=op.f('fk_user_story_conversation_events_feature_id_features'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['user_stories.story_id'], name=op.f('fk_user_story_conversation_events_story_id_user_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_user_story_conversation_events'))
    )
    op.create_index('ix_user_story_conversation_events_story_id_seq', 'user_story_conversation_events', ['story_id', 'seq'], unique=False)
    op.execute(GUARD_APPROVED_CONTENT)
    for name, when, function in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {function}")


def downgrade() -> None:
    for name, table in TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION guard_approved_content()")
    op.drop_index('ix_user_story_conversation_events_story_id_seq', table_name='user_story_conversation_events')
    op.drop_table('user_story_conversation_events')
    op.drop_index(op.f('ix_user_stories_user_id'), table_name='user_stories')
    op.drop_index(op.f('ix_user_stories_feature_id'), table_name='user_stories')
    op.drop_table('user_stories')
    op.drop_index('ix_feature_conversation_events_feature_id_seq', table_name='feature_conversation_events')
    op.drop_table('feature_conversation_events')
    op.drop_index(op.f('ix_features_epic_id'), table_name='features')
    op.drop_table('features')
