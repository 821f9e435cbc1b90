"""Bodies and query strings made fit for the log of outside calls: no secrets, no personal data.

Keys are matched in any casing, with or without ``_``/``-`` (``client_secret``, ``ClientSecret``,
``client-secret``). Secrets (passwords, client secrets, tokens, API keys, ``Authorization``, the
username of a token request) become ``***``; documents (CPF, CNPJ, RG…, and any key that starts
with ``cpf``/``cnpj`` or names ``cpfCnpj``, such as ``cpfList``) keep their last two characters
(``***01``), each one of a list alike; other personal data (names, e-mail, phones, birth date,
address parts, free-text observations) become ``***``. ``number`` is personal inside phones and
addresses, ``reference`` inside addresses, and bare values listed under
``phones``/``emails``/``addresses``/``observations``. NF-e access keys and codes are kept. ``null``
stays ``null``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec

MASK = "***"
#: Bytes of a body kept in the log by default.
DEFAULT_LIMIT = 8 * 1024
#: Bodies larger than this are not redacted nor kept at all, by default.
DEFAULT_SKIP_ABOVE = 1024 * 1024

#: JSON bodies up to this many times ``limit`` are redacted whole; larger ones only in part.
_FULL_WALK = 4

#: ``_NOTES``: free text typed by people (order observations): masked whole, or inside a list or
#: object entry by entry.
_KEEP, _SECRET, _DOCUMENT, _PERSONAL, _NOTES = range(5)
_PHONES, _ADDRESSES, _EMAILS, _OBSERVATIONS = 1, 2, 4, 8

_SECRETS = frozenset(
    {
        "password",
        "clientsecret",
        "clientid",
        "secret",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "token",
        "authorization",
        "apikey",
        "xapikey",
        "username",
        "credentials",
    }
)
_DOCUMENTS = frozenset(
    {"cpf", "cnpj", "cpfcnpj", "customercpfcnpj", "document", "documentnumber", "rg"}
)
_PERSONAL_KEYS = frozenset(
    {
        "name",
        "firstname",
        "lastname",
        "fullname",
        "nickname",
        "socialname",
        "fantasyname",
        "mothername",
        "fathername",
        "customername",
        "contactname",
        "email",
        "phone",
        "phonenumber",
        "cellphone",
        "mobile",
        "birthdate",
        "dateofbirth",
        "address",
        "publicplace",
        "addressnumber",
        "complement",
        "neighborhood",
        "cep",
        "zipcode",
        "postalcode",
        "postofficebox",
    }
)
#: Keys that are personal only inside a phone or an address.
_IN_CONTEXT = {_PHONES: frozenset({"number"}), _ADDRESSES: frozenset({"number", "reference"})}


def normalise_key(key: str) -> str:
    """``client_secret``, ``Client-Secret`` and ``clientSecret`` all become ``clientsecret``."""
    return key.lower().replace("_", "").replace("-", "")


@functools.lru_cache(maxsize=4096)
def _kind(key: str) -> int:
    name = normalise_key(key)
    if name in _SECRETS or "password" in name or "secret" in name or name.endswith("token"):
        return _SECRET
    if name in _DOCUMENTS or name.startswith(("cpf", "cnpj")) or "cpfcnpj" in name:
        return _DOCUMENT
    if "observation" in name:
        return _NOTES
    if name in _PERSONAL_KEYS or name.endswith("address"):
        return _PERSONAL
    return _KEEP


@functools.lru_cache(maxsize=4096)
def _context(key: str) -> int:
    name = normalise_key(key)
    return (
        (_PHONES if "phone" in name else 0)
        | (_ADDRESSES if "address" in name else 0)
        | (_EMAILS if "email" in name else 0)
    )


def _mask(kind: int, value: Any) -> Any:
    if value is None:
        return None
    if kind == _DOCUMENT and isinstance(value, list):
        return [_mask(kind, item) for item in value]
    if kind == _DOCUMENT and isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value)
        return MASK + text[-2:] if len(text) >= 6 else MASK
    return MASK


def _in_context(context: int, name: str) -> bool:
    return any(context & flag and name in keys for flag, keys in _IN_CONTEXT.items())


def redact_json(value: Any) -> Any:
    """A copy of decoded JSON ``value`` with secrets and personal data masked at any depth."""
    return _redacted(value, 0)


def _redacted(value: Any, flags: int) -> Any:
    if isinstance(value, dict):
        return {key: _entry(key, item, flags, _redacted) for key, item in value.items()}
    if isinstance(value, list):
        return [_item(item, flags, _redacted) for item in value]
    return value


def _redacted_prefix(value: Any, flags: int, budget: int) -> Any:
    """Like :func:`_redacted`, but each dict and list stops after the entry that took its
    encoding past ``budget`` bytes: the work stays near ``budget`` whatever the body's size."""

    def child(item: Any, child_flags: int) -> Any:
        return _redacted_prefix(item, child_flags, budget)

    used = 0
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            out[key] = masked = _entry(key, item, flags, child)
            used += len(_ENCODE(masked)) + len(str(key)) + 4
            if used > budget:
                break
        return out
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            items.append(masked := _item(item, flags, child))
            used += len(_ENCODE(masked)) + 1
            if used > budget:
                break
        return items
    return value


_Child = Callable[[Any, int], Any]
_ENCODE = msgspec.json.encode


def _entry(key: Any, item: Any, flags: int, child: _Child) -> Any:
    if not isinstance(key, str):
        return child(item, flags) if isinstance(item, dict | list) else item
    kind = _kind(key)
    if kind == _NOTES and isinstance(item, dict | list):
        return child(item, flags | _OBSERVATIONS)
    if kind != _KEEP:
        return _mask(kind, item)
    if flags and _in_context(flags, normalise_key(key)):
        return _mask(_PERSONAL, item)
    if flags & _OBSERVATIONS and isinstance(item, str):
        return MASK  # any text inside observations may be a shopper's
    if isinstance(item, dict | list):
        return child(item, flags | _context(key))
    return item


def _item(item: Any, flags: int, child: _Child) -> Any:
    if isinstance(item, dict | list):
        return child(item, flags)
    return _mask(_PERSONAL, item) if flags else item


def redact_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Form fields or query parameters with the values of secret and personal keys masked."""
    return [(key, _mask(kind, value) if (kind := _kind(key)) else value) for key, value in pairs]


def redact_query(params: Iterable[tuple[str, str]]) -> str:
    """A query string (without ``?``) of ``params``, masked like a form."""
    return urlencode(redact_pairs(params), safe="*")


# ``"key": value`` in JSON-like text; a string value may be cut off by the end of the text.
_JSON_PAIR = re.compile(
    r'"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*(?:"|$)|[^\s,}\]\[{"][^\s,}\]]*)'
)
# ``key=value`` in form-like text.
_FORM_PAIR = re.compile(r"(?<![\w%.-])([A-Za-z][\w.-]{0,63})=([^&\s]*)")
_BEARER = re.compile(r"(?i)\b(bearer\s+[\w.~+/=-]+|basic\s+[A-Za-z0-9+/=]{8,})")
# Whatever follows one of these, in text that is neither JSON nor a form, is not kept.
_SECRET_MARK = re.compile(
    r"(?i)(pass(word|wd)?|secret|token|authorization|api[_-]?key)\s*[=:](?!\s*\*\*\*)"
)
_CUT = "…[cut at a secret]"


def scrub_text(text: str) -> str:
    """Best effort for text that is neither JSON nor a form (HTML, truncated JSON, plain text):
    masks JSON-like and form-like pairs of secret or personal keys (``number`` and ``reference``
    included, as their context is unknown) and bearer credentials, then drops everything from the
    first remaining ``password=``/``token:``-like mark on."""

    def json_pair(match: re.Match[str]) -> str:
        key, colon, value = match.groups()
        kind = _kind(key) or (_PERSONAL if normalise_key(key) in ("number", "reference") else 0)
        if not kind or value == "null":
            return match.group(0)
        return f'"{key}"{colon}"{_mask(kind, value.strip(chr(34)))}"'

    def form_pair(match: re.Match[str]) -> str:
        key, value = match.groups()
        kind = _kind(key)
        return f"{key}={_mask(kind, value)}" if kind and value else match.group(0)

    text = _JSON_PAIR.sub(json_pair, text)
    if "=" in text:
        text = _FORM_PAIR.sub(form_pair, text)
    if _may_contain(text, _BEARER_WORDS):
        text = _BEARER.sub(lambda m: f"{m.group(1).split()[0]} {MASK}", text)
    mark = _SECRET_MARK.search(text) if _may_contain(text, _SECRET_WORDS) else None
    return text if mark is None else text[: mark.start()] + _CUT


#: Words one of which every match of :data:`_BEARER` / :data:`_SECRET_MARK` contains.
_BEARER_WORDS = ("bearer", "basic")
_SECRET_WORDS = ("pass", "secret", "token", "authorization", "api")
#: The only non-ASCII letters that ``re.IGNORECASE`` matches to ASCII ones (``İ ı ſ K``).
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


def _may_contain(text: str, words: tuple[str, ...]) -> bool:
    """False only when no case-insensitive match of a pattern built on ``words`` can be in
    ``text``: a substring test on the lower-cased text is far cheaper than the search itself
    (a case-insensitive alternation tried at every position: ~0.5 ms per 8 KB logged)."""
    if any(c in text for c in _FOLDS_TO_ASCII):
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)


def _utf8_cut(data: bytes, size: int) -> int:
    """``size``, moved back so that it does not split a UTF-8 character."""
    if size >= len(data):
        return len(data)
    while size > 0 and data[size] & 0xC0 == 0x80:
        size -= 1
    return size


@dataclass(frozen=True, slots=True)
class Redactor:
    """Turns bodies into log text. ``limit`` caps the bytes kept of a redacted body (a
    ``…[truncated N bytes]`` marker tells how many were dropped); bodies over ``skip_above`` bytes
    are not read at all and logged as ``[N bytes, not kept]``."""

    limit: int = DEFAULT_LIMIT
    skip_above: int = DEFAULT_SKIP_ABOVE

    def body(
        self, body: bytes | str | Mapping[str, str] | None, content_type: str | None = None
    ) -> str | None:
        """The log text of ``body``: a mapping is a form; bytes and text are read as their
        ``content_type`` says (JSON, form) or, without one, as JSON when they look like it."""
        if body is None:
            return None
        if isinstance(body, Mapping):
            return self._capped(redact_query(body.items()).encode())
        raw = body.encode() if isinstance(body, str) else bytes(body)
        if not raw:
            return None
        if len(raw) > self.skip_above:
            return f"[{len(raw)} bytes, not kept]"
        kind = (content_type or "").lower()
        if "x-www-form-urlencoded" in kind:
            text = raw.decode("utf-8", "replace")
            return self._capped(redact_query(parse_qsl(text, keep_blank_values=True)).encode())
        if "json" in kind or raw.lstrip()[:1] in (b"{", b"["):
            if len(raw) > _FULL_WALK * self.limit:
                # A large answer (a search page): only the kept prefix is read, as text — decoding
                # the whole page would cost the sync milliseconds per page for nothing.
                return self._text(raw)
            try:
                decoded = msgspec.json.decode(raw)
            except msgspec.DecodeError:
                pass
            else:
                return self._json(decoded, len(raw))
        return self._text(raw)

    def query(self, params: Iterable[tuple[str, str]]) -> str:
        return redact_query(params)

    def _json(self, decoded: Any, size: int) -> str:
        if size <= _FULL_WALK * self.limit:
            return self._capped(_ENCODE(_redacted(decoded, 0)))
        # Large: redact only about what will be kept; the count of dropped bytes is then
        # measured on the body as received.
        data = _ENCODE(_redacted_prefix(decoded, 0, self.limit))
        cut = _utf8_cut(data, self.limit)
        text = data[:cut].decode("utf-8", "replace")
        return text if cut == len(data) else f"{text}…[truncated {max(size - cut, 1)} bytes]"

    def _capped(self, data: bytes) -> str:
        cut = _utf8_cut(data, self.limit)
        text = data[:cut].decode("utf-8", "replace")
        return text if cut == len(data) else f"{text}…[truncated {len(data) - cut} bytes]"

    def _text(self, raw: bytes) -> str:
        cut = _utf8_cut(raw, self.limit)
        text = scrub_text(raw[:cut].decode("utf-8", "replace"))
        return text if cut == len(raw) else f"{text}…[truncated {len(raw) - cut} bytes]"
