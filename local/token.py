"""Print an access token for the running local stack (`make -s token [EMAIL=...]`).

    export TOKEN=$(make -s token)                                  # the admin
    export TOKEN=$(make -s token EMAIL=viewer@acme-outdoor.example.com)   # a demo client user

The password comes from stack.json (the admin's, or a demo client user's).
"""

from __future__ import annotations

import sys

from local.api_client import ApiClient, ApiError
from local.stackfile import NoStack, read_stack


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        stack = read_stack()
    except NoStack as exc:
        print(exc, file=sys.stderr)
        return 2
    email = args[0] if args and args[0] else stack["admin_email"]
    passwords = {stack["admin_email"]: stack["admin_password"]}
    passwords.update({user["email"]: user["password"] for user in stack.get("demo_users") or []})
    if email not in passwords:
        print(f"{email} is not the admin or a demo client user of this stack: {', '.join(passwords)}", file=sys.stderr)
        return 2
    try:
        tokens = ApiClient(stack["api_url"]).login(email, passwords[email])
    except (ApiError, OSError) as exc:
        print(f"login failed: {exc}", file=sys.stderr)
        return 1
    print(tokens["access_token"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
