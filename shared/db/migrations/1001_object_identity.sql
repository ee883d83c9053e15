-- Restatements in any delivery order (SPEC §3 "Idempotency and restatements"): each run
-- records the identity of the object it read (version id, or the event's sequencer when the
-- bucket is unversioned) and its upload time; each stored (client, date) records the upload
-- time of the newest upload containing it, so a late-arriving older upload loads only the
-- days where it is the newest and counts the others as stale days.

ALTER TABLE ingestion_logs
    ADD COLUMN version_id   varchar(1024),
    ADD COLUMN sequencer    varchar(64),
    ADD COLUMN uploaded_at  timestamptz,
    ADD COLUMN stale_days   integer NOT NULL DEFAULT 0 CHECK (stale_days >= 0),
    -- A failed run whose event may come again to try again (the invocation raised and
    -- Lambda retries it, or it ran out of time): that identity is not "already processed".
    ADD COLUMN retried_by_lambda boolean NOT NULL DEFAULT false;

ALTER TABLE ingestion_logs DROP CONSTRAINT ingestion_logs_status_check;
ALTER TABLE ingestion_logs ADD CONSTRAINT ingestion_logs_status_check
    CHECK (status IN ('running', 'success', 'partial', 'failed', 'duplicate', 'stale'));

-- The identity check of each event: the finished runs of one object key.
CREATE INDEX idx_ingestion_logs_object ON ingestion_logs (object_key, bucket);

ALTER TABLE ingestion_day_versions
    ADD COLUMN uploaded_at    timestamptz,
    ADD COLUMN upload_run_id  uuid REFERENCES ingestion_logs (id) ON UPDATE CASCADE ON DELETE RESTRICT;

-- Existing days: the upload time of the run that wrote them is the best knowledge (runs
-- before this migration recorded no upload time; they started right after it).
SELECT set_config('app.all_clients', 'on', true);
UPDATE ingestion_day_versions v
SET uploaded_at = coalesce((SELECT l.started_at FROM ingestion_logs l WHERE l.id = v.ingestion_run_id), v.updated_at),
    upload_run_id = v.ingestion_run_id;
ALTER TABLE ingestion_day_versions ALTER COLUMN uploaded_at SET NOT NULL;
