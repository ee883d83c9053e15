"""AWS adapters (boto3 lives here and nowhere else in `shared/`)."""
