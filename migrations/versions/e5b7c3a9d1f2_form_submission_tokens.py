"""One-time form submission tokens: a form sent twice is saved once (issue 16)

Revision ID: e5b7c3a9d1f2
Revises: a1c0f15e0005
Create Date: 2026-11-27 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b7c3a9d1f2'
down_revision = 'a1c0f15e0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('record_table', sa.String(length=64), nullable=True),
        sa.Column('record_id', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )


def downgrade():
    op.drop_table('form_submission')
