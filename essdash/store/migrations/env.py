"""Alembic environment of essdash.

essdash runs migrations on a connection it opens itself (``config.attributes["connection"]``, see
:mod:`essdash.store.migrations`). Run by hand (``alembic -c essdash/store/migrations/alembic.ini …``), it uses
the database of the application's settings (``DATABASE_URL``).
"""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from essdash.domain import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from essdash.store.config import get_settings


def _run(connection) -> None:
    context.configure(
        connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True, transactional_ddl=True
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = create_engine(get_settings().database_url)
    with engine.connect() as own:
        _run(own)
    engine.dispose()
