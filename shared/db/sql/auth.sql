-- Authentication: sessions, login, refresh tokens, throttling. Used by shared/auth/.
-- users, refresh_tokens and login_attempts have no RLS (they are read before a tenant is
-- known); the application guards them.

-- name: auth_session_state
-- One query per authenticated request (primary-key and family-index lookups): is the
-- session behind this access token still valid? `session_live` is false once the session's
-- refresh-token family has no live token left (logout, reuse detection, revocation).
SELECT u.id, u.role, u.client_id, u.session_version,
       (u.disabled OR coalesce(c.status = 'disabled', false)) AS inactive,
       EXISTS (
           SELECT 1 FROM refresh_tokens rt
           WHERE rt.family_id = %(family_id)s AND rt.user_id = u.id
             AND rt.revoked_at IS NULL AND rt.rotated_at IS NULL AND rt.expires_at > now()
       ) AS session_live
FROM users u
LEFT JOIN clients c ON c.id = u.client_id
WHERE u.id = %(user_id)s

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
-- Seconds left of an account's cool-off, if any.
SELECT ceil(extract(epoch FROM locked_until - now()))::integer AS retry_after
FROM login_attempts
WHERE email_key = %(email_key)s AND locked_until > now()

-- name: auth_login_failure
-- Count one failure atomically (concurrent failures each count). Failures older than the
-- window start a new count; reaching the limit locks the account for the cool-off.
INSERT INTO login_attempts AS la (email_key, failures, window_start, locked_until)
VALUES (%(email_key)s, 1, now(),
        CASE WHEN 1 >= %(max_failures)s THEN now() + make_interval(secs => %(lockout_seconds)s) END)
ON CONFLICT (email_key) DO UPDATE SET
    failures = CASE WHEN la.window_start < now() - make_interval(secs => %(lockout_seconds)s)
                    THEN 1 ELSE la.failures + 1 END,
    window_start = CASE WHEN la.window_start < now() - make_interval(secs => %(lockout_seconds)s)
                        THEN now() ELSE la.window_start END,
    locked_until = CASE
        WHEN (CASE WHEN la.window_start < now() - make_interval(secs => %(lockout_seconds)s)
                   THEN 1 ELSE la.failures + 1 END) >= %(max_failures)s
        THEN now() + make_interval(secs => %(lockout_seconds)s)
        ELSE NULL END
RETURNING la.failures, ceil(extract(epoch FROM la.locked_until - now()))::integer AS retry_after

-- name: auth_login_success
DELETE FROM login_attempts WHERE email_key = %(email_key)s

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
