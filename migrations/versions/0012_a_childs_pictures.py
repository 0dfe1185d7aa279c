"""a child's pictures

A drawing or photo a child sent at one of their houses: re-encoded without metadata, the
image a Fernet token (Text: bot.model.crypto.EncryptedBytes), who may see it following the
child's choice for that house.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'picture',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('house', sa.String(length=32), nullable=False),
        sa.Column('question_key', sa.String(length=64), nullable=False),
        sa.Column('share_with', sa.String(length=32), nullable=False),
        sa.Column('media_type', sa.String(length=16), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('image', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('image/png', 'image/jpeg')", name='picture_media_type_allowed'
        ),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_picture_participant_id', 'picture', ['participant_id'])


def downgrade() -> None:
    op.drop_table('picture')
