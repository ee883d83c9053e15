"""The admin portal's domain services: clients, advertisers, users, rate card, ingestion runs."""
