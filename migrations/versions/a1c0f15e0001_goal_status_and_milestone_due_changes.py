"""Goal status (achieved, cancelled) and milestone re-dating history

Revision ID: a1c0f15e0001
Revises: c5f2fc4af868
Create Date: 2026-11-27 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0f15e0001'
down_revision = 'c5f2fc4af868'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='open',
                                      nullable=False))
        batch_op.add_column(sa.Column('status_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                      nullable=False))
    op.create_table(
        'milestone_due_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('milestone_id', sa.Integer(), nullable=False),
        sa.Column('old_due', sa.Date(), nullable=False),
        sa.Column('new_due', sa.Date(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['person.id'], ),
        sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('milestone_due_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_due_change_milestone_id'),
                              ['milestone_id'], unique=False)


def downgrade():
    with op.batch_alter_table('milestone_due_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_due_change_milestone_id'))
    op.drop_table('milestone_due_change')
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('status_at')
        batch_op.drop_column('status')
