"""safeguarding in context

An alert points at the answer its words were kept as (answer_id) and records the safety
check's reply ("safe_now", "not_safe_now", "unsure"); the chair marks an alert as read.
An answer held back from the family because it raised an alert or a concern can be
released by the chair (released_at, released_by).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('check_reply', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('read_by', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key('fk_safeguarding_alert_answer', 'answer', ['answer_id'], ['id'])
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('released_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('released_by')
        batch_op.drop_column('released_at')
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.drop_constraint('fk_safeguarding_alert_answer', type_='foreignkey')
        batch_op.drop_column('read_by')
        batch_op.drop_column('read_at')
        batch_op.drop_column('check_reply')
        batch_op.drop_column('answer_id')
