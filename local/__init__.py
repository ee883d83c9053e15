"""The local stack behind `make demo`: the whole system on loopback.

An embedded PostgreSQL, an in-process moto server (S3, SES, Secrets Manager), the real
Lambda handlers run in one subprocess per function (like warm Lambda containers), an
emulation of the S3 ObjectCreated notification and of API Gateway. See docs/local.md.
"""
