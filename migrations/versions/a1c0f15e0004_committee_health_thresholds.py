"""Committee health thresholds (PDSA, attendance, MOU)

Revision ID: a1c0f15e0004
Revises: a1c0f15e0003
Create Date: 2026-11-27 15:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0f15e0004'
down_revision = 'a1c0f15e0003'
branch_labels = None
depends_on = None

COLUMNS = ('pdsa_phase_days', 'pdsa_study_late_days', 'attendance_low_percent',
           'attendance_drop_points', 'mou_stall_days', 'mou_expiring_days')


def upgrade():
    with op.batch_alter_table('committee', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('committee', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
