-- Login throttling per (email, source address), per source address and per email
-- (shared/auth/service.py, SPEC §7, issue 15). Replaces the per-email-only lockout of
-- login_attempts, which let anyone lock any account (the admin's included) for 15 minutes;
-- login_attempts is left in place (transient counters, no longer written or read).
--
-- scope 'pair'   : email_key and source set — growing short delays after LOGIN_MAX_FAILURES
-- scope 'source' : source only (email_key '') — growing delays after LOGIN_SOURCE_MAX_FAILURES
-- scope 'email'  : email_key only (source '') — the ceiling, LOGIN_EMAIL_MAX_FAILURES
CREATE TABLE login_throttle (
    scope          text NOT NULL CHECK (scope IN ('pair', 'source', 'email')),
    email_key      text NOT NULL DEFAULT '',
    source         text NOT NULL DEFAULT '',
    failures       integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    window_start   timestamptz NOT NULL DEFAULT now(),
    blocked_until  timestamptz,
    PRIMARY KEY (scope, email_key, source)
);
CREATE INDEX idx_login_throttle_blocked ON login_throttle (blocked_until DESC);

-- Like login_attempts: read before any tenant is known, so no RLS; the API role owns the flow.
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO dash_api;
