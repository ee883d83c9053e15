-- What to do about a run, stored with it, and its retry found from it. What to do: the steps its alert email gave (shared.ingestion.
-- remedies), so the admin portal's run page says the same thing as the email, for as long as
-- the run is kept. Empty for a run that needed nothing. Written with the run's final state
-- (the load's own transaction for a loaded file), each step clipped on write like the message.
-- A constant default: adding the column rewrites nothing.

ALTER TABLE ingestion_logs
    ADD COLUMN what_to_do text[] NOT NULL DEFAULT '{}'
        CONSTRAINT ingestion_logs_what_to_do_bounded CHECK (cardinality(what_to_do) <= 20);

-- The steps as stored: in their order, at most 20 (the CHECK above), each clipped to 2,000
-- characters like the message (one definition for every statement that writes them).
CREATE FUNCTION app.run_steps(steps text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(left(step, 2000) ORDER BY n), '{}')
    FROM (SELECT step, n FROM unnest(steps) WITH ORDINALITY AS s (step, n) ORDER BY n LIMIT 20) first
$$;
GRANT EXECUTE ON FUNCTION app.run_steps(text[]) TO dash_worker;

-- A failed run's page says whether it was retried, and how that went (the newest retry).
CREATE INDEX idx_ingestion_logs_retry_of ON ingestion_logs (retry_of) WHERE retry_of IS NOT NULL;
