"""conversation progress

Where each participant is in their agenda; answers that sit outside the columns
(for the chair), fixed choices, flags for the chair, and late additions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:25:39.219739
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('progress',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=100), nullable=True),
    sa.Column('phase', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('active', 'paused', 'stopped', 'done')", name='progress_state_allowed'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.PrimaryKeyConstraint('participant_id')
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choice', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('late', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.alter_column('column_key',
               existing_type=sa.VARCHAR(length=32),
               nullable=True)

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('consent_to_share', sa.Boolean(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('consent_to_share')
        batch_op.drop_column('submitted_at')

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.alter_column('column_key',
               existing_type=sa.VARCHAR(length=32),
               nullable=False)
        batch_op.drop_column('late')
        batch_op.drop_column('flagged')
        batch_op.drop_column('choice')

    op.drop_table('progress')
