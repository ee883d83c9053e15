"""Ingestion: partner CSV files in S3 -> priced `daily_metrics`, exactly once (SPEC §3)."""
