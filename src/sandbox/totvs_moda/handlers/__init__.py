"""aiohttp handlers, one module per resource family."""
