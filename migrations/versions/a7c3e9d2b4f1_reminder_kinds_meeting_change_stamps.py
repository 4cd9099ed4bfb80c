"""reminder kinds: when a meeting was moved and when its published agenda last changed

Revision ID: a7c3e9d2b4f1
Revises: f0a7e79da06d
Create Date: 2026-11-27 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d2b4f1'
down_revision = 'f0a7e79da06d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('agenda_changed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('agenda_changed_at')
        batch_op.drop_column('moved_at')
