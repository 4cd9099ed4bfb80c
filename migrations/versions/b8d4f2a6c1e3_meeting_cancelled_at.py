"""meetings: when a meeting was cancelled (the reminder is told once, as of that time)

Existing cancelled meetings keep no time (NULL): their members were told already,
and a time made up now would announce them again.

Revision ID: b8d4f2a6c1e3
Revises: b9d4f6a2c8e1
Create Date: 2026-11-27 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c1e3'
down_revision = 'b9d4f6a2c8e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
