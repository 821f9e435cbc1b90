"""One HTTP exchange with an outside system turned into a redacted :class:`OutsideCall`.

Shared by every HTTP adapter: each calls :meth:`CallRecording.record` once per exchange, from the
single place its requests leave the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from adapters.redaction import Redactor
from application.ops.calls import CallRecorder, OutsideCall
from application.outbox.erp import correlation_id

log = logging.getLogger(__name__)


def _unchanged(text: str) -> str:
    return text


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CallRecording:
    """Records exchanges with ``connection`` into ``recorder``.

    Paths are relative to ``root`` (the API root URL, ending in ``/``) and carry the redacted query.
    Bodies go through ``redactor``; then ``mask`` (the adapter's own masking of the credentials
    and tokens it knows) runs over every text field, so a secret echoed under an unexpected key
    is still hidden. The correlation id is the context's :data:`correlation_id`.
    """

    def __init__(
        self,
        recorder: CallRecorder,
        connection: str,
        *,
        root: str,
        redactor: Redactor | None = None,
        mask: Callable[[str], str] = _unchanged,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._recorder = recorder
        self._connection = connection
        self._root = root
        self._redactor = redactor or Redactor()
        self._mask = mask
        self._now = now

    def record(
        self,
        *,
        method: str,
        url: str,
        params: Sequence[tuple[str, str]],
        body: bytes | Mapping[str, str] | None,
        body_type: str | None,
        status: int | None,
        response: bytes | None,
        response_type: str | None,
        seconds: float,
        error: str | None,
    ) -> None:
        """Hand one exchange to the recorder. Never raises: a failure is logged, without
        bodies, and the call is not recorded."""
        try:
            redact, mask = self._redactor, self._mask
            request_body = redact.body(body, body_type)
            response_body = redact.body(response, response_type)
            call = OutsideCall(
                at=self._now() - timedelta(seconds=seconds),
                connection=self._connection,
                method=method.upper(),
                path=mask(self._path(url, params)),
                status=status,
                duration_ms=seconds * 1000.0,
                correlation_id=correlation_id.get(),
                request_body=None if request_body is None else mask(request_body),
                response_body=None if response_body is None else mask(response_body),
                error=None if error is None else mask(error),
            )
            self._recorder.record(call)
        except Exception as failure:
            log.warning("could not record a %s call: %s", self._connection, type(failure).__name__)

    def _path(self, url: str, params: Sequence[tuple[str, str]]) -> str:
        path = url[len(self._root) :] if url.startswith(self._root) else url
        path, _, inline = path.partition("?")
        query = [*parse_qsl(inline, keep_blank_values=True), *params]
        return f"{path}?{self._redactor.query(query)}" if query else path
