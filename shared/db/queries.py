"""Named SQL queries kept in `.sql` files.

Each file in `shared/db/sql/` holds blocks introduced by a `-- name: <query_name>` line; the
block runs until the next such line. Placeholders are psycopg's `%(name)s`. Query names are
unique across all files; the files are read once per process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from psycopg import sql

SQL_DIR = Path(__file__).parent / "sql"
_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries(Mapping[str, sql.SQL]):
    """Read-only mapping of query name to its SQL."""

    def __init__(self, queries: dict[str, str]) -> None:
        self._queries = {name: sql.SQL(text) for name, text in queries.items()}  # type: ignore[arg-type]

    @classmethod
    def load(cls, directory: Path = SQL_DIR) -> Queries:
        found: dict[str, str] = {}
        for path in sorted(directory.glob("*.sql")):
            for name, text in parse_named_blocks(path.read_text(encoding="utf-8"), source=path.name):
                if name in found:
                    raise ValueError(f"query {name!r} defined twice (again in {path.name})")
                found[name] = text
        return cls(found)

    def __getitem__(self, name: str) -> sql.SQL:
        try:
            return self._queries[name]
        except KeyError:
            raise KeyError(f"no SQL query named {name!r} in {SQL_DIR}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


def parse_named_blocks(text: str, *, source: str = "<sql>") -> list[tuple[str, str]]:
    """Split a file into `(name, sql)` pairs; text before the first name line is ignored."""
    matches = list(_NAME_LINE.finditer(text))
    blocks = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end() : end].strip()
        if not body:
            raise ValueError(f"query {match.group(1)!r} in {source} is empty")
        blocks.append((match.group(1), body.rstrip(";").strip()))
    return blocks


QUERIES = Queries.load()
