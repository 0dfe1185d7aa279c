"""conference data model

Free-text columns are Text here: they hold Fernet tokens (bot.model.crypto.EncryptedText).
The audit log is made append-only by triggers, so not even a bug can rewrite history.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 04:58:20.384901
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('record_type', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('conference',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.Column('local_authority', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'approved')", name='conference_status_allowed'),
    sa.CheckConstraint("type IN ('initial', 'review')", name='conference_type_allowed'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('child',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('age', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conference.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conference_id', 'key')
    )
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_conference_id'), ['conference_id'], unique=False)

    op.create_table('danger_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('danger', sa.Text(), nullable=False),
    sa.Column('safety_goal', sa.Text(), nullable=False),
    sa.Column('children', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conference.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conference_id', 'key')
    )
    with op.batch_alter_table('danger_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_danger_statement_conference_id'), ['conference_id'], unique=False)

    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('agency', sa.String(length=200), nullable=True),
    sa.Column('child_key', sa.String(length=32), nullable=True),
    sa.Column('children', sa.JSON(), nullable=False),
    sa.Column('scores', sa.Boolean(), nullable=False),
    sa.Column('response_status', sa.String(length=16), nullable=False),
    sa.Column('first_answered_at', sa.DateTime(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("response_status IN ('not_started', 'in_progress', 'submitted')", name='participant_response_status_allowed'),
    sa.CheckConstraint("role IN ('parent', 'family_member', 'young_person', 'social_worker', 'professional', 'advocate', 'note_taker', 'chair')", name='participant_role_allowed'),
    sa.ForeignKeyConstraint(['conference_id'], ['conference.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conference_id', 'key')
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_conference_id'), ['conference_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('column_key', sa.String(length=32), nullable=False),
    sa.Column('question_key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('children', sa.JSON(), nullable=False),
    sa.Column('share_with', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("column_key IN ('worries', 'safety', 'strengths', 'complicating_factors', 'grey_areas', 'next_steps')", name='answer_column_key_allowed'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['answer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_participant_id'), ['participant_id'], unique=False)

    op.create_table('invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('bound_sender', sa.String(length=200), nullable=True),
    sa.Column('bound_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_bound_sender'), ['bound_sender'], unique=False)
        batch_op.create_index(batch_op.f('ix_invite_participant_id'), ['participant_id'], unique=False)

    op.create_table('previous_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('danger_statement_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.CheckConstraint('score BETWEEN 0 AND 10', name='previous_score_range'),
    sa.ForeignKeyConstraint(['danger_statement_id'], ['danger_statement.id'], ),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('danger_statement_id', 'participant_id')
    )
    op.create_table('safeguarding_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.String(length=36), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conference.id'], ),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_conference_id'), ['conference_id'], unique=False)

    op.create_table('score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('danger_statement_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('next_point', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('score BETWEEN 0 AND 10', name='score_range'),
    sa.ForeignKeyConstraint(['danger_statement_id'], ['danger_statement.id'], ),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_danger_statement_id'), ['danger_statement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_participant_id'), ['participant_id'], unique=False)



    _make_audit_log_append_only()


def _make_audit_log_append_only() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql"
        )
    for verb in ("UPDATE", "DELETE"):
        if dialect == "sqlite":
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
            )


def downgrade() -> None:
    with op.batch_alter_table('score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_participant_id'))
        batch_op.drop_index(batch_op.f('ix_score_danger_statement_id'))

    op.drop_table('score')
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_conference_id'))

    op.drop_table('safeguarding_alert')
    op.drop_table('previous_score')
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_participant_id'))
        batch_op.drop_index(batch_op.f('ix_invite_bound_sender'))

    op.drop_table('invite')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_participant_id'))

    op.drop_table('answer')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_conference_id'))

    op.drop_table('participant')
    with op.batch_alter_table('danger_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_danger_statement_conference_id'))

    op.drop_table('danger_statement')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_conference_id'))

    op.drop_table('child')
    op.drop_table('conference')
    op.drop_table('audit_event')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
