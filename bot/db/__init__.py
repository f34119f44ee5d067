"""Data access: the connection, migrations, and one repository module per table group."""

from bot.db.connection import Database, DatabaseError, open_database

__all__ = ["Database", "DatabaseError", "open_database"]
