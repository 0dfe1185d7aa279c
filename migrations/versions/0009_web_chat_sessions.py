"""web chat sessions

A web chat's session: the hash of the browser's cookie token, our Rasa sender id, this
browser's long-lived mark (hashed), and the bot's last replies (Text: a Fernet token, bot.model.crypto.EncryptedText).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_chat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('sender', sa.String(length=64), nullable=False),
        sa.Column('device_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('last_replies', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_web_chat_sender', 'web_chat', ['sender'])
    op.create_index('ix_web_chat_device_hash', 'web_chat', ['device_hash'])


def downgrade() -> None:
    op.drop_table('web_chat')
