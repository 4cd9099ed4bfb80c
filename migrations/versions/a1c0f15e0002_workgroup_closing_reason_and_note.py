"""Workgroup closing reason and note

Revision ID: a1c0f15e0002
Revises: a1c0f15e0001
Create Date: 2026-11-27 15:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0f15e0002'
down_revision = 'a1c0f15e0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workgroup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('closed_note', sa.Text(), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('workgroup', schema=None) as batch_op:
        batch_op.drop_column('closed_note')
        batch_op.drop_column('closed_reason')
