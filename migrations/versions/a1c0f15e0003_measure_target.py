"""Measure target (the run chart's goal line)

Revision ID: a1c0f15e0003
Revises: a1c0f15e0002
Create Date: 2026-11-27 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0f15e0003'
down_revision = 'a1c0f15e0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_column('target')
