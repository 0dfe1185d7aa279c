"""contact details encrypted

A participant's email address and phone number, and the address each alert's email or
text message goes to, are Fernet tokens like names (Text: bot.model.crypto.EncryptedText).
The plain values already stored are encrypted here, so the key is needed: the one the
process has configured (bot/model/database.py setup), else the one the environment names.
A value that the key already reads is left as it is; the downgrade decrypts.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 20:45:00
"""
from alembic import op
import sqlalchemy as sa

from bot.model import crypto


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COLUMNS = {
    'participant': [('email', sa.String(length=320)), ('phone', sa.String(length=32))],
    'notification': [('recipient', sa.String(length=320))],
}
NULLABLE = {'email': True, 'phone': True, 'recipient': False}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, plain in columns:
                batch.alter_column(name, existing_type=plain, type_=sa.Text(),
                                   existing_nullable=NULLABLE[name])
    _rewrite(crypto.encrypted_if_plain)


def downgrade() -> None:
    _rewrite(crypto.decrypted)
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, plain in columns:
                batch.alter_column(name, existing_type=sa.Text(), type_=plain,
                                   existing_nullable=NULLABLE[name])


def _rewrite(change) -> None:
    connection = op.get_bind()
    for table, columns in COLUMNS.items():
        for name, _ in columns:
            rows = connection.execute(
                sa.text(f'SELECT id, {name} FROM {table} WHERE {name} IS NOT NULL')
            ).all()
            if rows:
                crypto.configure_from_environment()
            for row_id, value in rows:
                connection.execute(
                    sa.text(f'UPDATE {table} SET {name} = :value WHERE id = :id'),
                    {'value': change(value), 'id': row_id},
                )
