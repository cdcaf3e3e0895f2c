"""Alembic environment of the metadata store: runs on the connection ``MetadataStore.upgrade()`` passes.

Migrations are applied programmatically (``privsyn_platform.metadata_engine.upgrade_schema``), never by
an ``alembic.ini`` on disk. To write a new revision, change ``metadata_models`` and add a file under
``versions/`` (``script.py.mako`` is the template); ``test/platform/test_migrations.py`` fails until the
migrations and the models describe the same schema.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from privsyn_platform.metadata_models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through privsyn_platform.metadata_engine.upgrade_schema(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
