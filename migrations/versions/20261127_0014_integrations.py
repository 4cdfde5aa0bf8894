"""integrations: tracker connections, OAuth states, push mappings and push runs

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 18:10:23.697810
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOUCHED = ("external_integrations", "external_push_mappings")


def upgrade() -> None:
    op.create_table('external_integrations',
    sa.Column('integration_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'disconnected'"), nullable=False),
    sa.Column('status_reason', sa.String(length=50), nullable=True),
    sa.Column('external_account_id', sa.String(length=255), nullable=True),
    sa.Column('external_account_name', sa.String(length=255), nullable=True),
    sa.Column('access_token_encrypted', sa.Text(), nullable=True),
    sa.Column('refresh_token_encrypted', sa.Text(), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pat_encrypted', sa.Text(), nullable=True),
    sa.Column('org_url', sa.String(length=500), nullable=True),
    sa.Column('scopes', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('default_team_id', sa.String(length=255), nullable=True),
    sa.Column('default_team_name', sa.String(length=255), nullable=True),
    sa.Column('default_project_id', sa.String(length=255), nullable=True),
    sa.Column('default_project_name', sa.String(length=255), nullable=True),
    sa.Column('field_mappings', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("integration_id LIKE 'int\\_%'", name=op.f('ck_external_integrations_integration_id_prefix')),
    sa.CheckConstraint("provider IN ('jira', 'linear', 'azure_devops')", name=op.f('ck_external_integrations_provider_allowed')),
    sa.CheckConstraint("status IN ('connected', 'error', 'disconnected')", name=op.f('ck_external_integrations_status_allowed')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_external_integrations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('integration_id', name=op.f('pk_external_integrations')),
    sa.UniqueConstraint('user_id', 'provider', name=op.f('uq_external_integrations_user_id_provider'))
    )
    op.create_table('oauth_states',
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('frontend_callback_url', sa.String(length=2000), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("provider IN ('jira', 'linear', 'azure_devops')", name=op.f('ck_oauth_states_provider_allowed')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_oauth_states_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_oauth_states'))
    )
    op.create_index(op.f('ix_oauth_states_user_id'), 'oauth_states', ['user_id'], unique=False)
    op.create_table('external_push_mappings',
    sa.Column('mapping_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('integration_id', sa.String(length=50), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.String(length=50), nullable=False),
    sa.Column('external_type', sa.String(length=100), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('external_key', sa.String(length=100), nullable=True),
    sa.Column('external_url', sa.String(length=500), nullable=True),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('team_id', sa.String(length=255), nullable=True),
    sa.Column('last_pushed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_push_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("entity_type IN ('epic', 'feature', 'story', 'bug')", name=op.f('ck_external_push_mappings_entity_type_allowed')),
    sa.CheckConstraint("mapping_id LIKE 'map\\_%'", name=op.f('ck_external_push_mappings_mapping_id_prefix')),
    sa.CheckConstraint("provider IN ('jira', 'linear', 'azure_devops')", name=op.f('ck_external_push_mappings_provider_allowed')),
    sa.ForeignKeyConstraint(['integration_id'], ['external_integrations.integration_id'], name=op.f('fk_external_push_mappings_integration_id_external_integrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_external_push_mappings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mapping_id', name=op.f('pk_external_push_mappings')),
    sa.UniqueConstraint('user_id', 'provider', 'entity_type', 'entity_id', name=op.f('uq_external_push_mappings_user_id_provider_entity_type_entity_id'))
    )
    op.create_index(op.f('ix_external_push_mappings_integration_id'), 'external_push_mappings', ['integration_id'], unique=False)
    op.create_index('ix_external_push_mappings_user_id_entity_id', 'external_push_mappings', ['user_id', 'entity_id'], unique=False)
    op.create_table('external_push_runs',
    sa.Column('run_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('integration_id', sa.String(length=50), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('epic_id', sa.String(length=50), nullable=True),
    sa.Column('push_scope', sa.String(length=30), nullable=True),
    sa.Column('include_bugs', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_dry_run', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('summary_json', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('error_json', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("provider IN ('jira', 'linear', 'azure_devops')", name=op.f('ck_external_push_runs_provider_allowed')),
    sa.CheckConstraint("run_id LIKE 'run\\_%'", name=op.f('ck_external_push_runs_run_id_prefix')),
    sa.CheckConstraint("status IN ('success', 'partial', 'failed')", name=op.f('ck_external_push_runs_status_allowed')),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_external_push_runs_ends_after_start')),
    sa.ForeignKeyConstraint(['integration_id'], ['external_integrations.integration_id'], name=op.f('fk_external_push_runs_integration_id_external_integrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_external_push_runs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_external_push_runs'))
    )
    op.create_index(op.f('ix_external_push_runs_integration_id'), 'external_push_runs', ['integration_id'], unique=False)
    op.create_index('ix_external_push_runs_user_id_started_at', 'external_push_runs', ['user_id', 'started_at'], unique=False)
    for table in TOUCHED:
        op.execute(f"CREATE TRIGGER {table}_touch_updated_at BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()")


def downgrade() -> None:
    for table in TOUCHED:
        op.execute(f"DROP TRIGGER {table}_touch_updated_at ON {table}")
    op.drop_index('ix_external_push_runs_user_id_started_at', table_name='external_push_runs')
    op.drop_index(op.f('ix_external_push_runs_integration_id'), table_name='external_push_runs')
    op.drop_table('external_push_runs')
    op.drop_index('ix_external_push_mappings_user_id_entity_id', table_name='external_push_mappings')
    op.drop_index(op.f('ix_external_push_mappings_integration_id'), table_name='external_push_mappings')
    op.drop_table('external_push_mappings')
    op.drop_index(op.f('ix_oauth_states_user_id'), table_name='oauth_states')
    op.drop_table('oauth_states')
    op.drop_table('external_integrations')
