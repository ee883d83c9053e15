"""Powertools routers, one per area; API functions build a resolver from some of them."""
