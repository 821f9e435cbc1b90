"""Brazilian document numbers: CPF, CNPJ (mod-11 check digits) and NF-e access keys."""

from __future__ import annotations

from collections.abc import Sequence

_CPF_WEIGHTS = (tuple(range(10, 1, -1)), tuple(range(11, 1, -1)))
_CNPJ_WEIGHTS = ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))


def _check_digit(body: str, weights: Sequence[int]) -> str:
    remainder = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _complete(body: str, weights: tuple[Sequence[int], Sequence[int]]) -> str:
    first = _check_digit(body, weights[0])
    return body + first + _check_digit(body + first, weights[1])


def _valid(text: str, length: int, weights: tuple[Sequence[int], Sequence[int]]) -> bool:
    return (
        len(text) == length
        and text.isascii()
        and text.isdigit()
        and len(set(text)) > 1
        and _complete(text[:-2], weights) == text
    )


def make_cpf(number: int) -> str:
    """A valid CPF whose first nine digits come from ``number`` (never all digits equal)."""
    body = f"{number % 1_000_000_000:09d}"
    if len(set(body)) == 1:
        body = body[:-1] + str((int(body[-1]) + 1) % 10)
    return _complete(body, _CPF_WEIGHTS)


def make_cnpj(number: int, branch: int = 1) -> str:
    """A valid CNPJ: eight root digits from ``number``, then the 4-digit establishment number."""
    return _complete(f"{number % 100_000_000:08d}{branch % 10_000:04d}", _CNPJ_WEIGHTS)


def is_cpf(text: str) -> bool:
    """11 digits, not all equal, with matching check digits."""
    return _valid(text, 11, _CPF_WEIGHTS)


def is_cnpj(text: str) -> bool:
    """14 digits, not all equal, with matching check digits."""
    return _valid(text, 14, _CNPJ_WEIGHTS)


def nfe_access_key(*, state: int, yymm: str, cnpj: str, serial: int, number: int, code: int) -> str:
    """The 44-digit NF-e key: cUF, AAMM, CNPJ, model 55, series, number, emission type 1, cNF and
    the mod-11 check digit (weights 2..9 from the right)."""
    body = f"{state:02d}{yymm}{cnpj}55{serial:03d}{number:09d}1{code % 100_000_000:08d}"
    total = sum(int(d) * (2 + n % 8) for n, d in enumerate(reversed(body)))
    remainder = total % 11
    return body + ("0" if remainder < 2 else str(11 - remainder))
