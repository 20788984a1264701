"""Every table joins the one shared ``metadata``: the platform's here, each module's in its
own SQL package (``adapters/persistence/sqlalchemy/<module>/tables.py``).

``load_all()`` imports the platform tables and every module's ``tables`` module it finds next
to them, and returns the complete metadata: Alembic's env.py and ``pending_differences`` call
it, so a module's tables are known to migrations without any list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

import sqlalchemy as sa

import adapters.persistence.sqlalchemy as sql_package
from adapters.persistence.sqlalchemy.metadata import metadata
from adapters.persistence.sqlalchemy.tables import audit, outbox  # noqa: F401 - the platform's


def load_all() -> sa.MetaData:
    for info in pkgutil.iter_modules(sql_package.__path__):
        if not info.ispkg or info.name == "tables":
            continue
        name = f"{sql_package.__name__}.{info.name}.tables"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return metadata


__all__ = ["load_all", "metadata"]
