"""Alembic environment: the models' metadata, and the address from the caller or DATABASE_URL."""

from alembic import context

from bot.model.database import make_engine
from bot.model.tables import Base
from bot.settings import load_settings

config = context.config


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = make_engine(url)
    with engine.begin() as own_connection:
        run_migrations(own_connection)
    engine.dispose()
