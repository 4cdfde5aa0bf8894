"""documents: PRDs, lean canvases, personas and their generation settings

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 17:22:54.997545
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOUCHED = ("prd_documents", "lean_canvases", "personas", "persona_generation_settings")


def upgrade() -> None:
    op.create_table('persona_generation_settings',
    sa.Column('settings_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('image_provider', sa.String(length=50), server_default=sa.text("'openai'"), nullable=False),
    sa.Column('image_model', sa.String(length=100), server_default=sa.text("'gpt-image-1'"), nullable=False),
    sa.Column('default_persona_count', sa.Integer(), server_default=sa.text('3'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("settings_id LIKE 'pgs\\_%'", name=op.f('ck_persona_generation_settings_settings_id_prefix')),
    sa.CheckConstraint('default_persona_count BETWEEN 1 AND 5', name=op.f('ck_persona_generation_settings_persona_count_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_persona_generation_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('settings_id', name=op.f('pk_persona_generation_settings')),
    sa.UniqueConstraint('user_id', name=op.f('uq_persona_generation_settings_user_id'))
    )
    op.create_table('lean_canvases',
    sa.Column('canvas_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('solution', sa.Text(), nullable=True),
    sa.Column('unique_value', sa.Text(), nullable=True),
    sa.Column('unfair_advantage', sa.Text(), nullable=True),
    sa.Column('customer_segments', sa.Text(), nullable=True),
    sa.Column('key_metrics', sa.Text(), nullable=True),
    sa.Column('channels', sa.Text(), nullable=True),
    sa.Column('cost_structure', sa.Text(), nullable=True),
    sa.Column('revenue_streams', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=50), server_default=sa.text("'manual'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("canvas_id LIKE 'canvas\\_%'", name=op.f('ck_lean_canvases_canvas_id_prefix')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_lean_canvases_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_lean_canvases_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('canvas_id', name=op.f('pk_lean_canvases')),
    sa.UniqueConstraint('epic_id', name=op.f('uq_lean_canvases_epic_id'))
    )
    op.create_index(op.f('ix_lean_canvases_user_id'), 'lean_canvases', ['user_id'], unique=False)
    op.create_table('personas',
    sa.Column('persona_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('age_range', sa.String(length=50), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('tech_proficiency', sa.String(length=50), nullable=True),
    sa.Column('goals_and_motivations', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('pain_points', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('key_behaviors', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('jobs_to_be_done', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('product_interaction_context', sa.Text(), nullable=True),
    sa.Column('representative_quote', sa.Text(), nullable=True),
    sa.Column('portrait_image_base64', sa.Text(), nullable=True),
    sa.Column('portrait_prompt', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=20), server_default=sa.text("'ai_generated'"), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("persona_id LIKE 'persona\\_%'", name=op.f('ck_personas_persona_id_prefix')),
    sa.CheckConstraint("source IN ('ai_generated', 'human_modified')", name=op.f('ck_personas_source_allowed')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_personas_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_personas_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('persona_id', name=op.f('pk_personas'))
    )
    op.create_index(op.f('ix_personas_epic_id'), 'personas', ['epic_id'], unique=False)
    op.create_index(op.f('ix_personas_user_id'), 'personas', ['user_id'], unique=False)
    op.create_table('prd_documents',
    sa.Column('prd_id', sa.String(length=50), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('sections', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('source', sa.String(length=50), nullable=True),
    sa.Column('version', sa.String(length=50), server_default=sa.text("'1.0'"), nullable=False),
    sa.Column('status', sa.String(length=50), server_default=sa.text("'draft'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("prd_id LIKE 'prd\\_%'", name=op.f('ck_prd_documents_prd_id_prefix')),
    sa.ForeignKeyConstraint(['epic_id'], ['epics.epic_id'], name=op.f('fk_prd_documents_epic_id_epics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_prd_documents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('prd_id', name=op.f('pk_prd_documents')),
    sa.UniqueConstraint('epic_id', name=op.f('uq_prd_documents_epic_id'))
    )
    op.create_index(op.f('ix_prd_documents_user_id'), 'prd_documents', ['user_id'], unique=False)
    for table in TOUCHED:
        op.execute(f"CREATE TRIGGER {table}_touch_updated_at BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()")


def downgrade() -> None:
    for table in TOUCHED:
        op.execute(f"DROP TRIGGER {table}_touch_updated_at ON {table}")
    op.drop_index(op.f('ix_prd_documents_user_id'), table_name='prd_documents')
    op.drop_table('prd_documents')
    op.drop_index(op.f('ix_personas_user_id'), table_name='personas')
    op.drop_index(op.f('ix_personas_epic_id'), table_name='personas')
    op.drop_table('personas')
    op.drop_index(op.f('ix_lean_canvases_user_id'), table_name='lean_canvases')
    op.drop_table('lean_canvases')
    op.drop_table('persona_generation_settings')
