-- Ingestion support: the per-client data lock shared by every writer of a client's metrics,
-- and the record of objects copied from the partner bucket.

-- Serialises writers of one client's metrics (ingestion loads, rate-card re-pricing) until
-- the end of the calling transaction. Callers touching several clients must lock them in
-- ascending client_id order so two writers can never deadlock.
CREATE OR REPLACE FUNCTION app.lock_client_data(p_client_id uuid) RETURNS void
LANGUAGE sql VOLATILE AS $$
    SELECT pg_advisory_xact_lock(hashtextextended('client-data:' || p_client_id::text, 0))
$$;

-- One row per partner object version copied into the landing bucket: the scheduled sync
-- never copies the same object (key + ETag) twice. Holds no client data, so no RLS.
CREATE TABLE partner_sync_copies (
    source_bucket  varchar(255) NOT NULL,
    source_key     varchar(1024) NOT NULL,
    etag           varchar(255) NOT NULL,
    target_bucket  varchar(255) NOT NULL,
    target_key     varchar(1024) NOT NULL,
    copied_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_bucket, source_key, etag)
);

GRANT EXECUTE ON FUNCTION app.lock_client_data(uuid) TO dash_api, dash_worker;
GRANT SELECT, INSERT ON partner_sync_copies TO dash_worker;
GRANT SELECT ON partner_sync_copies TO dash_api;
