-- Authentication: sessions, login, refresh tokens, throttling. Used by shared/auth/.
-- users, refresh_tokens and login_attempts have no RLS (they are read before a tenant is
-- known); the application guards them.

-- name: auth_session_state
-- One query per authenticated request (primary-key and family-index lookups): is the
-- session behind this access token still valid? `session_live` is false once the session's
-- refresh-token family has no live token left (logout, reuse detection, revocation).
-- The query is app.session_state (migration 1251): PL/pgSQL, so its plan is cached per
-- database session rather than made on every request.
SELECT s.id, s.role, s.client_id, s.session_version, s.inactive, s.session_live
FROM app.session_state(%(user_id)s, %(family_id)s) s

-- name: auth_user_by_email
SELECT u.id, u.email, u.password_hash, u.role, u.client_id, u.session_version,
       (u.disabled OR coalesce(c.status = 'disabled', false)) AS inactive
FROM users u
LEFT JOIN clients c ON c.id = u.client_id
WHERE lower(u.email) = lower(%(email)s)

-- name: auth_user_by_id
SELECT u.id, u.email, u.password_hash, u.role, u.client_id, u.session_version,
       (u.disabled OR coalesce(c.status = 'disabled', false)) AS inactive
FROM users u
LEFT JOIN clients c ON c.id = u.client_id
WHERE u.id = %(user_id)s

-- name: auth_login_lock
-- Seconds until every throttle of this attempt has passed (NULL when none blocks it): the
-- (email, source) pair, the source across emails and the email across sources.
SELECT max(ceil(extract(epoch FROM t.blocked_until - now())))::integer AS retry_after,
       (array_agg(t.scope ORDER BY t.blocked_until DESC))[1] AS scope
FROM login_throttle t
WHERE t.blocked_until > now()
  AND ((t.scope = 'pair' AND t.email_key = %(email_key)s AND t.source = %(source)s)
    OR (t.scope = 'source' AND t.email_key = '' AND t.source = %(source)s AND %(source)s <> '')
    OR (t.scope = 'email' AND t.email_key = %(email_key)s AND t.source = ''))

-- name: auth_login_failure
-- Count one failure in each scope atomically (concurrent failures each count). Failures older
-- than the window start a new count. At or over its limit a pair or source waits
-- 2^(failures - limit) seconds, at most max_delay; the email ceiling blocks for the window.
INSERT INTO login_throttle AS t (scope, email_key, source, failures, window_start, blocked_until)
SELECT v.scope, v.email_key, v.source, 1, now(),
       CASE WHEN 1 < v.max_failures THEN NULL
            WHEN v.scope = 'email' THEN now() + make_interval(secs => %(window_seconds)s)
            ELSE now() + make_interval(secs => 1) END
FROM (VALUES ('pair', %(email_key)s, %(source)s, %(pair_max)s::integer),
             ('source', '', %(source)s, %(source_max)s::integer),
             ('email', %(email_key)s, '', %(email_max)s::integer)) AS v(scope, email_key, source, max_failures)
WHERE v.scope <> 'source' OR v.source <> ''
ON CONFLICT (scope, email_key, source) DO UPDATE SET
    failures = CASE WHEN t.window_start < now() - make_interval(secs => %(window_seconds)s)
                    THEN 1 ELSE t.failures + 1 END,
    window_start = CASE WHEN t.window_start < now() - make_interval(secs => %(window_seconds)s)
                        THEN now() ELSE t.window_start END,
    blocked_until = (
        SELECT CASE WHEN n.failures < n.max_failures THEN NULL
                    WHEN t.scope = 'email' THEN now() + make_interval(secs => %(window_seconds)s)
                    ELSE now() + make_interval(secs => least(power(2, least(n.failures - n.max_failures, 30)),
                                                             %(max_delay)s)) END
        FROM (SELECT CASE WHEN t.window_start < now() - make_interval(secs => %(window_seconds)s)
                          THEN 1 ELSE t.failures + 1 END AS failures,
                     CASE t.scope WHEN 'pair' THEN %(pair_max)s::integer
                                  WHEN 'source' THEN %(source_max)s::integer
                                  ELSE %(email_max)s::integer END AS max_failures) AS n
    )
RETURNING t.scope, t.failures, ceil(extract(epoch FROM t.blocked_until - now()))::integer AS retry_after

-- name: auth_login_success
-- The right password from this address: its pair starts again (the source and email counts
-- decay with their window, so a success cannot reset an attack from elsewhere).
DELETE FROM login_throttle WHERE scope = 'pair' AND email_key = %(email_key)s AND source = %(source)s

-- name: auth_throttle_list
-- What the admin sees: every throttle with failures in the current window, blocked first.
SELECT t.scope, nullif(t.email_key, '') AS email, nullif(t.source, '') AS source, t.failures,
       t.window_start, t.blocked_until,
       coalesce(greatest(ceil(extract(epoch FROM t.blocked_until - now())), 0), 0)::integer AS retry_after,
       count(*) OVER () AS total
FROM login_throttle t
WHERE t.window_start > now() - make_interval(secs => %(window_seconds)s) OR t.blocked_until > now()
ORDER BY t.blocked_until DESC NULLS LAST, t.failures DESC, t.scope, t.email_key, t.source
LIMIT %(limit)s OFFSET %(offset)s

-- name: auth_throttle_clear
-- The admin clears every throttle of an email and/or a source address (either may be NULL).
DELETE FROM login_throttle
WHERE (%(email_key)s::text IS NOT NULL AND email_key = %(email_key)s::text)
   OR (%(source)s::text IS NOT NULL AND source = %(source)s::text)

-- name: auth_refresh_insert
INSERT INTO refresh_tokens (user_id, family_id, token_hash, session_version, expires_at)
VALUES (%(user_id)s, %(family_id)s, %(token_hash)s, %(session_version)s,
        now() + make_interval(secs => %(ttl_seconds)s))

-- name: auth_refresh_lookup
-- Locks the token row so two concurrent refreshes of one token cannot both rotate it.
-- `in_grace`: rotated less than `grace_seconds` ago (another tab's refresh of the same token).
SELECT rt.id, rt.user_id, rt.family_id, rt.session_version, rt.rotated_at, rt.revoked_at,
       rt.expires_at <= now() AS expired,
       coalesce(rt.rotated_at > now() - make_interval(secs => %(grace_seconds)s), false) AS in_grace,
       u.email, u.role, u.client_id, u.session_version AS user_session_version,
       (u.disabled OR coalesce(c.status = 'disabled', false)) AS inactive
FROM refresh_tokens rt
JOIN users u ON u.id = rt.user_id
LEFT JOIN clients c ON c.id = u.client_id
WHERE rt.token_hash = %(token_hash)s
FOR UPDATE OF rt

-- name: auth_refresh_rotate
UPDATE refresh_tokens SET rotated_at = now() WHERE id = %(id)s

-- name: auth_refresh_revoke_family
UPDATE refresh_tokens SET revoked_at = now()
WHERE family_id = %(family_id)s AND user_id = %(user_id)s AND revoked_at IS NULL

-- name: auth_refresh_revoke_user
UPDATE refresh_tokens SET revoked_at = now()
WHERE user_id = %(user_id)s AND revoked_at IS NULL

-- name: auth_revoke_client_sessions
-- Disabling a client ends its users' sessions for good: every access token carries the
-- old session version and every refresh token is revoked, so re-enabling the client
-- brings none of them back (like disabling a user).
WITH bumped AS (
    UPDATE users SET session_version = session_version + 1
    WHERE client_id = %(client_id)s
    RETURNING id
), revoked AS (
    UPDATE refresh_tokens SET revoked_at = now()
    WHERE user_id IN (SELECT id FROM bumped) AND revoked_at IS NULL
    RETURNING 1
)
SELECT (SELECT count(*) FROM bumped)::integer AS users, (SELECT count(*) FROM revoked)::integer AS refresh_tokens

-- name: auth_bump_session_version
-- Revokes every access token of the user (they carry the old version).
UPDATE users SET session_version = session_version + 1
WHERE id = %(user_id)s
RETURNING session_version

-- name: auth_set_password
UPDATE users SET password_hash = %(password_hash)s, session_version = session_version + 1
WHERE id = %(user_id)s
RETURNING session_version

-- name: auth_insert_user
INSERT INTO users (email, password_hash, role, client_id)
VALUES (%(email)s, %(password_hash)s, %(role)s, %(client_id)s)
RETURNING id, email, role, client_id, disabled, session_version, created_at, updated_at

-- name: auth_enabled_admin_exists
SELECT id FROM users WHERE role = 'admin' AND NOT disabled LIMIT 1
