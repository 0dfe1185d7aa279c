"""the local out-of-hours number

The conference file may give the emergency duty team's number (out_of_hours); crisis
scripts show it after 999.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('out_of_hours', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('out_of_hours')
