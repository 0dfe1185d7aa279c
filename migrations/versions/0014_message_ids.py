"""message ids

A message that carries an id is recorded once it is handled, with the replies it was given
(Text: a Fernet token), keyed by a hash of its sender and id: the same message sent again
gets the same replies and is not handled twice.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handled_message',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('handled_at', sa.DateTime(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key_hash'),
    )
    op.create_index('ix_handled_message_handled_at', 'handled_message', ['handled_at'])


def downgrade() -> None:
    op.drop_index('ix_handled_message_handled_at', table_name='handled_message')
    op.drop_table('handled_message')
