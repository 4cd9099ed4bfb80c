"""The health snapshot: the county's health as the scheduler last judged it (issue 15)

Revision ID: b9d4f6a2c8e1
Revises: e5b7c3a9d1f2
Create Date: 2026-11-27 21:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b9d4f6a2c8e1'
down_revision = 'e5b7c3a9d1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'health_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_health_snapshot_taken_at', 'health_snapshot', ['taken_at'])
    op.create_table(
        'health_snapshot_committee',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('sectors', sa.String(length=600), nullable=False),
        sa.Column('committee_codes', sa.String(length=600), nullable=False),
        sa.Column('workgroup_codes', sa.String(length=600), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['health_snapshot.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_health_snapshot_committee', 'health_snapshot_committee',
                    ['snapshot_id', 'committee_id'], unique=True)
    op.create_table(
        'health_snapshot_flag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('about', sa.String(length=20), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=True),
        sa.Column('workgroup_id', sa.Integer(), nullable=True),
        sa.Column('mou_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('since', sa.Date(), nullable=False),
        sa.Column('words', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['health_snapshot.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workgroup_id'], ['workgroup.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mou_id'], ['mou.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_health_snapshot_flag_committee', 'health_snapshot_flag',
                    ['snapshot_id', 'committee_id'])


def downgrade():
    op.drop_index('ix_health_snapshot_flag_committee', table_name='health_snapshot_flag')
    op.drop_table('health_snapshot_flag')
    op.drop_index('ix_health_snapshot_committee', table_name='health_snapshot_committee')
    op.drop_table('health_snapshot_committee')
    op.drop_index('ix_health_snapshot_taken_at', table_name='health_snapshot')
    op.drop_table('health_snapshot')
