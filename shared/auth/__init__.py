"""Authentication: password hashing, access tokens, refresh-token sessions, login throttling."""
