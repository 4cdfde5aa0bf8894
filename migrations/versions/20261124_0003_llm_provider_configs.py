"""llm provider configs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:29:57.975089
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('llm_provider_configs',
    sa.Column('config_id', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.String(length=50), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('encrypted_api_key', sa.Text(), nullable=True),
    sa.Column('base_url', sa.String(length=500), nullable=True),
    sa.Column('model_name', sa.String(length=100), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(provider = 'local') = (base_url IS NOT NULL)", name=op.f('ck_llm_provider_configs_base_url_only_local')),
    sa.CheckConstraint("config_id LIKE 'llm\\_%'", name=op.f('ck_llm_provider_configs_config_id_prefix')),
    sa.CheckConstraint("provider = 'local' OR encrypted_api_key IS NOT NULL", name=op.f('ck_llm_provider_configs_hosted_has_key')),
    sa.CheckConstraint("provider IN ('openai', 'anthropic', 'google', 'local')", name=op.f('ck_llm_provider_configs_provider_allowed')),
    sa.ForeignKeyConstraint(['user_id'], ['users.user_id'], name=op.f('fk_llm_provider_configs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('config_id', name=op.f('pk_llm_provider_configs')),
    sa.UniqueConstraint('user_id', 'provider', name=op.f('uq_llm_provider_configs_user_id_provider'))
    )
    op.create_index('uq_llm_provider_configs_one_active', 'llm_provider_configs', ['user_id'], unique=True, postgresql_where=sa.text('is_active'))
    op.execute(
        "CREATE TRIGGER llm_provider_configs_touch_updated_at BEFORE UPDATE ON llm_provider_configs "
        "FOR EACH ROW EXECUTE FUNCTION touch_updated_at()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER llm_provider_configs_touch_updated_at ON llm_provider_configs")
    op.drop_index('uq_llm_provider_configs_one_active', table_name='llm_provider_configs', postgresql_where=sa.text('is_active'))
    op.drop_table('llm_provider_configs')
