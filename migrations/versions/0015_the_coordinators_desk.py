"""the coordinator's desk

Staff (coordinators and chairs) who sign in with their own single-use links; the staff
chair assigned to a conference; a participant's preferred channel and whether the
coordinator took them off; each invite's code kept encrypted, so it can be sent and
printed; and the outreach outbox of invites and reminders, with Notify's delivery status.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:40:59
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _token_table(name: str, used_column: str) -> None:
    op.create_table(
        name,
        sa.Column(used_column, sa.DateTime(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index(f'ix_{name}_staff_id', name, ['staff_id'])


def upgrade() -> None:
    op.create_table(
        'staff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('email', sa.Text(), nullable=False),
        sa.Column('email_hash', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('coordinator', 'chair')", name='staff_role_allowed'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email_hash'),
    )
    _token_table('staff_link', 'used_at')
    _token_table('staff_session', 'ended_at')
    op.create_table(
        'outreach',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('invite_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('recipient', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('provider_id', sa.String(length=64), nullable=True),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('status_checked_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'sms', 'letter')", name='outreach_channel_allowed'),
        sa.CheckConstraint("kind IN ('invite', 'reminder')", name='outreach_kind_allowed'),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'revoked')",
            name='outreach_status_allowed',
        ),
        sa.ForeignKeyConstraint(['invite_id'], ['invite.id']),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_outreach_participant_id', 'outreach', ['participant_id'])
    op.create_index(
        'one_reminder_per_reason',
        'outreach',
        ['participant_id', 'reason', 'channel'],
        unique=True,
        sqlite_where=sa.text("kind = 'reminder'"),
        postgresql_where=sa.text("kind = 'reminder'"),
    )
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chair_staff_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_conference_chair_staff_id', ['chair_staff_id'])
        batch_op.create_foreign_key('fk_conference_chair_staff', 'staff', ['chair_staff_id'], ['id'])
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.Text(), nullable=True))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('channel')
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_column('code')
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_constraint('fk_conference_chair_staff', type_='foreignkey')
        batch_op.drop_index('ix_conference_chair_staff_id')
        batch_op.drop_column('chair_staff_id')
    op.drop_index('one_reminder_per_reason', table_name='outreach')
    op.drop_index('ix_outreach_participant_id', table_name='outreach')
    op.drop_table('outreach')
    for name in ('staff_session', 'staff_link'):
        op.drop_index(f'ix_{name}_staff_id', table_name=name)
        op.drop_table(name)
    op.drop_table('staff')
