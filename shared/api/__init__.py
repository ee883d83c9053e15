"""The REST API: resolver factory, error mapping, authentication dependencies and routers."""
