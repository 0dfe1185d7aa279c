"""telegram bridge

The buttons each Telegram chat was last shown (Text: a Fernet token), and the update ids
already taken, so a retried delivery is answered once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'telegram_chat',
        sa.Column('sender', sa.String(length=64), nullable=False),
        sa.Column('buttons', sa.Text(), nullable=True),
        sa.Column('keyboard_message_id', sa.BigInteger(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sender'),
    )
    op.create_table(
        'telegram_update',
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('update_id'),
    )


def downgrade() -> None:
    op.drop_table('telegram_update')
    op.drop_table('telegram_chat')
