"""Importing this package registers every table on the shared ``metadata``.

Alembic's env.py and ``pending_differences`` import it, so a table module not imported
here is invisible to migrations. Each context adds its module and one import line, e.g.
``tables/identity.py`` and ``tables/maintenance.py`` (added by those contexts later).
"""

from adapters.persistence.sqlalchemy.metadata import metadata
from adapters.persistence.sqlalchemy.tables import audit, identity, maintenance, outbox  # noqa: F401

__all__ = ["metadata"]
