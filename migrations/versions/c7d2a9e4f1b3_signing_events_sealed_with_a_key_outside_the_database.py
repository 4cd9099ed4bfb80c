"""Signing events carry an HMAC seal under a key kept outside the database (issue 16)

Events recorded before have no seal: run `flask govtrack seal-chains` once after
this migration (docs/deploy.md); until then they are reported as unsealed.

Revision ID: c7d2a9e4f1b3
Revises: b1e5c0a4d7f2
Create Date: 2026-11-27 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d2a9e4f1b3'
down_revision = 'b1e5c0a4d7f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mou_signing_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=40), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('event_mac', sa.String(length=64), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('mou_signing_event', schema=None) as batch_op:
        batch_op.drop_column('event_mac')
        batch_op.drop_column('key_id')
