"""TOTP secrets encrypted at rest: room for the ciphertext (issue 16)

Secrets stored before stay readable in clear until `flask govtrack
encrypt-totp-secrets` encrypts them (docs/deploy.md, Upgrades).

Revision ID: d4e8b2c6a0f5
Revises: c7d2a9e4f1b3
Create Date: 2026-11-27 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e8b2c6a0f5'
down_revision = 'c7d2a9e4f1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64),
                              type_=sa.String(length=200), existing_nullable=True)


def downgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=200),
                              type_=sa.String(length=64), existing_nullable=True)
