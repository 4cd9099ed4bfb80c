"""meetings: index agenda requests by meeting (the meeting page reads its pending ones)

Without it PostgreSQL reads every request of the county for each meeting page
(1.5 ms at national scale, 9,000 requests); with it, a few index pages.

Revision ID: e7a3c9f1d5b2
Revises: d3a7f1c9e5b2
Create Date: 2026-11-28 00:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7a3c9f1d5b2'
down_revision = 'd3a7f1c9e5b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_request_meeting_id'), ['meeting_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('agenda_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_request_meeting_id'))
