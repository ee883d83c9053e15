"""CDK infrastructure (never imports runtime code)."""
