"""Logging setup shared by every entrypoint: the one place that configures handlers.

Lines are JSON objects (``LOG_FORMAT=json``) or plain text. Every line logged while an HTTP
request is being served carries that request's id (:data:`request_id`, set by the edge
middleware). Records are formatted on the caller's side — where the request's context is — and
written to stderr by a background thread, so a slow log consumer never blocks the event loop.
Secrets, bodies and credentials headers are never logged by Ponte's own code.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import queue
import sys
import threading
import time
from contextvars import ContextVar
from typing import Any, TextIO

import msgspec

#: The id of the HTTP request being served in this context; ``None`` outside requests.
request_id: ContextVar[str | None] = ContextVar("ponte_request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

#: Attributes every ``LogRecord`` has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "request_id", "color_message"}  # uvicorn's ANSI-coloured copy
)

_writer: LineWriter | None = None


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (unless ``extra`` already did)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
            current = request_id.get()
            if current is not None:
                record.request_id = current
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``message``, ``request_id`` (in a
    request), the record's ``extra`` fields and ``exc`` (a traceback) when there is one."""

    _encoder = msgspec.json.Encoder(enc_hook=str)

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def _timestamp(self, created: float) -> str:
        """ISO 8601 UTC with milliseconds; the date and time are formatted once a second."""
        second = int(created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = record.__dict__
        if (current := fields.get("request_id")) is not None:
            line["request_id"] = current
        for key, value in fields.items():
            if key not in _STANDARD_ATTRIBUTES:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return self._encoder.encode(line).decode()


def make_formatter(log_format: str) -> logging.Formatter:
    """``json`` or ``text`` (``[-]`` stands for "no request")."""
    if log_format == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"})


def configure_logging(level: str, log_format: str = "text") -> None:
    """Send every logger's records, formatted as ``log_format``, to stderr from now on.

    Safe to call again: the previous setup is replaced.
    """
    global _writer
    _stop_writer()
    _writer = LineWriter(sys.stderr)
    handler = QueuedLineHandler(_writer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(make_formatter(log_format))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # Connection strings and tokens never go to logs; quiet the chattiest libraries.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # uvicorn's own lines (startup, errors) in the same format; its access log stays off: Ponte
    # writes its own (``ponte.access``).
    uvicorn = logging.getLogger("uvicorn")
    uvicorn.handlers.clear()
    uvicorn.propagate = True


class LineWriter:
    """A thread writing queued lines to ``stream``, as many at a time as are waiting.

    After the first line of a batch it lingers ``linger`` seconds for more: under load that turns
    a wake-up and a write per line into one per batch, and delays a line by at most ``linger``.
    """

    def __init__(self, stream: TextIO, linger: float = 0.02) -> None:
        self._stream = stream
        self._linger = linger
        self._lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ponte-log-writer", daemon=True)
        self._thread.start()

    def put(self, line: str) -> None:
        self._lines.put(line)

    def close(self) -> None:
        """Write what is queued, then stop."""
        self._lines.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            batch = [self._lines.get()]
            if batch[0] is not None and self._linger:
                time.sleep(self._linger)
            with contextlib.suppress(queue.Empty):
                while batch[-1] is not None:
                    batch.append(self._lines.get_nowait())
            lines = [line for line in batch if line is not None]
            if lines:
                with contextlib.suppress(Exception):  # a closed stderr must not kill the thread
                    self._stream.write("\n".join(lines) + "\n")
                    self._stream.flush()
            if batch[-1] is None:
                return


class QueuedLineHandler(logging.Handler):
    """Formats each record where it is logged (so the request's context is at hand) and hands
    the line to a :class:`LineWriter`."""

    def __init__(self, writer: LineWriter) -> None:
        super().__init__()
        self._writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._writer.put(self.format(record))
        except Exception:
            self.handleError(record)


def _stop_writer() -> None:
    """Write out what is queued and stop the writer thread (idempotent)."""
    global _writer
    if _writer is not None:
        _writer.close()
        _writer = None


atexit.register(_stop_writer)
