-- Core schema: every table of the design seed (seeds/schema.txt) plus what the spec needs.
-- Money is stored unrounded (spend = impressions * cpm / 1000 has at most 7 decimals with a
-- 4-decimal CPM), so any total equals the sum of impressions x CPM / 1000 to the cent.
-- Foreign keys are ON UPDATE CASCADE ON DELETE RESTRICT throughout.

CREATE SCHEMA IF NOT EXISTS app;

CREATE OR REPLACE FUNCTION app.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Normalised key for advertiser and header matching: lower case, no whitespace.
CREATE OR REPLACE FUNCTION app.name_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT lower(regexp_replace(value, '\s+', '', 'g'))
$$;

-- ---------------------------------------------------------------- clients and accounts

CREATE TABLE clients (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        varchar(255) NOT NULL CHECK (btrim(name) <> ''),
    slug        varchar(63)  NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$'),
    status      varchar(20)  NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX idx_clients_name ON clients (name);
CREATE UNIQUE INDEX idx_clients_slug_unique ON clients (slug);

CREATE TABLE client_advertisers (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id   uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    name        varchar(255) NOT NULL CHECK (btrim(name) <> ''),
    name_key    text GENERATED ALWAYS AS (app.name_key(name)) STORED,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- An advertiser name resolves to exactly one client.
CREATE UNIQUE INDEX idx_client_advertisers_name_key ON client_advertisers (name_key);
CREATE INDEX idx_client_advertisers_client_id ON client_advertisers (client_id);

CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email            varchar(255) NOT NULL CHECK (position('@' IN email) > 1),
    password_hash    text NOT NULL,
    role             varchar(20) NOT NULL CHECK (role IN ('admin', 'client')),
    client_id        uuid REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    disabled         boolean NOT NULL DEFAULT false,
    -- Bumped on logout-everywhere, password reset, role change and disabling: tokens
    -- carrying an older version are rejected.
    session_version  integer NOT NULL DEFAULT 1 CHECK (session_version > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_role_client CHECK (
        (role = 'admin' AND client_id IS NULL) OR (role = 'client' AND client_id IS NOT NULL)
    )
);
CREATE UNIQUE INDEX idx_users_email_unique ON users (lower(email));
CREATE INDEX idx_users_client_id ON users (client_id);

CREATE TABLE refresh_tokens (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    -- Every token issued from one login shares a family; reusing a rotated token revokes it.
    family_id        uuid NOT NULL,
    token_hash       bytea NOT NULL,
    session_version  integer NOT NULL,
    issued_at        timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    rotated_at       timestamptz,
    revoked_at       timestamptz
);
CREATE UNIQUE INDEX idx_refresh_tokens_hash ON refresh_tokens (token_hash);
CREATE INDEX idx_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX idx_refresh_tokens_user ON refresh_tokens (user_id);

-- Failed logins per normalised email (known or not, so throttling reveals nothing).
CREATE TABLE login_attempts (
    email_key        text PRIMARY KEY,
    failures         integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    window_start     timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz
);

-- ---------------------------------------------------------------- rate card

CREATE TABLE client_settings (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id       uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    cpm             numeric(10, 4) NOT NULL CHECK (cpm >= 0),
    -- The rate applies from this date (inclusive) until the next rate's date.
    effective_date  date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_client_settings_client_id ON client_settings (client_id, effective_date);

-- ---------------------------------------------------------------- dimensions
-- Each level carries client_id so row-level security needs no joins.

CREATE TABLE campaigns (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id   uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    name        varchar(255) NOT NULL CHECK (btrim(name) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_campaign_client_name ON campaigns (client_id, name);

CREATE TABLE strategies (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id    uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    name         varchar(255) NOT NULL CHECK (btrim(name) <> ''),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_strategy_campaign_name ON strategies (campaign_id, name);
CREATE INDEX idx_strategies_client_id ON strategies (client_id);

CREATE TABLE placements (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id    uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    strategy_id  uuid NOT NULL REFERENCES strategies (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    name         varchar(255) NOT NULL CHECK (btrim(name) <> ''),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_placement_strategy_name ON placements (strategy_id, name);
CREATE INDEX idx_placements_client_id ON placements (client_id);

CREATE TABLE creatives (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id     uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    placement_id  uuid NOT NULL REFERENCES placements (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    name          varchar(255) NOT NULL CHECK (btrim(name) <> ''),
    preview_url   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_creative_placement_name ON creatives (placement_id, name);
CREATE INDEX idx_creatives_client_id ON creatives (client_id);

-- ---------------------------------------------------------------- ingestion log

CREATE TABLE ingestion_logs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    file_name         varchar(1024) NOT NULL,          -- bucket/key
    bucket            varchar(255) NOT NULL,
    object_key        varchar(1024) NOT NULL,
    checksum          char(64) CHECK (checksum ~ '^[0-9a-f]{64}$'),   -- SHA-256 of the bytes
    file_size         bigint CHECK (file_size >= 0),
    run_date          date NOT NULL DEFAULT current_date,
    status            varchar(20) NOT NULL
                      CHECK (status IN ('running', 'success', 'partial', 'failed', 'duplicate')),
    records_loaded    integer NOT NULL DEFAULT 0 CHECK (records_loaded >= 0),
    records_failed    integer NOT NULL DEFAULT 0 CHECK (records_failed >= 0),
    message           text,
    client_ids        uuid[] NOT NULL DEFAULT '{}',    -- clients whose data the run touched
    date_from         date,
    date_to           date,
    retry_of          uuid REFERENCES ingestion_logs (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
-- Exactly-once: one loaded run per file content.
CREATE UNIQUE INDEX idx_ingestion_logs_checksum_loaded ON ingestion_logs (checksum)
    WHERE status IN ('success', 'partial');
CREATE INDEX idx_ingestion_logs_started ON ingestion_logs (started_at DESC);
CREATE INDEX idx_ingestion_logs_status ON ingestion_logs (status, started_at DESC);
CREATE INDEX idx_ingestion_logs_client_ids ON ingestion_logs USING gin (client_ids);

CREATE TABLE ingestion_rejected_rows (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ingestion_run_id  uuid NOT NULL REFERENCES ingestion_logs (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    line_number       integer NOT NULL CHECK (line_number > 0),
    column_name       varchar(255),
    value             text,
    reason            text NOT NULL
);
CREATE INDEX idx_rejected_rows_run ON ingestion_rejected_rows (ingestion_run_id, line_number);

-- ---------------------------------------------------------------- facts

CREATE TABLE daily_metrics (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id           uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    date                date NOT NULL,
    campaign_id         uuid NOT NULL REFERENCES campaigns (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    strategy_id         uuid NOT NULL REFERENCES strategies (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    placement_id        uuid NOT NULL REFERENCES placements (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    creative_id         uuid NOT NULL REFERENCES creatives (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    impressions         bigint NOT NULL CHECK (impressions >= 0),
    clicks              bigint NOT NULL CHECK (clicks >= 0),
    conversions         bigint NOT NULL CHECK (conversions >= 0),
    conversion_revenue  numeric(18, 6) NOT NULL CHECK (conversion_revenue >= 0),
    -- The rate-card row used to price this row; NULL (with spend NULL) when no CPM applied.
    client_setting_id   uuid REFERENCES client_settings (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    cpm                 numeric(10, 4),
    spend               numeric(22, 7),
    -- Derived per-row metrics, always from this row's own values.
    ctr   numeric(12, 6) GENERATED ALWAYS AS (round(clicks::numeric / NULLIF(impressions, 0), 6)) STORED,
    cpc   numeric(16, 4) GENERATED ALWAYS AS (round(spend / NULLIF(clicks, 0), 4)) STORED,
    cpa   numeric(16, 4) GENERATED ALWAYS AS (round(spend / NULLIF(conversions, 0), 4)) STORED,
    roas  numeric(16, 4) GENERATED ALWAYS AS (round(conversion_revenue / NULLIF(spend, 0), 4)) STORED,
    ingestion_run_id    uuid REFERENCES ingestion_logs (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT daily_metrics_clicks_le_impressions CHECK (clicks <= impressions),
    CONSTRAINT daily_metrics_priced CHECK ((spend IS NULL) = (cpm IS NULL))
);
-- Business key: a creative determines its placement, strategy and campaign.
CREATE UNIQUE INDEX idx_metrics_business_key ON daily_metrics (client_id, date, creative_id);
CREATE INDEX idx_metrics_client_date ON daily_metrics (client_id, date);
CREATE INDEX idx_metrics_campaign ON daily_metrics (campaign_id, date);
CREATE INDEX idx_metrics_strategy ON daily_metrics (strategy_id, date);
CREATE INDEX idx_metrics_placement ON daily_metrics (placement_id, date);
CREATE INDEX idx_metrics_creative ON daily_metrics (creative_id, date);

-- Rows of one file being loaded; emptied within the loading transaction.
CREATE UNLOGGED TABLE staging_media_raw (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ingestion_run_id    uuid NOT NULL,
    line_number         integer NOT NULL,
    client_id           uuid NOT NULL,
    date                date NOT NULL,
    campaign_name       varchar(255) NOT NULL,
    strategy_name       varchar(255) NOT NULL,
    placement_name      varchar(255) NOT NULL,
    creative_name       varchar(255) NOT NULL,
    impressions         bigint NOT NULL,
    clicks              bigint NOT NULL,
    ctr                 numeric(12, 6),
    conversions         bigint NOT NULL,
    conversion_revenue  numeric(18, 6) NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_staging_media_raw_run ON staging_media_raw (ingestion_run_id);

-- ---------------------------------------------------------------- summaries

CREATE TABLE weekly_summaries (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id           uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    week_start          date NOT NULL CHECK (extract(isodow FROM week_start) = 1),
    week_end            date NOT NULL,
    impressions         bigint NOT NULL DEFAULT 0,
    clicks              bigint NOT NULL DEFAULT 0,
    conversions         bigint NOT NULL DEFAULT 0,
    revenue             numeric(22, 6) NOT NULL DEFAULT 0,
    spend               numeric(22, 7),
    ctr                 numeric(12, 6),
    cvr                 numeric(12, 6),
    cpc                 numeric(16, 4),
    cpa                 numeric(16, 4),
    roas                numeric(16, 4),
    days_with_data      smallint NOT NULL DEFAULT 0 CHECK (days_with_data BETWEEN 0 AND 7),
    deltas              jsonb NOT NULL DEFAULT '{}',
    top_campaigns       jsonb NOT NULL DEFAULT '[]',
    underperformers     jsonb NOT NULL DEFAULT '[]',
    top_creatives       jsonb NOT NULL DEFAULT '[]',
    insights            jsonb NOT NULL DEFAULT '[]',
    details             jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT weekly_summaries_week_end CHECK (week_end = week_start + 6)
);
CREATE UNIQUE INDEX idx_weekly_summaries_client_week ON weekly_summaries (client_id, week_start);

CREATE TABLE monthly_summaries (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id           uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    month_start         date NOT NULL CHECK (extract(day FROM month_start) = 1),
    month_end           date NOT NULL,
    impressions         bigint NOT NULL DEFAULT 0,
    clicks              bigint NOT NULL DEFAULT 0,
    conversions         bigint NOT NULL DEFAULT 0,
    revenue             numeric(22, 6) NOT NULL DEFAULT 0,
    spend               numeric(22, 7),
    ctr                 numeric(12, 6),
    cvr                 numeric(12, 6),
    cpc                 numeric(16, 4),
    cpa                 numeric(16, 4),
    roas                numeric(16, 4),
    days_with_data      smallint NOT NULL DEFAULT 0 CHECK (days_with_data BETWEEN 0 AND 31),
    deltas              jsonb NOT NULL DEFAULT '{}',
    trend               jsonb NOT NULL DEFAULT '{}',
    top_campaigns       jsonb NOT NULL DEFAULT '[]',
    top_creatives       jsonb NOT NULL DEFAULT '[]',
    campaign_rankings   jsonb NOT NULL DEFAULT '[]',
    creative_rankings   jsonb NOT NULL DEFAULT '[]',
    insights            jsonb NOT NULL DEFAULT '[]',
    details             jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT monthly_summaries_month_end
        CHECK (month_end = (month_start + interval '1 month' - interval '1 day')::date)
);
CREATE UNIQUE INDEX idx_monthly_summaries_client_month ON monthly_summaries (client_id, month_start);

-- Periods whose data changed after their summary was built (restatement, re-pricing);
-- the summaries engine regenerates them.
CREATE TABLE summary_refresh_queue (
    client_id     uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    kind          varchar(10) NOT NULL CHECK (kind IN ('weekly', 'monthly')),
    period_start  date NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, kind, period_start)
);

-- ---------------------------------------------------------------- alerts

-- Alerts that must go out once per key (e.g. the missing-file alert per client per day).
CREATE TABLE alert_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        varchar(40) NOT NULL,
    dedupe_key  text NOT NULL,
    client_id   uuid REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    subject     text NOT NULL,
    sent        boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_alert_log_dedupe ON alert_log (kind, dedupe_key);

-- ---------------------------------------------------------------- updated_at triggers

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'users', 'client_settings', 'campaigns', 'strategies',
                             'placements', 'creatives', 'daily_metrics', 'weekly_summaries',
                             'monthly_summaries']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW '
                       'EXECUTE FUNCTION app.touch_updated_at()', t || '_touch_updated_at', t);
    END LOOP;
END;
$$;
