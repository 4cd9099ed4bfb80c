"""indexes for My work: agenda items by workgroup, workgroup members by person

My work reads a workgroup's last report-back (agenda items by workgroup key)
and a person's workgroups (workgroup members by person): without these both
scan the whole table, about 100 ms at national scale.

Revision ID: d3a7f1c9e5b2
Revises: b8d4f2a6c1e3
Create Date: 2026-11-28 00:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3a7f1c9e5b2'
down_revision = 'b8d4f2a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_workgroup_key'), ['workgroup_key'],
                              unique=False)
    with op.batch_alter_table('workgroup_member', schema=None) as batch_op:
        batch_op.create_index('ix_workgroup_member_person_id', ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('workgroup_member', schema=None) as batch_op:
        batch_op.drop_index('ix_workgroup_member_person_id')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_workgroup_key'))
