"""The HTTP API (`/api/v1/…`): other systems start projects and read them.

Off unless API_TOKENS is set. `handlers.api.app.api_app` is the WSGI application the
server hands every `/api/` request to; requests are validated with the pydantic models of
`handlers.api.models`, which also make the OpenAPI document (`handlers.api.openapi`).
"""
