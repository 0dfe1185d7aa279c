"""a child's words for a danger statement

The conference file may give the social worker's words for a child per danger statement
(for_young_people: danger, safety_goal); a young person never sees the adults' words.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 23:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('danger_statement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('young_danger', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('young_safety_goal', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('danger_statement', schema=None) as batch_op:
        batch_op.drop_column('young_safety_goal')
        batch_op.drop_column('young_danger')
