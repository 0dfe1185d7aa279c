"""one live invite per chat

A chat belongs to one person: a unique index on the bound sender of live (not revoked)
invites. A database where one chat already holds two live invites (possible before this
change) keeps the first one bound and revokes the later ones.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 01:40:00
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    live = connection.execute(
        sa.text(
            "SELECT id, bound_sender FROM invite"
            " WHERE bound_sender IS NOT NULL AND revoked_at IS NULL ORDER BY bound_at, id"
        )
    ).all()
    seen = set()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for invite_id, sender in live:
        if sender in seen:
            connection.execute(
                sa.text("UPDATE invite SET revoked_at = :now WHERE id = :id"),
                {"now": now, "id": invite_id},
            )
        seen.add(sender)
    op.create_index(
        'one_live_invite_per_chat',
        'invite',
        ['bound_sender'],
        unique=True,
        sqlite_where=sa.text('revoked_at IS NULL'),
        postgresql_where=sa.text('revoked_at IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('one_live_invite_per_chat', table_name='invite')
