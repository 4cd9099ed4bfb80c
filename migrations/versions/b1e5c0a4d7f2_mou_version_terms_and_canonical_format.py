"""MOU versions store their terms and the canonical format their hash uses (issue 16)

Versions made before this migration keep canonical format 1 (number, text and
obligations), so the signatures recorded on them still verify; new versions
are format 2, which also covers title, purpose, background, dates and parties.

Revision ID: b1e5c0a4d7f2
Revises: 6d67da9d3561
Create Date: 2026-11-27 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1e5c0a4d7f2'
down_revision = '6d67da9d3561'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mou_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('canonical_format', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('terms', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('mou_version', schema=None) as batch_op:
        batch_op.drop_column('terms')
        batch_op.drop_column('canonical_format')
