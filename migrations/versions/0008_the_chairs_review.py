"""the chair's review

Sign-in links and sessions for the chair (only hashes of their tokens), the chair's edits
to the board, the conference's decision and the approved versions of the record.
Free-text columns are Text: they hold Fernet tokens (bot.model.crypto.EncryptedText).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 06:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = "'worries', 'safety', 'strengths', 'complicating_factors', 'grey_areas', 'next_steps'"


def _token_table(name: str, used: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column(used, sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(f"ix_{name}_participant_id", name, ["participant_id"])


def upgrade() -> None:
    _token_table("chair_link", "used_at")
    _token_table("chair_session", "ended_at")
    op.create_table(
        "record_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.String(length=36), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=16), nullable=True),
        sa.Column("other_item", sa.String(length=16), nullable=True),
        sa.Column("column_key", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("family_sees", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('reword', 'move', 'merge', 'add')", name="record_edit_kind_allowed"
        ),
        sa.CheckConstraint(f"column_key IN ({COLUMNS})", name="record_edit_column_key_allowed"),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["chair_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_edit_conference_id", "record_edit", ["conference_id"])
    op.create_table(
        "decision",
        sa.Column("conference_id", sa.String(length=36), nullable=False),
        sa.Column("plan", sa.String(length=8), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("dissent", sa.Text(), nullable=True),
        sa.Column("core_group_members", sa.Text(), nullable=True),
        sa.Column("core_group_date", sa.Date(), nullable=True),
        sa.Column("next_review_date", sa.Date(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("plan IN ('yes', 'no')", name="decision_plan_allowed"),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("conference_id"),
    )
    op.create_table(
        "record_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["approved_by_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conference_id", "number"),
    )
    op.create_index("ix_record_version_conference_id", "record_version", ["conference_id"])


def downgrade() -> None:
    op.drop_table("record_version")
    op.drop_table("decision")
    op.drop_table("record_edit")
    op.drop_table("chair_session")
    op.drop_table("chair_link")
