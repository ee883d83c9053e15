-- The admin portal: client branding (logo and accent colour) and the alert history.
-- Independent of every other migration; adds tables only, so existing data is untouched.

-- ---------------------------------------------------------------- branding

-- One row per client that has any branding. The logo is stored here (bytea, at most
-- 256 KiB): it is small, tenant-scoped like the rest of the client's data, and served by
-- the API from the app's origin, never from a bucket URL. Only PNG and JPEG are accepted
-- (sniffed from the bytes by the application; SVG can carry script).
CREATE TABLE client_branding (
    client_id          uuid PRIMARY KEY REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    accent_color       char(7) CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
    logo               bytea CHECK (octet_length(logo) BETWEEN 1 AND 262144),
    logo_content_type  varchar(20) CHECK (logo_content_type IN ('image/png', 'image/jpeg')),
    logo_sha256        char(64) CHECK (logo_sha256 ~ '^[0-9a-f]{64}$'),
    logo_width         integer CHECK (logo_width > 0),
    logo_height        integer CHECK (logo_height > 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_branding_logo_complete CHECK (
        (logo IS NULL) = (logo_content_type IS NULL) AND (logo IS NULL) = (logo_sha256 IS NULL)
    )
);

CREATE TRIGGER client_branding_touch_updated_at BEFORE UPDATE ON client_branding
    FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

ALTER TABLE client_branding ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_branding FORCE ROW LEVEL SECURITY;
-- A client user reads its own branding; only admin (all-clients) transactions change it.
CREATE POLICY tenant_read ON client_branding FOR SELECT
    USING ((SELECT app.all_clients()) OR client_id = (SELECT app.current_client_id()));
CREATE POLICY admin_write ON client_branding FOR ALL
    USING ((SELECT app.all_clients())) WITH CHECK ((SELECT app.all_clients()));

GRANT SELECT, INSERT, UPDATE, DELETE ON client_branding TO dash_api;
GRANT SELECT ON client_branding TO dash_worker;

-- ---------------------------------------------------------------- alert history

-- Every alert the system tried to send, sent or not (written by shared/alerts.py's send
-- path). `alert_log` (0001) stays what it is: the once-per-key claim of deduplicated alerts.
-- run_id and client_id carry no foreign key on purpose: recording an alert must never fail
-- because of what it is about.
CREATE TABLE alert_history (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind              varchar(40) NOT NULL,
    subject           text NOT NULL,
    status            varchar(10) NOT NULL CHECK (status IN ('sent', 'failed')),
    recipients_count  integer NOT NULL CHECK (recipients_count >= 0),
    error             text,
    run_id            uuid,
    client_id         uuid,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX idx_alert_history_created ON alert_history (created_at DESC, id);
CREATE INDEX idx_alert_history_kind ON alert_history (kind, created_at DESC);
CREATE INDEX idx_alert_history_run ON alert_history (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX idx_alert_history_client ON alert_history (client_id, created_at DESC) WHERE client_id IS NOT NULL;

-- Like the ingestion log, it spans clients: only all-clients transactions see or write it.
ALTER TABLE alert_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_history FORCE ROW LEVEL SECURITY;
CREATE POLICY all_clients_only ON alert_history
    USING ((SELECT app.all_clients())) WITH CHECK ((SELECT app.all_clients()));

-- The API role writes too: an admin retry runs ingestion in-process locally, and a
-- backfill may send its digest.
GRANT SELECT, INSERT ON alert_history TO dash_api, dash_worker;

-- The agency overview filters metric rows by (client_id, date) and counts unpriced ones.
CREATE INDEX idx_metrics_unpriced ON daily_metrics (client_id, date) WHERE spend IS NULL;
