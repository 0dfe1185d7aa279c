"""safeguarding alerts and the notification outbox

Contacts for the social worker and the chair, what a participant said about an alert,
and the outbox of emails and texts that tell them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:59:07.310912
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('recipient_role', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('provider_id', sa.String(length=64), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name='notification_channel_allowed'),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent')", name='notification_status_allowed'),
    sa.ForeignKeyConstraint(['alert_id'], ['safeguarding_alert.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_alert_id'), ['alert_id'], unique=False)

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))

    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pattern', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('disputed_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('disputed_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.drop_column('disputed_at')
        batch_op.drop_column('disputed_text')
        batch_op.drop_column('pattern')

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('email')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_alert_id'))

    op.drop_table('notification')
