"""Telling "the database is unavailable" apart from a bug.

SQLAlchemy wraps what the driver raises while a statement runs, but not everything: asyncpg raises
``ConnectionRefusedError`` (an OSError) straight through when it cannot connect, its own
``CannotConnectNowError`` while PostgreSQL starts up, and a dropped connection can surface as
``ConnectionResetError``. All of them mean the same to a person: nothing was saved, try again in a
moment. One predicate decides it, for the error handler and for everything that reads the database
only to be helpful (the reader's language).
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

# Drivers whose own exceptions can escape SQLAlchemy's wrapping (checked by module, so an optional
# driver need not be importable).
_DRIVER_MODULES = ("asyncpg", "aiosqlite", "sqlite3", "psycopg")


def _is_storage_error(error: BaseException) -> bool:
    if isinstance(error, SQLAlchemyError | OSError):  # OSError covers connection and timeout errors
        return True
    module = type(error).__module__ or ""
    return module.split(".", 1)[0] in _DRIVER_MODULES


def is_storage_failure(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) means the database could not be reached or used."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if _is_storage_error(error):
            return True
        seen.add(id(error))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return False


__all__ = ["is_storage_failure"]
