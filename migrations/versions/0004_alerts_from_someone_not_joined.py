"""alerts from someone not joined

A disclosure from someone who has not joined (a wrong code, locked out) is recorded for
the duty inbox: such an alert has no conference and no participant.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS _alembic_tmp_safeguarding_alert")  # a failed try's
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.alter_column('conference_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE alert_id IN "
               "(SELECT id FROM safeguarding_alert WHERE participant_id IS NULL)")
    op.execute("DELETE FROM safeguarding_alert WHERE participant_id IS NULL")
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('conference_id', existing_type=sa.String(length=36), nullable=False)
