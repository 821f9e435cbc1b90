"""Error tracking with Sentry, only when ``SENTRY_DSN`` is set.

When it is unset, ``sentry_sdk`` is never imported. When it is set, Sentry is initialised before
the app is built (its Litestar integration hooks into app construction) and sends no personal
data: no client addresses, cookies or user ids (``send_default_pii=False``), no request bodies
and no local variables of stack frames (they may hold passwords or tokens). Each event is tagged
with the id of the request it happened in. An unhandled error in a handler is reported once, by
the Litestar integration: the problem mapper's own log line about it is not reported again.
"""

from __future__ import annotations

from typing import Any

from entrypoints.logs import request_id
from entrypoints.settings import HttpSettings

#: Logs each unhandled error that the Litestar integration already reports.
PROBLEMS_LOGGER = "entrypoints.http.problems"


def init_sentry(settings: HttpSettings) -> bool:
    """Initialise Sentry if ``settings.sentry_dsn`` is set; returns whether it did."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=settings.sentry_dsn.reveal(),
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=tag_request_id,
    )
    ignore_logger(PROBLEMS_LOGGER)
    return True


def tag_request_id(event: Any, hint: Any) -> Any:
    """Sentry ``before_send``: add the current request's id as the ``request_id`` tag."""
    current = request_id.get()
    if current is not None:
        event.setdefault("tags", {})["request_id"] = current
    return event
