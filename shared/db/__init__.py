"""PostgreSQL access: connection per container, tenant-scoped transactions, named SQL."""

from shared.db.connection import Database, Tenant
from shared.db.queries import QUERIES, Queries

__all__ = ["QUERIES", "Database", "Queries", "Tenant"]
