-- A run's `file_name` is "bucket/key": a 63-character bucket name and S3's longest key
-- (1,024 bytes) make 1,088 characters, which varchar(1024) refused, so the run could not even
-- be recorded. Widening a varchar is a catalogue change (no table rewrite).
ALTER TABLE ingestion_logs ALTER COLUMN file_name TYPE varchar(1088);
